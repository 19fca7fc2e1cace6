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

    /** Elements below which a reduction runs on the calling thread alone. */
    static final int PARALLEL_MIN = 1 << 16;
    /** Outputs up to which a reduction keeps one partial result per thread (the scratch is {@code threads x outputs} doubles). */
    static final int PARTIALS_MAX = 1 << 16;

    /** Scratch doubles {@link #reduce} needs for {@code outSize} outputs. */
    static int scratchSize(int outSize) {
        return outSize <= PARTIALS_MAX ? outSize * CpuThreads.PARALLELISM : outSize;
    }

    /** The calling thread's {@link Parts}, made once (a capturing lambda per reduction allocated one each call). */
    private static final ThreadLocal<Parts> PARTS = ThreadLocal.withInitial(Parts::new);

    /**
     * A split reduction's loop over its parts: the reduction's operands in fields, written by the thread that starts it
     * and published to the threads that run its parts by the pool's hand-over. One per thread, reused; a reduction inside
     * a loop's chunk runs inline, so one is never in use twice.
     */
    private static final class Parts implements CpuThreads.Range {
        ReduceOp kind;
        Strided g;
        float[] x;
        double[] acc;
        int outSize, rows, parts;

        Parts set(ReduceOp kind, Strided g, float[] x, double[] acc, int outSize, int rows, int parts) {
            this.kind = kind;
            this.g = g;
            this.x = x;
            this.acc = acc;
            this.outSize = outSize;
            this.rows = rows;
            this.parts = parts;
            return this;
        }

        @Override
        public void run(int p0, int p1) {
            for (int p = p0; p < p1; p++) fold(kind, g, x, acc, p * outSize, outSize, (int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts));
        }
    }

    /**
     * {@code out[j] = finish(fold(combine, x over the reduced positions of j), count)} with the
     * scalar semantics of {@link ReduceOp}; {@code acc} is scratch of at least the output size.
     * With room in {@code acc} for a partial result per thread ({@link #scratchSize}), a large
     * reduction splits its rows over {@link CpuThreads}, each part folding into its own partial, and
     * the partials are combined in part order (a fixed split, so the same result every run).
     */
    static void reduce(ReduceOp kind, DType dt, Strided g, long count, float[] x, float[] out, int outSize, double[] acc) {
        if (acc.length < outSize) throw new IllegalArgumentException(kind.label() + ": scratch of " + acc.length + " for " + outSize + " outputs");
        int rows = g.rows();
        int parts = (long) rows * g.rowLength() < PARALLEL_MIN || rows < 2 || outSize == 0
                ? 1 : (int) Math.min(Math.min(CpuThreads.PARALLELISM, rows), acc.length / outSize);
        if (parts <= 1) {
            fold(kind, g, x, acc, 0, outSize, 0, rows);
        } else {
            Parts job = PARTS.get().set(kind, g, x, acc, outSize, rows, parts);
            try {
                CpuThreads.parallelFor(parts, 1, job);
            } finally {
                job.x = null;
                job.acc = null;
            }
            for (int p = 1; p < parts; p++) {
                int base = p * outSize;
                for (int j = 0; j < outSize; j++) acc[j] = kind.combine(acc[j], acc[base + j]);
            }
        }
        for (int j = 0; j < outSize; j++) out[j] = (float) dt.round(kind.finish(acc[j], count));
    }

    /** Folds rows {@code [r0, r1)} of {@code g} into {@code acc[base .. base + outSize)}, which starts at the identity. */
    private static void fold(ReduceOp kind, Strided g, float[] x, double[] acc, int base, int outSize, int r0, int r1) {
        java.util.Arrays.fill(acc, base, base + outSize, kind.identity());
        boolean sum = kind == ReduceOp.SUM || kind == ReduceOp.MEAN;
        int len = g.rowLength(), sx = g.innerStride(0), so = g.innerStride(1);
        for (int row = r0; row < r1; row++) {
            int ix = g.offset(0, row), io = base + g.offset(1, row);
            if (so == 0) acc[io] = kind.combine(acc[io], sum ? sumRow(x, ix, sx, len) : extremumRow(kind, x, ix, sx, len));
            else if (sum) addRow(x, ix, sx, acc, io, so, len);
            else if (sx == 1 && so == 1 && vectorExtremum(len)) VectorArith.combineExtremum(acc, io, x, ix, len, kind == ReduceOp.MAX);
            else combineRow(kind, x, ix, sx, acc, io, so, len);
        }
    }

    // fold's row loops are methods of their own, as binaryRow's cases (ElementwiseKernels): a stride or kind met later
    // recompiles its own loop, not all of fold (C2 recompiled fold 4-6 times in a fresh JVM's first transformer step)

    /** Accumulators of a row's sum ({@link #sumRow}): element {@code i} goes to accumulator {@code i % SUM_LANES}. */
    static final int SUM_LANES = 16;

    /** What the sums' scalar rows have done since the hand-over ({@link #vectorSum}). */
    private static final WarmKernels.Volume SUM_VOLUME = new WarmKernels.Volume();

    /** Whether a contiguous row of {@code n} is summed on vector lanes: as the F32 binary ops, by volume. */
    private static boolean vectorSum(int n) {
        return n >= 2 * SUM_LANES && ElementwiseKernels.vectorArith() && VectorArith.SUM_LANES && ElementwiseKernels.vectorRow(SUM_VOLUME, n);
    }

    /**
     * The sum of {@code len} elements of {@code x} from {@code ix}, {@code sx} apart, in double: the first
     * {@code len - len % 16} elements into {@value #SUM_LANES} accumulators, element {@code i} into accumulator
     * {@code i % 16} in order, the accumulators then added in order, then the last {@code len % 16} elements in order. Sixteen
     * chains of additions side by side instead of one (a full reduction of 2^20 elements was one chain, 0.8 ms on a Zen 5
     * core, now ~0.1), with the same bits on every path and machine: the vector lanes ({@link VectorArith#sumLanes}, a
     * contiguous row once the F32 binary ops run on vectors) add exactly what the scalar loop below adds.
     */
    static double sumRow(float[] x, int ix, int sx, int len) {
        int whole = len - len % SUM_LANES;
        double r;
        if (sx == 1 && vectorSum(len)) {
            r = VectorArith.sumLanes(x, ix, whole);
        } else {
            r = 0;
            if (whole > 0) {
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
                for (int i = 0; i < whole; i += SUM_LANES) {
                    int o = ix + i * sx;
                    a0 += x[o];
                    a1 += x[o + sx];
                    a2 += x[o + 2 * sx];
                    a3 += x[o + 3 * sx];
                    a4 += x[o + 4 * sx];
                    a5 += x[o + 5 * sx];
                    a6 += x[o + 6 * sx];
                    a7 += x[o + 7 * sx];
                    a8 += x[o + 8 * sx];
                    a9 += x[o + 9 * sx];
                    a10 += x[o + 10 * sx];
                    a11 += x[o + 11 * sx];
                    a12 += x[o + 12 * sx];
                    a13 += x[o + 13 * sx];
                    a14 += x[o + 14 * sx];
                    a15 += x[o + 15 * sx];
                }
                r = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
            }
        }
        for (int i = whole; i < len; i++) r += x[ix + i * sx];
        return r;
    }

    /** What the maximum's and minimum's scalar rows have done since the hand-over ({@link #vectorExtremum}). */
    private static final WarmKernels.Volume EXTREMUM_VOLUME = new WarmKernels.Volume();

    /** Whether a maximum's or minimum's contiguous row of {@code n} runs on vector lanes: as the F32 binary ops, by volume. */
    private static boolean vectorExtremum(int n) {
        return ElementwiseKernels.vectorRow(EXTREMUM_VOLUME, n);
    }

    /**
     * {@link #foldRow} of a maximum or minimum: a contiguous row by vector lanes ({@link VectorArith#extremum}, once the
     * F32 binary ops run on vectors), the same value as the fold in order unless it is NaN or a zero, which the fold in
     * order then gives (the first NaN, the first zero's sign). 1.3 ns an element before, as fast as a sum now.
     */
    private static double extremumRow(ReduceOp kind, float[] x, int ix, int sx, int len) {
        if (sx == 1 && vectorExtremum(len)) {
            float m = VectorArith.extremum(x, ix, len, kind == ReduceOp.MAX);
            if (m == m && m != 0) return m;
        }
        return foldRow(kind, x, ix, sx, len);
    }

    /** {@code kind}'s fold of {@code len} elements of {@code x} from {@code ix}, {@code sx} apart, from its identity. */
    private static double foldRow(ReduceOp kind, float[] x, int ix, int sx, int len) {
        double r = kind.identity();
        for (int i = 0; i < len; i++) r = kind.combine(r, x[ix + i * sx]);
        return r;
    }

    /** {@code acc[io + i*so] += x[ix + i*sx]} for {@code i < len}. */
    private static void addRow(float[] x, int ix, int sx, double[] acc, int io, int so, int len) {
        if (sx == 1 && so == 1) {
            addUnitRow(x, ix, acc, io, len);
            return;
        }
        for (int i = 0; i < len; i++) acc[io + i * so] += x[ix + i * sx];
    }

    /**
     * {@link #addRow} with both strides 1 (a bias gradient's column sums: each row of the gradient added into the sums), a
     * loop C2 vectorises, which it does not with the strides as variables: the same additions, so the same bits, about five
     * times faster ({@code [8,128,1024]} summed over its first two axes on two Zen 5 vCPUs: 555 -> 110 us a run).
     */
    private static void addUnitRow(float[] x, int ix, double[] acc, int io, int len) {
        for (int i = 0; i < len; i++) acc[io + i] += x[ix + i];
    }

    /** {@code acc[io + i*so] = kind.combine(acc[io + i*so], x[ix + i*sx])} for {@code i < len}. */
    private static void combineRow(ReduceOp kind, float[] x, int ix, int sx, double[] acc, int io, int so, int len) {
        for (int i = 0; i < len; i++) acc[io + i * so] = kind.combine(acc[io + i * so], x[ix + i * sx]);
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
