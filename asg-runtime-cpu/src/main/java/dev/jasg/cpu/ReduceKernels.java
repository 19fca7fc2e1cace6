package dev.jasg.cpu;

import dev.jasg.core.ArgReduceOp;
import dev.jasg.core.DType;
import dev.jasg.core.ReduceOp;

/**
 * Reductions. {@link #reduce} walks the input in row-major order through a {@link Strided}
 * geometry whose operand 0 is the input and operand 1 the output with stride 0 on reduced
 * axes, accumulating in double (as the reference does) so long sums keep f32 accuracy:
 * a row whose output stride is 0 folds into one scalar, a row whose output stride is 1
 * accumulates elementwise into the output row.
 */
final class ReduceKernels {
    private ReduceKernels() {}

    /**
     * {@code out[j] = finish(fold(combine, x over the reduced positions of j), count)} with the
     * scalar semantics of {@link ReduceOp}; {@code acc} is scratch of at least the output size.
     */
    static void reduce(ReduceOp kind, DType dt, Strided g, long count, float[] x, float[] out, int outSize, double[] acc) {
        if (acc.length < outSize) throw new IllegalArgumentException(kind.label() + ": scratch of " + acc.length + " for " + outSize + " outputs");
        java.util.Arrays.fill(acc, 0, outSize, kind.identity());
        boolean sum = kind == ReduceOp.SUM || kind == ReduceOp.MEAN;
        int len = g.rowLength(), sx = g.innerStride(0), so = g.innerStride(1);
        for (int row = 0, rows = g.rows(); row < rows; row++) {
            int ix = g.offset(0, row), io = g.offset(1, row);
            if (so == 0) {
                double r = kind.identity();
                if (sum) {
                    for (int i = 0; i < len; i++) r += x[ix + i * sx];
                } else {
                    for (int i = 0; i < len; i++) r = kind.combine(r, x[ix + i * sx]);
                }
                acc[io] = kind.combine(acc[io], r);
            } else if (sum) {
                for (int i = 0; i < len; i++) acc[io + i * so] += x[ix + i * sx];
            } else {
                for (int i = 0; i < len; i++) acc[io + i * so] = kind.combine(acc[io + i * so], x[ix + i * sx]);
            }
        }
        for (int j = 0; j < outSize; j++) out[j] = (float) dt.round(kind.finish(acc[j], count));
    }

    /**
     * Arg-max/arg-min along the middle axis of {@code [outer, n, inner]}: {@code out[o, i]} is
     * the first {@code j} whose element no later element beats ({@link ArgReduceOp#better} is strict).
     * {@code best} is scratch of at least {@code inner} elements.
     */
    static void argReduce(ArgReduceOp kind, float[] x, int outer, int n, int inner, float[] out, float[] best) {
        if (best.length < inner) throw new IllegalArgumentException(kind.label() + ": scratch of " + best.length + " for " + inner);
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner, ob = o * inner;
            if (n == 0) {
                java.util.Arrays.fill(out, ob, ob + inner, 0f);
                continue;
            }
            for (int i = 0; i < inner; i++) {
                best[i] = x[base + i];
                out[ob + i] = 0f;
            }
            for (int j = 1; j < n; j++) {
                int row = base + j * inner;
                for (int i = 0; i < inner; i++) {
                    float v = x[row + i];
                    if (kind.better(v, best[i])) {
                        best[i] = v;
                        out[ob + i] = j;
                    }
                }
            }
        }
    }
}
