package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A row's sum ({@link ReduceKernels#sumRow}) is its definition: sixteen double accumulators, element {@code i} into
 * accumulator {@code i % 16}, added in order, then the rest in order; the same bits strided and contiguous, and on the
 * vector lanes ({@link VectorArith#sumLanes}); rows shorter than 16 are the plain sum in order. Values spread over many
 * orders of magnitude, so another order of additions gives other bits (checked: the plain in-order sum differs).
 */
class ReduceSumsTest {
    private static double definition(float[] x, int ix, int sx, int len) {
        double[] a = new double[16];
        int whole = len - len % 16;
        for (int i = 0; i < whole; i++) a[i % 16] += x[ix + i * sx];
        double r = whole > 0 ? a[0] : 0;
        for (int k = 1; k < 16 && whole > 0; k++) r += a[k];
        for (int i = whole; i < len; i++) r += x[ix + i * sx];
        return r;
    }

    private static float[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-8, 9)));
        return x;
    }

    @ParameterizedTest(name = "len {0}")
    @ValueSource(ints = {0, 1, 15, 16, 17, 31, 32, 33, 48, 100, 257, 1000, 4099})
    void rowSumsAreTheirDefinition(int len) {
        float[] x = values(3 * len + 8, len);
        double want = definition(x, 5, 1, len);
        assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(ReduceKernels.sumRow(x, 5, 1, len)), "contiguous");
        assertEquals(Double.doubleToRawLongBits(definition(x, 2, 3, len)), Double.doubleToRawLongBits(ReduceKernels.sumRow(x, 2, 3, len)), "stride 3");
        if (len >= 32) {
            Assumptions.assumeTrue(Simd.ENABLED && VectorArith.SUM_LANES, "no vector lanes for sums here");
            int whole = len - len % 16;
            double lanes = VectorArith.sumLanes(x, 5, whole);
            for (int i = whole; i < len; i++) lanes += x[5 + i];
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(lanes), "vector lanes");
        }
    }

    @org.junit.jupiter.api.Test
    void theOrderIsVisibleInTheBits() {
        float[] x = values(4096, 99);
        double inOrder = 0;
        for (float v : x) inOrder += v;
        org.junit.jupiter.api.Assertions.assertNotEquals(inOrder, ReduceKernels.sumRow(x, 0, 1, x.length), "these values tell the orders apart");
    }
}
