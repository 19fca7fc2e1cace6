package dev.jasg.cpu;

import dev.jasg.core.Node;
import dev.jasg.core.Program;
import java.util.Arrays;

/**
 * Fused scaled dot-product attention: the kernels of {@code attention}, {@code attention_stats} and
 * {@code attention_grad} ({@link dev.jasg.core.Op.Attention}; the semantics are asg-core's reference kernels).
 * None needs the {@code [.., Lq, Lk]} weights stored: each works on a block of query rows ({@link Geometry#of}) of
 * one of the {@code B} matrices at a time, in per-thread scratch that stays in L2.
 *
 * <p><b>Forward</b> (and the statistics), per block of rows {@code [i0, i1)}: the scores
 * {@code S = Q_blk K^T} over the keys the block attends (with {@code causal}, keys {@code j < i1}: key blocks
 * above the diagonal are never computed) by the GEMM ({@link Gemm#serialPacked}); per row, the maximum of {@code scale s}
 * ({@link VectorMath#scaledMax}), the weights {@code e = exp(scale s - max)} and their sum in double
 * ({@link VectorMath#expShifted}, its {@link ScalarTwins} until the JIT has compiled it: {@link WarmKernels});
 * the keys a row may not attend get weight 0; then {@code O_blk = E V} by the GEMM, each row scaled by
 * {@code 1 / sum}, and {@code lse = max + log(sum)}.
 *
 * <p><b>Gradients</b>, per matrix and part of the keys {@code [k0, k1)} (one part unless the batch is too small
 * to keep many threads busy): zero {@code dK, dV} of those keys, then for every block of query rows that attends
 * them, the weights {@code P} (those the forward kept, when {@link Fusion} had it keep them, else recomputed as
 * {@code exp(scale Q_blk K_part^T - lse)}), {@code dV_part += P^T G_blk}, {@code dP = G_blk V_part^T},
 * {@code dS = scale P (dP - rowsum(G_blk O_blk))}, {@code dK_part += dS^T Q_blk}, {@code dQ_blk (+)= dS K_part}:
 * four or five GEMMs that compute all three gradients at once (a plan computes them in the first
 * {@code attention_grad} of a group and the others copy: {@link Fusion}). With several key parts the later parts
 * write their {@code dQ} into partial buffers that are then added to the first's in part order. The operand a
 * work item multiplies every block by ({@code K^T}, {@code V^T}) is packed once per item ({@link Gemm#packPanel}).
 *
 * <p><b>Determinism</b>: every output element is computed by one work item in a fixed order (no atomic or
 * racing accumulation), so two runs give the same bits. The split into key parts depends only on the shapes,
 * so the result does not depend on the thread count either (unlike {@link Gemm}'s depth split). The exponential
 * is the JIT-dependent one {@link ScalarTwins} describes (an ulp in about 10^8 results).
 *
 * <p><b>Masked keys</b>: with {@code causal}, a block's GEMM runs over keys some of its rows may not attend,
 * with weight exactly 0, which is exact unless the operand the weights multiply holds an infinity or NaN
 * there ({@code 0 * NaN = NaN}, where the reference never reads that key). So the rows such a product reads
 * past the diagonal are checked first, and a block or part that has a non-finite value there is computed by
 * the plain loops that visit only the attended keys: NaN propagates exactly where the reference's does.
 *
 * <p>A run allocates nothing: the steps are the parallel loop bodies, the scratch is per thread and kept
 * ({@link Gemm} keeps its packing buffers the same way), the shared results of {@link Fusion}'s groups are
 * arrays of the plan. Not thread-safe: a plan runs one step at a time.
 */
final class AttentionKernels {
    /**
     * Query rows of a block ({@link Geometry#of}): with {@code causal} {@value #CAUSAL_ROWS} rounded up to whole tiles
     * of the GEMM ({@link Gemm#MR}: 32 on AVX2, 36 on AVX-512), which computes few masked scores on the diagonal;
     * without, as many as keep a block's scores within {@value #BLOCK_FLOATS} floats, between {@value #CAUSAL_ROWS}
     * and {@value #MAX_ROWS} (fewer blocks pack {@code V} fewer times and make larger products).
     * Property {@code jasg.cpu.attentionRows} forces a count, to measure alternatives.
     */
    static final int ROWS = Integer.getInteger("jasg.cpu.attentionRows", 0);
    static final int CAUSAL_ROWS = 32, MAX_ROWS = 128, BLOCK_FLOATS = 1 << 15;
    /** Work items the gradient aims for: below it, each matrix's keys are split into parts (of at least {@link #MIN_PART_KEYS}). */
    static final int TARGET_ITEMS = 32;
    static final int MIN_PART_KEYS = 64;
    /** Most floats of partial {@code dQ} buffers a gradient step keeps (16 MiB). */
    static final long PARTIAL_MAX = 1 << 22;

    private AttentionKernels() {}

    /**
     * The geometry of one attention: {@code batch} matrices, {@code lq} queries and {@code lk} keys of width
     * {@code e}, values of width {@code ev}; blocks of {@code rows} query rows; the gradient's keys in
     * {@code parts} parts.
     */
    record Geometry(int batch, int lq, int lk, int e, int ev, float scale, boolean causal, int rows, int parts) {
        static Geometry of(int[] q, int[] k, int[] v, double scale, boolean causal) {
            int r = q.length, batch = 1;
            for (int i = 0; i < r - 2; i++) batch *= q[i];
            int lq = q[r - 2], e = q[r - 1], lk = k[r - 2], ev = v[r - 1];
            int rows = ROWS > 0 ? ROWS
                    : causal ? (CAUSAL_ROWS + Gemm.MR - 1) / Gemm.MR * Gemm.MR
                    : Math.clamp(BLOCK_FLOATS / Math.max(1, lk), CAUSAL_ROWS, MAX_ROWS);
            rows = Math.max(1, Math.min(rows, lq));
            int parts = 1;
            if (batch > 0 && batch < TARGET_ITEMS && lk >= 2 * MIN_PART_KEYS) {
                parts = Math.min((TARGET_ITEMS + batch - 1) / batch, lk / MIN_PART_KEYS);
                long partial = (long) batch * lq * e;
                parts = (int) Math.max(1, Math.min(parts, 1 + PARTIAL_MAX / Math.max(1, partial)));
            }
            return new Geometry(batch, lq, lk, e, ev, (float) scale, causal, rows, parts);
        }

        int blocks() {
            return (lq + rows - 1) / rows;
        }

        /** Forward items per matrix: its blocks in this many runs of consecutive blocks, which share one packed {@code K^T}. */
        int chunks() {
            return batch == 0 ? 1 : Math.clamp((TARGET_ITEMS + batch - 1) / batch, 1, Math.max(1, blocks()));
        }

        /** Keys query {@code i} attends: {@code [0, keys(i))}. */
        int keys(int i) {
            return causal ? Math.min(lk, i + 1) : lk;
        }

        /** First key of gradient part {@code p}. */
        int partStart(int p) {
            return (int) ((long) lk * p / parts);
        }

        /** Multiply-adds of a forward pass, to decide whether it is worth the pool. */
        long work() {
            return (long) batch * lq * lk * (e + ev);
        }
    }

    /** A thread's scratch, grown to the largest block and kept. */
    private static final class Scratch {
        float[] s = new float[0];
        float[] dp = new float[0];
        float[] inv = new float[0];
        /** Packed {@code K^T} and {@code V^T} panels ({@link Gemm#packPanel}) of the item in progress. */
        float[] kt = new float[0];
        float[] vt = new float[0];

        /** Partial dQ of a gradient step run from this thread (its items run on every thread). */
        float[] partial = new float[0];

        float[] partial(int n) {
            if (partial.length < n) partial = new float[n];
            return partial;
        }

        float[] kt(int n) {
            if (kt.length < n) kt = new float[n];
            return kt;
        }

        float[] vt(int n) {
            if (vt.length < n) vt = new float[n];
            return vt;
        }

        float[] s(int n) {
            if (s.length < n) s = new float[n];
            return s;
        }

        float[] dp(int n) {
            if (dp.length < n) dp = new float[n];
            return dp;
        }

        float[] inv(int n) {
            if (inv.length < n) inv = new float[n];
            return inv;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Runs {@code items} items over the pool, claimed one at a time (causal items differ in cost), or inline when small. */
    private static void loop(int items, long work, CpuThreads.Range body) {
        if (items <= 0) return;
        if (work < Gemm.PARALLEL_MIN) body.run(0, items);
        else if (items <= CpuThreads.MAX_CHUNKS) CpuThreads.forEachClaimed(items, body);
        else CpuThreads.parallelFor(items, 1, body);
    }

    // ---- steps ----------------------------------------------------------------------------------

    /** The geometry of attention node {@code n} (operands q, k, v or q, k) under {@code b}. */
    static Geometry geometry(Node n, Program.Binding b, double scale, boolean causal) {
        int[] q = b.shape(n.input(0)).dims(), k = b.shape(n.input(1)).dims();
        int[] v = n.arity() > 2 ? b.shape(n.input(2)).dims() : k;
        return Geometry.of(q, k, v, scale, causal);
    }

    /**
     * The forward pass: into node {@code out} (or nothing when -1), and the statistics into node {@code lseId}
     * (or {@code lseArray}, or nowhere when both are absent).
     */
    static final class Forward implements Step, CpuThreads.Range {
        private final Geometry g;
        private final int q, k, v, out, lseId;
        private final float[] lseArray;
        /** Where the weights {@code [B, Lq, Lk]} are kept for the gradients ({@link Fusion}'s rule 6), or null. */
        private final float[] weights;
        /** The values of the run in progress, read by the loop body. */
        private float[][] vals;

        Forward(Geometry g, int q, int k, int v, int out, int lseId, float[] lseArray) {
            this(g, q, k, v, out, lseId, lseArray, null);
        }

        Forward(Geometry g, int q, int k, int v, int out, int lseId, float[] lseArray, float[] weights) {
            this.weights = weights;
            this.g = g;
            this.q = q;
            this.k = k;
            this.v = v;
            this.out = out;
            this.lseId = lseId;
            this.lseArray = lseArray;
        }

        @Override
        public void run(float[][] values) {
            float[] o = out >= 0 ? values[out] : null, lse = lseId >= 0 ? values[lseId] : lseArray;
            if (g.lk == 0) {
                // no key to attend: the reference's output 0 and statistics -inf
                if (o != null) Arrays.fill(o, 0, g.batch * g.lq * g.ev, 0f);
                if (lse != null) Arrays.fill(lse, 0, g.batch * g.lq, Float.NEGATIVE_INFINITY);
                return;
            }
            vals = values;
            try {
                loop(g.batch * g.chunks(), g.work(), this);
            } finally {
                vals = null;
            }
        }

        @Override
        public void run(int from, int to) {
            float[][] x = vals;
            float[] o = out >= 0 ? x[out] : null, lse = lseId >= 0 ? x[lseId] : lseArray;
            Scratch s = SCRATCH.get();
            int chunks = g.chunks(), blocks = g.blocks();
            for (int t = from; t < to; t++) {
                // the last chunk of a matrix first: with causal it is the costly one
                int b = t / chunks, c = chunks - 1 - t % chunks;
                forward(g, x[q], x[k], v >= 0 ? x[v] : null, o, lse, weights, b, blocks * c / chunks, blocks * (c + 1) / chunks, s);
            }
        }
    }

    /**
     * The gradients: of q into {@code dq} (a node id, or -1 with {@code dqArray} or nothing), likewise k and v.
     * Operands q, k, v, o, g, lse as node ids.
     */
    static final class Backward implements Step, CpuThreads.Range {
        private final Geometry g;
        private final int q, k, v, o, gr, lse;
        private final int[] ids;
        private final float[][] arrays;
        private final boolean[] want;
        /** Whether dQ is wanted with several key parts: then the parts after the first write partial dQ. */
        private final boolean partials;
        /** The partial dQ of the run in progress: the calling thread's scratch (steps run one at a time). */
        private float[] partial;
        private float[][] vals;
        private boolean reducing;
        /** The forward's weights ({@link Forward}'s), or null: then recomputed from the scores and {@code lse}. */
        private final float[] weights;

        Backward(Geometry g, int q, int k, int v, int o, int gr, int lse, int[] ids, float[][] arrays) {
            this(g, q, k, v, o, gr, lse, ids, arrays, null);
        }

        /**
         * @param ids     per gradient (q, k, v): the node receiving it, or -1
         * @param arrays  per gradient: the array receiving it when {@code ids} says -1, or null when it is not wanted
         * @param weights the weights a {@link Forward} of the same operands kept in this run, or null
         */
        Backward(Geometry g, int q, int k, int v, int o, int gr, int lse, int[] ids, float[][] arrays, float[] weights) {
            this.weights = weights;
            this.g = g;
            this.q = q;
            this.k = k;
            this.v = v;
            this.o = o;
            this.gr = gr;
            this.lse = lse;
            this.ids = ids.clone();
            this.arrays = arrays.clone();
            this.want = new boolean[3];
            for (int w = 0; w < 3; w++) want[w] = ids[w] >= 0 || arrays[w] != null;
            this.partials = want[0] && g.parts > 1;
        }

        private float[] target(float[][] x, int w) {
            return ids[w] >= 0 ? x[ids[w]] : arrays[w];
        }

        @Override
        public void run(float[][] values) {
            if (g.lk == 0 || g.lq == 0) {
                int[] sizes = {g.batch * g.lq * g.e, g.batch * g.lk * g.e, g.batch * g.lk * g.ev};
                for (int w = 0; w < 3; w++) if (want[w]) Arrays.fill(target(values, w), 0, sizes[w], 0f);
                return;
            }
            vals = values;
            partial = partials ? SCRATCH.get().partial((g.parts - 1) * g.batch * g.lq * g.e) : null;
            try {
                reducing = false;
                loop(g.batch * g.parts, 3 * g.work(), this);
                if (partial != null) {
                    reducing = true;
                    loop(g.batch * g.blocks(), (long) g.parts * g.batch * g.lq * g.e * 64, this);
                }
            } finally {
                vals = null;
                partial = null;
            }
        }

        @Override
        public void run(int from, int to) {
            float[][] x = vals;
            float[] dq = want[0] ? target(x, 0) : null, dk = want[1] ? target(x, 1) : null, dv = want[2] ? target(x, 2) : null;
            if (reducing) {
                int size = g.batch * g.lq * g.e, rowsE = g.rows * g.e, blocks = g.blocks();
                for (int t = from; t < to; t++) {
                    int b = t / blocks, blk = t % blocks;
                    int from0 = (b * g.lq + blk * g.rows) * g.e, to0 = Math.min((b + 1) * g.lq * g.e, from0 + rowsE);
                    for (int p = 1; p < g.parts; p++) {
                        int po = (p - 1) * size;
                        for (int i = from0; i < to0; i++) dq[i] += partial[po + i];
                    }
                }
                return;
            }
            Scratch s = SCRATCH.get();
            for (int t = from; t < to; t++) {
                int b = t / g.parts, p = t % g.parts;
                float[] dqp = p == 0 || dq == null ? dq : partial;
                int dqOff = p == 0 ? 0 : (p - 1) * g.batch * g.lq * g.e;
                backward(g, x[q], x[k], x[v], x[o], x[gr], x[lse], weights, dqp, dqOff, dk, dv, b, p, s);
            }
        }
    }

    // ---- the kernels ----------------------------------------------------------------------------

    /** Blocks {@code [blk0, blk1)} of matrix {@code b}: their output rows into {@code o} and statistics into {@code lse} (each when not null). */
    private static void forward(Geometry g, float[] q, float[] k, float[] v, float[] o, float[] lse, float[] weights, int b, int blk0, int blk1,
                                Scratch sc) {
        if (blk1 <= blk0) return;
        int lq = g.lq, lk = g.lk, e = g.e;
        int width = g.causal ? Math.min(lk, Math.min(lq, blk1 * g.rows)) : lk;
        float[] kt = sc.kt(Gemm.panelSize(e, width));
        Gemm.packPanel(e, width, k, b * lk * e, 1, e, kt);
        for (int blk = blk0; blk < blk1; blk++) forwardBlock(g, q, kt, width, v, o, lse, weights, b, blk, sc);
    }

    /**
     * Block {@code blk} of matrix {@code b}, with {@code K^T} packed in {@code kt} ({@code width} keys). With
     * {@code weights}, the block's scores are computed in place there (rows of {@code Lk}) and left as the
     * normalised weights {@code e / sum}, zero past each row's keys, for the gradients; else in scratch. Either
     * way the output is {@code (E V) / sum}, the same bits.
     */
    private static void forwardBlock(Geometry g, float[] q, float[] kt, int width, float[] v, float[] o, float[] lse, float[] weights,
                                     int b, int blk, Scratch sc) {
        int lq = g.lq, lk = g.lk, e = g.e, ev = g.ev;
        int i0 = blk * g.rows, i1 = Math.min(lq, i0 + g.rows), r = i1 - i0;
        int kend = g.causal ? Math.min(lk, i1) : lk;
        int qo = (b * lq + i0) * e, vo = b * lk * ev, oo = (b * lq + i0) * ev;
        boolean keep = weights != null;
        float[] s = keep ? weights : sc.s(r * kend), inv = sc.inv(r);
        int so = keep ? (b * lq + i0) * lk : 0, ld = keep ? lk : kend;
        Gemm.serialPacked(r, kend, e, q, qo, e, 1, kt, width, s, so, ld, false);
        for (int rr = 0; rr < r; rr++) {
            int i = i0 + rr, n = g.keys(i), at = so + rr * ld;
            float m = scaledMax(s, at, n, g.scale);
            double sum = expShifted(s, at, n, g.scale, m);
            if (n < ld) Arrays.fill(s, at + n, at + ld, 0f);
            float f = (float) (1 / sum);
            inv[rr] = f;
            if (lse != null) lse[b * lq + i] = m == Float.POSITIVE_INFINITY ? m : (float) (m + Math.log(sum));
        }
        if (o == null) {
            for (int rr = 0; keep && rr < r; rr++) {
                for (int j = 0, at = so + rr * ld, n = g.keys(i0 + rr); j < n; j++) s[at + j] *= inv[rr];
            }
            return;
        }
        if (g.causal && kend > i0 + 1 && !finite(v, vo + (i0 + 1) * ev, vo + kend * ev)) {
            // a non-finite value in a key some rows do not attend: only the attended keys, as the reference
            for (int rr = 0; rr < r; rr++) {
                int n = g.keys(i0 + rr), ro = oo + rr * ev;
                Arrays.fill(o, ro, ro + ev, 0f);
                for (int j = 0; j < n; j++) {
                    float p = s[so + rr * ld + j];
                    int vj = vo + j * ev;
                    for (int c = 0; c < ev; c++) o[ro + c] += p * v[vj + c];
                }
            }
        } else {
            Gemm.serial(r, ev, kend, s, so, ld, 1, v, vo, ev, 1, o, oo, ev, false);
        }
        for (int rr = 0; rr < r; rr++) {
            float f = inv[rr];
            int ro = oo + rr * ev;
            for (int c = 0; c < ev; c++) o[ro + c] *= f;
            // the kept weights normalised after the product, so that the output has the bits of a plan that keeps none
            if (keep) for (int j = 0, at = so + rr * ld, n = g.keys(i0 + rr); j < n; j++) s[at + j] *= f;
        }
    }

    /**
     * Key part {@code p} of matrix {@code b}: {@code dK} and {@code dV} of its keys (each when not null), and its
     * contribution to {@code dQ} into {@code dq} from {@code dqOff} (laid out as q), every row of matrix {@code b}
     * written (zero where the part's keys are not attended).
     */
    private static void backward(Geometry g, float[] q, float[] k, float[] v, float[] o, float[] gr, float[] lse, float[] weights,
                                 float[] dq, int dqOff, float[] dk, float[] dv, int b, int p, Scratch sc) {
        int lq = g.lq, lk = g.lk, e = g.e, ev = g.ev;
        int k0 = g.partStart(p), k1 = g.partStart(p + 1);
        int qb = b * lq * e, kb = b * lk * e, vb = b * lk * ev, gb = b * lq * ev;
        if (dk != null) Arrays.fill(dk, kb + k0 * e, kb + k1 * e, 0f);
        if (dv != null) Arrays.fill(dv, vb + k0 * ev, vb + k1 * ev, 0f);
        // the rows attending this part: with causal, queries i >= k0, from the block holding k0
        int first = g.causal ? Math.min(lq, k0 / g.rows * g.rows) : 0;
        if (dq != null) Arrays.fill(dq, dqOff + qb, dqOff + qb + first * e, 0f);
        if (k1 <= k0 || first >= lq) {
            if (dq != null) Arrays.fill(dq, dqOff + qb + first * e, dqOff + qb + lq * e, 0f);
            return;
        }
        if (g.causal && (!finite(q, qb + first * e, qb + lq * e) || !finite(gr, gb + first * ev, gb + lq * ev)
                || !finite(k, kb + k0 * e, kb + k1 * e))) {
            backwardExact(g, q, k, v, o, gr, lse, dq, dqOff, dk, dv, b, k0, k1, first);
            return;
        }
        boolean ds = dk != null || dq != null;
        int width = k1 - k0;
        boolean kept = weights != null;
        float[] kt = kept ? null : sc.kt(Gemm.panelSize(e, width)), vt = ds ? sc.vt(Gemm.panelSize(ev, width)) : null;
        if (!kept) Gemm.packPanel(e, width, k, kb + k0 * e, 1, e, kt);
        if (ds) Gemm.packPanel(ev, width, v, vb + k0 * ev, 1, ev, vt);
        for (int i0 = first; i0 < lq; i0 += g.rows) {
            int i1 = Math.min(lq, i0 + g.rows), r = i1 - i0;
            int kend = g.causal ? Math.min(k1, i1) : k1, n = kend - k0;
            int qo = qb + i0 * e, go = gb + i0 * ev;
            if (n <= 0) {
                if (dq != null) Arrays.fill(dq, dqOff + qo, dqOff + qo + r * e, 0f);
                continue;
            }
            // the weights of the block's rows and the part's keys: the forward's, or recomputed here
            float[] s = kept ? weights : sc.s(r * n);
            int so = kept ? (b * lq + i0) * lk + k0 : 0, ld = kept ? lk : n;
            if (!kept) {
                Gemm.serialPacked(r, n, e, q, qo, e, 1, kt, width, s, 0, n, false);
                for (int rr = 0; rr < r; rr++) {
                    int i = i0 + rr, cnt = Math.max(0, Math.min(n, g.keys(i) - k0)), at = rr * n;
                    expShifted(s, at, cnt, g.scale, lse[b * lq + i]);
                    if (cnt < n) Arrays.fill(s, at + cnt, at + n, 0f);
                }
            }
            if (dv != null) Gemm.serial(n, ev, r, s, so, 1, ld, gr, go, ev, 1, dv, vb + k0 * ev, ev, true);
            if (!ds) continue;
            float[] dp = sc.dp(r * n);
            Gemm.serialPacked(r, n, ev, gr, go, ev, 1, vt, width, dp, 0, n, false);
            for (int rr = 0; rr < r; rr++) {
                int i = i0 + rr, cnt = Math.max(0, Math.min(n, g.keys(i) - k0)), at = rr * n;
                float delta = dot(gr, gb + i * ev, o, gb + i * ev, ev);
                for (int j = 0, sj = so + rr * ld; j < cnt; j++) dp[at + j] = s[sj + j] * (dp[at + j] - delta) * g.scale;
                if (cnt < n) Arrays.fill(dp, at + cnt, at + n, 0f);
            }
            if (dk != null) Gemm.serial(n, e, r, dp, 0, 1, n, q, qo, e, 1, dk, kb + k0 * e, e, true);
            if (dq != null) Gemm.serial(r, e, n, dp, 0, n, 1, k, kb + k0 * e, e, 1, dq, dqOff + qo, e, false);
        }
    }

    /** {@link #backward} by loops over the attended pairs only, for a part whose operands hold a non-finite value. */
    private static void backwardExact(Geometry g, float[] q, float[] k, float[] v, float[] o, float[] gr, float[] lse,
                                      float[] dq, int dqOff, float[] dk, float[] dv, int b, int k0, int k1, int first) {
        int lq = g.lq, lk = g.lk, e = g.e, ev = g.ev;
        int qb = b * lq * e, kb = b * lk * e, vb = b * lk * ev, gb = b * lq * ev;
        if (dq != null) Arrays.fill(dq, dqOff + qb + first * e, dqOff + qb + lq * e, 0f);
        for (int i = first; i < lq; i++) {
            int end = Math.min(k1, g.keys(i)), qi = qb + i * e, gi = gb + i * ev;
            if (end <= k0) continue;
            float delta = dot(gr, gi, o, gi, ev), l = lse[b * lq + i];
            for (int j = k0; j < end; j++) {
                int kj = kb + j * e, vj = vb + j * ev;
                float p = (float) Math.exp((double) (dot(q, qi, k, kj, e) * g.scale) - l);
                if (dv != null) for (int c = 0; c < ev; c++) dv[vj + c] += p * gr[gi + c];
                if (dk == null && dq == null) continue;
                float ds = p * (dot(gr, gi, v, vj, ev) - delta) * g.scale;
                if (dk != null) for (int c = 0; c < e; c++) dk[kj + c] += ds * q[qi + c];
                if (dq != null) for (int c = 0; c < e; c++) dq[dqOff + qi + c] += ds * k[kj + c];
            }
        }
    }

    // ---- rows -----------------------------------------------------------------------------------

    /** {@code sum_c a[ao + c] b[bo + c]}, accumulated in double. */
    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        double s = 0;
        for (int c = 0; c < n; c++) s += a[ao + c] * b[bo + c];
        return (float) s;
    }

    /** Whether {@code a[from, to)} holds no infinity and no NaN. */
    static boolean finite(float[] a, int from, int to) {
        float z = 0f;
        for (int i = from; i < to; i++) z += a[i] * 0f; // NaN once any element is infinite or NaN
        return z == 0f;
    }

    /** {@link VectorMath#scaledMax} (or its twin, or plain Java without the Vector API). */
    static float scaledMax(float[] x, int o, int n, float scale) {
        if (Simd.ENABLED) return WarmKernels.scaledMax(x, o, n, scale);
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[o + i] * scale);
        return m;
    }

    /** {@link VectorMath#expShifted} (or its twin, or plain Java without the Vector API). */
    static double expShifted(float[] x, int o, int n, float scale, double shift) {
        if (Simd.ENABLED) return WarmKernels.expShifted(x, o, n, scale, shift);
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp((double) (x[o + i] * scale) - shift);
            x[o + i] = (float) e;
            s += e;
        }
        return s;
    }
}
