package dev.jasg.cpu;

import dev.jasg.core.Indexing;

import dev.jasg.core.DType;
import java.util.Arrays;

/**
 * {@code torch.matmul}: {@code C[b] = A[b] B[b]} over broadcast batch axes, with a 1-D
 * left operand promoted to {@code [1,k]} and a 1-D right operand to {@code [k,1]} (the
 * promoted axis is squeezed from the result, which leaves the dense layout unchanged).
 *
 * <p>{@link #multiply} is the single entry point; every product is one {@link Gemm} call
 * (packed, register-blocked, on the Vector API when it is enabled). A batch of many small
 * products (attention heads) is split over {@link CpuThreads} by whole products; a single
 * large product is split inside {@link Gemm}.
 */
final class MatMulKernel {
    /**
     * Whether a single product with a bias fills each block of C with it on the thread that then computes that block
     * ({@link Gemm#gemmBias}), rather than all of C on the calling thread first: {@code -Djasg.cpu.biasInBlocks=false}
     * for the latter, to compare. Both give the same bits.
     */
    static final boolean BIAS_IN_BLOCKS = !"false".equals(System.getProperty("jasg.cpu.biasInBlocks"));

    /** Multiply-adds below which a product runs on the calling thread (other kernels use the same threshold). */
    static final long PARALLEL_MIN = Gemm.PARALLEL_MIN;

    private MatMulKernel() {}

    /**
     * The geometry of one product, planned once per shape binding: {@code batch} products of
     * {@code [m,k] x [k,n]}, the i-th reading A at {@code aOffsets[i]} and B at {@code bOffsets[i]}.
     * When B has no batch and A's batch is not broadcast, A's batch is folded into {@code m}.
     */
    record Geometry(int batch, int m, int k, int n, int[] aOffsets, int[] bOffsets) {
        /** Number of output elements. */
        long outSize() {
            return (long) batch * m * n;
        }
    }

    /** Plans {@code a x b} for concrete dims {@code aDims} and {@code bDims} (ranks >= 1). */
    static Geometry plan(int[] aDims, int[] bDims) {
        return plan(aDims, bDims, true);
    }

    /**
     * Plans {@code a x b}; {@code fold} allows folding A's batch into {@code m} when B has none, which
     * needs A stored as it is read (not transposed) and C stored as written (not transposed).
     */
    static Geometry plan(int[] aDims, int[] bDims, boolean fold) {
        if (aDims.length == 0 || bDims.length == 0) throw new IllegalArgumentException("matmul: needs rank >= 1, got "
                + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
        int[] a = aDims.length == 1 ? new int[] {1, aDims[0]} : aDims;
        int[] b = bDims.length == 1 ? new int[] {bDims[0], 1} : bDims;
        int m = a[a.length - 2], k = a[a.length - 1], kb = b[b.length - 2], n = b[b.length - 1];
        if (k != kb) throw new IllegalArgumentException("matmul: inner dimensions differ: " + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
        int[] aBatch = Arrays.copyOf(a, a.length - 2), bBatch = Arrays.copyOf(b, b.length - 2);
        int bCount = 1;
        for (int d : bBatch) bCount *= d;
        if (fold && bCount == 1) {
            // one shared right matrix: the batched product is one tall product, which blocks and splits better
            int count = 1;
            for (int d : aBatch) count *= d;
            return new Geometry(1, count * m, k, n, new int[] {0}, new int[] {0});
        }
        // the matrices one after another
        int[] as = Indexing.strides(aBatch), bs = Indexing.strides(bBatch);
        for (int i = 0; i < as.length; i++) as[i] *= m * k;
        for (int i = 0; i < bs.length; i++) bs[i] *= k * n;
        return planStrided(a, as, b, bs);
    }

    /**
     * Plans {@code a x b} (ranks 2 or more) for operands whose matrices lie at given strides: {@code aBatchStrides[i]} elements
     * between consecutive indices of A's batch axis {@code i} (its axes before the last two), likewise B; batch axes
     * broadcast as in {@link #plan}. No batch is folded.
     */
    static Geometry planStrided(int[] aDims, int[] aBatchStrides, int[] bDims, int[] bBatchStrides) {
        int ra = aDims.length, rb = bDims.length;
        int m = aDims[ra - 2], k = aDims[ra - 1], n = bDims[rb - 1];
        if (bDims[rb - 2] != k) throw new IllegalArgumentException("matmul: inner dimensions differ: " + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
        int rank = Math.max(ra, rb) - 2;
        int[] batch = new int[rank], as = new int[rank], bs = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int ai = ra - 2 - i, bi = rb - 2 - i;
            int da = ai >= 0 ? aDims[ai] : 1, db = bi >= 0 ? bDims[bi] : 1;
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("matmul: batch dimensions do not broadcast: "
                    + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
            batch[rank - i] = Math.max(da, db);
            as[rank - i] = da == 1 ? 0 : aBatchStrides[ai];
            bs[rank - i] = db == 1 ? 0 : bBatchStrides[bi];
        }
        int[] aOff = matrixOffsets(batch, as);
        return new Geometry(aOff.length, m, k, n, aOff, matrixOffsets(batch, bs));
    }

    /** {@code c = a x b} with geometry {@code g}; results rounded to {@code dt} (integers stored as floats). */
    static void multiply(Geometry g, DType dt, float[] a, float[] b, float[] c) {
        multiply(g, dt, a, false, b, false, c, false, null, 0);
    }

    /** The calling thread's {@link Batch}, made once (a capturing lambda per batched product allocated one each call). */
    private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);

    /**
     * A batched product's loop over its products, one thread per group of whole products: the operands in fields,
     * written by the thread that starts it and published to the threads that run its chunks by the pool's hand-over.
     * One per thread, reused; a product inside a loop's chunk runs inline, so one is never in use twice.
     */
    private static final class Batch implements CpuThreads.Range {
        int m, n, k, lda, ldb, ldc;
        float[] a, b, c;
        int[] ao, bo, co;
        boolean ta, tb, tc, acc;

        Batch set(int m, int n, int k, float[] a, boolean ta, int[] ao, int lda, float[] b, boolean tb, int[] bo, int ldb, float[] c, boolean tc,
                  boolean acc) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.ta = ta;
            this.ao = ao;
            this.lda = lda;
            this.b = b;
            this.tb = tb;
            this.bo = bo;
            this.ldb = ldb;
            this.c = c;
            this.tc = tc;
            this.acc = acc;
            return this;
        }

        /** The results at {@code co[t]} (null: one after another), rows {@code ldc} apart. */
        Batch into(int[] co, int ldc) {
            this.co = co;
            this.ldc = ldc;
            return this;
        }

        @Override
        public void run(int t0, int t1) {
            for (int t = t0; t < t1; t++) product(m, n, k, a, ta, ao[t], lda, b, tb, bo[t], ldb, c, co == null ? t * m * n : co[t], ldc, tc, acc, true);
        }
    }

    /**
     * The product with the operands' and the result's layouts given: when {@code ta}, each
     * {@code [m,k]} matrix of A is stored transposed ({@code [k,m]} row-major, as the input of a
     * transpose the planner did not materialise), likewise B when {@code tb}; when {@code tc}
     * each result is stored transposed, {@code C^T = op(B)^T op(A)^T} (the product feeds only a
     * transpose, which then shares its buffer). When {@code bias} is not null, {@code bias[j * biasStride]}
     * (stride 1: a row vector over the columns, 0: a scalar) is added to every row: C starts as
     * the bias and the product accumulates onto it. {@code tc} and a bias do not combine.
     */
    static void multiply(Geometry g, DType dt, float[] a, boolean ta, float[] b, boolean tb, float[] c, boolean tc, float[] bias, int biasStride) {
        int m = g.m(), k = g.k(), n = g.n();
        multiply(g, dt, a, ta, ta ? m : k, b, tb, tb ? k : n, c, tc, bias, biasStride);
    }

    /**
     * {@link #multiply} with the operands' leading dimensions given: matrix {@code t} of A at {@code a[g.aOffsets()[t]]},
     * row-major with rows {@code lda} apart (columns, when {@code ta}), likewise B; an operand read through permutes the
     * planner did not materialise ({@link Fusion}: attention's heads, {@code [b, l, h, d]} read as {@code [b, h, l, d]}
     * with rows {@code h d} apart).
     */
    static void multiply(Geometry g, DType dt, float[] a, boolean ta, int lda, float[] b, boolean tb, int ldb, float[] c, boolean tc,
                         float[] bias, int biasStride) {
        int m = g.m(), n = g.n(), k = g.k(), batch = g.batch();
        int[] ao = g.aOffsets(), bo = g.bOffsets();
        if (tc && bias != null) throw new IllegalArgumentException("matmul: a transposed result takes no bias");
        if (batch == 1 && bias != null && BIAS_IN_BLOCKS) {
            // each block of C starts from the bias on the thread that computes it
            Gemm.gemmBias(ta, tb, m, n, k, a, ao[0], lda, b, bo[0], ldb, c, 0, n, bias, biasStride);
            roundTo(dt, g, c);
            return;
        }
        if (bias != null) Gemm.fillBias(c, 0, n, batch * m, n, bias, 0, biasStride);
        products(g, a, ta, lda, b, tb, ldb, c, null, tc ? m : n, tc, bias != null);
        roundTo(dt, g, c);
    }

    /**
     * Every product of {@code g}, result {@code t} at {@code c[co[t]]} ({@code co} null: at {@code t m n}, one after another),
     * rows {@code ldc} apart: one on this thread, many small ones (attention heads) a thread per group of whole products.
     */
    private static void products(Geometry g, float[] a, boolean ta, int lda, float[] b, boolean tb, int ldb, float[] c, int[] co, int ldc,
                                 boolean tc, boolean acc) {
        int m = g.m(), n = g.n(), k = g.k(), batch = g.batch();
        int[] ao = g.aOffsets(), bo = g.bOffsets();
        if (batch == 1) {
            product(m, n, k, a, ta, ao[0], lda, b, tb, bo[0], ldb, c, co == null ? 0 : co[0], ldc, tc, acc, false);
        } else if (batch >= CpuThreads.PARALLELISM && (long) batch * m * n * k >= Gemm.PARALLEL_MIN) {
            Batch job = BATCH.get().set(m, n, k, a, ta, ao, lda, b, tb, bo, ldb, c, tc, acc).into(co, ldc);
            try {
                CpuThreads.parallelFor(batch, 1, job);
            } finally {
                job.a = job.b = job.c = null;
                job.co = null;
            }
        } else {
            for (int t = 0; t < batch; t++) product(m, n, k, a, ta, ao[t], lda, b, tb, bo[t], ldb, c, co == null ? t * m * n : co[t], ldc, tc, acc, false);
        }
    }

    /** Rounds the result to {@code dt} where that is not F32 (the products compute in F32). */
    private static void roundTo(DType dt, Geometry g, float[] c) {
        if (dt == DType.F32) return;
        int size = (int) g.outSize();
        for (int i = 0; i < size; i++) c[i] = (float) dt.round(c[i]);
    }

    /**
     * {@code c = a x B (+ bias)} for a geometry of one product ({@code batch == 1}) whose right operand is a weight
     * packed once ({@link PackedWeights}): {@code bp} is all of {@code op(B)} in {@link Gemm#packPanel}'s layout.
     * The bias as in {@link #multiply}; results are F32.
     */
    static void multiplyPacked(Geometry g, float[] a, boolean ta, float[] bp, float[] c, float[] bias, int biasStride) {
        if (g.batch() != 1) throw new IllegalArgumentException("matmul: a packed weight takes one product, got a batch of " + g.batch());
        int m = g.m(), n = g.n(), k = g.k();
        int lda = ta ? m : k;
        int ao = g.aOffsets()[0];
        if (bias != null && !BIAS_IN_BLOCKS) {
            Gemm.fillBias(c, 0, n, m, n, bias, 0, biasStride);
            Gemm.gemmPacked(m, n, k, a, ao, ta ? 1 : lda, ta ? lda : 1, bp, c, 0, n, true);
            return;
        }
        Gemm.gemmPacked(m, n, k, a, ao, ta ? 1 : lda, ta ? lda : 1, bp, c, 0, n, false, bias, biasStride);
    }

    /** One {@code [m,k] x [k,n]} product at the given offsets; {@code tc}: written as {@code C^T = op(B)^T op(A)^T}. */
    private static void product(int m, int n, int k, float[] a, boolean ta, int ao, int lda, float[] b, boolean tb, int bo, int ldb,
                                float[] c, int co, int ldc, boolean tc, boolean acc, boolean serial) {
        if (!tc) {
            if (serial) Gemm.serial(m, n, k, a, ao, ta ? 1 : lda, ta ? lda : 1, b, bo, tb ? 1 : ldb, tb ? ldb : 1, c, co, ldc, acc);
            else Gemm.gemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
        } else {
            // C^T [n,m]: A' = op(B)^T (stored B, transposed unless it already was), B' = op(A)^T
            if (serial) Gemm.serial(n, m, k, b, bo, tb ? ldb : 1, tb ? 1 : ldb, a, ao, ta ? lda : 1, ta ? 1 : lda, c, co, ldc, acc);
            else Gemm.gemm(!tb, !ta, n, m, k, b, bo, ldb, a, ao, lda, c, co, ldc, acc);
        }
    }

    /**
     * {@link #multiply} with each result written at {@code c[cOffsets[t]]}, rows {@code ldc} apart (F32, no bias): a product
     * whose only reader is a permute the planner did not materialise ({@link Fusion}: attention's heads merged back,
     * {@code [b, h, l, d]} written as {@code [b, l, h, d]}).
     */
    static void multiplyInto(Geometry g, float[] a, boolean ta, int lda, float[] b, boolean tb, int ldb, float[] c, int[] cOffsets, int ldc) {
        products(g, a, ta, lda, b, tb, ldb, c, cOffsets, ldc, false, false);
    }

    /**
     * Offsets of the matrices of a batch {@code batchDims} (a product's result's leading axes), matrix {@code t} (the batch
     * indices in row-major order) at {@code sum_i idx_i * batchStrides[i]}: an operand's or a result's, by its strides.
     */
    static int[] matrixOffsets(int[] batchDims, int[] batchStrides) {
        int count = 1;
        for (int d : batchDims) count *= d;
        int[] off = new int[count];
        for (int t = 0; t < count; t++) {
            int rest = t, o = 0;
            for (int ax = batchDims.length - 1; ax >= 0; ax--) {
                o += rest % batchDims[ax] * batchStrides[ax];
                rest /= batchDims[ax];
            }
            off[t] = o;
        }
        return off;
    }

    /**
     * {@code c = sum_t op(A_t) op(B_t)} over every product of {@code g} ({@code [m,n]} result): the
     * weight gradient of a layer applied to a batch of sequences, {@code sum_t x_t^T g_t}. With
     * {@code A} transposed and {@code B} not, the products are one of depth {@code batch k} (the
     * stored {@code x_t} follow each other, so {@code [x_0; x_1; ...]} is one matrix); otherwise they
     * accumulate one after another.
     */
    static void multiplySumBatch(Geometry g, float[] a, boolean ta, float[] b, boolean tb, float[] c) {
        int m = g.m(), n = g.n(), k = g.k(), batch = g.batch();
        int[] ao = g.aOffsets(), bo = g.bOffsets();
        boolean contiguous = true;
        for (int t = 0; t < batch; t++) contiguous &= ao[t] == t * m * k && bo[t] == t * k * n;
        if (ta && !tb && contiguous) {
            Gemm.gemm(true, false, m, n, batch * k, a, 0, m, b, 0, n, c, 0, n, false);
            return;
        }
        int lda = ta ? m : k, ldb = tb ? k : n;
        for (int t = 0; t < batch; t++) Gemm.gemm(ta, tb, m, n, k, a, ao[t], lda, b, bo[t], ldb, c, 0, n, t > 0);
    }
}
