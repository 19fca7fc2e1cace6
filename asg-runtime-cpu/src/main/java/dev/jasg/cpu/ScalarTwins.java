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
 * in another order (the lanes of {@link #softmaxRows}'s double sum). The f32 lanes of erf and GELU
 * take their {@code exp} the same way, and there it matters more: once the JIT has compiled GELU,
 * about 0.7% of its results (AVX2, over [-12, 12]) differ from the uncompiled kernel's and the twin's
 * by up to a few ulps, so a run's GELU and erf results can depend on when the JIT finished.
 *
 * <p>Every method has the signature of the vector kernel it twins. Stateless; only called when {@link Simd#ENABLED}, since the lane counts come
 * from the Vector API's preferred species ({@link VectorWidth}).
 */
final class ScalarTwins {
    /** Double lanes of the preferred species: the lanes {@link VectorMath}'s functions evaluate in. */
    static final int DL = VectorWidth.preferredBits() / 64;

    /** Float lanes of the preferred species: the lanes {@link VectorMath#erf} and {@link VectorMath#gelu} evaluate in. */
    static final int FL = VectorWidth.preferredBits() / 32;
    // the f32 erf/GELU constants are VectorMath's own (only called where the Vector API is enabled, so it loads)
    private static final float INV_SQRT_2F = VectorMath.INV_SQRT_2F, SQRT_2F = VectorMath.SQRT_2F, ERF_SPLIT = VectorMath.ERF_SPLIT;
    private static final float C0_HI = VectorMath.C0_HI, C0_LO = VectorMath.C0_LO, C0 = VectorMath.C0;
    private static final float[] TAYLOR_TAIL = VectorMath.TAYLOR_TAIL, ERFCX = VectorMath.ERFCX;

    private ScalarTwins() {}

    // ---- elementwise (VectorMath) --------------------------------------------------------------

    /**
     * The twin of {@link VectorMath}'s function for {@code kind} (EXP, LOG, TANH, SIGMOID, ERF, GELU, RELU):
     * {@code out[oo+i] = kind(x[xo+i])} for {@code i < n}.
     */
    static void unary(UnaryOp kind, float[] x, int xo, float[] out, int oo, int n) {
        // the vector kernels do whole vectors from the start (DL double lanes, or FL float lanes for erf and GELU),
        // then the tail with the scalar functions
        int vd = n / DL * DL, vf = n / FL * FL;
        switch (kind) {
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.tanh(x[xo + i]); }
            case SIGMOID -> {
                for (int i = 0; i < vd; i++) out[oo + i] = (float) (1.0 / (Math.exp(-(double) x[xo + i]) + 1));
                for (int i = vd; i < n; i++) out[oo + i] = (float) dev.jasg.core.SpecialFunctions.sigmoid(x[xo + i]);
            }
            case ERF -> {
                for (int i = 0; i < vf; i++) out[oo + i] = erfLane(x[xo + i]);
                for (int i = vf; i < n; i++) out[oo + i] = (float) FloatFunctions.erf(x[xo + i]);
            }
            case GELU -> {
                for (int i = 0; i < vf; i++) out[oo + i] = geluLane(x[xo + i]);
                for (int i = vf; i < n; i++) out[oo + i] = (float) FloatFunctions.gelu(x[xo + i]);
            }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] <= 0 ? 0f : x[xo + i]; }
            default -> throw new IllegalArgumentException("no vector kernel for " + kind);
        }
    }

    /** {@code p(x2)} by Horner steps on {@code c} (highest power first), each one fused. */
    private static float horner(float[] c, float x2) {
        float p = c[0];
        for (int k = 1; k < c.length; k++) p = Math.fma(p, x2, c[k]);
        return p;
    }

    /** f32 {@code exp} as the uncompiled Vector API computes a lane. */
    private static float exp(float v) {
        return (float) Math.exp(v);
    }

    /** One lane of {@link VectorMath#erf}: both branches as the kernel computes them, then its blend. */
    static float erfLane(float v) {
        float ax = Math.abs(v), x2 = v * v;
        float small = Math.fma(v, C0_HI, v * Math.fma(x2, horner(TAYLOR_TAIL, x2), C0_LO));
        if (!(ax >= ERF_SPLIT)) return small;
        float z = Math.min(ax, 14f);
        float hi = z * z, lo = Math.fma(z, z, -hi);
        float e = exp(-hi) * (1f - lo) * horner(ERFCX, 1f / Math.fma(z, 0.5f, 1f));
        float large = 1f - e;
        return v < 0f ? -large : large;
    }

    /** One lane of {@link VectorMath#gelu}. */
    static float geluLane(float v) {
        float ax = Math.abs(v), half = v * 0.5f, w = v * INV_SQRT_2F;
        float w2 = w * w;
        float small = half + half * (w * Math.fma(horner(TAYLOR_TAIL, w2), w2, C0));
        if (!(ax >= ERF_SPLIT * SQRT_2F)) return small;
        float a = Math.min(ax, 20f);
        float a2 = a * a, hi = a2 * 0.5f, lo = Math.fma(a, a, -a2) * 0.5f;
        float e = exp(-hi) * (1f - lo) * horner(ERFCX, 1f / Math.fma(a, INV_SQRT_2F * 0.5f, 1f));
        return v < 0f ? half * e : v * (1f - 0.5f * e);
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
    // ---- fused attention's rows (VectorMath) -----------------------------------------------------

    /** The twin of {@link VectorMath#scaledMax} (a maximum does not depend on the order it is taken in). */
    static float scaledMax(float[] x, int o, int n, float scale) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[o + i] * scale);
        return m;
    }

    /** The twin of {@link VectorMath#expShifted}: the sum in {@link #DL} lanes, then the tail, then the lanes added in order. */
    static double expShifted(float[] x, int o, int n, float scale, double shift) {
        int vend = n / DL * DL;
        double[] lanes = LANES.get();
        java.util.Arrays.fill(lanes, 0.0);
        for (int i = 0; i < vend; i++) {
            double e = Math.exp((double) (x[o + i] * scale) - shift);
            x[o + i] = (float) e;
            lanes[i % DL] += e;
        }
        double s = 0;
        for (int i = vend; i < n; i++) {
            double e = Math.exp((double) (x[o + i] * scale) - shift);
            x[o + i] = (float) e;
            s += e;
        }
        double sum = 0;
        for (double l : lanes) sum += l;
        return s + sum;
    }

    /** {@link #expShifted}'s lane sums, one array per thread (a row of attention is not worth an allocation). */
    private static final ThreadLocal<double[]> LANES = ThreadLocal.withInitial(() -> new double[DL]);
}
