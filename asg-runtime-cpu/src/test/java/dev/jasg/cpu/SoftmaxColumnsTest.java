package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Softmax and log-softmax over an axis other than the last ({@link Fusion#softmaxColumns}): every column of
 * {@code [outer, len, inner]} has the bits the last-axis kernel ({@link WarmKernels#softmaxRows}) gives the same values as a
 * row, for column counts around the gathered block ({@value Fusion#COLUMNS}), units split anywhere, a NaN column NaN; and
 * the values are the double definition's within that kernel's bound.
 */
class SoftmaxColumnsTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] d : new int[][] {{1, 1, 2}, {2, 5, 3}, {3, 7, 16}, {2, 130, 17}, {1, 33, 40}, {4, 1, 5}}) {
            for (boolean log : new boolean[] {false, true}) b.add(Arguments.of(d[0], d[1], d[2], log));
        }
        return b.build();
    }

    @ParameterizedTest(name = "[{0},{1},{2}] log={3}")
    @MethodSource("cases")
    void columnsAreTheRowKernelsBits(int outer, int len, int inner, boolean log) {
        Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        SplittableRandom r = new SplittableRandom(outer * 1000L + len * 10L + inner);
        int n = outer * len * inner, blocks = (inner + Fusion.COLUMNS - 1) / Fusion.COLUMNS, units = outer * blocks;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 4);
        if (inner > 2) x[len * inner - 1] = Float.NaN; // the last column of outer 0
        for (int split : new int[] {units, 1, 3}) {
            float[] out = new float[n];
            for (int u = 0; u < units; u += split) Fusion.softmaxColumns(x, out, len, inner, blocks, log, u, Math.min(units, u + split));
            for (int o = 0; o < outer; o++) {
                for (int c = 0; c < inner; c++) {
                    float[] row = new float[len], want = new float[len];
                    for (int j = 0; j < len; j++) row[j] = x[(o * len + j) * inner + c];
                    WarmKernels.softmaxRows(row, want, len, log, 0, 1);
                    double m = Double.NEGATIVE_INFINITY, s = 0;
                    for (float v : row) m = Math.max(m, v);
                    for (float v : row) s += Math.exp(v - m);
                    for (int j = 0; j < len; j++) {
                        float got = out[(o * len + j) * inner + c];
                        assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(got), "column " + o + "," + c + " step " + j + " with units of " + split);
                        double exact = log ? row[j] - m - Math.log(s) : Math.exp(row[j] - m) / s;
                        // the row kernel's bound (VectorSoftmax): two ulps, and |t| 2^-24 relative for t = x - max
                        double t = Math.abs(row[j] - m), tol = log ? 4 * Math.ulp((float) exact) + 1e-6 : 2 * Math.ulp((float) exact) + (t + 1) * 0x1p-24 * exact;
                        if (!Double.isNaN(exact)) assertEquals(exact, got, tol, "the definition");
                        else assertEquals(Float.floatToIntBits(Float.NaN), Float.floatToIntBits(got), "NaN");
                    }
                }
            }
        }
    }
}
