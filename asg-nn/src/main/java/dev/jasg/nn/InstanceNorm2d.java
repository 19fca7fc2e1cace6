package dev.jasg.nn;

/**
 * {@code torch.nn.InstanceNorm2d} over {@code [N, C, H, W]} inputs: each channel of each sample normalised
 * over its 2 spatial axes; see {@link InstanceNorm} for the formula, defaults and
 * the difference from PyTorch.
 */
public final class InstanceNorm2d extends InstanceNorm {
    /** {@code eps=1e-5}, no affine parameters, no running statistics (PyTorch's defaults). */
    public InstanceNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, false, false);
    }

    /** Every option; {@code trackRunningStats=true} is refused (not supported). */
    public InstanceNorm2d(int numFeatures, double eps, boolean affine, boolean trackRunningStats) {
        super(numFeatures, 2, eps, affine, trackRunningStats);
    }
}
