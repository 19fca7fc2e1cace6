package dev.jasg.nn;

import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.MaxPool2d} over NCHW inputs: the largest element of each window; the
 * gradient goes to that element (the first largest in row-major window order). Defaults as
 * PyTorch: {@code stride = kernel}, padding 0 (at most half the kernel; padding never wins),
 * dilation 1, floor mode.
 */
public final class MaxPool2d extends Layer {
    private final PoolWindow.Fixed window;

    /** Square windows of {@code kernel}, stride {@code kernel}. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Square windows of {@code kernel} with {@code stride} and {@code padding}. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, 1, false);
    }

    /** Square windows with every option. */
    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this(new PoolWindow.Fixed(kernel, kernel, stride, stride, padding, padding, dilation, dilation, ceilMode));
    }

    /** Windows as given (rectangular sizes per axis). */
    public MaxPool2d(PoolWindow.Fixed window) {
        this.window = window;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("MaxPool2d: expected an NCHW input of rank 4, got " + x.shape() + " at node " + x.id());
        return x.maxPool2d(window);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + window.kernelH() + ", " + window.kernelW() + "), stride=(" + window.strideH() + ", " + window.strideW()
                + "), padding=(" + window.padH() + ", " + window.padW() + "), dilation=(" + window.dilationH() + ", " + window.dilationW()
                + "), ceil_mode=" + Repr.of(window.ceilMode());
    }
}
