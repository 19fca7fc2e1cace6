package dev.jasg.cpu;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.PoolWindow;

import java.util.Arrays;

/**
 * Convolution and max-pooling kernels on NCHW float arrays.
 *
 * <p>Convolutions are lowered to matrix products per (image, group): {@code im2col} unfolds
 * the receptive fields of one image into a {@code [Cg kh kw, Ho Wo]} matrix so the forward
 * pass is {@code W_g [Og, K] x col [K, HoWo]}; the input gradient (a transposed convolution)
 * is {@code W_g^T x g} folded back with {@code col2im}; the kernel gradient accumulates
 * {@code g [Og, HoWo] x rows [HoWo, K]} over images from the transposed unfolding. All inner
 * loops are unit-stride AXPYs the JIT vectorises. Images are split over {@link CpuThreads};
 * the kernel gradient keeps one partial sum per worker and adds them at the end.
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

    /** {@code y = conv2d(x, w)}: {@code x [n, c, h, w]}, {@code w [o, cg, kh, kw]}, {@code y [n, o, ho, wo]}. */
    static void conv2d(Shape s, float[] x, float[] w, float[] y) {
        int k = s.k(), hw = s.hw(), og = s.og(), groups = s.groups();
        long work = (long) s.n() * s.o() * hw * k;
        CpuThreads.parallelFor(s.n() * groups, work < MatMulKernel.PARALLEL_MIN ? Integer.MAX_VALUE : 1, (t0, t1) -> {
            float[] col = scratch(k * hw);
            for (int t = t0; t < t1; t++) {
                int img = t / groups, grp = t % groups;
                im2col(s, x, img, grp, col);
                int yo = (img * s.o() + grp * og) * hw;
                Arrays.fill(y, yo, yo + og * hw, 0f);
                // y_g[og, hw] = W_g[og, k] x col[k, hw]
                for (int r = 0; r < og; r++) {
                    int wRow = (grp * og + r) * k, yRow = yo + r * hw;
                    for (int p = 0; p < k; p++) axpy(w[wRow + p], col, p * hw, y, yRow, hw);
                }
            }
        });
    }

    /**
     * {@code out = conv_transpose2d(x, w)}: {@code x [n, o, ho, wo]} on the column side,
     * {@code w [o, cg, kh, kw]}, {@code out [n, c, h, w]} on the image side.
     */
    static void convTranspose2d(Shape s, float[] x, float[] w, float[] out) {
        int k = s.k(), hw = s.hw(), og = s.og(), groups = s.groups();
        long work = (long) s.n() * s.o() * hw * k;
        CpuThreads.parallelFor(s.n(), work < MatMulKernel.PARALLEL_MIN ? Integer.MAX_VALUE : 1, (i0, i1) -> {
            float[] col = scratch(k * hw);
            for (int img = i0; img < i1; img++) {
                int plane = s.c() * s.h() * s.w();
                Arrays.fill(out, img * plane, (img + 1) * plane, 0f);
                for (int grp = 0; grp < groups; grp++) {
                    Arrays.fill(col, 0, k * hw, 0f);
                    // col[k, hw] = W_g^T[k, og] x x_g[og, hw]
                    for (int r = 0; r < og; r++) {
                        int wRow = (grp * og + r) * k, xRow = (img * s.o() + grp * og + r) * hw;
                        for (int p = 0; p < k; p++) axpy(w[wRow + p], x, xRow, col, p * hw, hw);
                    }
                    col2im(s, col, img, grp, out);
                }
            }
        });
    }

    /**
     * {@code dw[o, cg, kh, kw] = sum over images of g[n, o, :gh, :gw] x rows(x[n])}: {@code x} is
     * {@code [n, c, h, w]}, {@code g [n, o, gh, gw]} with {@code gh <= ho}, {@code gw <= wo}
     * (positions past them count as zero). {@code partials} holds one {@code dw}-sized array per worker.
     */
    static void weightGrad(Shape s, int gh, int gw, float[] x, float[] g, float[] dw, float[][] partials) {
        int k = s.k(), og = s.og(), groups = s.groups(), size = s.o() * k;
        int workers = partials.length;
        int ghw = gh * gw;
        long work = (long) s.n() * s.o() * ghw * k;
        int parts = work < MatMulKernel.PARALLEL_MIN ? 1 : Math.min(workers, s.n());
        CpuThreads.parallelFor(parts, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                float[] acc = c == 0 ? dw : partials[c];
                Arrays.fill(acc, 0, size, 0f);
                float[] rows = scratch(ghw * k);
                for (int img = (int) ((long) s.n() * c / parts); img < (long) s.n() * (c + 1) / parts; img++) {
                    for (int grp = 0; grp < groups; grp++) {
                        im2row(s, gh, gw, x, img, grp, rows);
                        // dw_g[og, k] += g_g[og, ghw] x rows[ghw, k]
                        for (int r = 0; r < og; r++) {
                            int gRow = (img * s.o() + grp * og + r) * ghw, dRow = (grp * og + r) * k;
                            for (int j = 0; j < ghw; j++) axpy(g[gRow + j], rows, j * k, acc, dRow, k);
                        }
                    }
                }
            }
        });
        for (int c = 1; c < parts; c++) {
            float[] p = partials[c];
            for (int i = 0; i < size; i++) dw[i] += p[i];
        }
    }

    /** {@code y[yo : yo+len] += a * x[xo : xo+len]}. */
    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int len) {
        if (a == 0f) return;
        for (int j = 0; j < len; j++) y[yo + j] += a * x[xo + j];
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
                        for (int q = 0; q < wo; q++) {
                            int cc = q * sw + c0;
                            col[dst + q] = cc >= 0 && cc < w ? x[src + cc] : 0f;
                        }
                    }
                }
            }
        }
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
                        for (int q = 0; q < wo; q++) {
                            int cc = q * sw + c0;
                            if (cc >= 0 && cc < w) out[dst + cc] += col[src + q];
                        }
                    }
                }
            }
        }
    }

    /** The transposed unfolding for output rows {@code [0, gh)} and columns {@code [0, gw)}: {@code rows[(p, q), (c, i, j)]}. */
    private static void im2row(Shape s, int gh, int gw, float[] x, int img, int grp, float[] rows) {
        ConvGeometry g = s.g();
        int h = s.h(), w = s.w(), k = s.k(), kh = s.kh(), kw = s.kw();
        for (int p = 0; p < gh; p++) {
            for (int q = 0; q < gw; q++) {
                int dst = (p * gw + q) * k;
                for (int c = 0; c < s.cg(); c++) {
                    int plane = ((img * s.c()) + grp * s.cg() + c) * h * w;
                    for (int i = 0; i < kh; i++) {
                        int r = p * g.strideH() - g.padTop() + i * g.dilationH();
                        int at = dst + (c * kh + i) * kw;
                        if (r < 0 || r >= h) {
                            Arrays.fill(rows, at, at + kw, 0f);
                            continue;
                        }
                        for (int j = 0; j < kw; j++) {
                            int cc = q * g.strideW() - g.padLeft() + j * g.dilationW();
                            rows[at + j] = cc >= 0 && cc < w ? x[plane + r * w + cc] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Pooling sizes: {@code planes = N C} planes of {@code h x w} pooled to {@code ho x wo}. */
    record Pool(int planes, int h, int w, int ho, int wo, PoolWindow window) {}

    /** {@code y = u} at the arg-max of {@code x} in each window ({@code -inf} for a window without taps). */
    static void maxPoolSelect(Pool s, float[] x, float[] u, float[] y) {
        int hw = s.h() * s.w();
        CpuThreads.parallelFor(s.planes(), 8, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int base = pl * hw, out = pl * s.ho() * s.wo();
                for (int p = 0; p < s.ho(); p++) {
                    for (int q = 0; q < s.wo(); q++) {
                        int k = argmax(s, x, base, p, q);
                        y[out + p * s.wo() + q] = k < 0 ? Float.NEGATIVE_INFINITY : u[base + k];
                    }
                }
            }
        });
    }

    /** {@code y} = zeros of {@code x}'s shape with each {@code g} added at the arg-max of its window of {@code x}. */
    static void maxPoolScatter(Pool s, float[] x, float[] g, float[] y) {
        int hw = s.h() * s.w();
        CpuThreads.parallelFor(s.planes(), 8, (p0, p1) -> {
            Arrays.fill(y, p0 * hw, p1 * hw, 0f);
            for (int pl = p0; pl < p1; pl++) {
                int base = pl * hw, in = pl * s.ho() * s.wo();
                for (int p = 0; p < s.ho(); p++) {
                    for (int q = 0; q < s.wo(); q++) {
                        int k = argmax(s, x, base, p, q);
                        if (k >= 0) y[base + k] += g[in + p * s.wo() + q];
                    }
                }
            }
        });
    }

    /** As the reference: the first tap inside the input, replaced by any larger or NaN tap; -1 when none. */
    private static int argmax(Pool s, float[] x, int base, int p, int q) {
        PoolWindow win = s.window();
        int h = s.h(), w = s.w();
        int r0 = win.start(0, p, h), c0 = win.start(1, q, w), nr = win.taps(0, p, h), nc = win.taps(1, q, w);
        int sr = win.step(0), sc = win.step(1);
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < nr; i++) {
            int r = r0 + i * sr;
            if (r < 0 || r >= h) continue;
            for (int j = 0; j < nc; j++) {
                int c = c0 + j * sc;
                if (c < 0 || c >= w) continue;
                float v = x[base + r * w + c];
                if (best < 0) best = r * w + c;
                if (v > max || v != v) {
                    max = v;
                    best = r * w + c;
                }
            }
        }
        return best;
    }
}
