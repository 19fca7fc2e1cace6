package dev.jasg.core;

import java.util.Arrays;

/**
 * Average pooling, as composites of primitives: a window sum is a depthwise
 * {@link Op.Conv2d} with a kernel of ones, divided by a constant map of window sizes, and an
 * adaptive average is two products with constant averaging matrices. Their gradients come
 * from the convolution's and matmul's rules, so forward and backward always agree. Max
 * pooling is the primitive {@link Tensor#maxPool2d}.
 */
public final class Pooling {
    private Pooling() {}

    /**
     * {@code torch.nn.functional.avg_pool2d} on an NCHW tensor with concrete C, H, W: window
     * {@code kh x kw}, stride, padding, {@code ceilMode}, {@code countIncludePad} (padding
     * counts in the divisor, but not the part of a ceil-mode window past the padding), and
     * {@code divisorOverride} (used as the divisor when positive).
     */
    public static Tensor avgPool2d(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw, boolean ceilMode,
                                   boolean countIncludePad, int divisorOverride) {
        String where = " at node " + x.id();
        if (x.rank() != 4) throw new ShapeException("avg_pool2d: needs an NCHW tensor, got " + x.shape() + where);
        for (int i = 1; i < 4; i++) if (x.shape().isSymbolic(i)) throw new ShapeException("avg_pool2d: axis " + i + " of " + x.shape() + " must be concrete" + where);
        PoolWindow.Fixed win = new PoolWindow.Fixed(kh, kw, sh, sw, ph, pw, 1, 1, ceilMode);
        int c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        int ho = win.outSize(0, h), wo = win.outSize(1, w);
        if (ho < 1 || wo < 1) throw new ShapeException("avg_pool2d: " + win + " gives an empty output for " + x.shape() + where);
        // extra zero padding at the bottom and right so the convolution yields the ceil-mode windows too
        int extraH = Math.max(0, (ho - 1) * sh + kh - (h + 2 * ph)), extraW = Math.max(0, (wo - 1) * sw + kw - (w + 2 * pw));
        float[] ones = new float[c * kh * kw];
        Arrays.fill(ones, 1f);
        GraphBuilder b = x.builder();
        Tensor kernel = b.constant(HostTensor.of(ones, c, 1, kh, kw)).cast(x.dtype());
        Tensor sum = x.conv2d(kernel, new ConvGeometry(sh, sw, ph, ph + extraH, pw, pw + extraW, 1, 1, c));
        double[] divisor = new double[ho * wo];
        boolean uniform = true;
        for (int i = 0; i < ho; i++) {
            for (int j = 0; j < wo; j++) {
                divisor[i * wo + j] = divisorOverride > 0 ? divisorOverride
                        : windowSize(i, sh, ph, kh, h, countIncludePad) * windowSize(j, sw, pw, kw, w, countIncludePad);
                uniform &= divisor[i * wo + j] == divisor[0];
            }
        }
        if (uniform) return sum.div(divisor[0]);
        return sum.div(b.constant(HostTensor.fromDoubles(DType.F32, Shape.of(ho, wo), divisor)).cast(x.dtype()));
    }

    /** PyTorch's divisor along one axis: the window clipped to the padded input, or to the input itself. */
    private static int windowSize(int o, int s, int p, int k, int n, boolean includePad) {
        int start = o * s - p, end = Math.min(start + k, n + p);
        if (includePad) return end - start;
        return Math.min(end, n) - Math.max(start, 0);
    }

    /**
     * {@code torch.nn.functional.adaptive_avg_pool2d} to {@code outH x outW}: window
     * {@code o} of an axis of size {@code n} averages {@code [floor(o n / out), ceil((o+1) n / out))}.
     * Computed as {@code P_h x P_w^T} with constant averaging matrices; a 1x1 output is a mean.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        String where = " at node " + x.id();
        if (x.rank() != 4) throw new ShapeException("adaptive_avg_pool2d: needs an NCHW tensor, got " + x.shape() + where);
        if (outH < 1 || outW < 1) throw new ShapeException("adaptive_avg_pool2d: output size must be >= 1, got " + outH + "x" + outW + where);
        if (outH == 1 && outW == 1) return x.mean(new int[] {2, 3}, true);
        for (int i = 2; i < 4; i++) if (x.shape().isSymbolic(i)) throw new ShapeException("adaptive_avg_pool2d: axis " + i + " of " + x.shape() + " must be concrete" + where);
        PoolWindow.Adaptive win = new PoolWindow.Adaptive(outH, outW);
        int h = x.shape().dim(2), w = x.shape().dim(3);
        GraphBuilder b = x.builder();
        Tensor rows = b.constant(averaging(win, 0, h)).cast(x.dtype());            // [outH, H]
        Tensor cols = b.constant(averaging(win, 1, w)).cast(x.dtype()).mT();      // [W, outW]
        return rows.matmul(x.matmul(cols));
    }

    /** The {@code [out, n]} matrix whose row {@code o} is {@code 1/taps} over window {@code o}. */
    private static HostTensor averaging(PoolWindow win, int axis, int n) {
        int out = win.outSize(axis, n);
        float[] m = new float[out * n];
        for (int o = 0; o < out; o++) {
            int start = win.start(axis, o, n), taps = win.taps(axis, o, n);
            for (int t = 0; t < taps; t++) m[o * n + start + t] = 1f / taps;
        }
        return HostTensor.of(m, out, n);
    }
}
