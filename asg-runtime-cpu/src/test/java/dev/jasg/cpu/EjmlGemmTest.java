package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The EJML fallback product (no Vector API) against a plain triple loop: strides, offsets, transposes, accumulation, threads. */
class EjmlGemmTest {

    @ParameterizedTest(name = "{0}x{1}x{2} transA {3} transB {4} accumulate {5} parallel {6}")
    @CsvSource({
            "3, 5, 4, false, false, false, false",
            "7, 1, 9, true, false, true, false",
            "1, 6, 3, false, true, false, true",
            "33, 17, 29, true, true, true, false",
            "130, 70, 64, false, false, false, true",
            "129, 65, 80, true, false, true, true",
            "64, 96, 0, false, false, true, false",
            "64, 96, 0, false, false, false, true"})
    void matchesPlainLoops(int m, int n, int k, boolean ta, boolean tb, boolean acc, boolean parallel) {
        SplittableRandom r = new SplittableRandom(m * 31 + n * 7 + k);
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5, ao = 4, bo = 1, co = 2;
        float[] a = fill(r, ao + (ta ? k : m) * lda), b = fill(r, bo + (tb ? n : k) * ldb), c = fill(r, co + m * ldc);
        float[] want = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? want[co + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[ao + (ta ? p * lda + i : i * lda + p)] * b[bo + (tb ? j * ldb + p : p * ldb + j)];
                }
                want[co + i * ldc + j] = (float) s;
            }
        }
        EjmlGemm.gemm(m, n, k, a, ao, ta ? 1 : lda, ta ? lda : 1, b, bo, tb ? 1 : ldb, tb ? ldb : 1, c, co, ldc, acc, parallel);
        for (int i = 0; i < c.length; i++) assertEquals(want[i], c[i], 1e-4 * (1 + Math.abs(want[i])), "c[" + i + "]");
    }

    private static float[] fill(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble(-1, 1);
        return x;
    }
}
