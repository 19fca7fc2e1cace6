package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;


import dev.jasg.core.DType;
import dev.jasg.core.ReduceOp;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Maximum and minimum reductions ({@link ReduceKernels#reduce}, whose contiguous rows and columns run on vector lanes,
 * {@link VectorArith#extremum} and {@link VectorArith#combineExtremum}) give exactly the fold in order by
 * {@link ReduceOp#combine}: the first NaN, the first of equal zeros, every row and column, along either axis of
 * {@code [rows, cols]}, small and large (split over threads), with rows of NaN, of zeros of both signs, of one value.
 * The suite's JVMs keep the scalar rows (the {@code compiled} warm-up mode), so the vector functions are checked directly
 * too: {@link VectorArith#combineExtremum} lane by lane against {@code combine}, {@link VectorArith#extremum} against the
 * fold wherever it is neither NaN nor zero (NaN exactly when the fold is, a zero exactly when the fold is).
 */
class ReduceExtremaTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (ReduceOp k : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            for (int[] d : new int[][] {{1, 1}, {3, 17}, {7, 33}, {64, 100}, {40, 1031}, {300, 260}}) {
                for (int axis = 0; axis < 2; axis++) b.add(Arguments.of(k, d[0], d[1], axis));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} of [{1},{2}] along {3}")
    @MethodSource("cases")
    void extremaAreTheFoldInOrder(ReduceOp k, int rows, int cols, int axis) {
        SplittableRandom r = new SplittableRandom(rows * 31L + cols + axis);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-3, 3);
        // special rows (or columns): zeros of both signs with negatives (positives for min), NaN at a random place, one value
        for (int line = 0; line < (axis == 1 ? rows : cols); line += 3) {
            int kind = line / 3 % 4, n = axis == 1 ? cols : rows;
            for (int j = 0; j < n; j++) {
                int at = axis == 1 ? line * cols + j : j * cols + line;
                float sign = k == ReduceOp.MAX ? -1 : 1;
                switch (kind) {
                    case 0 -> x[at] = r.nextInt(3) == 0 ? (r.nextBoolean() ? 0f : -0f) : sign * (float) r.nextDouble(0.1, 2);
                    case 1 -> x[at] = r.nextInt(Math.max(1, n / 2)) == 0 ? Float.intBitsToFloat(0x7fc00000 | r.nextInt(1 << 20)) : x[at];
                    case 2 -> x[at] = 1.5f;
                    default -> { }
                }
            }
        }
        int outSize = axis == 1 ? rows : cols;
        Strided g = axis == 1 ? Strided.of(new int[] {rows, cols}, new int[] {cols, 1}, new int[] {1, 0})
                : Strided.of(new int[] {rows, cols}, new int[] {cols, 1}, new int[] {0, 1});
        float[] out = new float[outSize];
        ReduceKernels.reduce(k, DType.F32, g, axis == 1 ? cols : rows, x, out, outSize, new double[ReduceKernels.scratchSize(outSize)]);
        for (int o = 0; o < outSize; o++) {
            double acc = k.identity();
            for (int j = 0; j < (axis == 1 ? cols : rows); j++) acc = k.combine(acc, x[axis == 1 ? o * cols + j : j * cols + o]);
            float want = (float) acc;
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[o]), k + " output " + o + ": " + want + " vs " + out[o]);
        }
    }

    static Stream<Arguments> rows() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (ReduceOp k : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            for (int n : new int[] {0, 1, 7, 15, 16, 17, 33, 100, 1031}) {
                for (int special = 0; special < 4; special++) b.add(Arguments.of(k, n, special));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} n={1} special={2}")
    @MethodSource("rows")
    void vectorLanesAgreeWithTheFold(ReduceOp k, int n, int special) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        boolean max = k == ReduceOp.MAX;
        SplittableRandom r = new SplittableRandom(n * 13L + special + k.ordinal());
        float[] x = new float[n + 5];
        double[] acc = new double[n + 4];
        for (int i = 0; i < x.length; i++) {
            float sign = max ? -1 : 1;
            x[i] = switch (special) {
                case 0 -> (float) r.nextDouble(-3, 3);
                case 1 -> r.nextInt(3) == 0 ? (r.nextBoolean() ? 0f : -0f) : sign * (float) r.nextDouble(0.1, 2);
                case 2 -> r.nextInt(Math.max(1, n / 3)) == 0 ? Float.intBitsToFloat(0x7fc00000 | r.nextInt(1 << 20)) : (float) r.nextDouble(-3, 3);
                default -> r.nextInt(4) == 0 ? 1.5f : -1.5f;
            };
        }
        for (int i = 0; i < acc.length; i++) {
            acc[i] = switch (r.nextInt(5)) {
                case 0 -> Double.NaN;
                case 1 -> r.nextBoolean() ? 0.0 : -0.0;
                default -> x[r.nextInt(x.length)];
            };
        }
        // a row: the fold in order from the identity
        double fold = k.identity();
        for (int i = 0; i < n; i++) fold = k.combine(fold, x[3 + i]);
        float m = VectorArith.extremum(x, 3, n, max), want = (float) fold;
        assertEquals(Float.isNaN(want), Float.isNaN(m), "NaN exactly when the fold is NaN: " + want + " vs " + m);
        assertEquals(want == 0, m == 0, "a zero exactly when the fold is a zero: " + want + " vs " + m);
        if (!Float.isNaN(m) && m != 0) assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(m), "the fold's value");
        // columns: each lane the scalar combine
        double[] expected = acc.clone();
        for (int i = 0; i < n; i++) expected[2 + i] = k.combine(expected[2 + i], x[1 + i]);
        VectorArith.combineExtremum(acc, 2, x, 1, n, max);
        for (int i = 0; i < acc.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(acc[i]), "lane " + i + ": " + expected[i] + " vs " + acc[i]);
        }
    }
}
