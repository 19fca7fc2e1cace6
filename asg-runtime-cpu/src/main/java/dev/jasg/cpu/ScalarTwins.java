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
 * in another order (the lanes of {@link #softmaxRows}'s double sum and of {@link #gemvDots}).
 *
 * <p>Every method works on {@code [from, to)} of dense arrays, with the signature of the vector
 * kernel it twins. Stateless; only called when {@link Simd#ENABLED}, since the lane counts come
 * from the Vector API's preferred species ({@link VectorWidth}).
 */
final class ScalarTwins {
    /** Float lanes of the preferred species ({@code FloatVector.SPECIES_PREFERRED.length()}). */
    static final int V = VectorWidth.preferredBits() / 32;
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

    // ---- matrix products (VectorGemmKernel, VectorGemv) --------------------------------------------

    /**
     * The twin of {@code VectorGemmKernel.tile}: each element of the {@code MR x NR} tile an fma chain over {@code p},
     * from C or +0, computed two rows by four columns at a time in locals (C1 keeps them in registers: 0.4 ns a
     * multiply-add on Zen 3, five times the chain through memory).
     */
    static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        block(kc, ap, ao, Gemm.MR, 1, bp, bo, c, co, ldc, add);
    }

    /** The twin of {@code VectorGemmKernel.tileRows}: {@link #tile} with {@code A[r, p] = a[ao + r*lda + p]}. */
    static void tileRows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        block(kc, a, ao, 1, lda, bp, bo, c, co, ldc, add);
    }

    /** {@code C[r, j] (+)= sum_p A[r, p] Bp[p*NR + j]} with {@code A[r, p] = a[ao + p*ps + r*rs]}, as fma chains over {@code p}. */
    private static void block(int kc, float[] a, int ao, int ps, int rs, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        int mr = Gemm.MR, nr = Gemm.NR;
        if ((mr & 1) != 0 || (nr & 3) != 0) {
            // no tile of the kernel choice has these, but stay correct if one does: one element at a time
            for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                    float s = add ? c[co + r * ldc + j] : 0f;
                    for (int p = 0; p < kc; p++) s = Math.fma(a[ao + p * ps + r * rs], bp[bo + p * nr + j], s);
                    c[co + r * ldc + j] = s;
                }
            }
            return;
        }
        for (int r = 0; r < mr; r += 2) {
            int c0 = co + r * ldc, c1 = c0 + ldc, a0i = ao + r * rs, a1i = a0i + rs;
            for (int j = 0; j < nr; j += 4) {
                float s00, s01, s02, s03, s10, s11, s12, s13;
                if (add) {
                    s00 = c[c0 + j];
                    s01 = c[c0 + j + 1];
                    s02 = c[c0 + j + 2];
                    s03 = c[c0 + j + 3];
                    s10 = c[c1 + j];
                    s11 = c[c1 + j + 1];
                    s12 = c[c1 + j + 2];
                    s13 = c[c1 + j + 3];
                } else {
                    s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = 0f;
                }
                for (int p = 0; p < kc; p++) {
                    float x0 = a[a0i + p * ps], x1 = a[a1i + p * ps];
                    int b = bo + p * nr + j;
                    float b0 = bp[b], b1 = bp[b + 1], b2 = bp[b + 2], b3 = bp[b + 3];
                    s00 = Math.fma(x0, b0, s00);
                    s01 = Math.fma(x0, b1, s01);
                    s02 = Math.fma(x0, b2, s02);
                    s03 = Math.fma(x0, b3, s03);
                    s10 = Math.fma(x1, b0, s10);
                    s11 = Math.fma(x1, b1, s11);
                    s12 = Math.fma(x1, b2, s12);
                    s13 = Math.fma(x1, b3, s13);
                }
                c[c0 + j] = s00;
                c[c0 + j + 1] = s01;
                c[c0 + j + 2] = s02;
                c[c0 + j + 3] = s03;
                c[c1 + j] = s10;
                c[c1 + j + 1] = s11;
                c[c1 + j + 2] = s12;
                c[c1 + j + 3] = s13;
            }
        }
    }

    /** The twin of {@code VectorGemmKernel.copyRows}: {@code bp[bo + p*NR + j] = b[off + p*rs + j]}. */
    static void copyRows(int kc, float[] b, int off, int rs, float[] bp, int bo) {
        int nr = Gemm.NR;
        for (int p = 0; p < kc; p++) System.arraycopy(b, off + p * rs, bp, bo + p * nr, nr);
    }

    /** The twin of {@code VectorGemv.rows}: {@code y[yo + j]} an fma chain over {@code p}, from its value. */
    static void gemvRows(int k, float[] x, int xo, int xs, float[] m, int mo, int ld, float[] y, int yo, int j0, int j1) {
        for (int p = 0; p < k; p++) {
            float xp = x[xo + p * xs];
            int r = mo + p * ld;
            for (int j = j0; j < j1; j++) y[yo + j] = Math.fma(xp, m[r + j], y[yo + j]);
        }
    }

    /** The twin of {@code VectorGemv.dots}: {@link #V} lane chains over the whole vectors of {@code p}, added in lane order, then the tail. */
    static void gemvDots(int k, float[] x, int xo, float[] m, int mo, int ld, float[] y, int yo, int ys, int i0, int i1, boolean add) {
        int vEnd = k / V * V;
        float[] lanes = new float[V];
        for (int i = i0; i < i1; i++) {
            int r = mo + i * ld;
            java.util.Arrays.fill(lanes, 0f);
            for (int p = 0; p < vEnd; p++) lanes[p % V] = Math.fma(m[r + p], x[xo + p], lanes[p % V]);
            float s = 0f;
            for (float l : lanes) s += l;
            for (int p = vEnd; p < k; p++) s = Math.fma(m[r + p], x[xo + p], s);
            int o = yo + i * ys;
            y[o] = add ? y[o] + s : s;
        }
    }
}
