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
        int row = sum && so == 0 && sx == 1 ? sumRowsByFour(kind, g, x, acc, base, len, r0, r1) : r0;
        for (; row < r1; row++) {
            int ix = g.offset(0, row), io = base + g.offset(1, row);
            if (so == 0) acc[io] = kind.combine(acc[io], sum ? sumRow(x, ix, sx, len) : extremumRow(kind, x, ix, sx, len));
            else if (sum) addRow(x, ix, sx, acc, io, so, len);
            else if (sx == 1 && so == 1 && vectorExtremum(len)) VectorArith.combineExtremum(acc, io, x, ix, len, kind == ReduceOp.MAX);
            else combineRow(kind, x, ix, sx, acc, io, so, len);
        }
    }

    // fold's row loops are methods of their own, as binaryRow's cases (ElementwiseKernels): a stride or kind met later
    // recompiles its own loop, not all of fold (C2 recompiled fold 4-6 times in a fresh JVM's first transformer step)

    /**
     * {@link #fold}'s contiguous rows summed four at a time while four are left, each its own chain of additions in order
     * from 0 (the same bits as {@link #sumRow} one by one), so the core runs the four chains side by side instead of each
     * waiting on its last addition (a row's mean over 256 features, layer norm's gradient, was bound by one chain's
     * latency); their sums fold into {@code acc} in row order. Returns the first row left. A method of its own, as the
     * other row loops: in {@code fold} itself it changed how C2 compiled the column sums' loop, which ran 3x slower.
     */
    private static int sumRowsByFour(ReduceOp kind, Strided g, float[] x, double[] acc, int base, int len, int r0, int r1) {
        int row = r0;
        for (; row + 4 <= r1; row += 4) {
            int i0 = g.offset(0, row), i1 = g.offset(0, row + 1), i2 = g.offset(0, row + 2), i3 = g.offset(0, row + 3);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int i = 0; i < len; i++) {
                s0 += x[i0 + i];
                s1 += x[i1 + i];
                s2 += x[i2 + i];
                s3 += x[i3 + i];
            }
            int o0 = base + g.offset(1, row), o1 = base + g.offset(1, row + 1), o2 = base + g.offset(1, row + 2), o3 = base + g.offset(1, row + 3);
            acc[o0] = kind.combine(acc[o0], s0);
            acc[o1] = kind.combine(acc[o1], s1);
            acc[o2] = kind.combine(acc[o2], s2);
            acc[o3] = kind.combine(acc[o3], s3);
        }
        return row;
    }

    /** The sum of {@code len} elements of {@code x} from {@code ix}, {@code sx} apart, in order from 0. */
    private static double sumRow(float[] x, int ix, int sx, int len) {
        double r = 0;
        for (int i = 0; i < len; i++) r += x[ix + i * sx];
        return r;
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

    /** What the maximum's and minimum's scalar rows have done since the hand-over ({@link #vectorExtremum}). */
    private static final WarmKernels.Volume EXTREMUM_VOLUME = new WarmKernels.Volume();

    /** Whether a maximum's or minimum's contiguous row of {@code n} runs on vector lanes: as the F32 binary ops, by volume. */
    private static boolean vectorExtremum(int n) {
        return ElementwiseKernels.vectorArith() && (!WarmKernels.ENABLED || EXTREMUM_VOLUME.reached(n));
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
