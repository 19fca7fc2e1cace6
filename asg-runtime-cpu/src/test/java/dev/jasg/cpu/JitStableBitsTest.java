package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Matrix-vector products (the dots form, a layer with one output) and the direct convolution's plane dots keep their
 * bits from the first, uncompiled call to the compiled ones: their lanes are summed in a fixed order, where
 * {@code reduceLanes(ADD)} let C2 pick another, so a training step's bits changed when the JIT compiled the product
 * (TrainerTest's two-thread test then failed in about half of the JVMs that repeated it). Calls are made until they run
 * at compiled speed, within a deadline.
 */
class JitStableBitsTest {
    @Test
    void matrixVectorDotsGiveTheirFirstCallsBitsOnceCompiled() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        Random r = new Random(3);
        int k = 5 * 16 + 3, rows = 9;
        float[] m = new float[rows * k], x = new float[k];
        for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
        for (int i = 0; i < k; i++) x[i] = (float) r.nextGaussian();
        float[] y = new float[rows];
        assertBitsKeptOnceCompiled("dots", y, 2_000, () -> VectorGemv.dots(k, x, 0, m, 0, k, y, 0, 1, 0, rows, false));
    }

    @Test
    void planeDotsGiveTheirFirstCallsBitsOnceCompiled() {
        assumeTrue(Simd.ENABLED, "the Vector API kernels are not enabled in this JVM");
        Random r = new Random(4);
        int ho = 5, wo = 3 * VectorDirectConv.V + 5, wp = wo + 2, taps = 3;
        float[] g = new float[ho * wo], xp = new float[(ho + 2) * wp];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        for (int i = 0; i < xp.length; i++) xp[i] = (float) r.nextGaussian();
        int[] off = {0, 1, wp};
        float[] sums = new float[taps];
        assertBitsKeptOnceCompiled("plane dots", sums, 5_000, () -> {
            java.util.Arrays.fill(sums, 0f);  // planeDots adds into its sums
            VectorDirectConv.planeDots(g, 0, xp, off, taps, ho, wo, wp, sums, 0);
        });
    }

    /**
     * Runs {@code call}, which writes {@code out}, once, then again until 20,000 calls have taken less than
     * {@code fastNanos} (compiled) or 20 s have passed, each call's {@code out} the first call's bits.
     */
    private static void assertBitsKeptOnceCompiled(String what, float[] out, long fastNanos, Runnable call) {
        call.run();
        float[] first = out.clone();
        long deadline = System.nanoTime() + 20_000_000_000L;
        int fast = 0;
        for (int n = 1; fast < 20_000 && System.nanoTime() < deadline; n++) {
            long t0 = System.nanoTime();
            call.run();
            if (System.nanoTime() - t0 < fastNanos) fast++;
            for (int i = 0; i < out.length; i++) {
                assertEquals(Float.floatToIntBits(first[i]), Float.floatToIntBits(out[i]), what + ": call " + n + ", output " + i);
            }
        }
    }
}
