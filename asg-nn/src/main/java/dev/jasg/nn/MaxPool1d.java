package dev.jasg.nn;

import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.MaxPool1d} over NCL inputs: the largest element of each window; the gradient
 * goes to that element (the first largest). Defaults as PyTorch: {@code stride = kernel},
 * padding 0 (at most half the kernel; padding never wins), dilation 1, floor mode. Lowered to
 * {@link Tensor#maxPool2d} on {@code [N, C, 1, L]}.
 */
public final class MaxPool1d extends Layer {
    private final PoolWindow.Fixed window;
    private final int kernel, stride, padding, dilation;
    private final boolean ceilMode;

    /** Windows of {@code kernel}, stride {@code kernel}. */
    public MaxPool1d(int kernel) {
        this(kernel, kernel, 0, 1, false);
    }

    /** Every option. */
    public MaxPool1d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this.window = new PoolWindow.Fixed(1, kernel, 1, stride, 0, padding, 1, dilation, ceilMode);
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3) throw new IllegalArgumentException("MaxPool1d: expected an NCL input of rank 3, got " + x.shape() + " at node " + x.id());
        return x.unsqueeze(2).maxPool2d(window).squeeze(2);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation + ", ceil_mode=" + Repr.of(ceilMode);
    }
}
