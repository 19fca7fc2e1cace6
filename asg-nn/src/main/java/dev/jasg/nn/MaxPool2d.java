package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.MaxPool2d} over NCHW inputs: the largest element of each window; the
 * gradient goes to that element (the first largest in row-major window order). Defaults as
 * PyTorch: {@code stride = kernel}, padding 0 (at most half the kernel; padding never wins),
 * dilation 1, floor mode.
 *
 * <p>PyTorch's {@code return_indices=True} is {@link #applyWithIndices}: the output and, for each
 * output element, the flat index {@code h W + w} of its maximum within its input plane (I32 here;
 * int64 in PyTorch), which {@link MaxUnpool2d} takes.
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

    /** The output of a max pooling with the arg-max positions, as PyTorch's {@code return_indices=True}. */
    public record Pooled(Tensor output, Tensor indices) {}

    /** {@link #apply(Tensor)} that also returns the indices of the maxima ({@code return_indices=True}). */
    public Pooled applyWithIndices(Tensor x) {
        Tensor[] indices = new Tensor[1];
        Tensor y = inScope(x.builder(), () -> {
            Pooled p = withIndices(x, window, "MaxPool2d");
            indices[0] = p.indices();
            return p.output();
        });
        return new Pooled(y, indices[0]);
    }

    /**
     * {@code torch.nn.functional.max_pool2d(x, ..., return_indices=True)} on an NCHW {@code x}
     * with concrete H and W: the pooled output and the I32 flat index {@code h W + w} of each
     * maximum within its plane. The index comes from {@link Tensor#maxPoolSelect} of a constant
     * plane of positions, so it names the element the gradient goes to.
     */
    public static Pooled withIndices(Tensor x, PoolWindow window, String who) {
        if (x.rank() != 4 || x.shape().isSymbolic(2) || x.shape().isSymbolic(3)) {
            throw new IllegalArgumentException(who + ": expected an NCHW input with concrete H and W, got " + x.shape() + " at node " + x.id());
        }
        int h = x.shape().dim(2), w = x.shape().dim(3);
        if ((long) h * w > 1 << 24) throw new IllegalArgumentException(who + ": a plane of " + h + "x" + w + " has more positions than F32 counts exactly, at node " + x.id());
        float[] pos = new float[h * w];
        for (int i = 0; i < pos.length; i++) pos[i] = i;
        Tensor positions = x.builder().constant(HostTensor.of(pos, 1, 1, h, w)).broadcastTo(x.shape());
        Tensor y = x.maxPool2d(window);
        return new Pooled(y, x.detach().cast(DType.F32).maxPoolSelect(positions, window).cast(DType.I32));
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + window.kernelH() + ", " + window.kernelW() + "), stride=(" + window.strideH() + ", " + window.strideW()
                + "), padding=(" + window.padH() + ", " + window.padW() + "), dilation=(" + window.dilationH() + ", " + window.dilationW()
                + "), ceil_mode=" + Repr.of(window.ceilMode());
    }
}
