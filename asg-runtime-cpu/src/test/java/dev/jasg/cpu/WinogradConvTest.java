package dev.jasg.cpu;

import static dev.jasg.testkit.OpCase.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.ConvGeometry;
import dev.jasg.cpu.ConvKernels.Conv;
import dev.jasg.testkit.OpCase;
import dev.jasg.testkit.OpCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link WinogradConv} against the direct sum in double precision over a table of shapes (channels 1 to 64, odd
 * planes, padding 0, 1 and uneven, batch 1 and 3, output planes leaving every remainder of 4, blocks run whole by each
 * thread and blocks split by phase), the same shapes through the backend against the reference interpreter with
 * {@code -Djasg.cpu.conv=winograd}, new weights seen by a plan that already ran, and the path the rule picks.
 *
 * <p>Tolerance: an output's error is measured against {@code sum |w| |x|} over the products it adds (the scale of any
 * float sum's rounding); the transforms' coefficients (up to 8 in A, 5 in B) grow the float error by about an order of
 * magnitude over the direct sum's, measured at most 3.2e-6 of that scale here (the GEMM path: 2.4e-7), so the bound is
 * {@link #RELATIVE}, 1e-5: loose enough for any order of summation, tight enough that a wrong coefficient (an error of
 * the order of the values themselves) or a missed tap fails it.
 */
class WinogradConvTest {
    /** Largest allowed error relative to the sum of the magnitudes of an output's products. */
    static final double RELATIVE = 1e-5;

    private static Backend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    /** A table row: batch, channels in, plane, channels out, padding top/bottom/left/right. */
    record Case(int n, int cin, int h, int w, int cout, int pt, int pb, int pl, int pr) {
        int ho() { return h + pt + pb - 2; }
        int wo() { return w + pl + pr - 2; }

        Conv conv() {
            return new Conv(n, 1, cin, h, w, cout, ho(), wo(), 3, 3, 1, 1, pt, pl, 1, 1);
        }

        @Override
        public String toString() {
            return n + "x" + cin + "x" + h + "x" + w + " -> " + cout + " pad " + pt + "," + pb + "," + pl + "," + pr + " (out " + ho() + "x" + wo() + ")";
        }
    }

    static List<Case> table() {
        List<Case> t = new ArrayList<>();
        // one channel, a plane smaller than a tile, the smallest output
        t.add(new Case(1, 1, 3, 3, 1, 0, 0, 0, 0));
        t.add(new Case(1, 1, 5, 7, 2, 1, 1, 1, 1));
        // output sides leaving each remainder of 4 (5 -> 5, 6 -> 4, 7 -> 7, 8 -> 6 ...)
        t.add(new Case(3, 3, 9, 11, 5, 1, 1, 1, 1));
        t.add(new Case(3, 4, 10, 13, 7, 0, 0, 0, 0));
        t.add(new Case(1, 7, 12, 12, 9, 1, 1, 1, 1));
        t.add(new Case(3, 8, 15, 14, 8, 0, 0, 0, 0));
        // uneven padding (top 1 bottom 0, left 0 right 1)
        t.add(new Case(3, 5, 11, 9, 6, 1, 0, 0, 1));
        // channels past a tile's rows: 16, 33, 64 in and out
        t.add(new Case(1, 16, 14, 14, 16, 1, 1, 1, 1));
        t.add(new Case(3, 33, 13, 9, 17, 1, 1, 1, 1));
        t.add(new Case(1, 64, 7, 7, 64, 1, 1, 1, 1));
        t.add(new Case(3, 64, 19, 21, 48, 1, 1, 1, 1));
        // tile rows wider than a vector and than a strip (the vector gather copies a tile row's run in pieces), images
        // sharing a strip
        t.add(new Case(2, 5, 22, 70, 6, 0, 1, 1, 0));
        t.add(new Case(2, 4, 9, 130, 5, 1, 1, 1, 1));
        // many tiles: blocks run whole by each thread
        t.add(new Case(3, 32, 56, 56, 32, 1, 1, 1, 1));
        // few tiles, a lot of work: one block, its phases split over the threads
        t.add(new Case(1, 64, 9, 9, 64, 1, 1, 1, 1));
        // exchanged operands' rows of tiles: 49 (three strips of 12 and a tall tile of 13), 26 (12, 12 and a tall 14), 36
        t.add(new Case(1, 48, 28, 28, 40, 1, 1, 1, 1));
        t.add(new Case(2, 8, 4, 52, 16, 1, 1, 1, 1));
        t.add(new Case(1, 24, 24, 24, 20, 1, 1, 1, 1));
        return t;
    }

    @TestFactory
    Stream<DynamicTest> matchesTheDirectSumInDouble() {
        return table().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Conv v = c.conv();
            SplittableRandom r = new SplittableRandom(c.hashCode());
            float[] x = uniform(r, c.n() * c.cin() * c.h() * c.w()), w = uniform(r, c.cout() * c.cin() * 9);
            float[] y = new float[c.n() * c.cout() * c.ho() * c.wo()];
            new WinogradConv(v).run(x, w, y);
            double err = worst(v, x, w, y);
            assertTrue(err <= RELATIVE, c + ": error " + err + " of sum |w||x|, bound " + RELATIVE);
        }));
    }

    /** The scalar transforms (the path without the Vector API) on the same table. */
    @TestFactory
    Stream<DynamicTest> scalarTransformsMatchTheDirectSumInDouble() {
        return table().stream().map(c -> DynamicTest.dynamicTest("scalar transforms " + c, () -> {
            Conv v = c.conv();
            SplittableRandom r = new SplittableRandom(c.hashCode() + 2);
            float[] x = uniform(r, c.n() * c.cin() * c.h() * c.w()), w = uniform(r, c.cout() * c.cin() * 9);
            float[] y = new float[c.n() * c.cout() * c.ho() * c.wo()];
            new WinogradConv(v, false, false).run(x, w, y);
            double err = worst(v, x, w, y);
            assertTrue(err <= RELATIVE, c + ": error " + err + " of sum |w||x|, bound " + RELATIVE);
        }));
    }

    /**
     * Exchanged operands ({@code M_f^T = V_f^T U_f^T}) give the bits of the usual products on the whole table, with the
     * vector transforms and with the scalar ones (the same multiply-adds in the same order per output), with NaN,
     * infinities and -0 in corners, edges and the middle of the input; and the rule takes them at batch 1 where the
     * tiles leave lanes empty (28 x 28 and 56 x 56 planes) and not where the tiles fill whole strips.
     */
    @TestFactory
    Stream<DynamicTest> exchangedOperandsGiveTheBitsOfTheUsualProducts() {
        assumeTrue(WinogradConv.EXCHANGE_FITS, "no 12 x 32 tile");
        return table().stream().map(c -> DynamicTest.dynamicTest("exchanged " + c, () -> {
            Conv v = c.conv();
            SplittableRandom r = new SplittableRandom(c.hashCode() + 3);
            float[] x = uniform(r, c.n() * c.cin() * c.h() * c.w()), w = uniform(r, c.cout() * c.cin() * 9);
            int plane = c.h() * c.w();
            float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.NEGATIVE_INFINITY};
            int[] spots = {0, c.w() - 1, plane - 1, plane - c.w(), plane / 2};
            for (int i = 0; i < spots.length; i++) {
                int img = i % c.n(), ch = i % c.cin();
                x[(img * c.cin() + ch) * plane + spots[i]] = specials[i % specials.length];
            }
            for (boolean vector : new boolean[] {true, false}) {
                float[] usual = new float[c.n() * c.cout() * c.ho() * c.wo()], exchanged = usual.clone();
                WinogradConv k = new WinogradConv(v, vector, true);
                assertTrue(k.exchanged());
                new WinogradConv(v, vector, false).run(x, w, usual);
                k.run(x, w, exchanged);
                for (int i = 0; i < usual.length; i++) {
                    // NaN as NaN: the scalar transforms' operand order may flip a NaN's sign bit
                    assertEquals(Float.floatToIntBits(usual[i]), Float.floatToIntBits(exchanged[i]),
                            c + (vector ? "" : ", scalar transforms") + ": output " + i + ": usual " + usual[i] + ", exchanged " + exchanged[i]);
                }
            }
        }));
    }

    @Test
    void theRuleExchangesTheOperandsWhereTilesLeaveLanesEmpty() {
        assumeTrue(WinogradConv.EXCHANGE_FITS, "no 12 x 32 tile");
        // 49 tiles: strips of 32 and 17; 196: six and one of 4
        assertTrue(WinogradConv.exchangedPays(new Conv(1, 1, 128, 28, 28, 128, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertTrue(WinogradConv.exchangedPays(new Conv(1, 1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1)));
        // 1,024 tiles of 64 channels: whole strips either way
        assertFalse(WinogradConv.exchangedPays(new Conv(64, 1, 32, 14, 14, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1)));
        // 20 output channels fill 20 of 32 lanes exchanged, but 12 + 8 rows the usual way
        assertFalse(WinogradConv.exchangedPays(new Conv(1, 1, 16, 28, 28, 20, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1)));
    }

    /** The table's largest relative errors, Winograd's and the GEMM path's, for the record (and a bound on each). */
    @Test
    void winogradErrorIsWithinAnOrderOfMagnitudeOfTheGemmPath() {
        double wino = 0, gemm = 0;
        for (Case c : table()) {
            Conv v = c.conv();
            SplittableRandom r = new SplittableRandom(c.hashCode() + 1);
            float[] x = uniform(r, c.n() * c.cin() * c.h() * c.w()), w = uniform(r, c.cout() * c.cin() * 9);
            float[] y = new float[c.n() * c.cout() * c.ho() * c.wo()];
            new WinogradConv(v).run(x, w, y);
            wino = Math.max(wino, worst(v, x, w, y));
            new ConvGemm.Forward(v).run(x, w, y);
            gemm = Math.max(gemm, worst(v, x, w, y));
        }
        assertTrue(wino <= RELATIVE, "winograd " + wino);
        assertTrue(gemm <= RELATIVE / 10, "gemm " + gemm);
        assertTrue(wino <= 30 * Math.max(gemm, 1e-8), "winograd " + wino + " against gemm " + gemm);
    }

    /** A plan's transformed weights follow the weights: new values in the same array (an optimizer step) and a new array. */
    @Test
    void newWeightsAreSeenByAPlanThatAlreadyRan() {
        Case c = new Case(3, 16, 10, 10, 16, 1, 1, 1, 1);
        Conv v = c.conv();
        SplittableRandom r = new SplittableRandom(5);
        float[] x = uniform(r, c.n() * c.cin() * c.h() * c.w()), w = uniform(r, c.cout() * c.cin() * 9);
        float[] y = new float[c.n() * c.cout() * c.ho() * c.wo()];
        WinogradConv k = new WinogradConv(v);
        k.run(x, w, y);
        assertTrue(worst(v, x, w, y) <= RELATIVE);
        // one weight changed in place, as an optimizer step does
        w[w.length / 2] += 0.5f;
        k.run(x, w, y);
        assertTrue(worst(v, x, w, y) <= RELATIVE, "after an in-place change");
        float[] w2 = uniform(r, w.length);
        k.run(x, w2, y);
        assertTrue(worst(v, x, w2, y) <= RELATIVE, "after a new array");
        // and back to the first array, whose values the plan no longer holds
        k.run(x, w, y);
        assertTrue(worst(v, x, w, y) <= RELATIVE, "back to the first weights");
    }

    @Test
    void theTableCoversBothWaysOfSplittingTheWork() {
        boolean whole = false, phases = false;
        for (Case c : table()) {
            WinogradConv k = new WinogradConv(c.conv());
            whole |= k.perThread();
            phases |= !k.perThread();
        }
        assertTrue(whole, "no row runs whole blocks per thread");
        if (CpuThreads.PARALLELISM > 1) assertTrue(phases, "no row splits a block's phases");
    }

    /** The rule: 3x3 stride 1 with channels and tiles enough, not stride 2, groups, dilation or a thin layer. */
    @Test
    void theRulePicksWinogradOnlyWhereItFits() {
        boolean vector = KernelChoice.CHOSEN.vectorBits() > 0;
        String before = System.getProperty(ConvKernels.PATH_PROPERTY);
        System.clearProperty(ConvKernels.PATH_PROPERTY);
        try {
            Conv resnet = new Conv(1, 1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1);
            assertEquals(vector, ConvKernels.winograd(resnet));
            assertFalse(ConvKernels.winograd(new Conv(1, 1, 64, 56, 56, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1)), "stride 2");
            assertFalse(ConvKernels.winograd(new Conv(1, 2, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1)), "groups");
            assertFalse(ConvKernels.winograd(new Conv(1, 1, 64, 56, 56, 64, 54, 54, 3, 3, 1, 1, 1, 1, 2, 2)), "dilation");
            assertFalse(ConvKernels.winograd(new Conv(1, 1, 3, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1)), "three channels in");
            assertFalse(ConvKernels.winograd(new Conv(1, 1, 64, 56, 56, 64, 56, 56, 5, 5, 1, 1, 2, 2, 1, 1)), "5x5");
            assertFalse(ConvKernels.winograd(new Conv(1, 1, 512, 7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1)), "4 tiles");
            assertEquals(vector, ConvKernels.winograd(new Conv(32, 1, 512, 7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1)), "128 tiles");
            System.setProperty(ConvKernels.PATH_PROPERTY, "gemm");
            assertFalse(ConvKernels.winograd(resnet), "-Djasg.cpu.conv=gemm");
            System.setProperty(ConvKernels.PATH_PROPERTY, "winograd");
            assertTrue(ConvKernels.winograd(new Conv(1, 1, 3, 5, 5, 1, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1)), "forced, three channels in");
            assertInstanceOf(WinogradConv.class, ConvKernels.conv2d(new ConvKernels.Shape(1, 1, 5, 5, 1, 5, 5, 3, 3, ConvGeometry.of(1, 1, 1, 1))));
        } finally {
            if (before == null) System.clearProperty(ConvKernels.PATH_PROPERTY);
            else System.setProperty(ConvKernels.PATH_PROPERTY, before);
        }
    }

    /** The table through the backend, forward and gradient graphs, with Winograd forced, against the reference interpreter. */
    @TestFactory
    Stream<DynamicTest> forcedWinogradMatchesTheReferenceBackend() {
        return table().stream().filter(c -> c.pt() == c.pb() && c.pl() == c.pr() && c.pt() == c.pl()).map(c -> {
            OpCase row = row("winograd " + c).arg(c.n(), c.cin(), c.h(), c.w()).arg(c.cout(), c.cin(), 3, 3).tolerance(5)
                    .expect(new int[] {c.n(), c.cout(), c.ho(), c.wo()},
                            (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, c.pt(), 1, 1)).tanh());
            return DynamicTest.dynamicTest(row.name(), () -> {
                String before = System.getProperty(ConvKernels.PATH_PROPERTY);
                System.setProperty(ConvKernels.PATH_PROPERTY, "winograd");
                try {
                    OpCheck.againstReference(cpu, row);
                } finally {
                    if (before == null) System.clearProperty(ConvKernels.PATH_PROPERTY);
                    else System.setProperty(ConvKernels.PATH_PROPERTY, before);
                }
            });
        });
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * r.nextDouble() - 1);
        return a;
    }

    /** The largest {@code |y - direct| / sum |w||x|} over the outputs, the direct sum in double. */
    static double worst(Conv v, float[] x, float[] w, float[] y) {
        double worst = 0;
        int h = v.h(), wd = v.w(), ho = v.ho(), wo = v.wo();
        for (int n = 0; n < v.n(); n++) {
            for (int o = 0; o < v.cout(); o++) {
                for (int p = 0; p < ho; p++) {
                    for (int q = 0; q < wo; q++) {
                        double sum = 0, mag = 0;
                        for (int c = 0; c < v.cin(); c++) {
                            for (int i = 0; i < 3; i++) {
                                int rr = p - v.pt() + i;
                                if (rr < 0 || rr >= h) continue;
                                for (int j = 0; j < 3; j++) {
                                    int cc = q - v.pl() + j;
                                    if (cc < 0 || cc >= wd) continue;
                                    double a = w[((o * v.cin() + c) * 3 + i) * 3 + j], b = x[((n * v.cin() + c) * h + rr) * wd + cc];
                                    sum += a * b;
                                    mag += Math.abs(a * b);
                                }
                            }
                        }
                        double got = y[((n * v.cout() + o) * ho + p) * wo + q];
                        double e = Math.abs(got - sum) / Math.max(mag, 1e-30);
                        if (!(e <= worst)) worst = e;
                    }
                }
            }
        }
        return worst;
    }
}
