package dev.jasg.cpu;

import dev.jasg.core.PoolWindow;

import java.util.Arrays;

/**
 * Max-pooling kernels on NCHW float arrays: {@code max_pool_select} and its adjoint
 * {@code max_pool_scatter}. The windows of each axis are resolved once per plan into tables of
 * the first tap inside the input and the number of such taps, so the loops never test bounds or
 * call into the window description; both kernels pick the arg-max by the same rule as the
 * reference (the first tap inside the input with -inf as the best so far, replaced by any
 * larger or NaN tap), so the scatter routes every gradient exactly where the select read it.
 */
final class PoolKernels {
    private PoolKernels() {}

    /**
     * The resolved windows: {@code planes = N C} planes of {@code h x w}, pooled to {@code ho x wo};
     * output row {@code p} reads rows {@code rowStart[p] + i rowStep} for {@code i < rowTaps[p]},
     * columns likewise.
     */
    record Windows(int planes, int h, int w, int ho, int wo, int[] rowStart, int[] rowTaps, int rowStep,
                   int[] colStart, int[] colTaps, int colStep, int[] colOwner, boolean disjoint, int[] colTap, int colStride, int colPad,
                   int colKernel) {

        /**
         * True when output column {@code q}'s window is input columns {@code q colStride - colPad + j}, {@code j < colKernel}
         * (adjacent taps, the part outside the input reading -inf): then a row of column maxima padded with -inf and split
         * into its {@code colStride} phases gives each tap's maxima for a whole output row as one unit-stride stretch.
         */
        boolean regularColumns() {
            return colKernel > 0;
        }

        /** The most column taps of a window inside the input. */
        int colTapsMax() {
            return colTap.length / Math.max(1, wo);
        }

        /**
         * True for the common 2x2 window at stride 2 that tiles the plane exactly ({@code h = 2 ho},
         * {@code w = 2 wo}, no padding): every input element is in exactly one window, and the
         * kernels take a straight-line path per window.
         */
        boolean pairs() {
            if (h != 2 * ho || w != 2 * wo || rowStep != 1 || colStep != 1) return false;
            for (int p = 0; p < ho; p++) if (rowStart[p] != 2 * p || rowTaps[p] != 2) return false;
            for (int q = 0; q < wo; q++) if (colStart[q] != 2 * q || colTaps[q] != 2) return false;
            return true;
        }

        /** Resolves {@code window} over planes of {@code h x w}. */
        static Windows of(int planes, int h, int w, PoolWindow window) {
            int ho = window.outSize(0, h), wo = window.outSize(1, w);
            int[] rs = new int[ho], rt = new int[ho], cs = new int[wo], ct = new int[wo];
            inside(window, 0, h, rs, rt);
            inside(window, 1, w, cs, ct);
            // disjoint windows of adjacent taps: every input element belongs to at most one window
            boolean disjoint = window.step(0) == 1 && window.step(1) == 1;
            for (int p = 1; p < ho && disjoint; p++) disjoint = rs[p] >= rs[p - 1] + rt[p - 1];
            for (int q = 1; q < wo && disjoint; q++) disjoint = cs[q] >= cs[q - 1] + ct[q - 1];
            int[] owner = new int[w];
            Arrays.fill(owner, -1);
            if (disjoint) for (int q = 0; q < wo; q++) for (int j = 0; j < ct[q]; j++) owner[cs[q] + j] = q;
            // tap j of output column q reads cols[colTap[j wo + q]]; a window with fewer taps reads slot w, kept at -inf
            int most = 0;
            for (int t : ct) most = Math.max(most, t);
            int[] tap = new int[most * wo];
            for (int j = 0; j < most; j++) {
                for (int q = 0; q < wo; q++) tap[j * wo + q] = j < ct[q] ? cs[q] + j * window.step(1) : w;
            }
            // regular columns: window q starts at s0 + q stride (s0 <= 0) with the same taps, adjacent
            int s0 = window.start(1, 0, w), kt = window.taps(1, 0, w), stride = wo > 1 ? window.start(1, 1, w) - s0 : 1;
            boolean regular = window.step(1) == 1 && s0 <= 0 && kt > 0 && stride > 0;
            for (int q = 0; q < wo && regular; q++) regular = window.start(1, q, w) == s0 + q * stride && window.taps(1, q, w) == kt;
            return new Windows(planes, h, w, ho, wo, rs, rt, window.step(0), cs, ct, window.step(1), owner, disjoint, tap,
                    regular ? stride : 0, regular ? -s0 : 0, regular ? kt : 0);
        }

        /** These windows with {@link #regularColumns} off (the tap table's path): for tests. */
        Windows withoutPhases() {
            return new Windows(planes, h, w, ho, wo, rowStart, rowTaps, rowStep, colStart, colTaps, colStep, colOwner, disjoint, colTap, 0, 0, 0);
        }

        /** Floats of one phase of the padded row of column maxima ({@link #regularColumns}). */
        int phaseLength() {
            int padded = Math.max(colPad + w, (wo - 1) * colStride + colKernel);
            return (padded + colStride - 1) / colStride;
        }

        /** For each output position along {@code axis}: the first tap inside {@code [0, n)} and how many taps lie inside. */
        private static void inside(PoolWindow window, int axis, int n, int[] start, int[] taps) {
            int step = window.step(axis);
            for (int o = 0; o < start.length; o++) {
                int s = window.start(axis, o, n), t = window.taps(axis, o, n);
                int skip = s >= 0 ? 0 : (-s + step - 1) / step;           // taps in the leading padding
                int first = s + skip * step;
                int count = first >= n ? 0 : Math.min(t - skip, (n - 1 - first) / step + 1);
                start[o] = first;
                taps[o] = Math.max(0, count);
            }
        }
    }

    /**
     * Max pooling, {@code select(x, x)}: the largest element of each window, NaN when one is NaN,
     * -inf for a window without taps inside; the values {@link #maxPoolSelect} gives with
     * {@code u = x}. The maximum is separable, so for each output row the window's input rows are
     * first folded into one row of column maxima (a unit-stride loop the JIT vectorises), then
     * each output reads its columns from that row: about ten times faster than walking each
     * window, where the larger tap is a coin toss for the branch predictor.
     */
    static void maxPool(Windows s, float[] x, float[] y) {
        maxPool(s, x, y, ElementwiseKernels.vectorArith());
    }

    /** {@link #maxPool}; {@code vector}: every path's maxima on {@link VectorArith} (tests run both), else the scalar loops (the same bits). */
    static void maxPool(Windows s, float[] x, float[] y, boolean vector) {
        CpuThreads.parallelFor(s.planes(), MIN_PLANES, (p0, p1) -> maxPoolRange(s, x, y, vector, p0, p1));
    }

    /** Planes a thread of the pooling loops takes at least. */
    static final int MIN_PLANES = 4;

    /** {@link #maxPool}'s planes {@code [p0, p1)} (a plan's step runs them as a {@link LoopStep}). */
    static void maxPoolRange(Windows s, float[] x, float[] y, boolean vector, int p0, int p1) {
        int hw = s.h() * s.w(), out = s.ho() * s.wo(), w = s.w();
        if (s.pairs()) {
            maxPoolPairs(s, x, y, p0, p1);
            return;
        }
        Scratch scratch = SCRATCH.get();
        if (vector && s.colStride() == 2) {
            int block = VectorArith.unzipBlock(), n = (2 * s.phaseLength() + block - 1) / block * block;
            float[] padded = scratch.floats(0, n), phases = scratch.floats(1, n);
            Arrays.fill(padded, 0, n, Float.NEGATIVE_INFINITY);
            for (int pl = p0; pl < p1; pl++) {
                for (int p = 0, o = pl * out; p < s.ho(); p++, o += s.wo()) evenOddMaxima(s, x, pl * hw, p, padded, n, phases, y, o);
            }
            return;
        }
        float[] cols = scratch.floats(0, w + 1);
        cols[w] = Float.NEGATIVE_INFINITY;
        float[] phases = null;
        if (s.regularColumns()) {
            int np = s.colStride() * s.phaseLength();
            phases = scratch.floats(1, np);
            Arrays.fill(phases, 0, np, Float.NEGATIVE_INFINITY);
        }
        for (int pl = p0; pl < p1; pl++) {
            for (int p = 0, o = pl * out; p < s.ho(); p++, o += s.wo()) {
                if (phases != null) phaseMaxima(s, x, pl * hw, p, cols, phases, y, o, vector);
                else rowMaxima(s, x, pl * hw, p, cols, y, o, vector);
            }
        }
    }

    /** The calling thread's pooling scratch. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A thread's scratch rows for the pooling loops, grown on demand and reused (each chunk took new arrays before).
     * Every user fills what it reads first, as it did a new array.
     */
    private static final class Scratch {
        private final float[][] floats = new float[3][0];
        private int[] ints = new int[0];

        float[] floats(int slot, int n) {
            if (floats[slot].length < n) floats[slot] = new float[n];
            return floats[slot];
        }

        int[] ints(int n) {
            if (ints.length < n) ints = new int[n];
            return ints;
        }
    }

    /**
     * {@link #rowMaxima} for {@link Windows#regularColumns}: the row of column maxima, padded with -inf to the windows'
     * reach, is split into its {@code stride} phases ({@code phase[r][t] = padded[t stride + r]}), so tap {@code j} of every
     * output column is {@code phase[j % stride][q + j / stride]}: each tap one vector maximum over the output row
     * ({@link VectorArith#maxInto}) where the tap table gathered element by element (resnet's 3 x 3 / 2 stem pooling,
     * 112 x 112). The same values: {@code Math.max} is commutative and associative, NaN and signed zeros included, and the
     * taps outside the input read -inf as the table's do. {@code phases} holds {@code stride phaseLength()} floats, -inf
     * where no column lands (kept from the first fill: only the columns' slots are written).
     */
    private static void phaseMaxima(Windows s, float[] x, int base, int p, float[] cols, float[] phases, float[] m, int mOff,
                                    boolean vector) {
        int w = s.w(), sr = s.rowStep() * w, wo = s.wo(), st = s.colStride(), pad = s.colPad(), len = s.phaseLength();
        Arrays.fill(cols, 0, w, Float.NEGATIVE_INFINITY);
        for (int i = 0, row = base + s.rowStart()[p] * w; i < s.rowTaps()[p]; i++, row += sr) maxInto(cols, 0, x, row, w, vector);
        // padded column at = c + pad lands in phase at % st, slot at / st: per phase, every st-th column
        for (int ph = 0; ph < st; ph++) {
            int t = ph >= pad ? 0 : (pad - ph + st - 1) / st;
            for (int c = ph + t * st - pad, o = ph * len + t; c < w; c += st, o++) phases[o] = cols[c];
        }
        System.arraycopy(phases, 0, m, mOff, wo);
        for (int j = 1; j < s.colKernel(); j++) maxInto(m, mOff, phases, (j % st) * len + j / st, wo, vector);
    }

    /**
     * {@link #phaseMaxima} at column stride 2 on {@link VectorArith}: the window rows' maxima written straight into the
     * row padded with -inf ({@code padded}, {@code n} floats, -inf outside the columns from the first fill), the first row
     * copied rather than folded into -inf (the same bits: {@code max(-inf, v)} is {@code v}, NaN and -0 included), split
     * into its even and odd columns by vector shuffles ({@link VectorArith#unzip2}) where {@link #phaseMaxima} moved each
     * column on its own, then a vector maximum per tap. resnet18's 3 x 3 / 2 pooling of 64 x 112 x 112 measured 0.9 ms
     * on two Zen 5 threads before (most of it the scalar split and the scalar tails of 56-wide rows).
     */
    private static void evenOddMaxima(Windows s, float[] x, int base, int p, float[] padded, int n, float[] phases, float[] m, int mOff) {
        int w = s.w(), sr = s.rowStep() * w, wo = s.wo(), pad = s.colPad(), half = n / 2, taps = s.rowTaps()[p];
        int row = base + s.rowStart()[p] * w;
        if (taps == 0) {
            Arrays.fill(padded, pad, pad + w, Float.NEGATIVE_INFINITY);
        } else {
            System.arraycopy(x, row, padded, pad, w);
            for (int i = 1; i < taps; i++) VectorArith.maxInto(padded, pad, x, row + i * sr, w);
        }
        VectorArith.unzip2(padded, n, phases, 0, half);
        System.arraycopy(phases, 0, m, mOff, wo);
        for (int j = 1; j < s.colKernel(); j++) VectorArith.maxInto(m, mOff, phases, (j % 2) * half + j / 2, wo);
    }

    /** {@code acc[ao + i] = Math.max(acc[ao + i], x[xo + i])}: on {@link VectorArith} with {@code vector}, else the scalar loop (the same bits). */
    private static void maxInto(float[] acc, int ao, float[] x, int xo, int n, boolean vector) {
        if (vector) VectorArith.maxInto(acc, ao, x, xo, n);
        else for (int i = 0; i < n; i++) acc[ao + i] = Math.max(acc[ao + i], x[xo + i]);
    }

    /** {@link #maxPool} for {@link Windows#pairs}: four taps, three maxima (NaN propagates, as {@code Math.max} does). */
    private static void maxPoolPairs(Windows s, float[] x, float[] y, int p0, int p1) {
        int w = s.w(), wo = s.wo(), rows = (p1 - p0) * s.ho();
        for (int r = 0, top = p0 * s.h() * w, o = p0 * s.ho() * wo; r < rows; r++, top += 2 * w) {
            for (int q = 0, i = top; q < wo; q++, i += 2) {
                y[o++] = Math.max(Math.max(x[i], x[i + 1]), Math.max(x[i + w], x[i + w + 1]));
            }
        }
    }

    /**
     * The maxima of output row {@code p}'s windows in the plane at {@code base}, written to
     * {@code m[mOff .. mOff + wo)}: the window rows folded into {@code cols}, one maximum per input
     * column, then each window's columns; -inf for a window without taps inside. {@code cols} holds {@code w + 1}
     * floats, the last -inf.
     */
    private static void rowMaxima(Windows s, float[] x, int base, int p, float[] cols, float[] m, int mOff, boolean vector) {
        int w = s.w(), sr = s.rowStep() * w, wo = s.wo(), taps = s.colTapsMax();
        int[] tap = s.colTap();
        Arrays.fill(cols, 0, w, Float.NEGATIVE_INFINITY);
        for (int i = 0, row = base + s.rowStart()[p] * w; i < s.rowTaps()[p]; i++, row += sr) maxInto(cols, 0, x, row, w, vector);
        // tap by tap over the whole output row (cols[w] is -inf for the windows with fewer taps): the outputs' maxima are
        // independent, where a loop over one window's taps made a chain of Math.max (a compare-and-blend sequence of ~10
        // cycles' latency) per output; max is commutative and associative on floats, NaN and signed zeros included, so
        // the values are those of the chain
        Arrays.fill(m, mOff, mOff + wo, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < taps; j++) {
            for (int q = 0, t = j * wo; q < wo; q++) m[mOff + q] = Math.max(m[mOff + q], cols[tap[t + q]]);
        }
    }

    /** {@code y = u} at the arg-max of {@code x} in each window ({@code -inf} for a window without taps inside). */
    static void maxPoolSelect(Windows s, float[] x, float[] u, float[] y) {
        CpuThreads.parallelFor(s.planes(), MIN_PLANES, (p0, p1) -> maxPoolSelectRange(s, x, u, y, p0, p1));
    }

    /** {@link #maxPoolSelect}'s planes {@code [p0, p1)} (a plan's step runs them as a {@link LoopStep}). */
    static void maxPoolSelectRange(Windows s, float[] x, float[] u, float[] y, int p0, int p1) {
        int hw = s.h() * s.w(), out = s.ho() * s.wo();
        for (int pl = p0; pl < p1; pl++) {
            int base = pl * hw, o = pl * out;
            for (int p = 0; p < s.ho(); p++) {
                for (int q = 0; q < s.wo(); q++) {
                    int k = argmax(s, x, base, p, q);
                    y[o++] = k < 0 ? Float.NEGATIVE_INFINITY : u[k];
                }
            }
        }
    }

    /**
     * {@code y} = zeros of {@code x}'s shape with each {@code g} added at the arg-max of its window
     * of {@code x}. Disjoint windows (the usual stride >= kernel) take a vectorisable path: per
     * output row, the window maxima come from column maxima as in {@link #maxPool}; each column
     * then finds its first element equal to its window's maximum, and the window's arg-max is the
     * smallest such offset, which is the first maximum in row-major order (ties, common after a
     * ReLU, resolve as the exact rule does). Only a window whose maximum is NaN takes the exact walk.
     * Planes {@code [p0, p1)}: a plan's step runs it as a {@link LoopStep}.
     */
    static void maxPoolScatterRange(Windows s, float[] x, float[] g, float[] y, int p0, int p1) {
        int hw = s.h() * s.w(), out = s.ho() * s.wo();
        if (s.pairs()) {
            scatterPairs(s, x, g, y, p0, p1);
            return;
        }
        Arrays.fill(y, p0 * hw, p1 * hw, 0f);
        if (s.disjoint()) {
            disjointScatter(s, x, g, y, p0, p1);
            return;
        }
        for (int pl = p0; pl < p1; pl++) {
            int base = pl * hw, o = pl * out;
            for (int p = 0; p < s.ho(); p++) {
                for (int q = 0; q < s.wo(); q++, o++) {
                    int k = argmax(s, x, base, p, q);
                    if (k >= 0) y[k] += g[o];
                }
            }
        }
    }

    /**
     * {@link #maxPoolScatterRange} for {@link Windows#pairs}: each window's four outputs written at once
     * (no zero fill first), the gradient at the first maximum in row-major order, or at the last NaN,
     * as {@link #argmax} picks (every comparison is a select, no branch).
     */
    private static void scatterPairs(Windows s, float[] x, float[] g, float[] y, int p0, int p1) {
        int w = s.w(), wo = s.wo(), rows = (p1 - p0) * s.ho();
        for (int r = 0, top = p0 * s.h() * w, o = p0 * s.ho() * wo; r < rows; r++, top += 2 * w) {
            for (int q = 0, i = top; q < wo; q++, i += 2, o++) {
                float a = x[i], b = x[i + 1], c = x[i + w], d = x[i + w + 1];
                // the running maximum as the rule keeps it (Math.max differs only in the sign of a
                // zero, which no comparison sees); non-short-circuit ors and integer selects keep it
                // branch-free
                float m = Math.max(a, b);
                int k = (b > a | b != b) ? 1 : 0;
                k = (c > m | c != c) ? 2 : k;
                m = Math.max(m, c);
                k = (d > m | d != d) ? 3 : k;
                y[i] = 0f;
                y[i + 1] = 0f;
                y[i + w] = 0f;
                y[i + w + 1] = 0f;
                y[i + (k & 1) + (k >> 1) * w] = g[o];
            }
        }
    }

    private static void disjointScatter(Windows s, float[] x, float[] g, float[] y, int p0, int p1) {
        int w = s.w(), hw = s.h() * w, out = s.ho() * s.wo();
        int[] owner = s.colOwner();
        Scratch scratch = SCRATCH.get();
        float[] cols = scratch.floats(0, w + 1), m = scratch.floats(1, s.wo()), mAt = scratch.floats(2, w);
        cols[w] = Float.NEGATIVE_INFINITY;
        int[] first = scratch.ints(w);
        for (int pl = p0; pl < p1; pl++) {
            int base = pl * hw, o = pl * out;
            for (int p = 0; p < s.ho(); p++, o += s.wo()) {
                int r0 = base + s.rowStart()[p] * w, nr = s.rowTaps()[p];
                if (nr == 0) continue;
                rowMaxima(s, x, base, p, cols, m, 0, ElementwiseKernels.vectorArith());
                // columns outside every window compare with NaN, which nothing equals
                for (int c = 0; c < w; c++) mAt[c] = owner[c] >= 0 ? m[owner[c]] : Float.NaN;
                // the offset (from the window rows' start) of each column's first element equal to its
                // window's maximum; walking the rows upwards leaves the first one
                Arrays.fill(first, Integer.MAX_VALUE);
                for (int i = nr - 1, row = r0 + i * w; i >= 0; i--, row -= w) {
                    int at = i * w;
                    for (int c = 0; c < w; c++) first[c] = x[row + c] == mAt[c] ? at + c : first[c];
                }
                for (int q = 0; q < s.wo(); q++) {
                    int nc = s.colTaps()[q];
                    if (nc == 0) continue;
                    // the smallest offset is the first maximum in row-major order, as the exact rule picks
                    int k = Integer.MAX_VALUE;
                    for (int j = 0, c = s.colStart()[q]; j < nc; j++, c++) k = Math.min(k, first[c]);
                    // no element equals a NaN maximum: the exact walk finds the last NaN
                    y[k != Integer.MAX_VALUE ? r0 + k : argmax(s, x, base, p, q)] += g[o + q];
                }
            }
        }
    }

    /** Flat index into {@code x} of window {@code (p, q)}'s arg-max in the plane at {@code base}, or -1 when no tap is inside. */
    private static int argmax(Windows s, float[] x, int base, int p, int q) {
        int nr = s.rowTaps()[p], nc = s.colTaps()[q];
        if (nr == 0 || nc == 0) return -1;
        int w = s.w(), sr = s.rowStep() * w, sc = s.colStep();
        int row = base + s.rowStart()[p] * w + s.colStart()[q];
        int best = row;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < nr; i++, row += sr) {
            for (int j = 0, k = row; j < nc; j++, k += sc) {
                float v = x[k];
                // selects rather than a branch: on real data the larger element is a coin toss, and
                // a mispredicted branch per tap costs more than the whole window
                boolean take = v > max || v != v;
                best = take ? k : best;
                max = take ? v : max;
            }
        }
        return best;
    }
}
