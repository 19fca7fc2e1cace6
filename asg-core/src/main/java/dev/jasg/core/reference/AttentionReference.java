package dev.jasg.core.reference;

/**
 * Reference kernels of the fused attention ops ({@code attention}, {@code attention_stats},
 * {@code attention_grad}): for each of the {@code B} leading-axis matrices, the scores
 * {@code s[i,j] = scale q[i].k[j]} over the keys query {@code i} may attend (with {@code causal},
 * {@code j <= i}), the weights {@code p[i,j] = exp(s[i,j] - lse[i])}, in double precision. A query with
 * no key to attend has output 0, {@code lse = -inf} and zero gradients.
 */
final class AttentionReference {
    private AttentionReference() {}

    /** The number of {@code [L, E]} matrices: the product of the leading axes (not {@code q.length / (Lq E)}, which fails for empty rows). */
    private static int batch(int[] dims) {
        int b = 1;
        for (int i = 0; i < dims.length - 2; i++) b *= dims[i];
        return b;
    }

    /** Keys query {@code i} attends: {@code [0, keys(i))}. */
    private static int keys(int i, int lk, boolean causal) {
        return causal ? Math.min(lk, i + 1) : lk;
    }

    /** {@code lse[b, i]} over the attended keys. */
    static double[] stats(double scale, boolean causal, double[] q, double[] k, int[] qDims, int[] kDims) {
        int lq = qDims[qDims.length - 2], e = qDims[qDims.length - 1], lk = kDims[kDims.length - 2];
        int batch = batch(qDims);
        double[] lse = new double[batch * lq];
        double[] s = new double[lk];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < lq; i++) {
                lse[b * lq + i] = rowStats(scale, q, k, b, i, lq, lk, e, keys(i, lk, causal), s);
            }
        }
        return lse;
    }

    /** Fills {@code s[0, n)} with the scores of row {@code i} and returns their log-sum-exp. */
    private static double rowStats(double scale, double[] q, double[] k, int b, int i, int lq, int lk, int e, int n, double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int j = 0; j < n; j++) {
            double dot = 0;
            for (int c = 0; c < e; c++) dot += q[(b * lq + i) * e + c] * k[(b * lk + j) * e + c];
            s[j] = scale * dot;
            nan |= Double.isNaN(s[j]);
            max = Math.max(max, s[j]);
        }
        if (n == 0) return Double.NEGATIVE_INFINITY;
        if (nan) return Double.NaN;
        if (max == Double.POSITIVE_INFINITY) return max;
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.exp(s[j] - max);
        return max + Math.log(sum);
    }

    /** {@code o [B, Lq, Ev]}. */
    static double[] forward(double scale, boolean causal, double[] q, double[] k, double[] v, int[] qDims, int[] kDims, int[] vDims) {
        int lq = qDims[qDims.length - 2], e = qDims[qDims.length - 1], lk = kDims[kDims.length - 2], ev = vDims[vDims.length - 1];
        int batch = batch(qDims);
        double[] o = new double[batch * lq * ev];
        double[] s = new double[lk];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < lq; i++) {
                int n = keys(i, lk, causal);
                double lse = rowStats(scale, q, k, b, i, lq, lk, e, n, s);
                for (int j = 0; j < n; j++) {
                    double p = Math.exp(s[j] - lse);
                    for (int c = 0; c < ev; c++) o[(b * lq + i) * ev + c] += p * v[(b * lk + j) * ev + c];
                }
            }
        }
        return o;
    }

    /** The gradient of operand {@code wrt} (0 q, 1 k, 2 v); {@code lse} as {@link #stats}. */
    static double[] gradient(double scale, boolean causal, int wrt, double[] q, double[] k, double[] v, double[] o, double[] g, double[] lse,
                             int[] qDims, int[] kDims, int[] vDims) {
        int lq = qDims[qDims.length - 2], e = qDims[qDims.length - 1], lk = kDims[kDims.length - 2], ev = vDims[vDims.length - 1];
        int batch = batch(qDims);
        double[] out = new double[wrt == 0 ? q.length : wrt == 1 ? k.length : v.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < lq; i++) {
                int n = keys(i, lk, causal);
                int row = b * lq + i;
                double delta = 0;
                for (int c = 0; c < ev; c++) delta += g[row * ev + c] * o[row * ev + c];
                for (int j = 0; j < n; j++) {
                    int key = b * lk + j;
                    double dot = 0;
                    for (int c = 0; c < e; c++) dot += q[row * e + c] * k[key * e + c];
                    double p = Math.exp(scale * dot - lse[row]);
                    if (wrt == 2) {
                        for (int c = 0; c < ev; c++) out[key * ev + c] += p * g[row * ev + c];
                        continue;
                    }
                    double dp = 0;
                    for (int c = 0; c < ev; c++) dp += g[row * ev + c] * v[key * ev + c];
                    double ds = p * (dp - delta) * scale;
                    if (wrt == 0) {
                        for (int c = 0; c < e; c++) out[row * e + c] += ds * k[key * e + c];
                    } else {
                        for (int c = 0; c < e; c++) out[key * e + c] += ds * q[row * e + c];
                    }
                }
            }
        }
        return out;
    }
}
