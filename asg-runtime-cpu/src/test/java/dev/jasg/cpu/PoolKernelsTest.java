package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.PoolWindow;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolKernels#maxPool} (the row of column maxima, by phases for regular columns) against
 * {@link PoolKernels#maxPoolSelect}{@code (x, x)}, the window-by-window arg-max the reference's rule gives, and against its
 * own tap-table path: the same bits (but for the sign of a zero maximum, which the arg-max takes from the first zero)
 * over kernels, strides, paddings, dilations and ceil mode, with NaN, infinities and signed zeros in the input.
 */
class PoolKernelsTest {
    @Test
    void maxPoolGivesTheSelectValuesBitForBit() {
        Random r = new Random(4);
        int cases = 0, phases = 0;
        for (int k = 1; k <= 5; k++) {
            for (int stride = 1; stride <= 3; stride++) {
                for (int pad = 0; pad <= k / 2; pad++) {
                    for (int dil = 1; dil <= 2; dil++) {
                        for (boolean ceil : new boolean[] {false, true}) {
                            for (int[] hw : new int[][] {{9, 13}, {7, 40}, {1, 5}, {4, 75}}) {
                                PoolWindow.Fixed win = new PoolWindow.Fixed(k, k, stride, stride, pad, pad, dil, dil, ceil);
                                if (win.outSize(0, hw[0]) <= 0 || win.outSize(1, hw[1]) <= 0) continue;
                                int planes = 3;
                                PoolKernels.Windows s = PoolKernels.Windows.of(planes, hw[0], hw[1], win);
                                float[] x = new float[planes * hw[0] * hw[1]];
                                for (int i = 0; i < x.length; i++) {
                                    int pick = r.nextInt(40);
                                    x[i] = pick == 0 ? Float.NaN : pick == 1 ? Float.NEGATIVE_INFINITY : pick == 2 ? -0f : pick == 3 ? 0f
                                            : (float) r.nextGaussian();
                                }
                                int out = planes * s.ho() * s.wo();
                                float[] want = new float[out], table = new float[out], got = new float[out];
                                PoolKernels.maxPoolSelect(s, x, x, want);
                                PoolKernels.maxPool(s.withoutPhases(), x, table);
                                PoolKernels.maxPool(s, x, got, false);
                                float[] vector = new float[out];
                                if (Simd.ENABLED) PoolKernels.maxPool(s, x, vector, true);
                                for (int i = 0; i < out; i++) {
                                    if (Simd.ENABLED) {
                                        assertEquals(Float.floatToRawIntBits(table[i]), Float.floatToRawIntBits(vector[i]), "vector " + win + " on "
                                                + hw[0] + "x" + hw[1] + " [" + i + "]");
                                    }
                                    String what = win + " on " + hw[0] + "x" + hw[1] + " [" + i + "]: " + want[i] + " vs " + got[i];
                                    assertEquals(Float.floatToRawIntBits(table[i]), Float.floatToRawIntBits(got[i]), what);
                                    // the arg-max keeps the first of equal taps (-0 before +0), the maximum gives +0: equal as numbers
                                    if (want[i] == 0) assertEquals(true, got[i] == 0, what);
                                    else assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what);
                                }
                                if (s.regularColumns()) phases++;
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(true, cases > 100 && phases > 50, "cases " + cases + ", by phases " + phases);
    }

    /**
     * The gradient of 2 x 2 max pooling at stride 2 ({@link PoolKernels.Windows#pairs}, the straight-line path of
     * {@link PoolKernels#maxPoolScatterRange}) against the rule written out: in each window the gradient goes to the last
     * NaN tap in row-major order if there is one, else to the first maximum (ties after a ReLU go to the first zero), and
     * every other tap of the window is zero; gradients with NaN and -0 keep their bits. Taps drawn from a few values so
     * that ties, signed zeros, infinities and NaN in every position and combination occur; the output starts as a sentinel.
     */
    @Test
    void twoByTwoGradientGoesWhereTheRuleSays() {
        float[] taps = {0f, -0f, 1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -2f};
        Random r = new Random(11);
        for (int[] hw : new int[][] {{2, 2}, {4, 6}, {28, 28}, {14, 14}, {8, 64}}) {
            int planes = 3, h = hw[0], w = hw[1], ho = h / 2, wo = w / 2;
            PoolKernels.Windows s = PoolKernels.Windows.of(planes, h, w, PoolWindow.Fixed.of(2, 2, 0));
            assertEquals(true, s.pairs(), "pairs geometry " + h + "x" + w);
            for (int trial = 0; trial < 20; trial++) {
                float[] x = new float[planes * h * w], g = new float[planes * ho * wo], y = new float[x.length];
                for (int i = 0; i < x.length; i++) x[i] = taps[r.nextInt(trial < 10 ? 3 : taps.length)];
                for (int i = 0; i < g.length; i++) g[i] = r.nextInt(8) == 0 ? (r.nextBoolean() ? Float.NaN : -0f) : (float) r.nextGaussian();
                java.util.Arrays.fill(y, Float.intBitsToFloat(0x7fc0abcd));
                PoolKernels.maxPoolScatterRange(s, x, g, y, 0, planes);
                for (int pl = 0; pl < planes; pl++) {
                    for (int p = 0; p < ho; p++) {
                        for (int q = 0; q < wo; q++) {
                            int base = pl * h * w + 2 * p * w + 2 * q;
                            int[] at = {base, base + 1, base + w, base + w + 1};
                            int k = -1;
                            for (int t = 0; t < 4; t++) if (Float.isNaN(x[at[t]])) k = t;
                            if (k < 0) {
                                k = 0;
                                for (int t = 1; t < 4; t++) if (x[at[t]] > x[at[k]]) k = t;
                            }
                            for (int t = 0; t < 4; t++) {
                                float want = t == k ? g[pl * ho * wo + p * wo + q] : 0f;
                                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(y[at[t]]),
                                        h + "x" + w + " trial " + trial + " plane " + pl + " window " + p + "," + q + " tap " + t);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The vector maximum into an offset stretch ({@link VectorArith#maxInto(float[], int, float[], int, int)}): the scalar loop's bits. */
    @Test
    void vectorMaximumAtAnOffsetIsTheScalarOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.ENABLED, "no Vector API here");
        Random r = new Random(8);
        for (int n : new int[] {0, 1, 15, 16, 17, 56, 100, 111, 112}) {
            for (int ao : new int[] {0, 3}) {
                float[] x = new float[n + 5], acc = new float[n + ao + 2];
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(10) == 0 ? Float.NaN : r.nextInt(10) == 1 ? -0f : (float) r.nextGaussian();
                for (int i = 0; i < acc.length; i++) acc[i] = r.nextInt(10) == 0 ? 0f : (float) r.nextGaussian();
                float[] want = acc.clone();
                for (int i = 0; i < n; i++) want[ao + i] = Math.max(want[ao + i], x[2 + i]);
                VectorArith.maxInto(acc, ao, x, 2, n);
                for (int i = 0; i < acc.length; i++) assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(acc[i]), n + " at " + ao + " [" + i + "]");
            }
        }
    }
}
