package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.UnaryOp;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scalar loops of the unary functions without a kernel of their own ({@link ElementwiseKernels#otherUnaryRow}, each
 * function written out so the JIT inlines it) give exactly {@code (float) kind.apply(x, a, b)}, the loop they replace,
 * for every function (with each one's parameters where it has some), over special values and several ranges; and
 * {@link ElementwiseKernels#unaryRow} of a function computed in vector lanes agrees with the same definition to an ulp.
 * Also {@code x^2}, which {@link ElementwiseKernels#binaryRow} computes as {@code x * x}: {@code Math.pow}'s bits.
 */
class UnaryRowsTest {
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-40f, 0.5f, -0.5f, 2.5f, -2.5f};

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (UnaryOp k : UnaryOp.values()) {
            double[][] params = switch (k) {
                case SOFTPLUS -> new double[][] {{1, 20}, {2.5, 3}};
                case ELU -> new double[][] {{1, 0}, {0.3, 0}};
                case LEAKY_RELU -> new double[][] {{0.01, 0}, {0.2, 0}};
                case CLAMP -> new double[][] {{-1, 1}, {-0.1, 6}};
                default -> new double[][] {{0, 0}};
            };
            for (double[] p : params) {
                for (double range : new double[] {1, 30, 200}) b.add(Arguments.of(k, p[0], p[1], range));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}({1}, {2}) over +-{3}")
    @MethodSource("cases")
    void scalarLoopsGiveTheDefinitionsBits(UnaryOp k, double a, double bound, double range) {
        float[] x = inputs(k, range);
        float[] out = new float[x.length + 2];
        java.util.Arrays.fill(out, -7f);
        ElementwiseKernels.otherUnaryRow(k, a, bound, x, 0, out, 1, x.length);
        assertEquals(-7f, out[0], "element before the row");
        assertEquals(-7f, out[x.length + 1], "element after the row");
        for (int i = 0; i < x.length; i++) {
            float want = (float) k.apply(x[i], a, bound);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i + 1]), k + "(" + x[i] + ")");
        }
    }

    @ParameterizedTest(name = "{0}({1}, {2}) over +-{3}")
    @MethodSource("cases")
    void rowsAgreeWithTheDefinition(UnaryOp k, double a, double bound, double range) {
        if (Cpu.f32Lanes(k)) return; // f32 lanes, within ulps: VectorMathTest
        float[] x = inputs(k, range);
        float[] out = new float[x.length];
        ElementwiseKernels.unaryRow(k, a, bound, x, 0, out, 0, x.length);
        int off = 0;
        for (int i = 0; i < x.length; i++) {
            float want = (float) k.apply(x[i], a, bound);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(out[i]), k + "(" + x[i] + ") should be NaN, got " + out[i]);
            } else if (want != out[i]) {
                off++;
                assertEquals(want, out[i], Math.ulp(want) + Float.MIN_NORMAL, k + "(" + x[i] + ")");
            }
        }
        assertTrue(off <= x.length / 100, k + ": " + off + " of " + x.length + " results an ulp off");
    }

    @org.junit.jupiter.api.Test
    void squaresByPowAreMathPowsBits() {
        for (double range : new double[] {1, 1e-20, 1e20, 1e-40}) {
            float[] x = inputs(UnaryOp.NEG, 1);
            for (int i = SPECIAL.length; i < x.length; i++) x[i] *= (float) range;
            float[] two = {2f}, out = new float[x.length + 1];
            ElementwiseKernels.binaryRow(dev.jasg.core.BinaryOp.POW, dev.jasg.core.DType.F32, x, 0, 1, two, 0, 0, out, 1, x.length);
            for (int i = 0; i < x.length; i++) {
                float want = (float) Math.pow(x[i], 2);
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i + 1]), x[i] + "^2");
            }
            assertEquals(0f, out[0], "element before the row");
        }
        // other exponents keep Math.pow
        float[] x = {-2f, 0.5f, 3f}, e = {3f}, out = new float[3];
        ElementwiseKernels.binaryRow(dev.jasg.core.BinaryOp.POW, dev.jasg.core.DType.F32, x, 0, 1, e, 0, 0, out, 0, 3);
        assertEquals(-8f, out[0]);
        assertEquals(0.125f, out[1]);
        assertEquals(27f, out[2]);
    }

    private static float[] inputs(UnaryOp k, double range) {
        SplittableRandom r = new SplittableRandom(k.ordinal() * 7L + (long) range);
        float[] x = new float[2000 + SPECIAL.length];
        System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
        for (int i = SPECIAL.length; i < x.length; i++) x[i] = (float) r.nextDouble(-range, range);
        return x;
    }
}
