package dev.jasg.nn;

import dev.jasg.core.Pooling;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AvgPool3d} over NCDHW inputs: the mean of each {@code kd x kh x kw} window.
 * Defaults as PyTorch: {@code stride = kernel}, padding 0, floor mode,
 * {@code count_include_pad=True}, no divisor override.
 *
 * <p>A composite: PyTorch's divisor is the product of the per-axis window sizes (clipped to the
 * padded input, or to the input without {@code count_include_pad}), so the box mean is
 * {@link Pooling#avgPool2d} over (H, W) on {@code [N, C D, H, W]}, then over (D, 1) on
 * {@code [N, C, D, Ho Wo]}; with a divisor override the first pass sums and the second divides.
 */
public final class AvgPool3d extends Layer {
    private final int kd, kh, kw, sd, sh, sw, pd, ph, pw, divisorOverride;
    private final boolean ceilMode, countIncludePad;

    /** Cubic windows of {@code kernel}, stride {@code kernel}. */
    public AvgPool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Cubic windows of {@code kernel} with {@code stride} and {@code padding}. */
    public AvgPool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel, kernel}, new int[] {stride, stride, stride}, new int[] {padding, padding, padding}, false, true, 0);
    }

    /** Sizes per axis (depth, height, width); {@code divisorOverride <= 0} means none. */
    public AvgPool3d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        for (int[] a : new int[][] {kernel, stride, padding}) {
            if (a.length != 3) throw new IllegalArgumentException("AvgPool3d: sizes need three values (depth, height, width), got " + a.length);
        }
        for (int i = 0; i < 3; i++) {
            if (kernel[i] < 1 || stride[i] < 1 || padding[i] < 0 || padding[i] > kernel[i] / 2) {
                throw new IllegalArgumentException("AvgPool3d: kernel and stride must be positive and padding at most half the kernel, got kernel="
                        + java.util.Arrays.toString(kernel) + " stride=" + java.util.Arrays.toString(stride) + " padding=" + java.util.Arrays.toString(padding));
            }
        }
        kd = kernel[0]; kh = kernel[1]; kw = kernel[2];
        sd = stride[0]; sh = stride[1]; sw = stride[2];
        pd = padding[0]; ph = padding[1]; pw = padding[2];
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 5) throw new IllegalArgumentException("AvgPool3d: expected an NCDHW input of rank 5, got " + x.shape() + " at node " + x.id());
        for (int i = 1; i < 5; i++) {
            if (x.shape().isSymbolic(i)) throw new IllegalArgumentException("AvgPool3d: axis " + i + " of " + x.shape() + " must be concrete at node " + x.id());
        }
        Object n = x.shape().parts().get(0);
        int c = x.shape().dim(1), d = x.shape().dim(2), h = x.shape().dim(3), w = x.shape().dim(4);
        boolean override = divisorOverride > 0;
        Tensor rect = Pooling.avgPool2d(x.reshape(Shape.symbolic(n, c * d, h, w)), kh, kw, sh, sw, ph, pw, ceilMode, countIncludePad, override ? 1 : 0);
        int ho = rect.shape().dim(2), wo = rect.shape().dim(3);
        Tensor box = Pooling.avgPool2d(rect.reshape(Shape.symbolic(n, c, d, ho * wo)), kd, 1, sd, 1, pd, 0, ceilMode, countIncludePad,
                override ? divisorOverride : 0);
        return box.reshape(Shape.symbolic(n, c, box.shape().dim(2), ho, wo));
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + kd + ", " + kh + ", " + kw + "), stride=(" + sd + ", " + sh + ", " + sw + "), padding=(" + pd + ", " + ph + ", " + pw + ")";
    }
}
