package dev.jasg.cpu;

import dev.jasg.core.UnaryOp;

/**
 * Scalar twins of the Vector API kernels: the same arithmetic, operation for operation, in plain
 * Java that the JIT compiles within milliseconds. {@link WarmKernels} runs a twin until the JIT has
 * compiled the vector kernel; before that the vector kernel runs boxed (every lane operation an
 * object and a call, interpreted or C1-compiled without the intrinsics), a hundred times slower
 * than its twin, and that, not the arithmetic, was most of a fresh JVM's first training step.
 *
 * <p>Bit for bit: each twin performs each lane's operations in the vector kernel's order, a
 * {@link Math#fma} where the vector code fuses ({@code FloatVector.fma} rounds once, as
 * {@code Math.fma} does), the same scalar code for the tail shorter than a vector, and the same
 * split of the range into a vector part and a tail. So a run's results do not depend on when the
 * JIT finished. Two places where the vector kernels themselves depend on the JIT are mirrored as
 * the uncompiled vector code computes them: {@code lanewise(EXP/LOG/TANH)}, which compiled code
 * may take from the JDK's vector math library (within an ulp of the double result, so the f32
 * result differs about once in 10^8), and {@code reduceLanes(ADD)}, which compiled code may sum
 * in another order (the lanes of {@link #softmaxRows}'s double sum).
 *
 * <p>Every method works on {@code [from, to)} of dense arrays, with the signature of the vector
 * kernel it twins. Stateless; only called when {@link Simd#ENABLED}, since the lane counts come
 * from the Vector API's preferred species ({@link VectorWidth}).
 */
final class ScalarTwins {
    /** Double lanes of the preferred species: the lanes {@link VectorMath}'s functions evaluate in. */
    static final int DL = VectorWidth.preferredBits() / 64;
    private static final double INV_SQRT_2 = 0.7071067811865476;

    /** erf(x)/x in powers of x^2, highest first: {@link VectorMath}'s Horner steps. */
    private static final double[] ERF_SMALL_DESC = {-1.6365844691234924e-07, 1.6462114365889246e-06, -1.492565035840625e-05,
        0.00012055332981789664, -0.0008548327023450852, 0.005223977625442188, -0.026866170645131252, 0.11283791670955126,
        -0.37612638903183754, 1.1283791670955126};
    /** exp(z^2) erfc(z) as a Chebyshev series, coefficients 0..20 ({@link VectorMath}'s Clenshaw recurrence). */
    private static final double[] ERFCX_CHEB = {0.24300188558725608, 0.29903909135038065, 0.0644355620659801, 0.008898596048505597,
        0.00042091431145791506, -9.406939900004269e-05, -1.3541712826524391e-05, 1.6001138699846995e-06, 3.6150634898822974e-07,
        -4.7963180954995874e-08, -9.894527663525648e-09, 2.036995133922428e-09, 2.3428048021522755e-10, -9.512505629413049e-11,
        -1.1312913134518218e-12, 4.153363693232279e-12, -4.1660452098200127e-13, -1.4156076807112278e-13, 3.877733117516214e-14,
        1.0188292577725788e-15, -2.711821643950126e-15};

    private ScalarTwins() {}

    // ---- elementwise (VectorMath) --------------------------------------------------------------

    /** The twin of {@link VectorMath}'s function for {@code kind} (EXP, LOG, TANH, SIGMOID, ERF, GELU, RELU). */
    static void unary(UnaryOp kind, float[] x, float[] out, int from, int to) {
        // the vector kernels do whole vectors of DL lanes from `from`, then the tail with the scalar functions
        int vend = from + (to - from) / DL * DL;
        switch (kind) {
            case EXP -> { for (int i = from; i < to; i++) out[i] = (float) Math.exp(x[i]); }
            case LOG -> { for (int i = from; i < to; i++) out[i] = (float) Math.log(x[i]); }
            case TANH -> { for (int i = from; i < to; i++) out[i] = (float) Math.tanh(x[i]); }
            case SIGMOID -> {
                for (int i = from; i < vend; i++) out[i] = (float) (1.0 / (Math.exp(-(double) x[i]) + 1));
                for (int i = vend; i < to; i++) out[i] = (float) dev.jasg.core.SpecialFunctions.sigmoid(x[i]);
            }
            case ERF -> {
                for (int i = from; i < vend; i++) out[i] = (float) erfLane(x[i]);
                for (int i = vend; i < to; i++) out[i] = (float) FloatFunctions.erf(x[i]);
            }
            case GELU -> {
                for (int i = from; i < vend; i++) out[i] = (float) geluLane(x[i]);
                for (int i = vend; i < to; i++) out[i] = (float) FloatFunctions.gelu(x[i]);
            }
            case RELU -> { for (int i = from; i < to; i++) out[i] = x[i] <= 0 ? 0f : x[i]; }
            default -> throw new IllegalArgumentException("no vector kernel for " + kind);
        }
    }

    /** {@code exp(z^2) erfc(z)} by {@link VectorMath}'s Clenshaw recurrence, in {@code u = 2.5 / (1 + z/2) - 1}. */
    private static double erfcxCheb(double u) {
        double u2 = u + u;
        double[] c = ERFCX_CHEB;
        double b2 = c[20];
        double b1 = Math.fma(u2, b2, c[19]);
        for (int k = 18; k >= 1; k--) {
            double b0 = Math.fma(u2, b1, c[k]) - b2;
            b2 = b1;
            b1 = b0;
        }
        return Math.fma(u, b1, c[0]) - b2;
    }

    /** {@code w P(w^2)}'s polynomial {@code P} by {@link VectorMath}'s Horner steps. */
    private static double erfSmall(double w2) {
        double[] c = ERF_SMALL_DESC;
        double p = c[0];
        for (int k = 1; k < c.length; k++) p = Math.fma(p, w2, c[k]);
        return p;
    }

    /** One lane of {@link VectorMath#erf}. */
    static double erfLane(double v) {
        double ax = Math.abs(v);
        // the vector kernel computes both branches and blends; one of them gives the same bits
        if (!(ax >= 0.5)) return v * erfSmall(v * v);
        double u = 2.5 / (ax * 0.5 + 1) - 1;
        double e = Math.exp(-(ax * ax)) * erfcxCheb(u);
        double large = 1 - e;
        return v < 0.0 ? -large : large;
    }

    /** One lane of {@link VectorMath#gelu}. */
    static double geluLane(double v) {
        double w = v * INV_SQRT_2, z = Math.abs(w), half = v * 0.5;
        if (!(z >= 0.5)) return half + half * (w * erfSmall(w * w));
        double u = 2.5 / (z * 0.5 + 1) - 1;
        double e = Math.exp(-(z * z)) * erfcxCheb(u);
        return v < 0.0 ? half * e : v - half * e;
    }

    /** The twin of {@link VectorMath#softmaxRows}: the double sum in {@link #DL} lanes, then the tail, then the lanes added in order. */
    static void softmaxRows(float[] x, float[] out, int n, boolean log, int r0, int r1) {
        double[] lanes = new double[DL];
        for (int r = r0; r < r1; r++) {
            int base = r * n, end = base + n, vend = base + (n / DL) * DL;
            float m = Float.NEGATIVE_INFINITY;
            for (int i = base; i < end; i++) m = Math.max(m, x[i]);
            java.util.Arrays.fill(lanes, 0.0);
            for (int i = base; i < vend; i++) {
                double e = Math.exp((double) x[i] - m);
                if (!log) out[i] = (float) e;
                lanes[(i - base) % DL] += e;
            }
            double s = 0;
            for (int i = vend; i < end; i++) {
                double e = Math.exp((double) x[i] - m);
                if (!log) out[i] = (float) e;
                s += e;
            }
            double sum = 0;
            for (double l : lanes) sum += l;
            s += sum;
            if (log) {
                double ls = Math.log(s);
                for (int i = base; i < end; i++) out[i] = (float) (((double) x[i] - m) - ls);
            } else {
                float inv = (float) (1 / s);
                for (int i = base; i < end; i++) out[i] *= inv;
            }
        }
    }
}
