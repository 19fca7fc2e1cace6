package dev.jasg.cpu;

/**
 * Softmax and log-softmax along the middle axis of {@code [outer, n, inner]}, stable by
 * subtracting the maximum first:
 * {@code softmax_j = exp(x_j - m) / sum_k exp(x_k - m)},
 * {@code logsoftmax_j = x_j - m - log sum_k exp(x_k - m)}, with {@code m = max_k x_k}.
 * Exponentials and the sum are in double, so the result is the reference's rounded to f32.
 */
final class SoftmaxKernels {
    private SoftmaxKernels() {}

    /** Softmax ({@code log == false}) or log-softmax of {@code x} into {@code out}. */
    static void softmax(float[] x, float[] out, int outer, int n, int inner, boolean log) {
        int lanes = outer * inner;
        // each (outer, inner) lane is independent; split lanes over threads for large inputs
        CpuThreads.parallelFor(lanes, Math.max(1, ElementwiseKernels.PARALLEL_MIN / 8 / Math.max(1, n)), (from, to) -> {
            for (int lane = from; lane < to; lane++) {
                int o = lane / inner, i = lane - o * inner;
                lane(x, out, o * n * inner + i, inner, n, log);
            }
        });
    }

    private static void lane(float[] x, float[] out, int base, int stride, int n, boolean log) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double v = x[base + j * stride];
            if (v > m || Double.isNaN(v)) m = v;
            if (Double.isNaN(m)) break;
        }
        double s = 0;
        for (int j = 0; j < n; j++) s += Math.exp(x[base + j * stride] - m);
        if (log) {
            double ls = m + Math.log(s);
            for (int j = 0; j < n; j++) out[base + j * stride] = (float) (x[base + j * stride] - ls);
        } else {
            double inv = 1 / s;
            for (int j = 0; j < n; j++) out[base + j * stride] = (float) (Math.exp(x[base + j * stride] - m) * inv);
        }
    }
}
