package dev.jasg.nn;

import dev.jasg.core.Pooling;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AvgPool1d} over NCL inputs: the mean of each window. Defaults as PyTorch:
 * {@code stride = kernel}, padding 0 (at most half the kernel), floor mode,
 * {@code count_include_pad=True}. {@link Pooling#avgPool2d} on {@code [N, C, 1, L]}.
 */
public final class AvgPool1d extends Layer {
    private final int kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;

    /** Windows of {@code kernel}, stride {@code kernel}. */
    public AvgPool1d(int kernel) {
        this(kernel, kernel, 0, false, true);
    }

    /** Every option. */
    public AvgPool1d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("AvgPool1d: kernel and stride must be positive and padding at most half the kernel, got kernel="
                    + kernel + " stride=" + stride + " padding=" + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3) throw new IllegalArgumentException("AvgPool1d: expected an NCL input of rank 3, got " + x.shape() + " at node " + x.id());
        return Pooling.avgPool2d(x.unsqueeze(2), 1, kernel, 1, stride, 0, padding, ceilMode, countIncludePad, 0).squeeze(2);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + kernel + ",), stride=(" + stride + ",), padding=(" + padding + ",)";
    }
}
