package dev.jasg.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise functions and softmax on the Java Vector API.
 *
 * <p>The unary functions load f32 lanes, widen them to double, evaluate in double and round once,
 * as the scalar kernels and the reference do, so their results are the reference's rounded to f32
 * but for the rare element within 1e-12 of a rounding boundary: {@code exp}, {@code log},
 * {@code tanh} through the JDK's vector math library (within an ulp of double), {@code sigmoid} on
 * {@code exp}, and {@code erf} and GELU written here: {@code x P(x^2)} (Taylor, 10 terms) for
 * {@code |x| < 0.5}, else {@code 1 - exp(-x^2) erfcx(|x|)} with the scaled complement
 * {@code erfcx(z) = exp(z^2) erfc(z)} a Chebyshev series of degree 20 in {@code t = 1/(1 + z/2)}
 * (relative error below 1e-12). GELU of a negative input uses {@code erfc} directly, so its tail
 * keeps its relative accuracy instead of cancelling in {@code 1 + erf}. Softmax works in f32 lanes
 * (maximum, {@code exp}, sum, scale), within a few ulps.
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
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    /** f32 lanes as many as {@link #D} has: half its width. */
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final double INV_SQRT_2 = 0.7071067811865476;

    /** erf(x)/x in powers of x^2 (Taylor, 10 terms: relative error below 1e-14 for |x| < 0.5). */
    private static final double[] ERF_SMALL = {1.1283791670955126, -0.37612638903183754, 0.11283791670955126, -0.026866170645131252, 0.005223977625442188, -0.0008548327023450852, 0.00012055332981789664, -1.492565035840625e-05, 1.6462114365889246e-06, -1.6365844691234924e-07};
    /**
     * exp(z^2) erfc(z) for z >= 0.5 as a Chebyshev series of degree 20 in u = 2.5 t - 1, t = 1/(1 + z/2)
     * (weighted least squares on [0.5, 400]: relative error below 1e-12).
     */
    private static final double[] ERFCX_CHEB = {0.24300188558725608, 0.29903909135038065, 0.0644355620659801, 0.008898596048505597, 0.00042091431145791506, -9.406939900004269e-05, -1.3541712826524391e-05, 1.6001138699846995e-06, 3.6150634898822974e-07, -4.7963180954995874e-08, -9.894527663525648e-09, 2.036995133922428e-09, 2.3428048021522755e-10, -9.512505629413049e-11, -1.1312913134518218e-12, 4.153363693232279e-12, -4.1660452098200127e-13, -1.4156076807112278e-13, 3.877733117516214e-14, 1.0188292577725788e-15, -2.711821643950126e-15};

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

    /** {@code out = erf(x)}. */
    static void erf(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector ax = v.abs(), x2 = v.mul(v);
            DoubleVector p = DoubleVector.broadcast(D, -1.6365844691234924e-07);
            p = p.fma(x2, DoubleVector.broadcast(D, 1.6462114365889246e-06));
            p = p.fma(x2, DoubleVector.broadcast(D, -1.492565035840625e-05));
            p = p.fma(x2, DoubleVector.broadcast(D, 0.00012055332981789664));
            p = p.fma(x2, DoubleVector.broadcast(D, -0.0008548327023450852));
            p = p.fma(x2, DoubleVector.broadcast(D, 0.005223977625442188));
            p = p.fma(x2, DoubleVector.broadcast(D, -0.026866170645131252));
            p = p.fma(x2, DoubleVector.broadcast(D, 0.11283791670955126));
            p = p.fma(x2, DoubleVector.broadcast(D, -0.37612638903183754));
            p = p.fma(x2, DoubleVector.broadcast(D, 1.1283791670955126));
            DoubleVector small = v.mul(p);
            // erfc(ax) = exp(-ax^2) erfcx(ax), erfcx by Clenshaw's recurrence on ERFCX_CHEB
            DoubleVector u = DoubleVector.broadcast(D, 2.5).div(ax.mul(0.5).add(1)).sub(1), u2 = u.add(u);
            DoubleVector b2 = DoubleVector.broadcast(D, -2.711821643950126e-15);
            DoubleVector b1 = u2.fma(b2, DoubleVector.broadcast(D, 1.0188292577725788e-15));
            DoubleVector b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 3.877733117516214e-14)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -1.4156076807112278e-13)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -4.1660452098200127e-13)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 4.153363693232279e-12)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -1.1312913134518218e-12)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -9.512505629413049e-11)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 2.3428048021522755e-10)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 2.036995133922428e-09)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -9.894527663525648e-09)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -4.7963180954995874e-08)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 3.6150634898822974e-07)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 1.6001138699846995e-06)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -1.3541712826524391e-05)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -9.406939900004269e-05)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.00042091431145791506)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.008898596048505597)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.0644355620659801)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.29903909135038065)).sub(b2);
            b2 = b1;
            b1 = b0;
            DoubleVector e = ax.mul(ax).neg().lanewise(VectorOperators.EXP).mul(u.fma(b1, DoubleVector.broadcast(D, 0.24300188558725608)).sub(b2));
            DoubleVector large = DoubleVector.broadcast(D, 1).sub(e);
            large = large.blend(large.neg(), v.compare(VectorOperators.LT, 0.0));
            DoubleVector r = small.blend(large, ax.compare(VectorOperators.GE, 0.5));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (float) FloatFunctions.erf(x[xo + i]);
    }

    /** {@code out = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}, the exact GELU. */
    static void gelu(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, xo + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector w = v.mul(INV_SQRT_2), z = w.abs(), half = v.mul(0.5), w2 = w.mul(w);
            // |w| < 0.5: 0.5 x (1 + w P(w^2)); else, with e = erfc(|w|): x (1 - e/2) for x >= 0, x e / 2 below
            DoubleVector p = DoubleVector.broadcast(D, -1.6365844691234924e-07);
            p = p.fma(w2, DoubleVector.broadcast(D, 1.6462114365889246e-06));
            p = p.fma(w2, DoubleVector.broadcast(D, -1.492565035840625e-05));
            p = p.fma(w2, DoubleVector.broadcast(D, 0.00012055332981789664));
            p = p.fma(w2, DoubleVector.broadcast(D, -0.0008548327023450852));
            p = p.fma(w2, DoubleVector.broadcast(D, 0.005223977625442188));
            p = p.fma(w2, DoubleVector.broadcast(D, -0.026866170645131252));
            p = p.fma(w2, DoubleVector.broadcast(D, 0.11283791670955126));
            p = p.fma(w2, DoubleVector.broadcast(D, -0.37612638903183754));
            p = p.fma(w2, DoubleVector.broadcast(D, 1.1283791670955126));
            DoubleVector small = half.add(half.mul(w.mul(p)));
            // erfc(z) = exp(-z^2) erfcx(z), erfcx by Clenshaw's recurrence on ERFCX_CHEB
            DoubleVector u = DoubleVector.broadcast(D, 2.5).div(z.mul(0.5).add(1)).sub(1), u2 = u.add(u);
            DoubleVector b2 = DoubleVector.broadcast(D, -2.711821643950126e-15);
            DoubleVector b1 = u2.fma(b2, DoubleVector.broadcast(D, 1.0188292577725788e-15));
            DoubleVector b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 3.877733117516214e-14)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -1.4156076807112278e-13)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -4.1660452098200127e-13)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 4.153363693232279e-12)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -1.1312913134518218e-12)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -9.512505629413049e-11)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 2.3428048021522755e-10)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 2.036995133922428e-09)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -9.894527663525648e-09)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -4.7963180954995874e-08)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 3.6150634898822974e-07)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 1.6001138699846995e-06)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -1.3541712826524391e-05)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, -9.406939900004269e-05)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.00042091431145791506)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.008898596048505597)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.0644355620659801)).sub(b2);
            b2 = b1;
            b1 = b0;
            b0 = u2.fma(b1, DoubleVector.broadcast(D, 0.29903909135038065)).sub(b2);
            b2 = b1;
            b1 = b0;
            DoubleVector e = z.mul(z).neg().lanewise(VectorOperators.EXP).mul(u.fma(b1, DoubleVector.broadcast(D, 0.24300188558725608)).sub(b2));
            DoubleVector large = v.sub(half.mul(e)).blend(half.mul(e), v.compare(VectorOperators.LT, 0.0));
            DoubleVector r = small.blend(large, z.compare(VectorOperators.GE, 0.5));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (float) FloatFunctions.gelu(x[xo + i]);
    }

    /**
     * Softmax ({@code log == false}) or log-softmax of each contiguous row of length {@code n},
     * rows {@code [r0, r1)}: {@code exp(x - max) / sum}, or {@code (x - max) - log(sum)}, with
     * {@code x - max}, the exponentials and the sum in double lanes (as the scalar kernel), the
     * exponentials kept in f32 between the passes.
     */
    static void softmaxRows(float[] x, float[] out, int n, boolean log, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int base = r * n, end = base + n, vend = base + (n / DL) * DL;
            float m = Float.NEGATIVE_INFINITY;
            int i = base;
            if (vend > base) {
                FloatVector mv = FloatVector.broadcast(FH, Float.NEGATIVE_INFINITY);
                for (; i < vend; i += DL) mv = mv.lanewise(VectorOperators.MAX, FloatVector.fromArray(FH, x, i));
                m = mv.reduceLanes(VectorOperators.MAX);
            }
            for (; i < end; i++) m = Math.max(m, x[i]);
            DoubleVector mb = DoubleVector.broadcast(D, m), sv = DoubleVector.zero(D);
            double s = 0;
            i = base;
            for (; i < vend; i += DL) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector e = v.sub(mb).lanewise(VectorOperators.EXP);
                if (!log) ((FloatVector) e.convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, i);
                sv = sv.add(e);
            }
            for (; i < end; i++) {
                double e = Math.exp((double) x[i] - m);
                if (!log) out[i] = (float) e;
                s += e;
            }
            s += sv.reduceLanes(VectorOperators.ADD);
            i = base;
            if (log) {
                double ls = Math.log(s);
                DoubleVector lb = DoubleVector.broadcast(D, ls);
                for (; i < vend; i += DL) {
                    DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(VectorOperators.F2D, D, 0);
                    ((FloatVector) v.sub(mb).sub(lb).convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, i);
                }
                for (; i < end; i++) out[i] = (float) (((double) x[i] - m) - ls);
            } else {
                float inv = (float) (1 / s);
                FloatVector ib = FloatVector.broadcast(S, inv);
                int fend = base + (n / V) * V;
                for (; i < fend; i += V) FloatVector.fromArray(S, out, i).mul(ib).intoArray(out, i);
                for (; i < end; i++) out[i] *= inv;
            }
        }
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
