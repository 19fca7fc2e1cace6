package dev.jasg.cpu;

import dev.jasg.core.Indexing;

import dev.jasg.core.DType;
import java.util.Arrays;

/**
 * {@code torch.matmul}: {@code C[b] = A[b] B[b]} over broadcast batch axes, with a 1-D
 * left operand promoted to {@code [1,k]} and a 1-D right operand to {@code [k,1]} (the
 * promoted axis is squeezed from the result, which leaves the dense layout unchanged).
 *
 * <p>{@link #multiply} is the single entry point. The kernel is an i-k-j loop blocked over
 * k, so the inner loop {@code C[i, j0:j1] += A[i,p] * B[p, j0:j1]} is a unit-stride AXPY
 * that the JIT auto-vectorises, done for four rows of C at once so each element of B
 * loaded serves four multiply-adds, and a block of B stays in cache while the rows of A
 * stream past. Work of at least {@link #PARALLEL_MIN} multiply-adds is split over
 * {@link CpuThreads} by output rows (or by columns when there are too few rows).
 */
final class MatMulKernel {
    /** Multiply-adds below which a product runs on the calling thread. */
    static final long PARALLEL_MIN = 1 << 18;

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
        if (aDims.length == 0 || bDims.length == 0) throw new IllegalArgumentException("matmul: needs rank >= 1, got "
                + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
        int[] a = aDims.length == 1 ? new int[] {1, aDims[0]} : aDims;
        int[] b = bDims.length == 1 ? new int[] {bDims[0], 1} : bDims;
        int m = a[a.length - 2], k = a[a.length - 1], kb = b[b.length - 2], n = b[b.length - 1];
        if (k != kb) throw new IllegalArgumentException("matmul: inner dimensions differ: " + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
        int[] aBatch = Arrays.copyOf(a, a.length - 2), bBatch = Arrays.copyOf(b, b.length - 2);
        int rank = Math.max(aBatch.length, bBatch.length);
        int[] batch = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int da = i <= aBatch.length ? aBatch[aBatch.length - i] : 1, db = i <= bBatch.length ? bBatch[bBatch.length - i] : 1;
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("matmul: batch dimensions do not broadcast: "
                    + Arrays.toString(aDims) + " x " + Arrays.toString(bDims));
            batch[rank - i] = Math.max(da, db);
        }
        int count = 1;
        for (int d : batch) count *= d;
        int bCount = 1;
        for (int d : bBatch) bCount *= d;
        if (bCount == 1 && Arrays.equals(padLeft(aBatch, rank), batch)) {
            // one shared right matrix: the batched product is one tall product, which blocks and splits better
            return new Geometry(1, count * m, k, n, new int[] {0}, new int[] {0});
        }
        int[] as = Indexing.broadcastStrides(aBatch, batch), bs = Indexing.broadcastStrides(bBatch, batch);
        int[] aOff = new int[count], bOff = new int[count];
        for (int t = 0; t < count; t++) {
            int rest = t, oa = 0, ob = 0;
            for (int ax = rank - 1; ax >= 0; ax--) {
                int idx = rest % batch[ax];
                rest /= batch[ax];
                oa += idx * as[ax];
                ob += idx * bs[ax];
            }
            aOff[t] = oa * m * k;
            bOff[t] = ob * k * n;
        }
        return new Geometry(count, m, k, n, aOff, bOff);
    }

    private static int[] padLeft(int[] d, int rank) {
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        System.arraycopy(d, 0, out, rank - d.length, d.length);
        return out;
    }

    /** {@code c = a x b} with geometry {@code g}; results rounded to {@code dt} (integers stored as floats). */
    static void multiply(Geometry g, DType dt, float[] a, float[] b, float[] c) {
        int m = g.m(), n = g.n(), k = g.k(), rows = g.batch() * m;
        long work = (long) rows * n * k;
        if (work < PARALLEL_MIN) {
            rows(g, a, b, c, 0, rows, 0, n);
        } else if (rows >= 2 * CpuThreads.PARALLELISM || n < 128) {
            CpuThreads.parallelFor(rows, 1, (r0, r1) -> rows(g, a, b, c, r0, r1, 0, n));
        } else {
            // few rows (e.g. a vector times a matrix): split the columns instead, in 64-wide bands
            int bands = (n + 63) / 64;
            CpuThreads.parallelFor(bands, 1, (b0, b1) -> rows(g, a, b, c, 0, rows, b0 * 64, Math.min(n, b1 * 64)));
        }
        if (dt != DType.F32) {
            int size = (int) g.outSize();
            for (int i = 0; i < size; i++) c[i] = (float) dt.round(c[i]);
        }
    }

    /** Global output rows {@code [r0, r1)} (batch-major), columns {@code [j0, j1)}. */
    private static void rows(Geometry g, float[] a, float[] b, float[] c, int r0, int r1, int j0, int j1) {
        int m = g.m();
        int r = r0;
        while (r < r1) {
            int t = r / m, i0 = r - t * m, i1 = Math.min(m, i0 + (r1 - r));
            gemm(a, g.aOffsets()[t], b, g.bOffsets()[t], c, t * m * g.n(), g.k(), g.n(), i0, i1, j0, j1);
            r += i1 - i0;
        }
    }

    /** Rows {@code [i0,i1)}, columns {@code [j0,j1)} of {@code C = A B} for row-major {@code A[m,k]}, {@code B[k,n]}. */
    private static void gemm(float[] a, int ao, float[] b, int bo, float[] c, int co, int k, int n, int i0, int i1, int j0, int j1) {
        for (int i = i0; i < i1; i++) Arrays.fill(c, co + i * n + j0, co + i * n + j1, 0f);
        // a k-block of B (kBlock rows of the column band) of about 256 KiB stays in L2 across the rows of A
        int width = Math.max(1, j1 - j0);
        int kBlock = Math.max(16, Math.min(256, (64 * 1024) / width));
        for (int p0 = 0; p0 < k; p0 += kBlock) {
            int p1 = Math.min(k, p0 + kBlock);
            int i = i0;
            // four rows of C at a time: each loaded element of B feeds four multiply-adds
            for (; i + 4 <= i1; i += 4) {
                int c0 = co + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
                int a0 = ao + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
                for (int p = p0; p < p1; p++) {
                    float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
                    int bRow = bo + p * n;
                    for (int j = j0; j < j1; j++) {
                        float bv = b[bRow + j];
                        c[c0 + j] += x0 * bv;
                        c[c1 + j] += x1 * bv;
                        c[c2 + j] += x2 * bv;
                        c[c3 + j] += x3 * bv;
                    }
                }
            }
            for (; i < i1; i++) {
                int cRow = co + i * n, aRow = ao + i * k;
                for (int p = p0; p < p1; p++) {
                    float av = a[aRow + p];
                    int bRow = bo + p * n;
                    for (int j = j0; j < j1; j++) c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }
}
