package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.MaxUnpool2d}: the partial inverse of {@link MaxPool2d}; each input element is
 * written at its flat index {@code h W_out + w} ({@link MaxPool2d#applyWithIndices}) of a zero
 * plane, {@code y[n, c, idx[n, c, i]] = x[n, c, i]}. The output plane is
 * {@code (n - 1) stride - 2 padding + kernel} per axis unless an output size is given (which
 * must lie strictly within {@code stride} of that, as PyTorch checks).
 *
 * <p>Computed as a masked sum over the one-hot comparison of the indices with the output
 * positions (cost {@code H W H_out W_out} per plane). Where several inputs name one position
 * (overlapping pooling windows, whose maxima are then the same element) the output is their
 * mean, which equals PyTorch's write of that one value; the gradient is then shared among them
 * rather than copied to each.
 */
public final class MaxUnpool2d extends Layer {
    private final int kh, kw, sh, sw, ph, pw;

    /** Square windows of {@code kernel}, stride {@code kernel}, no padding. */
    public MaxUnpool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Square windows of {@code kernel} with {@code stride} and {@code padding}. */
    public MaxUnpool2d(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("MaxUnpool2d: kernel and stride must be positive and padding non-negative, got kernel=" + kernel
                    + " stride=" + stride + " padding=" + padding);
        }
        kh = kw = kernel;
        sh = sw = stride;
        ph = pw = padding;
    }

    /** Not usable: unpooling needs the indices; call {@link #apply(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("MaxUnpool2d needs the indices of the pooling: call apply(x, indices)");
    }

    /** Unpools {@code x [N, C, H, W]} by I32 {@code indices} of its shape, to the default output size. */
    public Tensor apply(Tensor x, Tensor indices) {
        checkInputs(x, indices);
        return apply(x, indices, (x.shape().dim(2) - 1) * sh - 2 * ph + kh, (x.shape().dim(3) - 1) * sw - 2 * pw + kw);
    }

    /** Unpools {@code x [N, C, H, W]} by I32 {@code indices} of its shape to planes of {@code outH x outW} (PyTorch's {@code output_size}). */
    public Tensor apply(Tensor x, Tensor indices, int outH, int outW) {
        checkInputs(x, indices);
        int dh = (x.shape().dim(2) - 1) * sh - 2 * ph + kh, dw = (x.shape().dim(3) - 1) * sw - 2 * pw + kw;
        if (outH <= dh - sh || outH >= dh + sh || outW <= dw - sw || outW >= dw + sw) {
            throw new IllegalArgumentException("MaxUnpool2d: output_size " + outH + "x" + outW + " must lie strictly between " + (dh - sh) + "x" + (dw - sw)
                    + " and " + (dh + sh) + "x" + (dw + sw) + " for input " + x.shape() + " at node " + x.id());
        }
        return inScope(x.builder(), () -> unpool(x, indices, outH, outW));
    }

    private void checkInputs(Tensor x, Tensor indices) {
        if (x.rank() != 4 || x.shape().isSymbolic(1) || x.shape().isSymbolic(2) || x.shape().isSymbolic(3)) {
            throw new IllegalArgumentException("MaxUnpool2d: expected an NCHW input with concrete C, H, W, got " + x.shape() + " at node " + x.id());
        }
        if (!indices.shape().equals(x.shape()) || (indices.dtype() != DType.I32 && indices.dtype() != DType.I64)) {
            throw new IllegalArgumentException("MaxUnpool2d: indices must be i32 or i64 of the input's shape " + x.shape() + ", got "
                    + indices.dtype().label() + indices.shape() + " at node " + indices.id());
        }
    }

    /** The unpooling itself: {@code y[p] = mean of x[i] over i with idx[i] == p}, 0 where no index names p. */
    static Tensor unpool(Tensor x, Tensor indices, int outH, int outW) {
        Object n = x.shape().parts().get(0);
        int c = x.shape().dim(1), plane = x.shape().dim(2) * x.shape().dim(3), out = outH * outW;
        float[] pos = new float[out];
        for (int i = 0; i < out; i++) pos[i] = i;
        Tensor positions = x.builder().constant(HostTensor.of(pos, out)).cast(DType.I32);
        Tensor hit = indices.cast(DType.I32).reshape(Shape.symbolic(n, c, plane, 1)).eq(positions);      // [N, C, HW, out]
        Tensor xs = x.reshape(Shape.symbolic(n, c, plane, 1));
        // a masked sum, not a matmul with the one-hot matrix: a NaN input stays at its own position
        Tensor sum = hit.where(xs.broadcastTo(hit.shape()), 0).sum(2);                                    // [N, C, out]
        Tensor count = hit.cast(x.dtype()).sum(2).clampMin(1);
        return sum.div(count).reshape(Shape.symbolic(n, c, outH, outW));
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + kh + ", " + kw + "), stride=(" + sh + ", " + sw + "), padding=(" + ph + ", " + pw + ")";
    }
}
