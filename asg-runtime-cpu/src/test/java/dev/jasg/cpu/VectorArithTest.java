package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.UnaryOp;
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
 * infinities, signed zeros, subnormals), and leave the elements past the row untouched; its unary rows give the bits of
 * {@code (float) k.apply(x, a, b)} (NaN as NaN).
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

    static Stream<Arguments> unaryCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        // clamp's bounds: floats, doubles between floats, and bounds the wrong way round
        double[][] bounds = {{0, 0}, {-1.5, 2.25}, {-0.1, 0.3}, {Math.nextUp(1.0), Math.PI}, {2, -2}, {Double.NEGATIVE_INFINITY, 1e-39}};
        for (UnaryOp k : UnaryOp.values()) {
            if (!VectorArith.exactUnary(k)) continue;
            for (int n : new int[] {0, 1, 7, 15, 16, 17, 31, 33, 64, 100}) {
                for (double[] ab : k == UnaryOp.CLAMP ? bounds : new double[][] {{0, 0}}) b.add(Arguments.of(k, ab[0], ab[1], n));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}({1}, {2}) n={3}")
    @MethodSource("unaryCases")
    void unaryRowsGiveTheDefinitionsBits(UnaryOp k, double a, double bound, int n) {
        Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        SplittableRandom r = new SplittableRandom(n * 17L + k.ordinal());
        int ix = 3, io = 2, len = n + 8;
        float[] x = new float[len], o = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = r.nextInt(5) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextDouble(-4, 4);
            o[i] = -7f;
        }
        float[] expected = o.clone();
        for (int i = 0; i < n; i++) expected[io + i] = (float) k.apply(x[ix + i], a, bound);
        assertEquals(true, VectorArith.unaryRow(k, a, bound, x, ix, o, io, n));
        for (int i = 0; i < len; i++) {
            if (Float.isNaN(expected[i]) && Float.isNaN(o[i])) continue;
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(o[i]), k + " element " + i + " of x " + (i - io + ix) + ": " + expected[i] + " vs " + o[i]);
        }
        // in place, the output over its input
        float[] y = x.clone();
        VectorArith.unaryRow(k, a, bound, y, ix, y, ix, n);
        for (int i = 0; i < n; i++) {
            float e = (float) k.apply(x[ix + i], a, bound);
            if (!(Float.isNaN(e) && Float.isNaN(y[ix + i]))) assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(y[ix + i]), k + " in place, element " + i);
        }
    }

    @org.junit.jupiter.api.Test
    void otherUnaryOpsAreLeftToTheCaller() {
        Assumptions.assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        float[] a = {1, 2}, o = {5, 5};
        for (UnaryOp k : new UnaryOp[] {UnaryOp.EXP, UnaryOp.SILU, UnaryOp.SOFTPLUS, UnaryOp.FLOOR}) {
            assertFalse(VectorArith.exactUnary(k));
            assertFalse(VectorArith.unaryRow(k, 0.1, 0, a, 0, o, 0, 2));
        }
        assertEquals(5f, o[0]);
    }
}
