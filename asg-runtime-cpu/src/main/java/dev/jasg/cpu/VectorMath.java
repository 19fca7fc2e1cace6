package dev.jasg.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise functions on the Java Vector API (softmax: {@link VectorSoftmax}).
 *
 * <p>{@code exp}, {@code log}, {@code tanh} and {@code sigmoid} load f32 lanes, widen them to double,
 * evaluate in double and round once, as the scalar kernels and the reference do, so their results are
 * the reference's rounded to f32 but for the rare element within 1e-12 of a rounding boundary (the
 * JDK's vector math library, within an ulp of double; {@code sigmoid} on {@code exp}).
 *
 * <p>{@code erf} and the exact GELU, the costliest functions of a transformer step (GELU forward, its
 * gradient's {@code erf}), run in f32 lanes, twice as many a vector and with shorter series: {@code x P(x^2)}
 * (Taylor, 10 terms) for {@code |x| < 0.75}, else {@code 1 - exp(-z^2) erfcx(z)} with the scaled
 * complement {@code erfcx(z) = exp(z^2) erfc(z)} a polynomial of degree 9 in {@code t = 1/(1 + z/2)}
 * fitted on {@code [0.75, 14]}, and {@code z^2} split exactly into {@code hi + lo} by a fused
 * multiply-add so that {@code exp(-z^2) = exp(-hi)(1 - lo)} keeps its accuracy, {@code exp} our own
 * polynomial ({@link #expNeg}), not {@code lanewise(EXP)}, so that the result is the same bits compiled or not. GELU and its
 * derivative need only {@code Phi(x) = erfc(-x/sqrt 2) / 2}, which cancels at no sign, so they take one branch for every
 * lane, {@code erfc(|z|)} from {@link #GELU_ERFCX} (degree 10, fitted down to {@code z = 0}), and a negative input's tail
 * keeps its relative accuracy instead of cancelling in {@code 1 + erf}. Results are within a few f32 ulps of the exact values ({@code VectorMathTest} bounds
 * them), as PyTorch's vectorised f32 {@code erf} is, where the double evaluation was within one.
 * Softmax ({@link VectorSoftmax}) takes its exponentials from {@link #expNeg} too.
 *
 * <p>The series are written out term by term inside each loop: a vector passed to a method C2
 * does not inline is boxed, and a method this long is too big to inline.
 *
 * <p>Each function works on {@code [from, to)} of dense arrays; the tail shorter than a vector is
 * done by the scalar functions. Only kernels gated by {@link Simd#ENABLED} call this class, so it
 * is never loaded without the {@code jdk.incubator.vector} module.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final int DL = D.length();
    /** f32 lanes as many as {@link #D} has: half its width. */
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    static final float INV_SQRT_2F = 0.70710677f;
    /** 2/sqrt(pi) as the sum of two floats. */
    static final float C0_HI = 1.1283791f, C0_LO = (float) (1.1283791670955126 - 1.1283791f);
    /** Where erf switches from its Taylor series to {@code 1 - exp(-z^2) erfcx(z)}. */
    static final float ERF_SPLIT = 0.75f;
    /**
     * {@code (erf(x)/x - 2/sqrt(pi)) / x^2} as a polynomial in {@code x^2}, for {@code |x| <} {@link #ERF_SPLIT}: the Taylor
     * series to {@code x^18} without its first term (relative error below 1e-10 there), highest power first (the Horner
     * order). {@link ScalarTwins} reads these same arrays, so a twin cannot drift from its kernel by a digit.
     */
    static final float[] TAYLOR_TAIL = {-1.6365844691234924e-07f, 1.6462114365889246e-06f, -1.492565035840625e-05f,
        0.00012055332981789664f, -0.0008548327023450852f, 0.005223977625442188f, -0.026866170645131252f, 0.11283791670955126f,
        -0.37612638903183754f};
    /**
     * {@code exp(z^2) erfc(z)} for {@code ERF_SPLIT <= z <= 14} as a polynomial of degree 9 in {@code t = 1/(1 + z/2)}
     * (least squares on the relative error at Chebyshev nodes in t: below 5e-9 before f32 rounding), highest power of
     * t first.
     */
    static final float[] ERFCX = {-0.06093471497297287f, 0.2991162836551666f, -0.523797869682312f, 0.32383328676223755f,
        -0.05945393443107605f, 0.21693752706050873f, 0.23933812975883484f, 0.2829594612121582f, 0.2820383310317993f,
        1.5877355963311857e-06f};

    /**
     * {@code exp(z^2) erfc(z)} for {@code 0 <= z <= 18 / sqrt 2} as a polynomial of degree 10 in {@code t = 1/(1 + z/2)}
     * (least squares on the relative error at Chebyshev nodes in t over {@code [0.135, 1]}, reweighted towards the
     * minimax: below 1.2e-8, 3e-8 with the coefficients rounded to f32), highest power of t first. GELU and its
     * derivative need only {@code Phi(x) = erfc(-x / sqrt 2) / 2}, which no sign makes cancel, so one branch serves every
     * lane; {@code erf} itself keeps its Taylor series near 0, where {@code 1 - erfc} would lose its relative accuracy.
     */
    static final float[] GELU_ERFCX = {0.020437534898519516f, -0.16878880560398102f, 0.5398188233375549f, -0.8247138261795044f,
        0.5578075647354126f, -0.17778238654136658f, 0.2563551366329193f, 0.2308003008365631f, 0.28411009907722473f,
        0.2819511592388153f, 4.409122993820347e-06f};

    /** log2(e) rounded to f32: {@link #expNeg} rounds {@code x log2(e)} to the integer {@code k}. */
    static final float LOG2E = 1.442695f;
    /** 1.5 * 2^23: {@code fma(x, LOG2E, EXP_SHIFT)} is {@code x log2(e)} rounded to an integer (ties to even), held in the low mantissa bits. */
    static final float EXP_SHIFT = 12582912f;
    /** {@link #EXP_SHIFT}'s bits: subtracted from those of the shifted value they leave {@code k} as an int. */
    static final int EXP_SHIFT_BITS = 0x4B40_0000;
    /** ln 2 with 15 significant bits, so that {@code k LN2_HI} is exact for {@code |k| < 2^9}, and the rest of it. */
    static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.4286068e-6f;
    /**
     * {@code exp(r)} for {@code |r| <= ln(2)/2} as {@code 1 + r + r^2 Q(r)}, {@code Q} of degree 4 (least squares on the
     * relative error at Chebyshev nodes: below 4e-9 before f32 rounding), highest power first, the Horner order.
     */
    static final float[] EXP_POLY = {0.0013751407f, 0.008368916f, 0.041669533f, 0.16666518f, 0.49999988f, 1f, 1f};

    private VectorMath() {}

    /** {@code out = exp(x)}. */
    static void exp(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = v.lanewise(VectorOperators.EXP);
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (float) Math.exp(x[xo + i]);
    }

    /** {@code out = log(x)}. */
    static void log(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = v.lanewise(VectorOperators.LOG);
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (float) Math.log(x[xo + i]);
    }

    /** {@code out = tanh(x)}. */
    static void tanh(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = v.lanewise(VectorOperators.TANH);
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (float) Math.tanh(x[xo + i]);
    }

    /** {@code out = 1 / (1 + exp(-x))}. */
    static void sigmoid(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = DoubleVector.broadcast(D, 1).div(v.neg().lanewise(VectorOperators.EXP).add(1));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (float) dev.jasg.core.SpecialFunctions.sigmoid(x[xo + i]);
    }

    /** {@code out = x sigmoid(x)}, as {@code x / (exp(-x) + 1)} in double lanes (SiLU). */
    static void silu(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = v.div(v.neg().lanewise(VectorOperators.EXP).add(1));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = siluLane(x[xo + i]);
    }

    /** One lane of {@link #silu} with {@link Math#exp}: its tail, and its twin. */
    static float siluLane(float x) {
        double v = x;
        return (float) (v / (Math.exp(-v) + 1));
    }

    /** {@code out = log(1 + exp(a x)) / a}, or {@code x} where {@code a x > b}, in double lanes (softplus, beta {@code a}, threshold {@code b}). */
    static void softplus(float[] x, int xo, float[] out, int oo, int n, double a, double b) {
        int i = 0;
        DoubleVector av = DoubleVector.broadcast(D, a);
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector ax = v.mul(av);
            DoubleVector r = ax.lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P).div(av).blend(v, ax.compare(VectorOperators.GT, b));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = softplusLane(x[xo + i], a, b);
    }

    /** One lane of {@link #softplus} with {@link Math#exp} and {@link Math#log1p}: its tail, and its twin (the definition's own code). */
    static float softplusLane(float x, double a, double b) {
        double v = x, ax = a * v;
        return (float) (ax > b ? v : Math.log1p(Math.exp(ax)) / a);
    }

    /** {@code out = x} where {@code x > 0}, else {@code a (exp(x) - 1)}, in double lanes (ELU, alpha {@code a}). */
    static void elu(float[] x, int xo, float[] out, int oo, int n, double a) {
        int i = 0;
        DoubleVector av = DoubleVector.broadcast(D, a);
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = v.lanewise(VectorOperators.EXPM1).mul(av).blend(v, v.compare(VectorOperators.GT, 0));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = eluLane(x[xo + i], a);
    }

    /** One lane of {@link #elu} with {@link Math#expm1}: its tail, and its twin (the definition's own code). */
    static float eluLane(float x, double a) {
        double v = x;
        return (float) (v > 0 ? v : a * Math.expm1(v));
    }

    /** {@code out = erf(x)}, in f32 lanes (see the class comment). */
    static void erf(float[] x, int xo, float[] out, int oo, int n) {
        int whole = n / V * V;
        float[] tail = TAIL.get();
        for (int c = 0; c < whole; c += CHUNK) {
            int m = Math.min(CHUNK, whole - c);
            erfChunk(x, xo + c, tail, out, oo + c, m);
        }
        for (int i = whole; i < n; i++) out[oo + i] = (float) FloatFunctions.erf(x[xo + i]);
    }

    /**
     * Floats a pass of erf or GELU covers (a multiple of every vector length). A pass is three loops: the arguments
     * of the tail's exponentials into a buffer this long, {@link #expNeg} over it, then the series, written out
     * term by term. C2 stops inlining helper methods into a method past a node count, and a vector crossing a call
     * that is not inlined is boxed (three times as slow), so no vector crosses a call here: the exponentials go
     * through the buffer, and the series' lane operations are the Vector API's own, always inlined. A pass method is
     * too large to be inlined into {@link #gelu}, where it would count again.
     */
    private static final int CHUNK = 256;
    /** The erf and GELU passes' buffer of exponentials, one per thread: no allocation per call. */
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[2 * CHUNK]);

    /** erf for whole vectors of {@code [0, m)}, {@code t} a buffer of at least {@code m} floats. */
    private static void erfChunk(float[] x, int xo, float[] t, float[] out, int oo, int m) {
        FloatVector one = FloatVector.broadcast(S, 1f), halfOne = FloatVector.broadcast(S, 0.5f);
        FloatVector c0hi = FloatVector.broadcast(S, C0_HI), c0lo = FloatVector.broadcast(S, C0_LO);
        float[] tt = TAYLOR_TAIL, ex = ERFCX;
        // first the exponentials of the tail into t: their arguments, then expNeg over the buffer, in place
        for (int i = 0; i < m; i += V) {
            // erfc(z) = exp(-z^2) erfcx(z), z^2 = hi + lo exactly; past z = 11 exp(-z^2) is 0 in f32 (z <= 13 keeps expNeg's domain)
            FloatVector z = FloatVector.fromArray(S, x, xo + i).abs().min(13f);
            FloatVector hi = z.mul(z);
            hi.neg().intoArray(t, i);
            one.sub(z.fma(z, hi.neg())).intoArray(t, CHUNK + i);
        }
        expNeg(t, 0, false, 0f, t, 0, m);
        // then the series, written out
        for (int i = 0; i < m; i += V) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector ax = v.abs();
            // x (c0 + x^2 P1(x^2)) with c0 split in two floats: near 0 the result is x c0 correctly rounded
            FloatVector x2 = v.mul(v);
            // TAYLOR_TAIL, then ERFCX, by Horner steps
            FloatVector p = FloatVector.broadcast(S, tt[0]);
            p = p.fma(x2, FloatVector.broadcast(S, tt[1]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[2]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[3]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[4]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[5]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[6]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[7]));
            p = p.fma(x2, FloatVector.broadcast(S, tt[8]));
            FloatVector small = v.fma(c0hi, v.mul(x2.fma(p, c0lo)));
            FloatVector z = ax.min(13f);
            FloatVector u = one.div(z.fma(halfOne, one));
            FloatVector q = FloatVector.broadcast(S, ex[0]);
            q = q.fma(u, FloatVector.broadcast(S, ex[1]));
            q = q.fma(u, FloatVector.broadcast(S, ex[2]));
            q = q.fma(u, FloatVector.broadcast(S, ex[3]));
            q = q.fma(u, FloatVector.broadcast(S, ex[4]));
            q = q.fma(u, FloatVector.broadcast(S, ex[5]));
            q = q.fma(u, FloatVector.broadcast(S, ex[6]));
            q = q.fma(u, FloatVector.broadcast(S, ex[7]));
            q = q.fma(u, FloatVector.broadcast(S, ex[8]));
            q = q.fma(u, FloatVector.broadcast(S, ex[9]));
            FloatVector e = FloatVector.fromArray(S, t, i).mul(FloatVector.fromArray(S, t, CHUNK + i)).mul(q);
            FloatVector large = one.sub(e);
            large = large.blend(large.neg(), v.compare(VectorOperators.LT, 0f));
            small.blend(large, ax.compare(VectorOperators.GE, ERF_SPLIT)).intoArray(out, oo + i);
        }
    }

    /** {@code out = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}, the exact GELU, in f32 lanes (see the class comment). */
    static void gelu(float[] x, int xo, float[] out, int oo, int n) {
        geluPass(x, xo, out, oo, n, false);
    }

    /**
     * {@link #gelu} ({@code derivative} false) or {@link #geluDerivative}: {@link #geluChunk} over the whole vectors, then
     * the tail shorter than a vector, GELU's by {@link FloatFunctions#gelu} and the derivative's by its lane twin.
     */
    private static void geluPass(float[] x, int xo, float[] out, int oo, int n, boolean derivative) {
        int whole = n / V * V;
        float[] tail = TAIL.get();
        for (int c = 0; c < whole; c += CHUNK) geluChunk(x, xo + c, tail, out, oo + c, Math.min(CHUNK, whole - c), derivative);
        for (int i = whole; i < n; i++) {
            out[oo + i] = derivative ? ScalarTwins.geluDerivativeLane(x[xo + i]) : (float) FloatFunctions.gelu(x[xo + i]);
        }
    }

    /**
     * GELU ({@code derivative} false) or its derivative for whole vectors of {@code [0, m)}, {@code t} a buffer of at least
     * {@code 2 CHUNK} floats: both are {@code Phi(x)} and {@code exp(-x^2/2)}, then GELU is {@code x Phi(x)} and the
     * derivative {@code Phi(x) + x exp(-x^2/2) / sqrt(2 pi)}.
     */
    private static void geluChunk(float[] x, int xo, float[] t, float[] out, int oo, int m, boolean derivative) {
        FloatVector one = FloatVector.broadcast(S, 1f), halfOne = FloatVector.broadcast(S, 0.5f), zHalf = FloatVector.broadcast(S, INV_SQRT_2F * 0.5f);
        FloatVector density = FloatVector.broadcast(S, INV_SQRT_2PI_F);
        float[] gx = GELU_ERFCX;
        // first the exponentials into t: their arguments, then expNeg over the buffer, in place
        for (int i = 0; i < m; i += V) {
            // z^2 = x^2 / 2 = hi + lo exactly (the halving is exact), so exp(-z^2) keeps its accuracy in the tail;
            // past |x| = 15 the tail is 0 in f32 (|x| <= 18 keeps expNeg's domain)
            FloatVector a = FloatVector.fromArray(S, x, xo + i).abs().min(18f);
            FloatVector a2 = a.mul(a);
            a2.mul(0.5f).neg().intoArray(t, i);
            one.sub(a.fma(a, a2.neg()).mul(0.5f)).intoArray(t, CHUNK + i);
        }
        expNeg(t, 0, false, 0f, t, 0, m);
        // then e = erfc(|x| / sqrt 2) = exp(-z^2) erfcx(z), and Phi = 1 - e/2 for x >= 0, e/2 below
        for (int i = 0; i < m; i += V) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.abs().min(18f);
            FloatVector u = one.div(a.fma(zHalf, one));
            // GELU_ERFCX by Horner steps
            FloatVector q = FloatVector.broadcast(S, gx[0]);
            q = q.fma(u, FloatVector.broadcast(S, gx[1]));
            q = q.fma(u, FloatVector.broadcast(S, gx[2]));
            q = q.fma(u, FloatVector.broadcast(S, gx[3]));
            q = q.fma(u, FloatVector.broadcast(S, gx[4]));
            q = q.fma(u, FloatVector.broadcast(S, gx[5]));
            q = q.fma(u, FloatVector.broadcast(S, gx[6]));
            q = q.fma(u, FloatVector.broadcast(S, gx[7]));
            q = q.fma(u, FloatVector.broadcast(S, gx[8]));
            q = q.fma(u, FloatVector.broadcast(S, gx[9]));
            q = q.fma(u, FloatVector.broadcast(S, gx[10]));
            FloatVector gauss = FloatVector.fromArray(S, t, i).mul(FloatVector.fromArray(S, t, CHUNK + i)), e = gauss.mul(q);
            var below = v.compare(VectorOperators.LT, 0f);
            if (derivative) {
                FloatVector cdf = one.sub(halfOne.mul(e)).blend(halfOne.mul(e), below);
                v.fma(gauss.mul(density), cdf).intoArray(out, oo + i);
            } else {
                v.mul(one.sub(halfOne.mul(e))).blend(v.mul(0.5f).mul(e), below).intoArray(out, oo + i);
            }
        }
    }

    /** {@code 1 / sqrt(2 pi)}, the standard normal density at 0. */
    static final float INV_SQRT_2PI_F = 0.3989422804014327f;

    /**
     * {@code out = Phi(x) + x phi(x)}, the exact GELU's derivative ({@link dev.jasg.core.UnaryOp#GELU_DERIVATIVE}), in f32
     * lanes: {@link #gelu}'s pieces, with {@code exp(-x^2/2)} (which its tail computes for {@code erfc}) kept for the
     * density. Every step is an exactly specified lane operation and {@link ScalarTwins#geluDerivativeLane} repeats them
     * (the tail shorter than a vector, and the rows before the hand-over), so an element's bits do not depend on the JIT
     * or on where a call's range starts.
     */
    static void geluDerivative(float[] x, int xo, float[] out, int oo, int n) {
        geluPass(x, xo, out, oo, n, true);
    }

    /** {@code 2 sqrt(2/pi)} and {@code 2 sqrt(2/pi) 0.044715}: {@code 2u = x (GT0 + GT1 x^2)} in {@link #geluTanh}. */
    static final float GT0 = (float) (2 * 0.7978845608028654), GT1 = (float) (2 * 0.7978845608028654 * 0.044715);
    /** Past {@code |2u| = 170} {@code exp(-|2u|)} is 0 in f32; the clamp keeps {@link #expNeg}'s domain ({@code >= -174}). */
    static final float GT_CLAMP = 170f;

    /**
     * {@code out = 0.5 x (1 + tanh(u))}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)}: GELU's tanh approximation
     * (PyTorch's {@code gelu(approximate='tanh')}, HF's {@code gelu_new}), in f32 lanes. It is {@code x sigmoid(2u)},
     * evaluated with {@code e = exp(-|2u|)} in {@code (0, 1]} by {@link #expNeg}: {@code x / (1 + e)} for {@code x >= 0},
     * {@code x e / (1 + e)} below, so neither side cancels (the double reference's {@code 1 + tanh(u)} does, below about
     * {@code x = -5}) nor overflows; {@code -inf} gives NaN and {@code +inf} itself, as the reference. Every step is an
     * exactly specified lane operation and the tail shorter than a vector runs {@link #geluTanhLane}, the same
     * operations on one float, so an element's bits do not depend on where a call's range starts or on the JIT.
     * Within a few f32 ulps of the exact value ({@code VectorMathTest} bounds it).
     */
    static void geluTanh(float[] x, int xo, float[] out, int oo, int n) {
        geluTanhPass(x, xo, out, oo, n, false);
    }

    /**
     * {@link #geluTanh} ({@code derivative} false) or {@link #geluTanhDerivative}: both take {@code e = exp(-|2u|)} a chunk
     * at a time (the arguments into the thread's buffer, then {@link #expNeg} in place), then their quotient.
     */
    private static void geluTanhPass(float[] x, int xo, float[] out, int oo, int n, boolean derivative) {
        int whole = n / V * V;
        float[] t = TAIL.get();
        FloatVector one = FloatVector.broadcast(S, 1f), g0 = FloatVector.broadcast(S, GT0), g1 = FloatVector.broadcast(S, GT1);
        FloatVector g13 = FloatVector.broadcast(S, GT1_3);
        for (int c = 0; c < whole; c += CHUNK) {
            int m = Math.min(CHUNK, whole - c), xc = xo + c;
            for (int i = 0; i < m; i += V) {
                FloatVector v = FloatVector.fromArray(S, x, xc + i);
                v.abs().mul(v.mul(v).fma(g1, g0)).min(GT_CLAMP).neg().intoArray(t, i);
            }
            expNeg(t, 0, false, 0f, t, 0, m);
            for (int i = 0; i < m; i += V) {
                FloatVector v = FloatVector.fromArray(S, x, xc + i), e = FloatVector.fromArray(S, t, i);
                var above = v.compare(VectorOperators.GE, 0f);
                if (derivative) {
                    FloatVector ope = one.add(e), slope = v.mul(v).fma(g13, g0);
                    FloatVector num = e.blend(one, above).mul(ope).add(v.mul(slope).mul(e));
                    num.div(ope.mul(ope)).intoArray(out, oo + c + i);
                } else {
                    v.mul(e).blend(v, above).div(one.add(e)).intoArray(out, oo + c + i);
                }
            }
        }
        for (int i = whole; i < n; i++) out[oo + i] = derivative ? geluTanhDerivativeLane(x[xo + i]) : geluTanhLane(x[xo + i]);
    }

    /** One lane of {@link #geluTanh}, operation for operation (its tail, and a test's twin). */
    static float geluTanhLane(float v) {
        float a = Math.min(Math.abs(v) * Math.fma(v * v, GT1, GT0), GT_CLAMP);
        float e = ScalarTwins.expNeg(-a);
        return (v >= 0f ? v : v * e) / (1f + e);
    }

    /** {@code 6 sqrt(2/pi) 0.044715}: {@code d(2u)/dx = GT0 + GT1_3 x^2} in {@link #geluTanhDerivative}. */
    static final float GT1_3 = (float) (6 * 0.7978845608028654 * 0.044715);

    /**
     * {@code out = d/dx geluTanh(x)} ({@link dev.jasg.core.UnaryOp#GELU_TANH_DERIVATIVE}) in f32 lanes. With
     * {@code s = sigmoid(2u)} it is {@code s + x s (1 - s) d(2u)/dx}, evaluated with {@code e = exp(-|2u|)} as
     * {@code (s' (1 + e) + x d(2u)/dx e) / (1 + e)^2}, {@code s' = 1} for {@code x >= 0} and {@code e} below: no side
     * cancels or overflows. The lanes are exactly specified operations and {@link #geluTanhDerivativeLane} repeats them.
     */
    static void geluTanhDerivative(float[] x, int xo, float[] out, int oo, int n) {
        geluTanhPass(x, xo, out, oo, n, true);
    }

    /** One lane of {@link #geluTanhDerivative}, operation for operation. */
    static float geluTanhDerivativeLane(float v) {
        float a = Math.min(Math.abs(v) * Math.fma(v * v, GT1, GT0), GT_CLAMP);
        float e = ScalarTwins.expNeg(-a), ope = 1f + e, slope = Math.fma(v * v, GT1_3, GT0);
        return ((v >= 0f ? 1f : e) * ope + v * slope * e) / (ope * ope);
    }

    /** The least argument {@link #expNeg} takes; a smaller one is raised to it (below about -104 {@code exp} is 0 in f32). */
    static final float EXP_FLOOR = -174f;

    /**
     * {@code dst[dso + i] = exp(src[so + i])} for {@code i < m} ({@code m} a multiple of the vector length; {@code dst}
     * may be {@code src}), each argument in {@code [EXP_FLOOR, 0]} or NaN (which stays NaN); {@code shifted}, the
     * exponential of {@code max(src[so + i] - shift, EXP_FLOOR)} instead (softmax's, {@code shift} a row's maximum,
     * {@code -inf} weighing 0). The one exponential of erf, GELU and softmax. It takes and gives arrays, not vectors, because
     * a vector passed to or returned from a method that C2 leaves out of line is boxed, an object and an array per
     * vector; C2 inlines by heuristics (a call site it judges cold, a callee already compiled at some size), so a
     * helper returning a vector ran boxed in some JVMs and not in others (seen in GPT-2 and transformer runs).
     *
     * <p>{@code exp(x)} for {@code x <= 0} in f32 lanes, ours rather than {@code lanewise(EXP)}: compiled, that comes from
     * the JDK's vector math library and uncompiled from {@code Math.exp}, which differ in the last bit now and then, so
     * erf and GELU would depend on when the JIT finished. Here every step is an exactly specified lane operation,
     * and {@link ScalarTwins#expNeg} repeats them, so boxed, compiled and twin give the same bits. {@code k} is
     * {@code x log2(e)} rounded, {@code r = x - k ln 2} (Cody and Waite: {@code k LN2_HI} and the subtraction exact,
     * then one fused step for {@code LN2_LO}), {@code exp(r)} by {@link #EXP_POLY}, and {@code 2^k} applied as two
     * exact powers of two, {@code 2^(k>>1)} then the rest, so that a subnormal result is rounded once. Defined for
     * {@code -174 <= x <= 0} (both powers normal; the callers clamp their arguments), NaN for NaN: at most one ulp
     * from {@code Math.exp} rounded to f32, and that in 0.47% of the inputs ({@code VectorMathTest}, every 61st float
     * of {@code [-104, 0]}; below, 0, as the correctly rounded result). erf and GELU are as accurate with it as with
     * {@code Math.exp} (4 million inputs: erf over [-7, 7] at most 1.98 ulps from the double reference, GELU over
     * [-20, 12] 6.96, both the same worst cases as before).
     */
    static void expNeg(float[] src, int so, boolean shifted, float shift, float[] dst, int dso, int m) {
        FloatVector sh = FloatVector.broadcast(S, shift), floor = FloatVector.broadcast(S, EXP_FLOOR);
        for (int i = 0; i < m; i += V) {
            FloatVector x = FloatVector.fromArray(S, src, so + i);
            if (shifted) {
                x = x.sub(sh);
                x = x.blend(floor, x.compare(VectorOperators.LT, floor));
            }
            FloatVector kb = x.fma(LOG2E, EXP_SHIFT), k = kb.sub(EXP_SHIFT);
            FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_LO), x.sub(k.mul(LN2_HI)));
            float[] c = EXP_POLY;
            FloatVector p = FloatVector.broadcast(S, c[0]);
            p = p.fma(r, FloatVector.broadcast(S, c[1]));
            p = p.fma(r, FloatVector.broadcast(S, c[2]));
            p = p.fma(r, FloatVector.broadcast(S, c[3]));
            p = p.fma(r, FloatVector.broadcast(S, c[4]));
            p = p.fma(r, FloatVector.broadcast(S, c[5]));
            p = p.fma(r, FloatVector.broadcast(S, c[6]));
            IntVector ki = kb.reinterpretAsInts().sub(EXP_SHIFT_BITS), k1 = ki.lanewise(VectorOperators.ASHR, 1), k2 = ki.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(s1).mul(s2).intoArray(dst, dso + i);
        }
    }

    /**
     * {@code max_j (float) (x[o + j] * scale)} over {@code j < n}, in f32 lanes: NaN when any product is NaN
     * ({@code MAX} is {@link Math#max}'s, which propagates NaN), {@code -inf} when {@code n == 0}. The row
     * maximum of fused attention's scores ({@link AttentionKernels}).
     */
    static float scaledMax(float[] x, int o, int n, float scale) {
        int i = 0, vend = n / V * V;
        float m = Float.NEGATIVE_INFINITY;
        if (vend > 0) {
            FloatVector sc = FloatVector.broadcast(S, scale), mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < vend; i += V) mv = mv.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, o + i).mul(sc));
            m = mv.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[o + i] * scale);
        return m;
    }

    /**
     * {@code x[o + j] = exp((double) (float) (x[o + j] * scale) - shift)} rounded to f32, for {@code j < n}, in
     * double lanes, returning the sum of the exponentials (in double lanes, then the
     * tail, then the lanes). Fused attention's weights: {@code shift} the row maximum (forward) or the row's
     * log-sum-exp (gradients).
     */
    static double expShifted(float[] x, int o, int n, float scale, double shift) {
        int i = 0, vend = n / DL * DL;
        double s = 0;
        DoubleVector sv = DoubleVector.zero(D), sh = DoubleVector.broadcast(D, shift);
        FloatVector sc = FloatVector.broadcast(FH, scale);
        for (; i < vend; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, o + i).mul(sc).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector e = v.sub(sh).lanewise(VectorOperators.EXP);
            ((FloatVector) e.convertShape(VectorOperators.D2F, FH, 0)).intoArray(x, o + i);
            sv = sv.add(e);
        }
        for (; i < n; i++) {
            double e = Math.exp((double) (x[o + i] * scale) - shift);
            x[o + i] = (float) e;
            s += e;
        }
        return s + sv.reduceLanes(VectorOperators.ADD);
    }

    /** {@code out = x <= 0 ? 0 : x}: -0 gives +0 and NaN stays NaN, as the reference's (and PyTorch's). */
    static void relu(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (; i <= n - V; i += V) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = x[xo + i] <= 0 ? 0f : x[xo + i];
    }

    /**
     * {@code o[io+i] = test(x[ix+i*sx], y[iy+i*sy]) ? 1 : 0} for strides 0 or 1 (a scalar or a
     * row), {@code i < n}; Java's float comparisons, so NaN compares unequal to everything.
     */
    static void compareRow(dev.jasg.core.CompareOp k, float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        // a method per kind with the comparison written in it: a comparison passed as an argument is not intrinsified
        int done = switch (k) {
            case EQ -> compareEQ(x, ix, sx, y, iy, sy, o, io, n);
            case NE -> compareNE(x, ix, sx, y, iy, sy, o, io, n);
            case LT -> compareLT(x, ix, sx, y, iy, sy, o, io, n);
            case LE -> compareLE(x, ix, sx, y, iy, sy, o, io, n);
            case GT -> compareGT(x, ix, sx, y, iy, sy, o, io, n);
            case GE -> compareGE(x, ix, sx, y, iy, sy, o, io, n);
        };
        for (int i = done; i < n; i++) o[io + i] = k.test(x[ix + i * sx], y[iy + i * sy]) ? 1f : 0f;
    }

    /** The whole vectors of {@link #compareRow} for EQ, a loop per stride pattern; returns how many elements it did. */
    private static int compareEQ(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.EQ, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        } else if (sx == 1) {
            FloatVector ys = FloatVector.broadcast(S, y[iy]);
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.EQ, ys)).intoArray(o, io + i);
        } else if (sy == 1) {
            FloatVector xs = FloatVector.broadcast(S, x[ix]);
            for (; i <= n - V; i += V) zero.blend(one, xs.compare(VectorOperators.EQ, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        }
        return i;
    }

    /** The whole vectors of {@link #compareRow} for NE, a loop per stride pattern; returns how many elements it did. */
    private static int compareNE(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.NE, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        } else if (sx == 1) {
            FloatVector ys = FloatVector.broadcast(S, y[iy]);
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.NE, ys)).intoArray(o, io + i);
        } else if (sy == 1) {
            FloatVector xs = FloatVector.broadcast(S, x[ix]);
            for (; i <= n - V; i += V) zero.blend(one, xs.compare(VectorOperators.NE, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        }
        return i;
    }

    /** The whole vectors of {@link #compareRow} for LT, a loop per stride pattern; returns how many elements it did. */
    private static int compareLT(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.LT, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        } else if (sx == 1) {
            FloatVector ys = FloatVector.broadcast(S, y[iy]);
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.LT, ys)).intoArray(o, io + i);
        } else if (sy == 1) {
            FloatVector xs = FloatVector.broadcast(S, x[ix]);
            for (; i <= n - V; i += V) zero.blend(one, xs.compare(VectorOperators.LT, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        }
        return i;
    }

    /** The whole vectors of {@link #compareRow} for LE, a loop per stride pattern; returns how many elements it did. */
    private static int compareLE(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.LE, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        } else if (sx == 1) {
            FloatVector ys = FloatVector.broadcast(S, y[iy]);
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.LE, ys)).intoArray(o, io + i);
        } else if (sy == 1) {
            FloatVector xs = FloatVector.broadcast(S, x[ix]);
            for (; i <= n - V; i += V) zero.blend(one, xs.compare(VectorOperators.LE, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        }
        return i;
    }

    /** The whole vectors of {@link #compareRow} for GT, a loop per stride pattern; returns how many elements it did. */
    private static int compareGT(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.GT, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        } else if (sx == 1) {
            FloatVector ys = FloatVector.broadcast(S, y[iy]);
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.GT, ys)).intoArray(o, io + i);
        } else if (sy == 1) {
            FloatVector xs = FloatVector.broadcast(S, x[ix]);
            for (; i <= n - V; i += V) zero.blend(one, xs.compare(VectorOperators.GT, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        }
        return i;
    }

    /** The whole vectors of {@link #compareRow} for GE, a loop per stride pattern; returns how many elements it did. */
    private static int compareGE(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.GE, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        } else if (sx == 1) {
            FloatVector ys = FloatVector.broadcast(S, y[iy]);
            for (; i <= n - V; i += V) zero.blend(one, FloatVector.fromArray(S, x, ix + i).compare(VectorOperators.GE, ys)).intoArray(o, io + i);
        } else if (sy == 1) {
            FloatVector xs = FloatVector.broadcast(S, x[ix]);
            for (; i <= n - V; i += V) zero.blend(one, xs.compare(VectorOperators.GE, FloatVector.fromArray(S, y, iy + i))).intoArray(o, io + i);
        }
        return i;
    }

    /** {@code o[io+i] = m[im+i*sm] != 0 ? a[ia+i*sa] : b[ib+i*sb]} for strides 0 or 1, {@code i < n} (a NaN mask selects {@code a}). */
    static void whereRow(float[] m, int im, int sm, float[] a, int ia, int sa, float[] b, int ib, int sb, float[] o, int io, int n) {
        int i = 0;
        if (sm == 1) {
            // a loop per stride pattern of the two values (see compare)
            if (sa == 1 && sb == 1) {
                for (; i <= n - V; i += V) FloatVector.fromArray(S, b, ib + i).blend(FloatVector.fromArray(S, a, ia + i),
                        FloatVector.fromArray(S, m, im + i).compare(VectorOperators.NE, 0f)).intoArray(o, io + i);
            } else if (sa == 1) {
                FloatVector bs = FloatVector.broadcast(S, b[ib]);
                for (; i <= n - V; i += V) bs.blend(FloatVector.fromArray(S, a, ia + i),
                        FloatVector.fromArray(S, m, im + i).compare(VectorOperators.NE, 0f)).intoArray(o, io + i);
            } else if (sb == 1) {
                FloatVector as = FloatVector.broadcast(S, a[ia]);
                for (; i <= n - V; i += V) FloatVector.fromArray(S, b, ib + i).blend(as,
                        FloatVector.fromArray(S, m, im + i).compare(VectorOperators.NE, 0f)).intoArray(o, io + i);
            } else {
                FloatVector as = FloatVector.broadcast(S, a[ia]), bs = FloatVector.broadcast(S, b[ib]);
                for (; i <= n - V; i += V) bs.blend(as, FloatVector.fromArray(S, m, im + i).compare(VectorOperators.NE, 0f)).intoArray(o, io + i);
            }
        }
        for (; i < n; i++) o[io + i] = m[im + i * sm] != 0 ? a[ia + i * sa] : b[ib + i * sb];
    }
}
