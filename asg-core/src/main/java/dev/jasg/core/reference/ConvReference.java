package dev.jasg.core.reference;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.PoolWindow;

/**
 * Convolution and max-pooling kernels of the reference interpreter: the defining sums of
 * {@link dev.jasg.core.Op.Conv2d} and its relatives written as plain nested loops in
 * double precision, one output element (or one input element, for the adjoints) at a time.
 */
final class ConvReference {
    private ConvReference() {}

    /** {@code y[n,o,p,q] = sum_{c,i,j} w[o,c,i,j] x[n, grp(o) Cg + c, p sh - pt + i dh, q sw - pl + j dw]}. */
    static double[] conv2d(ConvGeometry g, double[] x, int[] xd, double[] w, int[] wd, int[] od) {
        int n = xd[0], cIn = xd[1], h = xd[2], wi = xd[3];
        int o = wd[0], cg = wd[1], kh = wd[2], kw = wd[3], og = o / g.groups();
        int ho = od[2], wo = od[3];
        double[] y = new double[n * o * ho * wo];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int c0 = oc / og * cg;
                for (int p = 0; p < ho; p++) {
                    for (int q = 0; q < wo; q++) {
                        double s = 0;
                        for (int c = 0; c < cg; c++) {
                            for (int i = 0; i < kh; i++) {
                                int r = p * g.strideH() - g.padTop() + i * g.dilationH();
                                if (r < 0 || r >= h) continue;
                                for (int j = 0; j < kw; j++) {
                                    int col = q * g.strideW() - g.padLeft() + j * g.dilationW();
                                    if (col < 0 || col >= wi) continue;
                                    s += w[((oc * cg + c) * kh + i) * kw + j] * x[((b * cIn + c0 + c) * h + r) * wi + col];
                                }
                            }
                        }
                        y[((b * o + oc) * ho + p) * wo + q] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Each {@code x[n,ci,p,q] w[ci,co,i,j]} added to {@code y[n, grp(ci) Coutg + co, p sh - pt + i dh, q sw - pl + j dw]}. */
    static double[] convTranspose2d(ConvGeometry g, double[] x, int[] xd, double[] w, int[] wd, int[] od) {
        int n = xd[0], cIn = xd[1], h = xd[2], wi = xd[3];
        int coutg = wd[1], kh = wd[2], kw = wd[3], cing = cIn / g.groups();
        int cOut = od[1], ho = od[2], wo = od[3];
        double[] y = new double[n * cOut * ho * wo];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cIn; ci++) {
                int co0 = ci / cing * coutg;
                for (int p = 0; p < h; p++) {
                    for (int q = 0; q < wi; q++) {
                        double v = x[((b * cIn + ci) * h + p) * wi + q];
                        for (int co = 0; co < coutg; co++) {
                            for (int i = 0; i < kh; i++) {
                                int r = p * g.strideH() - g.padTop() + i * g.dilationH();
                                if (r < 0 || r >= ho) continue;
                                for (int j = 0; j < kw; j++) {
                                    int col = q * g.strideW() - g.padLeft() + j * g.dilationW();
                                    if (col < 0 || col >= wo) continue;
                                    y[((b * cOut + co0 + co) * ho + r) * wo + col] += v * w[((ci * coutg + co) * kh + i) * kw + j];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /** {@code dw[o,c,i,j] = sum_{n,p,q} gr[n,o,p,q] x[n, grp(o) Cg + c, p sh - pt + i dh, q sw - pl + j dw]}. */
    static double[] weightGrad(ConvGeometry g, double[] x, int[] xd, double[] gr, int[] gd, int[] od) {
        int n = xd[0], cIn = xd[1], h = xd[2], wi = xd[3];
        int o = od[0], cg = od[1], kh = od[2], kw = od[3], og = o / g.groups();
        int ho = gd[2], wo = gd[3];
        double[] dw = new double[o * cg * kh * kw];
        for (int oc = 0; oc < o; oc++) {
            int c0 = oc / og * cg;
            for (int c = 0; c < cg; c++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        double s = 0;
                        for (int b = 0; b < n; b++) {
                            for (int p = 0; p < ho; p++) {
                                int r = p * g.strideH() - g.padTop() + i * g.dilationH();
                                if (r < 0 || r >= h) continue;
                                for (int q = 0; q < wo; q++) {
                                    int col = q * g.strideW() - g.padLeft() + j * g.dilationW();
                                    if (col < 0 || col >= wi) continue;
                                    s += gr[((b * o + oc) * ho + p) * wo + q] * x[((b * cIn + c0 + c) * h + r) * wi + col];
                                }
                            }
                        }
                        dw[((oc * cg + c) * kh + i) * kw + j] = s;
                    }
                }
            }
        }
        return dw;
    }

    /** {@code u} at the arg-max of {@code x} in each window (see {@link #argmax}); -inf for a window without taps. */
    static double[] maxPoolSelect(PoolWindow win, double[] x, double[] u, int[] xd, int[] od) {
        int planes = xd[0] * xd[1], h = xd[2], w = xd[3], ho = od[2], wo = od[3];
        double[] y = new double[planes * ho * wo];
        for (int pl = 0; pl < planes; pl++) {
            for (int p = 0; p < ho; p++) {
                for (int q = 0; q < wo; q++) {
                    int k = argmax(win, x, pl * h * w, h, w, p, q);
                    y[(pl * ho + p) * wo + q] = k < 0 ? Double.NEGATIVE_INFINITY : u[pl * h * w + k];
                }
            }
        }
        return y;
    }

    /** Zeros of {@code x}'s shape with each {@code g} added at the arg-max of its window of {@code x}. */
    static double[] maxPoolScatter(PoolWindow win, double[] x, double[] gr, int[] xd, int[] gd) {
        int planes = xd[0] * xd[1], h = xd[2], w = xd[3], ho = gd[2], wo = gd[3];
        double[] y = new double[x.length];
        for (int pl = 0; pl < planes; pl++) {
            for (int p = 0; p < ho; p++) {
                for (int q = 0; q < wo; q++) {
                    int k = argmax(win, x, pl * h * w, h, w, p, q);
                    if (k >= 0) y[pl * h * w + k] += gr[(pl * ho + p) * wo + q];
                }
            }
        }
        return y;
    }

    /**
     * Offset within its plane of the largest {@code x} in window {@code (p, q)}, as PyTorch
     * picks it: start at the first tap inside the input with -inf as the best, take a tap when
     * it is larger or NaN (so the last NaN wins); -1 when no tap lies inside the input.
     */
    static int argmax(PoolWindow win, double[] x, int base, int h, int w, int p, int q) {
        int r0 = win.start(0, p, h), c0 = win.start(1, q, w), nr = win.taps(0, p, h), nc = win.taps(1, q, w);
        int sr = win.step(0), sc = win.step(1);
        int best = -1;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < nr; i++) {
            int r = r0 + i * sr;
            if (r < 0 || r >= h) continue;
            for (int j = 0; j < nc; j++) {
                int c = c0 + j * sc;
                if (c < 0 || c >= w) continue;
                double v = x[base + r * w + c];
                if (best < 0) best = r * w + c;
                if (v > max || Double.isNaN(v)) {
                    max = v;
                    best = r * w + c;
                }
            }
        }
        return best;
    }
}
