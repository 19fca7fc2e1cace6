package dev.jasg.nn;

import dev.jasg.core.PoolWindow;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.MaxPool3d} over NCDHW inputs: the largest element of each
 * {@code kd x kh x kw} window, the gradient to that element (the first largest in
 * depth, row, column order). Defaults as PyTorch: {@code stride = kernel}, padding 0 (at most
 * half the kernel), dilation 1, floor mode.
 *
 * <p>A composite: the maximum over a box is the maximum over depth of the maxima over each
 * depth slice's rectangle, so it is {@link Tensor#maxPool2d} over (H, W) on
 * {@code [N, C D, H, W]}, then over (D, 1) on {@code [N, C, D, Ho Wo]}.
 */
public final class MaxPool3d extends Layer {
    private final int kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw;
    private final boolean ceilMode;
    private final PoolWindow.Fixed plane, depth;

    /** Cubic windows of {@code kernel}, stride {@code kernel}. */
    public MaxPool3d(int kernel) {
        this(kernel, kernel, 0, 1, false);
    }

    /** Cubic windows with every option given as one size for all three axes. */
    public MaxPool3d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this(new int[] {kernel, kernel, kernel}, new int[] {stride, stride, stride}, new int[] {padding, padding, padding},
                new int[] {dilation, dilation, dilation}, ceilMode);
    }

    /** Sizes per axis (depth, height, width). */
    public MaxPool3d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        for (int[] a : new int[][] {kernel, stride, padding, dilation}) {
            if (a.length != 3) throw new IllegalArgumentException("MaxPool3d: sizes need three values (depth, height, width), got " + a.length);
        }
        kd = kernel[0]; kh = kernel[1]; kw = kernel[2];
        sd = stride[0]; sh = stride[1]; sw = stride[2];
        pd = padding[0]; ph = padding[1]; pw = padding[2];
        dd = dilation[0]; dh = dilation[1]; dw = dilation[2];
        this.ceilMode = ceilMode;
        this.plane = new PoolWindow.Fixed(kh, kw, sh, sw, ph, pw, dh, dw, ceilMode);
        this.depth = new PoolWindow.Fixed(kd, 1, sd, 1, pd, 0, dd, 1, ceilMode);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 5) throw new IllegalArgumentException("MaxPool3d: expected an NCDHW input of rank 5, got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < 5; i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException("MaxPool3d: axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        Object n = x.shape().parts().get(0);
        int c = x.shape().dim(1), d = x.shape().dim(2), h = x.shape().dim(3), w = x.shape().dim(4);
        int ho = plane.outSize(0, h), wo = plane.outSize(1, w), dOut = depth.outSize(0, d);
        if (ho < 1 || wo < 1 || dOut < 1) throw new IllegalArgumentException("MaxPool3d: the windows give an empty output for " + x.shape() + " at node " + x.id());
        Tensor rect = x.reshape(Shape.symbolic(n, c * d, h, w)).maxPool2d(plane);
        Tensor box = rect.reshape(Shape.symbolic(n, c, d, ho * wo)).maxPool2d(depth);
        return box.reshape(Shape.symbolic(n, c, dOut, ho, wo));
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + kd + ", " + kh + ", " + kw + "), stride=(" + sd + ", " + sh + ", " + sw + "), padding=(" + pd + ", " + ph + ", " + pw
                + "), dilation=(" + dd + ", " + dh + ", " + dw + "), ceil_mode=" + Repr.of(ceilMode);
    }
}
