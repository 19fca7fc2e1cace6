package dev.jasg.cpu;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The f32 product used instead of {@link Gemm}'s packed scalar tiles when the Vector API module is not
 * enabled: EJML's {@code CommonOps_FDRM.mult} (row-reordered loops the JIT vectorises), on contiguous
 * copies of the operands (any strides, offsets and transpositions; copying is O(mk + kn) against the
 * product's O(mkn)), split by blocks of rows over {@link CpuThreads} when large, as {@link Gemm} does.
 * Measured against the scalar tiles by {@code benchmarks/.../FallbackGemmBench} (figures in CHANGELOG);
 * {@code -Djasg.cpu.fallbackGemm=jasg} selects the packed scalar tiles instead. Stateless.
 */
final class EjmlGemm {
    private EjmlGemm() {}

    /** {@code C = (accumulate ? C : 0) + opA opB}, operands as in {@link Gemm#gemmStrided}; parallel when {@code parallel} and large. */
    static void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                     float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        FMatrixRMaj bm = copy(k, n, b, bOff, brs, bcs);
        int threads = CpuThreads.PARALLELISM;
        long work = (long) m * n * k;
        if (!parallel || work < Gemm.PARALLEL_MIN || threads == 1 || CpuThreads.inLoop() || m < 2 * threads) {
            rows(0, m, n, k, a, aOff, ars, acs, bm, c, cOff, ldc, accumulate);
            return;
        }
        int blocks = Math.min(m, 4 * threads);
        CpuThreads.parallelFor(blocks, 1, (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int i0 = (int) ((long) m * blk / blocks), i1 = (int) ((long) m * (blk + 1) / blocks);
                rows(i0, i1, n, k, a, aOff, ars, acs, bm, c, cOff, ldc, accumulate);
            }
        });
    }

    /** Rows {@code [i0, i1)} of C. */
    private static void rows(int i0, int i1, int n, int k, float[] a, int aOff, int ars, int acs, FMatrixRMaj bm, float[] c, int cOff, int ldc,
                             boolean accumulate) {
        int rows = i1 - i0;
        if (rows <= 0) return;
        FMatrixRMaj am = copy(rows, k, a, aOff + i0 * ars, ars, acs);
        FMatrixRMaj cm = new FMatrixRMaj(rows, n);
        CommonOps_FDRM.mult(am, bm, cm);
        for (int i = 0; i < rows; i++) {
            int ci = cOff + (i0 + i) * ldc, ti = i * n;
            if (accumulate) {
                for (int j = 0; j < n; j++) c[ci + j] += cm.data[ti + j];
            } else {
                System.arraycopy(cm.data, ti, c, ci, n);
            }
        }
    }

    /** A contiguous {@code rows x cols} copy of the matrix with element {@code (i, j)} at {@code x[off + i*rs + j*cs]}. */
    private static FMatrixRMaj copy(int rows, int cols, float[] x, int off, int rs, int cs) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        float[] d = m.data;
        for (int i = 0; i < rows; i++) {
            int src = off + i * rs, dst = i * cols;
            if (cs == 1) System.arraycopy(x, src, d, dst, cols);
            else for (int j = 0; j < cols; j++) d[dst + j] = x[src + j * cs];
        }
        return m;
    }
}
