package dev.jasg.cpu;

import dev.jasg.core.ConvGeometry;

import java.util.Arrays;

/**
 * Convolution kernels on NCHW float arrays (max pooling is in {@link PoolKernels}).
 *
 * <p>Convolutions are lowered to {@link Gemm} products per (image, group): {@code im2col}
 * unfolds the receptive fields of one image into a {@code [Cg kh kw, Ho Wo]} matrix so the
 * forward pass is {@code W_g [Og, K] x col [K, HoWo]}; the input gradient (a transposed
 * convolution) is {@code W_g^T x g} folded back with {@code col2im}; the kernel gradient
 * accumulates {@code g [Og, HoWo] x col^T} over images. A 1x1 kernel with stride 1 and no
 * padding skips the unfolding. Images are split over {@link CpuThreads} (each product then
 * runs serially; with fewer images than workers the products themselves are split), and the
 * kernel gradient keeps one partial sum per worker, added at the end.
 */
final class ConvKernels {
    /** Per-thread unfolding scratch, grown on demand and kept: no allocation per run in steady state. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private ConvKernels() {}

    /**
     * One convolution's sizes on the "image" side ({@code c, h, w}: the input of conv2d, the
     * output of its transpose) and the "column" side ({@code o, ho, wo}), with kernel
     * {@code kh x kw} and geometry {@code g}.
     */
    record Shape(int n, int c, int h, int w, int o, int ho, int wo, int kh, int kw, ConvGeometry g) {
        int groups() { return g.groups(); }
        int cg() { return c / g.groups(); }
        int og() { return o / g.groups(); }
        /** Rows of the unfolded matrix. */
        int k() { return cg() * kh * kw; }
        int hw() { return ho * wo; }
    }

    private static float[] scratch(int size) {
        float[][] s = SCRATCH.get();
        if (s[0].length < size) s[0] = new float[size];
        return s[0];
    }

    /**
     * Runs {@code body} over tasks {@code [0, n)}: split over the workers (each product then
     * serial) when there are enough tasks, else in order on this thread with each product
     * itself split ({@code parallelInside} true).
     */
    private static void tasks(int n, long work, TaskBody body) {
        if (work < Gemm.PARALLEL_MIN || n < CpuThreads.PARALLELISM) {
            body.run(0, n, work >= Gemm.PARALLEL_MIN);
        } else {
            CpuThreads.parallelFor(n, 1, (t0, t1) -> body.run(t0, t1, false));
        }
    }

    @FunctionalInterface
    private interface TaskBody {
        void run(int from, int to, boolean parallelInside);
    }

    /** {@link Gemm#gemm} when {@code parallel}, else its serial form on this thread. */
    private static void gemm(boolean parallel, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        if (parallel) {
            Gemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            Gemm.serial(m, n, k, a, aOff, transA ? 1 : lda, transA ? lda : 1, b, bOff, transB ? 1 : ldb, transB ? ldb : 1, c, cOff, ldc, accumulate);
        }
    }

    /** True when the unfolded matrix of an image is the image itself (1x1 kernel, stride 1, no padding). */
    private static boolean pointwise(Shape s) {
        ConvGeometry g = s.g();
        return s.kh() == 1 && s.kw() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padTop() == 0 && g.padBottom() == 0
                && g.padLeft() == 0 && g.padRight() == 0 && s.ho() == s.h() && s.wo() == s.w();
    }

    /** {@code y = conv2d(x, w)}: {@code x [n, c, h, w]}, {@code w [o, cg, kh, kw]}, {@code y [n, o, ho, wo]}. */
    static void conv2d(Shape s, float[] x, float[] w, float[] y) {
        int k = s.k(), hw = s.hw(), og = s.og(), groups = s.groups();
        boolean direct = pointwise(s);
        tasks(s.n() * groups, (long) s.n() * s.o() * hw * k, (t0, t1, par) -> {
            float[] col = direct ? null : scratch(k * hw);
            for (int t = t0; t < t1; t++) {
                int img = t / groups, grp = t % groups;
                float[] b = col;
                int bOff = 0;
                if (direct) {
                    b = x;
                    bOff = (img * s.c() + grp * s.cg()) * hw;
                } else {
                    im2col(s, x, img, grp, col);
                }
                // y_g[og, hw] = W_g[og, k] x col[k, hw]
                gemm(par, false, false, og, hw, k, w, grp * og * k, k, b, bOff, hw, y, (img * s.o() + grp * og) * hw, hw, false);
            }
        });
    }

    /**
     * {@code out = conv_transpose2d(x, w)}: {@code x [n, o, ho, wo]} on the column side,
     * {@code w [o, cg, kh, kw]}, {@code out [n, c, h, w]} on the image side.
     */
    static void convTranspose2d(Shape s, float[] x, float[] w, float[] out) {
        int k = s.k(), hw = s.hw(), og = s.og(), groups = s.groups(), plane = s.c() * s.h() * s.w();
        boolean direct = pointwise(s);
        tasks(s.n(), (long) s.n() * s.o() * hw * k, (i0, i1, par) -> {
            float[] col = direct ? null : scratch(k * hw);
            for (int img = i0; img < i1; img++) {
                if (!direct) Arrays.fill(out, img * plane, (img + 1) * plane, 0f);
                for (int grp = 0; grp < groups; grp++) {
                    int xo = (img * s.o() + grp * og) * hw;
                    if (direct) {
                        // out_g[cg, hw] = W_g^T x x_g, written in place
                        gemm(par, true, false, k, hw, og, w, grp * og * k, k, x, xo, hw, out, (img * s.c() + grp * s.cg()) * hw, hw, false);
                        continue;
                    }
                    // col[k, hw] = W_g^T[k, og] x x_g[og, hw]
                    gemm(par, true, false, k, hw, og, w, grp * og * k, k, x, xo, hw, col, 0, hw, false);
                    col2im(s, col, img, grp, out);
                }
            }
        });
    }

    /**
     * {@code dw[o, cg, kh, kw] = sum over images of g[n, o, :, :] x col(x[n])^T}: {@code x} is
     * {@code [n, c, h, w]} and {@code g [n, o, ho, wo]} (the shape's output size is the
     * gradient's, which may be smaller than the convolution's; the rest counts as zero).
     * {@code partials} holds one {@code dw}-sized array per worker after the first.
     */
    static void weightGrad(Shape s, float[] x, float[] g, float[] dw, float[][] partials) {
        int k = s.k(), og = s.og(), groups = s.groups(), size = s.o() * k, hw = s.hw();
        boolean direct = pointwise(s);
        long work = (long) s.n() * s.o() * hw * k;
        int parts = work < Gemm.PARALLEL_MIN ? 1 : Math.min(partials.length, s.n());
        boolean parallelInside = parts == 1 && work >= Gemm.PARALLEL_MIN;
        CpuThreads.parallelFor(parts, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                float[] acc = c == 0 ? dw : partials[c];
                float[] col = direct ? null : scratch(k * hw);
                int from = (int) ((long) s.n() * c / parts), to = (int) ((long) s.n() * (c + 1) / parts);
                if (to == from) Arrays.fill(acc, 0, size, 0f);
                for (int img = from; img < to; img++) {
                    for (int grp = 0; grp < groups; grp++) {
                        float[] b = col;
                        int bOff = 0;
                        if (direct) {
                            b = x;
                            bOff = (img * s.c() + grp * s.cg()) * hw;
                        } else {
                            im2col(s, x, img, grp, col);
                        }
                        // dw_g[og, k] (+)= g_g[og, hw] x col[k, hw]^T
                        gemm(parallelInside, false, true, og, k, hw, g, (img * s.o() + grp * og) * hw, hw, b, bOff, hw,
                                acc, grp * og * k, k, img > from);
                    }
                }
            }
        });
        for (int c = 1; c < parts; c++) {
            float[] p = partials[c];
            for (int i = 0; i < size; i++) dw[i] += p[i];
        }
    }

    /** Unfolds image {@code img}, group {@code grp} into {@code col[(c, i, j), (p, q)]}, zeros in the padding. */
    private static void im2col(Shape s, float[] x, int img, int grp, float[] col) {
        ConvGeometry g = s.g();
        int h = s.h(), w = s.w(), ho = s.ho(), wo = s.wo(), hw = s.hw();
        for (int c = 0; c < s.cg(); c++) {
            int plane = ((img * s.c()) + grp * s.cg() + c) * h * w;
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++) {
                    int row = ((c * s.kh() + i) * s.kw() + j) * hw;
                    for (int p = 0; p < ho; p++) {
                        int r = p * g.strideH() - g.padTop() + i * g.dilationH();
                        int dst = row + p * wo;
                        if (r < 0 || r >= h) {
                            Arrays.fill(col, dst, dst + wo, 0f);
                            continue;
                        }
                        int src = plane + r * w, c0 = j * g.dilationW() - g.padLeft(), sw = g.strideW();
                        int q0 = firstInside(c0, sw), q1 = endInside(c0, sw, w, wo);
                        if (q1 <= q0) {
                            Arrays.fill(col, dst, dst + wo, 0f);
                            continue;
                        }
                        // the padding columns, then a straight copy (a strided one past stride 1)
                        for (int q = 0; q < q0; q++) col[dst + q] = 0f;
                        if (sw == 1) {
                            System.arraycopy(x, src + q0 + c0, col, dst + q0, q1 - q0);
                        } else {
                            for (int q = q0, cc = src + q0 * sw + c0; q < q1; q++, cc += sw) col[dst + q] = x[cc];
                        }
                        for (int q = q1; q < wo; q++) col[dst + q] = 0f;
                    }
                }
            }
        }
    }

    /** The first output column {@code q} whose input column {@code q sw + c0} is not left of the image. */
    private static int firstInside(int c0, int sw) {
        return c0 >= 0 ? 0 : (-c0 + sw - 1) / sw;
    }

    /** One past the last output column {@code q < wo} whose input column {@code q sw + c0} is left of {@code w}. */
    private static int endInside(int c0, int sw, int w, int wo) {
        return w - 1 - c0 < 0 ? 0 : Math.min(wo, (w - 1 - c0) / sw + 1);
    }

    /** Adds {@code col[(c, i, j), (p, q)]} back onto image {@code img}, group {@code grp} (the adjoint of im2col). */
    private static void col2im(Shape s, float[] col, int img, int grp, float[] out) {
        ConvGeometry g = s.g();
        int h = s.h(), w = s.w(), ho = s.ho(), wo = s.wo(), hw = s.hw();
        for (int c = 0; c < s.cg(); c++) {
            int plane = ((img * s.c()) + grp * s.cg() + c) * h * w;
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++) {
                    int row = ((c * s.kh() + i) * s.kw() + j) * hw;
                    for (int p = 0; p < ho; p++) {
                        int r = p * g.strideH() - g.padTop() + i * g.dilationH();
                        if (r < 0 || r >= h) continue;
                        int dst = plane + r * w, src = row + p * wo, c0 = j * g.dilationW() - g.padLeft(), sw = g.strideW();
                        int q0 = firstInside(c0, sw), q1 = endInside(c0, sw, w, wo);
                        if (sw == 1) {
                            // a shifted add the JIT vectorises
                            for (int q = q0, o = dst + c0; q < q1; q++) out[o + q] += col[src + q];
                        } else {
                            for (int q = q0, cc = dst + q0 * sw + c0; q < q1; q++, cc += sw) out[cc] += col[src + q];
                        }
                    }
                }
            }
        }
    }
}
