package dev.jasg.nn;

import dev.jasg.core.Pooling;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AvgPool2d} over NCHW inputs: the mean of each window. Defaults as PyTorch:
 * {@code stride = kernel}, padding 0, floor mode, {@code count_include_pad=True} (zero padding
 * counts in the divisor), no divisor override. See {@link Pooling#avgPool2d}.
 */
public final class AvgPool2d extends Layer {
    private final int kernel, stride, padding, divisorOverride;
    private final boolean ceilMode, countIncludePad;

    /** Square windows of {@code kernel}, stride {@code kernel}. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Square windows of {@code kernel} with {@code stride} and {@code padding}. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true, 0);
    }

    /** Every option; {@code divisorOverride <= 0} means none. */
    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("AvgPool2d: kernel and stride must be positive and padding at most half the kernel, got kernel="
                    + kernel + " stride=" + stride + " padding=" + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, kernel, kernel, stride, stride, padding, padding, ceilMode, countIncludePad, divisorOverride);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", ceil_mode=" + Repr.of(ceilMode)
                + ", count_include_pad=" + Repr.of(countIncludePad);
    }
}
