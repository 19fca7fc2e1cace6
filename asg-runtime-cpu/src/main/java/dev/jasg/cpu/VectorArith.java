package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 {@code + - * /} rows on the Java Vector API, for {@link ElementwiseKernels#binaryRow} (and through it the fused
 * {@link ElementwiseChain}s): {@code o[io + i] = x[ix + i sx] op y[iy + i sy]}, {@code i < n}, with each stride 1 (a row)
 * or 0 (a scalar), not both 0. C2 left the plain loops scalar (its dependence analysis cannot tell the output array from
 * an input one read at another offset), which made a batch norm's four ops and a ReLU 1.1 ns an element on one Zen 5
 * core; each lane does the scalar loop's float operation, so the values are the same bits. Also the running maximum
 * of max pooling's rows ({@link #maxInto}), and the unary functions whose f32 result is exact ({@link #unaryRow}: negation,
 * absolute value, sign, square root, clamp in f32 lanes; reciprocal square root and leaky ReLU in double lanes), whose plain loops C2 left scalar for the same reason (a square root 1.2 ns an
 * element, three quarters of an AdamW update's time). Only called when {@link ElementwiseKernels#vectorArith} says so (this
 * class's vector types fail to load without {@code jdk.incubator.vector}).
 */
final class VectorArith {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** {@link VectorMath}'s double lanes and the f32 lanes as many as they are. */
    private static final VectorSpecies<Double> D = VectorMath.D;
    private static final int DL = VectorMath.DL;
    private static final VectorSpecies<Float> FH = VectorMath.FH;

    private VectorArith() {}

    /** The row, or false (nothing done) for another op. */
    static boolean binaryRow(BinaryOp k, float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        switch (k) {
            case ADD -> add(x, ix, sx, y, iy, sy, o, io, n);
            case SUB -> sub(x, ix, sx, y, iy, sy, o, io, n);
            case MUL -> mul(x, ix, sx, y, iy, sy, o, io, n);
            case DIV -> div(x, ix, sx, y, iy, sy, o, io, n);
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@link #unaryRow} computes {@code k}: the unary functions whose f32 lanes give exactly the scalar loops'
     * {@code (float) k.apply(x, a, b)}. Negation and absolute value are exact; a square root rounded once to double and then
     * to float is the float square root (53 bits hold twice 24 and 2 more); clamp's double bounds round to the same float
     * result, rounding being monotone ({@code round(max(x, a)) = max(x, round(a))} for a float {@code x}). The reciprocal
     * square root and leaky ReLU ({@code a} a double) are computed in double lanes by the scalar code's own correctly
     * rounded operations, then rounded to float once.
     */
    static boolean exactUnary(UnaryOp k) {
        return switch (k) {
            case NEG, ABS, SIGN, SQRT, CLAMP, RSQRT, LEAKY_RELU -> true;
            default -> false;
        };
    }

    /**
     * F32 {@code o[io + i] = k(x[ix + i]; a, b)}, {@code i < n}, for the ops of {@link #exactUnary} (the arrays may be one
     * at the same offset), or false (nothing done) for another op. NaN stays NaN (clamp's bounds do not replace it).
     */
    static boolean unaryRow(UnaryOp k, double a, double b, float[] x, int ix, float[] o, int io, int n) {
        switch (k) {
            case NEG -> neg(x, ix, o, io, n);
            case ABS -> abs(x, ix, o, io, n);
            case SIGN -> sign(x, ix, o, io, n);
            case SQRT -> sqrt(x, ix, o, io, n);
            case CLAMP -> clamp(x, ix, (float) a, (float) b, o, io, n);
            case RSQRT -> rsqrt(x, ix, o, io, n);
            case LEAKY_RELU -> leakyRelu(x, ix, a, o, io, n);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void neg(float[] x, int ix, float[] o, int io, int n) {
        int i = 0;
        for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).neg().intoArray(o, io + i);
        for (; i < n; i++) o[io + i] = -x[ix + i];
    }

    private static void abs(float[] x, int ix, float[] o, int io, int n) {
        int i = 0;
        for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).abs().intoArray(o, io + i);
        for (; i < n; i++) o[io + i] = Math.abs(x[ix + i]);
    }

    /** {@link Math#signum}: 1 or -1, and zeros and NaN as they are. */
    private static void sign(float[] x, int ix, float[] o, int io, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(S, 1), minusOne = FloatVector.broadcast(S, -1);
        for (; i <= n - V; i += V) {
            FloatVector v = FloatVector.fromArray(S, x, ix + i);
            v.blend(one, v.compare(VectorOperators.GT, 0)).blend(minusOne, v.compare(VectorOperators.LT, 0)).intoArray(o, io + i);
        }
        for (; i < n; i++) o[io + i] = Math.signum(x[ix + i]);
    }

    private static void sqrt(float[] x, int ix, float[] o, int io, int n) {
        int i = 0;
        for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).lanewise(VectorOperators.SQRT).intoArray(o, io + i);
        for (; i < n; i++) o[io + i] = (float) Math.sqrt(x[ix + i]);
    }

    /** {@code min(max(x, lo), hi)}: {@link Math#max} and {@link Math#min}'s lanes, so NaN propagates. */
    private static void clamp(float[] x, int ix, float lo, float hi, float[] o, int io, int n) {
        int i = 0;
        FloatVector lv = FloatVector.broadcast(S, lo), hv = FloatVector.broadcast(S, hi);
        for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).max(lv).min(hv).intoArray(o, io + i);
        for (; i < n; i++) o[io + i] = Math.min(Math.max(x[ix + i], lo), hi);
    }

    /** {@code (float) (1 / Math.sqrt(x))}: the division and the square root in double lanes. */
    private static void rsqrt(float[] x, int ix, float[] o, int io, int n) {
        int i = 0;
        DoubleVector one = DoubleVector.broadcast(D, 1);
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, ix + i).convertShape(VectorOperators.F2D, D, 0);
            ((FloatVector) one.div(v.lanewise(VectorOperators.SQRT)).convertShape(VectorOperators.D2F, FH, 0)).intoArray(o, io + i);
        }
        for (; i < n; i++) o[io + i] = (float) (1 / Math.sqrt(x[ix + i]));
    }

    /** {@code (float) (x > 0 ? x : a x)} in double lanes (NaN fails {@code x > 0} and stays NaN). */
    private static void leakyRelu(float[] x, int ix, double a, float[] o, int io, int n) {
        int i = 0;
        DoubleVector av = DoubleVector.broadcast(D, a);
        for (; i <= n - DL; i += DL) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, ix + i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = v.mul(av).blend(v, v.compare(VectorOperators.GT, 0));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FH, 0)).intoArray(o, io + i);
        }
        for (; i < n; i++) {
            double v = x[ix + i];
            o[io + i] = (float) (v > 0 ? v : a * v);
        }
    }

    /**
     * The largest ({@code max}) or smallest of {@code x[ix .. ix + n)} by {@link Math#max} or {@link Math#min} lanes: NaN
     * when any element is NaN, and a zero whose sign may differ from a fold in order (which keeps the first of {@code -0}
     * and {@code 0}). A result that is neither NaN nor zero is the one float value every order of folding gives; callers
     * fold such rows in order themselves ({@link ReduceKernels}). {@code -inf} ({@code +inf}) for an empty row.
     */
    static float extremum(float[] x, int ix, int n, boolean max) {
        int i = 0;
        FloatVector m = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
        if (max) {
            for (; i <= n - V; i += V) m = m.max(FloatVector.fromArray(S, x, ix + i));
        } else {
            for (; i <= n - V; i += V) m = m.min(FloatVector.fromArray(S, x, ix + i));
        }
        float r = m.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
        for (; i < n; i++) r = max ? Math.max(r, x[ix + i]) : Math.min(r, x[ix + i]);
        return r;
    }

    /**
     * {@code acc[io + i] = ReduceOp.MAX.combine(acc[io + i], x[ix + i])} (or MIN's) for {@code i < n}, each lane exactly the
     * scalar fold: an accumulator that is NaN stays, else a NaN or strictly better element replaces it (so of equal values,
     * {@code -0} and {@code 0} included, the first stays).
     */
    static void combineExtremum(double[] acc, int io, float[] x, int ix, int n, boolean max) {
        int i = 0;
        for (; i <= n - DL; i += DL) {
            DoubleVector a = DoubleVector.fromArray(D, acc, io + i);
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, ix + i).convertShape(VectorOperators.F2D, D, 0);
            var better = v.compare(max ? VectorOperators.GT : VectorOperators.LT, a).or(v.compare(VectorOperators.NE, v));
            a.blend(v, better.and(a.compare(VectorOperators.EQ, a))).intoArray(acc, io + i);
        }
        for (; i < n; i++) {
            double a = acc[io + i], v = x[ix + i];
            boolean better = max ? v > a : v < a;
            if (a == a && (better || v != v)) acc[io + i] = v;
        }
    }

    /**
     * {@link ReduceKernels#sumRow}'s sixteen accumulators over {@code x[ix .. ix + whole)} ({@code whole} a multiple of 16),
     * added in order: two vectors of eight double lanes (four of four on 256-bit vectors, which hold four doubles), lane
     * {@code k} of vector {@code j} accumulator {@code j DL + k}; each lane adds the float elements it is given, as the
     * scalar loop's accumulator does, so the bits are the same. Other vector widths take the scalar loop ({@link #SUM_LANES}).
     */
    static double sumLanes(float[] x, int ix, int whole) {
        if (DL == 8) {
            DoubleVector s0 = DoubleVector.zero(D), s1 = DoubleVector.zero(D);
            for (int i = 0; i < whole; i += 16) {
                s0 = s0.add((DoubleVector) FloatVector.fromArray(FH, x, ix + i).convertShape(VectorOperators.F2D, D, 0));
                s1 = s1.add((DoubleVector) FloatVector.fromArray(FH, x, ix + i + 8).convertShape(VectorOperators.F2D, D, 0));
            }
            return s0.lane(0) + s0.lane(1) + s0.lane(2) + s0.lane(3) + s0.lane(4) + s0.lane(5) + s0.lane(6) + s0.lane(7)
                    + s1.lane(0) + s1.lane(1) + s1.lane(2) + s1.lane(3) + s1.lane(4) + s1.lane(5) + s1.lane(6) + s1.lane(7);
        }
        if (DL == 4) {
            DoubleVector s0 = DoubleVector.zero(D), s1 = DoubleVector.zero(D), s2 = DoubleVector.zero(D), s3 = DoubleVector.zero(D);
            for (int i = 0; i < whole; i += 16) {
                s0 = s0.add((DoubleVector) FloatVector.fromArray(FH, x, ix + i).convertShape(VectorOperators.F2D, D, 0));
                s1 = s1.add((DoubleVector) FloatVector.fromArray(FH, x, ix + i + 4).convertShape(VectorOperators.F2D, D, 0));
                s2 = s2.add((DoubleVector) FloatVector.fromArray(FH, x, ix + i + 8).convertShape(VectorOperators.F2D, D, 0));
                s3 = s3.add((DoubleVector) FloatVector.fromArray(FH, x, ix + i + 12).convertShape(VectorOperators.F2D, D, 0));
            }
            return s0.lane(0) + s0.lane(1) + s0.lane(2) + s0.lane(3) + s1.lane(0) + s1.lane(1) + s1.lane(2) + s1.lane(3)
                    + s2.lane(0) + s2.lane(1) + s2.lane(2) + s2.lane(3) + s3.lane(0) + s3.lane(1) + s3.lane(2) + s3.lane(3);
        }
        throw new IllegalStateException("sumLanes on " + DL + " double lanes");
    }

    /** Whether {@link #sumLanes} runs on this machine's vectors (four or eight double lanes). */
    static final boolean SUM_LANES = DL == 8 || DL == 4;

    // one method per operator, written out: an operator passed as an argument is not intrinsified

    private static void add(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).add(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] + y[iy + i];
        } else if (sx == 1) {
            float c = y[iy];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).add(cv).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] + c;
        } else {
            float c = x[ix];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) cv.add(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = c + y[iy + i];
        }
    }

    private static void sub(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).sub(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] - y[iy + i];
        } else if (sx == 1) {
            float c = y[iy];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).sub(cv).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] - c;
        } else {
            float c = x[ix];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) cv.sub(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = c - y[iy + i];
        }
    }

    private static void mul(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).mul(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] * y[iy + i];
        } else if (sx == 1) {
            float c = y[iy];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).mul(cv).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] * c;
        } else {
            float c = x[ix];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) cv.mul(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = c * y[iy + i];
        }
    }

    private static void div(float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        int i = 0;
        if (sx == 1 && sy == 1) {
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).div(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] / y[iy + i];
        } else if (sx == 1) {
            float c = y[iy];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) FloatVector.fromArray(S, x, ix + i).div(cv).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = x[ix + i] / c;
        } else {
            float c = x[ix];
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i <= n - V; i += V) cv.div(FloatVector.fromArray(S, y, iy + i)).intoArray(o, io + i);
            for (; i < n; i++) o[io + i] = c / y[iy + i];
        }
    }

    /**
     * {@code acc[i] = Math.max(acc[i], x[xo + i])} for {@code i < n}: the lanes' maximum is {@code Math.max}'s (NaN when
     * either is NaN, {@code -0 < +0}), so the same bits as the scalar loop, which C2 left scalar (a compare-and-blend
     * sequence an element).
     */
    static void maxInto(float[] acc, float[] x, int xo, int n) {
        maxInto(acc, 0, x, xo, n);
    }

    /** {@code acc[ao + i] = Math.max(acc[ao + i], x[xo + i])} for {@code i < n}, as {@link #maxInto(float[], float[], int, int)}. */
    static void maxInto(float[] acc, int ao, float[] x, int xo, int n) {
        int i = 0;
        for (; i <= n - V; i += V) FloatVector.fromArray(S, acc, ao + i).max(FloatVector.fromArray(S, x, xo + i)).intoArray(acc, ao + i);
        if (i < n && n >= V && acc != x) {
            // the tail as the last whole vector, over lanes already done: max(max(a, b), b) is max(a, b), bit for bit
            int t = n - V;
            FloatVector.fromArray(S, acc, ao + t).max(FloatVector.fromArray(S, x, xo + t)).intoArray(acc, ao + t);
            return;
        }
        for (; i < n; i++) acc[ao + i] = Math.max(acc[ao + i], x[xo + i]);
    }

    /** Two-vector shuffles taking the even (odd) lanes of a pair of vectors: lanes of the second are numbered from {@link #V}. */
    private static final VectorShuffle<Float> EVEN = unzip(0), ODD = unzip(1);

    private static VectorShuffle<Float> unzip(int odd) {
        int[] lanes = new int[V];
        for (int k = 0; k < V; k++) lanes[k] = 2 * k + odd;
        return VectorShuffle.fromArray(S, lanes, 0);
    }

    /** Floats of one vector. */
    static int lanes() {
        return V;
    }

    /** {@code out[oo + i] = in[io + i]} for {@code i < }{@link #lanes}: one vector moved. */
    static void copyVector(float[] in, int io, float[] out, int oo) {
        FloatVector.fromArray(S, in, io).intoArray(out, oo);
    }

    /** Floats {@link #unzip2} takes at a time: a multiple of which its {@code n} must be. */
    static int unzipBlock() {
        return 2 * V;
    }

    /**
     * {@code out[eo + t] = in[2 t]} and {@code out[oo + t] = in[2 t + 1]} for {@code t < n / 2} ({@code n} a multiple of
     * {@link #unzipBlock}): a row split into its even and odd elements, by two-vector shuffles (the same values, moved).
     */
    static void unzip2(float[] in, int n, float[] out, int eo, int oo) {
        for (int e = 0; e < n; e += 2 * V) {
            FloatVector q0 = FloatVector.fromArray(S, in, e), q1 = FloatVector.fromArray(S, in, e + V);
            q0.rearrange(EVEN, q1).intoArray(out, eo + e / 2);
            q0.rearrange(ODD, q1).intoArray(out, oo + e / 2);
        }
    }
}
