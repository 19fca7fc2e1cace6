package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share, as PyTorch's {@code _BatchNorm}:
 * channels on axis 1, statistics over every other axis.
 *
 * <p>Training mode (or no running statistics): {@code y = normalize(x, axes != 1) * weight + bias}
 * with the batch's biased variance, one {@link dev.jasg.core.Op.Normalize} node; the graph
 * also assigns {@code running_mean = (1 - m) running_mean + m mean},
 * {@code running_var = (1 - m) running_var + m var_unbiased} and
 * {@code num_batches_tracked += 1}, with {@code m = momentum}, or {@code 1 / num_batches_tracked}
 * (a cumulative average) when momentum is null. Eval mode with running statistics:
 * {@code y = (x - running_mean) / sqrt(running_var + eps) * weight + bias}. A layer applied
 * twice on one graph updates its statistics from the first application only.
 */
abstract class BatchNorm extends Layer {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;
    private final Map<GraphBuilder, Boolean> updated = new WeakHashMap<>();

    BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": num_features must be positive, got " + numFeatures);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        if (affine) {
            registerParameter("weight", Initializers.ones(), numFeatures);
            registerParameter("bias", Initializers.zeros(), numFeatures);
        }
        if (trackRunningStats) {
            registerParameter("running_mean", Shape.of(numFeatures), DType.F32, Init.zeros(), false);
            registerParameter("running_var", Shape.of(numFeatures), DType.F32, Init.ones(), false);
            registerParameter("num_batches_tracked", Shape.scalar(), DType.I64, Init.zeros(), false);
        }
    }

    /**
     * A new layer of this kind and settings (eps, momentum, affine, running statistics) over
     * {@code numFeatures} channels, with fresh parameters: what the Model Lab puts in place of this
     * one when the channels feeding it change.
     */
    public final Layer withNumFeatures(int numFeatures) {
        return make(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    /** A layer of this subclass with these settings. */
    abstract Layer make(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats);

    /** Throws unless {@code x} has a rank this layer accepts. */
    abstract void checkRank(Tensor x);

    /** Number of channels C. */
    public final int numFeatures() {
        return numFeatures;
    }

    @Override
    public final Tensor forward(Tensor x) {
        checkRank(x);
        if (!x.shape().isSymbolic(1) && x.shape().dim(1) != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected " + numFeatures + " channels on axis 1, got " + x.shape());
        }
        int[] axes = new int[x.rank() - 1];
        for (int i = 0, k = 0; i < x.rank(); i++) if (i != 1) axes[k++] = i;
        Tensor y;
        if (isTraining() || !trackRunningStats) {
            y = x.normalize(axes, eps);
            if (isTraining() && trackRunningStats && updated.put(x.builder(), Boolean.TRUE) == null) updateRunningStats(x, axes);
        } else {
            Tensor mean = channels(parameter(x, "running_mean"), x.rank()).cast(x.dtype());
            Tensor var = channels(parameter(x, "running_var"), x.rank()).cast(x.dtype());
            y = x.sub(mean).mul(var.add(eps).rsqrt());
        }
        if (affine) {
            y = y.mul(channels(parameter(x, "weight"), x.rank()).cast(x.dtype())).add(channels(parameter(x, "bias"), x.rank()).cast(x.dtype()));
        }
        return y;
    }

    private void updateRunningStats(Tensor x, int[] axes) {
        Shape s = x.shape();
        long n = 1;
        boolean concrete = true;
        for (int a : axes) {
            if (s.isSymbolic(a)) concrete = false;
            else n *= s.dim(a);
        }
        if (concrete && n <= 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected more than 1 value per channel when training, got input " + s);
        }
        GraphBuilder b = x.builder();
        Tensor runningMean = parameter(x, "running_mean"), runningVar = parameter(x, "running_var");
        Tensor tracked = parameter(x, "num_batches_tracked");
        Tensor count = tracked.add(1);
        Tensor m = momentum != null ? runningMean.scalarLike(momentum) : runningMean.scalarLike(1).div(count.cast(DType.F32));
        Tensor mean = x.mean(axes, false).cast(DType.F32);
        Tensor var = x.var(axes, true, false).cast(DType.F32);
        b.assign(runningMean, runningMean.add(mean.sub(runningMean).mul(m)));
        b.assign(runningVar, runningVar.add(var.sub(runningVar).mul(m)));
        b.assign(tracked, count);
    }

    /** A [C] tensor shaped [1, C, 1, ...] to broadcast over an input of {@code rank}. */
    private static Tensor channels(Tensor t, int rank) {
        Object[] dims = new Object[rank];
        for (int i = 0; i < rank; i++) dims[i] = i == 1 ? t.shape().dim(0) : 1;
        return t.reshape(Shape.symbolic(dims));
    }

    @Override
    protected final String extraRepr() {
        return numFeatures + ", eps=" + Repr.of(eps) + ", momentum=" + Repr.of(momentum) + ", affine=" + Repr.of(affine)
                + ", track_running_stats=" + Repr.of(trackRunningStats);
    }
}
