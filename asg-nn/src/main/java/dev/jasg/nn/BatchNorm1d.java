package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.BatchNorm1d} over inputs {@code [N, C]} or {@code [N, C, L]}: statistics
 * per channel over N (and L); defaults eps 1e-5, momentum 0.1, affine, tracking running
 * statistics. See {@link BatchNorm} for the formulas.
 */
public final class BatchNorm1d extends BatchNorm {
    /** PyTorch's defaults. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** A layer with every option; a null {@code momentum} makes the running statistics a cumulative average. */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    Layer make(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        return new BatchNorm1d(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    void checkRank(Tensor x) {
        if (x.rank() != 2 && x.rank() != 3) throw new IllegalArgumentException("BatchNorm1d: expected a 2-D or 3-D input, got " + x.shape());
    }
}
