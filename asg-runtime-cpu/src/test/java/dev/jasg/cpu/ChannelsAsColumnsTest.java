package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.ConvGeometry;
import dev.jasg.cpu.ConvKernels.Conv;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link ConvGemm.ChannelsAsColumns} as a table of convolutions with no more columns than output channels (3x3 with
 * padding, stride 2, 1x1 in place and strided, 5x5, dilation, batch 2, a depth over several slices of {@link Gemm#KC},
 * columns equal to the channels, one column), each against the direct sum in double precision: within {@link #RELATIVE} of
 * {@code sum |w| |x|} over an output's products (a float sum's rounding scale; a wrong index is off by the values
 * themselves). Not bit for bit against {@link ConvGemm.Forward}: the edge tiles of the two orientations are other
 * outputs, and an edge tile adds each depth slice's sum to the output instead of continuing its chain. Then weights that
 * change between runs, the caller's vouching, and the rule that picks it.
 */
class ChannelsAsColumnsTest {
    /** Largest allowed error relative to the sum of the magnitudes of an output's products. */
    static final double RELATIVE = 1e-6;
    /** A table row: the convolution, and why it is there. */
    record Case(String why, Conv conv) {}

    /** {@code n x cin x h x w -> cout}, kernel {@code kh x kw}, stride, padding, dilation. */
    private static Conv conv(int n, int cin, int h, int w, int cout, int kh, int kw, int s, int pad, int d) {
        int ho = (h + 2 * pad - d * (kh - 1) - 1) / s + 1, wo = (w + 2 * pad - d * (kw - 1) - 1) / s + 1;
        return new Conv(n, 1, cin, h, w, cout, ho, wo, kh, kw, s, s, pad, pad, d, d);
    }

    static List<Case> table() {
        List<Case> t = new ArrayList<>();
        t.add(new Case("ResNet's layer4 3x3, narrower", conv(1, 32, 7, 7, 64, 3, 3, 1, 1, 1)));
        t.add(new Case("3x3 stride 2", conv(1, 16, 14, 14, 64, 3, 3, 2, 1, 1)));
        t.add(new Case("1x1 in place", conv(1, 48, 6, 6, 40, 1, 1, 1, 0, 1)));
        t.add(new Case("1x1 stride 2 (a downsample)", conv(1, 24, 14, 14, 64, 1, 1, 2, 0, 1)));
        t.add(new Case("5x5, padding 2", conv(1, 8, 9, 9, 96, 5, 5, 1, 2, 1)));
        t.add(new Case("dilation 2", conv(1, 12, 9, 9, 96, 3, 3, 1, 2, 2)));
        t.add(new Case("batch 2", conv(2, 16, 5, 5, 64, 3, 3, 1, 1, 1)));
        t.add(new Case("depth 2304, over several slices", conv(1, 256, 7, 7, 64, 3, 3, 1, 1, 1)));
        t.add(new Case("depth 1800 on the pool: groups of rows not a whole number of claims", conv(1, 200, 7, 7, 64, 3, 3, 1, 1, 1)));
        t.add(new Case("columns equal to the channels, odd sizes", conv(1, 7, 5, 7, 35, 3, 3, 1, 1, 1)));
        t.add(new Case("one column", conv(1, 20, 3, 3, 17, 3, 3, 1, 0, 1)));
        return t;
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * r.nextDouble() - 1);
        return a;
    }

    private static float[] input(SplittableRandom r, Conv v) {
        return uniform(r, v.n() * v.cin() * v.h() * v.w());
    }

    /** Fails unless every output is within {@link #RELATIVE} of the direct sum in double, relative to {@code sum |w| |x|}. */
    private static void assertDirect(Conv v, float[] x, float[] w, float[] y, String what) {
        int cin = v.cin(), h = v.h(), wd = v.w(), ho = v.ho(), wo = v.wo(), kh = v.kh(), kw = v.kw();
        for (int n = 0; n < v.n(); n++) {
            for (int o = 0; o < v.cout(); o++) {
                for (int p = 0; p < ho; p++) {
                    for (int q = 0; q < wo; q++) {
                        double sum = 0, mag = 0;
                        for (int c = 0; c < cin; c++) {
                            for (int i = 0; i < kh; i++) {
                                int rr = p * v.sh() - v.pt() + i * v.dh();
                                if (rr < 0 || rr >= h) continue;
                                for (int j = 0; j < kw; j++) {
                                    int cc = q * v.sw() - v.pl() + j * v.dw();
                                    if (cc < 0 || cc >= wd) continue;
                                    double a = w[((o * cin + c) * kh + i) * kw + j], b = x[((n * cin + c) * h + rr) * wd + cc];
                                    sum += a * b;
                                    mag += Math.abs(a * b);
                                }
                            }
                        }
                        float got = y[((n * v.cout() + o) * ho + p) * wo + q];
                        assertTrue(Math.abs(got - sum) <= RELATIVE * Math.max(mag, 1e-30), String.format("%s: y[%d,%d,%d,%d] = %.9g, direct %.9g",
                                what, n, o, p, q, got, sum));
                    }
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> theDirectSumsWithinRounding() {
        return table().stream().map(c -> DynamicTest.dynamicTest(c.why(), () -> {
            Conv v = c.conv();
            assertTrue(ConvGemm.ChannelsAsColumns.fits(v), c.why() + ": fits");
            SplittableRandom r = new SplittableRandom(c.why().hashCode());
            float[] x = input(r, v), w = uniform(r, v.cout() * v.k());
            float[] y = new float[v.n() * v.cout() * v.hw()];
            java.util.Arrays.fill(y, Float.NaN);
            ConvGemm.ChannelsAsColumns k = new ConvGemm.ChannelsAsColumns(v);
            k.run(x, w, y);
            assertDirect(v, x, w, y, c.why());
            // a second run with new inputs reads the packed weights it kept
            float[] x2 = input(r, v);
            k.run(x2, w, y);
            assertDirect(v, x2, w, y, c.why() + ", second run");
            assertFalse(k.handedToForward(), c.why() + ": the same weights keep the packed ones");
        }));
    }

    /** Weights changed in place (an optimizer step) are seen, and from then on the runs go to the forward product. */
    @Test
    void weightsThatChangeAreSeenAndHandTheRunsToTheForwardProduct() {
        Conv v = conv(1, 32, 7, 7, 64, 3, 3, 1, 1, 1);
        SplittableRandom r = new SplittableRandom(3);
        float[] x = input(r, v), w = uniform(r, v.cout() * v.k()), y = new float[v.cout() * v.hw()];
        ConvGemm.ChannelsAsColumns k = new ConvGemm.ChannelsAsColumns(v);
        k.run(x, w, y);
        // the same values in another array: nothing to pack again
        k.run(x, w.clone(), y);
        assertFalse(k.handedToForward(), "equal weights in a new array");
        w[w.length / 2] += 0.5f;
        k.run(x, w, y);
        assertDirect(v, x, w, y, "after an in-place change");
        assertTrue(k.handedToForward(), "changed weights hand the runs over");
        float[] w2 = uniform(r, w.length);
        k.run(x, w2, y);
        assertDirect(v, x, w2, y, "a new array after the hand-over");
    }

    /** {@link ConvGemm.ChannelsAsColumns#runUnchanged} skips the comparison only for the very array of the last call. */
    @Test
    void vouchingCoversOnlyTheSameArray() {
        Conv v = conv(1, 16, 5, 5, 32, 3, 3, 1, 1, 1);
        SplittableRandom r = new SplittableRandom(4);
        float[] x = input(r, v), w = uniform(r, v.cout() * v.k()), y = new float[v.cout() * v.hw()];
        ConvGemm.ChannelsAsColumns k = new ConvGemm.ChannelsAsColumns(v);
        k.runUnchanged(x, w, y);
        assertDirect(v, x, w, y, "first run, vouched");
        float[] other = uniform(r, w.length);
        k.runUnchanged(x, other, y);
        assertDirect(v, x, other, y, "another array, vouched: still compared");
    }

    /** The rule: one group and no more columns than output channels, with the Vector API; not with -Djasg.cpu.conv=gemm. */
    @Test
    void theRulePicksItForFewColumnsOnly() {
        String before = System.getProperty(ConvKernels.PATH_PROPERTY);
        System.clearProperty(ConvKernels.PATH_PROPERTY);
        try {
            boolean vector = Gemm.VECTOR;
            Conv layer4 = conv(1, 512, 7, 7, 512, 3, 3, 1, 1, 1);
            assertTrue(ConvKernels.channelsAsColumns(layer4) == vector, "ResNet-18's layer4 at batch 1");
            assertFalse(ConvKernels.channelsAsColumns(conv(32, 512, 7, 7, 512, 3, 3, 1, 1, 1)), "layer4 at batch 32: 1568 columns");
            assertFalse(ConvKernels.channelsAsColumns(conv(1, 64, 56, 56, 64, 3, 3, 1, 1, 1)), "layer1: 3136 columns");
            assertFalse(ConvKernels.channelsAsColumns(new Conv(1, 2, 512, 7, 7, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1)), "two groups");
            if (vector) {
                assertInstanceOf(ConvGemm.ChannelsAsColumns.class,
                        ConvKernels.conv2d(new ConvKernels.Shape(1, 512, 7, 7, 512, 7, 7, 3, 3, ConvGeometry.of(1, 1, 1, 1))));
            }
            System.setProperty(ConvKernels.PATH_PROPERTY, "gemm");
            assertFalse(ConvKernels.channelsAsColumns(layer4), "-Djasg.cpu.conv=gemm");
            assertInstanceOf(ConvGemm.Forward.class, ConvKernels.conv2d(new ConvKernels.Shape(1, 512, 7, 7, 512, 7, 7, 3, 3, ConvGeometry.of(1, 1, 1, 1))));
        } finally {
            if (before == null) System.clearProperty(ConvKernels.PATH_PROPERTY);
            else System.setProperty(ConvKernels.PATH_PROPERTY, before);
        }
    }
}
