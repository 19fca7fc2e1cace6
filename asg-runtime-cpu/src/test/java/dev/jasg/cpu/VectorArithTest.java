package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@link VectorArith}'s rows give the bits of the scalar loops ({@link ElementwiseKernels#f}) for every op, stride pair
 * (row x row, row x scalar, scalar x row), offsets, lengths around the vector width (tails) and special values (NaN,
 * infinities, signed zeros, subnormals), and leave the elements past the row untouched.
 */
class VectorArithTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (BinaryOp k : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            for (int[] s : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                for (int n : new int[] {0, 1, 7, 15, 16, 17, 31, 33, 64, 100}) b.add(Arguments.of(k, s[0], s[1], n));
            }
        }
        return b.build();
    }

    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-40f};

    @ParameterizedTest(name = "{0} strides {1},{2} n={3}")
    @MethodSource("cases")
    void sameBitsAsTheScalarLoop(BinaryOp k, int sx, int sy, int n) {
        Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        SplittableRandom r = new SplittableRandom(n * 31L + k.ordinal());
        int ix = 3, iy = 5, io = 2, len = n + 8;
        float[] x = new float[len], y = new float[len], o = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = r.nextInt(6) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextDouble(-4, 4));
            y[i] = r.nextInt(6) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextDouble(-4, 4));
            o[i] = -7f;
        }
        float[] expected = o.clone();
        for (int i = 0; i < n; i++) expected[io + i] = ElementwiseKernels.f(k, x[ix + i * sx], y[iy + i * sy]);
        boolean done = VectorArith.binaryRow(k, x, ix, sx, y, iy, sy, o, io, n);
        assertEquals(true, done);
        for (int i = 0; i < len; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(o[i]), k + " element " + i + ": " + expected[i] + " vs " + o[i]);
        }
    }

    @org.junit.jupiter.api.Test
    void otherOpsAreLeftToTheCaller() {
        Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        float[] a = {1, 2}, o = {5, 5};
        assertFalse(VectorArith.binaryRow(BinaryOp.POW, a, 0, 1, a, 0, 1, o, 0, 2));
        assertEquals(5f, o[0]);
    }

    @ParameterizedTest(name = "maxInto n={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 15, 16, 17, 33, 112})
    void runningMaximumHasMathMaxBits(int n) {
        Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        SplittableRandom r = new SplittableRandom(n);
        float[] acc = new float[n + 3], x = new float[n + 5];
        for (int i = 0; i < acc.length; i++) acc[i] = r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextDouble(-2, 2);
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextDouble(-2, 2);
        float[] expected = acc.clone();
        for (int i = 0; i < n; i++) expected[i] = Math.max(expected[i], x[2 + i]);
        VectorArith.maxInto(acc, x, 2, n);
        for (int i = 0; i < acc.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(acc[i]), "element " + i + ": " + expected[i] + " vs " + acc[i]);
        }
    }
}
