package dev.jasg.nn;

/**
 * {@code torch.nn.InstanceNorm1d} over {@code [N, C, L]} inputs: each channel of each sample normalised
 * over its 1 spatial axis; see {@link InstanceNorm} for the formula, defaults and
 * the difference from PyTorch.
 */
public final class InstanceNorm1d extends InstanceNorm {
    /** {@code eps=1e-5}, no affine parameters, no running statistics (PyTorch's defaults). */
    public InstanceNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, false, false);
    }

    /** Every option; {@code trackRunningStats=true} is refused (not supported). */
    public InstanceNorm1d(int numFeatures, double eps, boolean affine, boolean trackRunningStats) {
        super(numFeatures, 1, eps, affine, trackRunningStats);
    }
}
