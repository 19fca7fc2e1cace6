package dev.jasg.nn;

import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.GroupNorm}: the channels (axis 1) of an {@code [N, C, *]} input split into
 * {@code num_groups} groups, each normalised over its channels and all spatial positions:
 * {@code y = (x - mean_g) / sqrt(var_g + eps) * weight[c] + bias[c]} with the biased variance.
 * With {@code affine} (the default), {@code weight} (ones) and {@code bias} (zeros) of
 * {@code [C]}. Defaults as PyTorch: {@code eps=1e-5, affine=True}.
 */
public final class GroupNorm extends Layer {
    private final int numGroups, numChannels;
    private final double eps;
    private final boolean affine;

    /** {@code eps=1e-5}, affine. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    /** Every option. */
    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups < 1 || numChannels < 1 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels " + numChannels + " must be a positive multiple of num_groups " + numGroups);
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.affine = affine;
        if (affine) {
            registerParameter("weight", Initializers.ones(), numChannels);
            registerParameter("bias", Initializers.zeros(), numChannels);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        checkChannels("GroupNorm", x, numChannels);
        Object n = x.shape().parts().get(0);
        int per = (int) (x.shape().sub(1, x.rank()).size() / numGroups);
        Tensor y = x.reshape(Shape.symbolic(n, numGroups, per)).normalize(new int[] {2}, eps).reshape(x.shape());
        return affine ? InstanceNorm.affine(y, parameter(x, "weight"), parameter(x, "bias")) : y;
    }

    /** Throws unless {@code x} is {@code [N, C, *]} with {@code channels} channels and concrete sizes after the batch. */
    static void checkChannels(String layer, Tensor x, int channels) {
        if (x.rank() < 2) throw new IllegalArgumentException(layer + ": expected an input of rank >= 2 [N, C, *], got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < x.rank(); i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException(layer + ": axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        if (x.shape().dim(1) != channels) {
            throw new IllegalArgumentException(layer + ": expected " + channels + " channels on axis 1, got " + x.shape() + " at node " + x.id());
        }
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + Repr.of(eps) + ", affine=" + Repr.of(affine);
    }
}
