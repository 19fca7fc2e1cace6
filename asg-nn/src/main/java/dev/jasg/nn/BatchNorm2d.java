package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.BatchNorm2d} over inputs {@code [N, C, H, W]}: statistics per channel over
 * N, H and W; defaults eps 1e-5, momentum 0.1, affine, tracking running statistics. See
 * {@link BatchNorm} for the formulas.
 */
public final class BatchNorm2d extends BatchNorm {
    /** PyTorch's defaults. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** A layer with every option; a null {@code momentum} makes the running statistics a cumulative average. */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    Layer make(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        return new BatchNorm2d(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    void checkRank(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("BatchNorm2d: expected a 4-D input, got " + x.shape());
    }
}
