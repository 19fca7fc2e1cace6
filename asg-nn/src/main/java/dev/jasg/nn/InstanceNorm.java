package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * What {@link InstanceNorm1d} and {@link InstanceNorm2d} share, as PyTorch's {@code _InstanceNorm}:
 * each channel of each sample normalised over its spatial positions,
 * {@code y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]} with the biased variance (one
 * {@link dev.jasg.core.Op.Normalize} node), in training and eval mode alike. Defaults as PyTorch:
 * {@code eps=1e-5, affine=False, track_running_stats=False}; with {@code affine}, {@code weight}
 * (ones) and {@code bias} (zeros) of {@code [C]}.
 *
 * <p>Difference from PyTorch: {@code track_running_stats=True} (running statistics used in eval
 * mode) is not supported and is refused at construction.
 */
abstract class InstanceNorm extends Layer {
    private final int numFeatures, spatialRank;
    private final double eps;
    private final boolean affine;

    InstanceNorm(int numFeatures, int spatialRank, double eps, boolean affine, boolean trackRunningStats) {
        String layer = getClass().getSimpleName();
        if (numFeatures <= 0) throw new IllegalArgumentException(layer + ": num_features must be positive, got " + numFeatures);
        if (trackRunningStats) throw new IllegalArgumentException(layer + ": track_running_stats=True is not supported; only per-instance statistics are");
        this.numFeatures = numFeatures;
        this.spatialRank = spatialRank;
        this.eps = eps;
        this.affine = affine;
        if (affine) {
            registerParameter("weight", Initializers.ones(), numFeatures);
            registerParameter("bias", Initializers.zeros(), numFeatures);
        }
    }

    @Override
    public final Tensor forward(Tensor x) {
        String layer = getClass().getSimpleName();
        if (x.rank() != spatialRank + 2) {
            throw new IllegalArgumentException(layer + ": expected an input of rank " + (spatialRank + 2) + ", got " + x.shape() + " at node " + x.id());
        }
        GroupNorm.checkChannels(layer, x, numFeatures);
        int[] axes = new int[spatialRank];
        for (int i = 0; i < spatialRank; i++) axes[i] = 2 + i;
        Tensor y = x.normalize(axes, eps);
        return affine ? affine(y, parameter(x, "weight"), parameter(x, "bias")) : y;
    }

    /** {@code y * weight[c] + bias[c]} with the per-channel vectors on axis 1 of {@code y}. */
    static Tensor affine(Tensor y, Tensor weight, Tensor bias) {
        int[] dims = new int[y.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[1] = weight.shape().dim(0);
        return y.mul(weight.reshape(dims)).add(bias.reshape(dims));
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + Repr.of(eps) + ", momentum=0.1, affine=" + Repr.of(affine) + ", track_running_stats=" + Repr.of(false);
    }
}
