package dev.jasg.cpu;

import dev.jasg.core.BinaryOp;
import dev.jasg.core.CompareOp;
import dev.jasg.core.DType;
import dev.jasg.core.UnaryOp;

/**
 * Elementwise kernels: unary functions, binary arithmetic, comparisons and {@code where},
 * with numpy broadcasting through {@link Strided} geometries (operand 0 is always the dense
 * output). Equal shapes and scalar operands collapse to one row, which the inner loops
 * specialise; large ops are split over {@link CpuThreads}.
 *
 * <p>F32 results match the reference's {@code (float) op.apply(double...)} exactly for
 * {@code + - * /} (float arithmetic is correctly rounded, so it equals the double result rounded
 * to float). Transcendental functions are evaluated in double and rounded once, or, when
 * {@link Simd#ENABLED}, {@code exp log tanh sigmoid silu softplus elu} in double vector lanes by
 * {@link VectorMath}, rounded the same way, and {@code erf gelu gelu_tanh} in f32 lanes (within a few ulps); {@code neg abs sign sqrt clamp}
 * in f32 lanes and {@code rsqrt leaky_relu} in double lanes ({@link VectorArith#unaryRow}, the same bits); {@code relu}, comparisons and {@code where} on rows
 * and scalars run on vector masks there too (exact), so random signs cost no branch mispredictions. Integer dtypes (stored as floats) compute in double
 * and round with {@link DType#round}.
 */
final class ElementwiseKernels {
    /** Elements below which an op runs on the calling thread alone. */
    static final int PARALLEL_MIN = 1 << 17;

    private ElementwiseKernels() {}

    // ---- unary -------------------------------------------------------------------------

    /** {@code out[i] = kind(x[i]; a, b)} for {@code i < n}, rounded to {@code dt}. */
    static void unary(UnaryOp kind, double a, double b, DType dt, float[] x, float[] out, int n) {
        checkLength("unary " + kind.label(), x, n);
        checkLength("unary " + kind.label(), out, n);
        // transcendental functions cost ~20 ns an element, so they pay for threads much sooner
        int min = cheap(kind) ? PARALLEL_MIN : PARALLEL_MIN / 8;
        CpuThreads.parallelFor(n, min, (from, to) -> unaryRange(kind, a, b, dt, x, out, from, to));
    }


    /**
     * Whether F32 rows run on {@link VectorArith} (the same bits as the scalar loops): with the Vector API once no scalar
     * twins run ({@link WarmKernels}: warm-up off, or the first run's twins handed over), so a cold start keeps these
     * loops scalar, compiled by C1 within a few calls, while the twins do. Checked here, not in {@link VectorArith},
     * whose vector types do not load without {@code jdk.incubator.vector}.
     */
    static boolean vectorArith() {
        return Simd.ENABLED && (!WarmKernels.ENABLED || WarmKernels.handedOver());
    }

    /** Per binary op, what its scalar rows have done since the hand-over (the op's rows run on {@link VectorArith} once reached). */
    private static final WarmKernels.Volume[] ARITH_VOLUME = new WarmKernels.Volume[BinaryOp.values().length];

    static {
        for (int i = 0; i < ARITH_VOLUME.length; i++) ARITH_VOLUME[i] = new WarmKernels.Volume();
    }

    /**
     * {@link #vectorArith()} for a row of {@code n} elements of {@code k}: after the hand-over, once that op's scalar rows
     * do {@link WarmKernels#HAND_OVER_ELEMENTS} elements within {@link WarmKernels#HAND_OVER_NANOS} (the twins' rule, so a
     * binary op used rarely keeps its scalar loop rather than running boxed).
     */
    static boolean vectorArith(BinaryOp k, int n) {
        return vectorRow(ARITH_VOLUME[k.ordinal()], n);
    }

    /**
     * The hand-over rule of the exact vector rows (binary ops, {@link #vectorUnary}, {@link ReduceKernels}' sums and
     * extrema): {@link #vectorArith()}, and once the twins hand over, a row of {@code n} elements only after {@code volume}'s
     * scalar rows have done {@link WarmKernels#HAND_OVER_ELEMENTS} within {@link WarmKernels#HAND_OVER_NANOS}.
     */
    static boolean vectorRow(WarmKernels.Volume volume, int n) {
        return vectorArith() && (!WarmKernels.ENABLED || volume.reached(n));
    }

    /** Per unary op, what its scalar rows have done since the hand-over ({@link #vectorUnary}). */
    private static final WarmKernels.Volume[] UNARY_VOLUME = new WarmKernels.Volume[UnaryOp.values().length];

    static {
        for (int i = 0; i < UNARY_VOLUME.length; i++) UNARY_VOLUME[i] = new WarmKernels.Volume();
    }

    /**
     * Whether an F32 row of {@code n} elements of {@code k} runs on {@link VectorArith#unaryRow} (an op whose lanes are
     * exact, {@link VectorArith#exactUnary}): by {@link #vectorRow}'s rule, per op.
     */
    private static boolean vectorUnary(UnaryOp k, int n) {
        return vectorArith() && VectorArith.exactUnary(k) && vectorRow(UNARY_VOLUME[k.ordinal()], n);
    }

    /** Elements per call of a {@link VectorMath} function. */
    private static final int VECTOR_CHUNK = 1024;

    /** The functions whose vector kernel and lane function are the same operations, so no twin phase is needed: GELU's tanh form and GELU's derivatives. */
    private static boolean laneExact(UnaryOp k) {
        return k == UnaryOp.GELU_TANH || k == UnaryOp.GELU_DERIVATIVE || k == UnaryOp.GELU_TANH_DERIVATIVE;
    }

    private static boolean vectorised(UnaryOp k) {
        return switch (k) {
            case EXP, LOG, TANH, SIGMOID, ERF, GELU, RELU, SILU, SOFTPLUS, ELU -> true;
            default -> false;
        };
    }

    private static boolean cheap(UnaryOp k) {
        return k == UnaryOp.NEG || k == UnaryOp.ABS || k == UnaryOp.RELU || k == UnaryOp.LEAKY_RELU || k == UnaryOp.CLAMP || k == UnaryOp.SIGN;
    }

    private static void unaryRange(UnaryOp kind, double a, double b, DType dt, float[] x, float[] out, int from, int to) {
        if (dt != DType.F32) {
            for (int i = from; i < to; i++) out[i] = (float) dt.round(kind.apply(x[i], a, b));
            return;
        }
        // in chunks: the JIT compiles a method by its calls and loop trips, and until it has, Vector API
        // code runs interpreted at a microsecond an operation; short calls get it compiled after ~1e5 elements
        for (int c = from; c < to; c += VECTOR_CHUNK) unaryRow(kind, a, b, x, c, out, c, Math.min(to, c + VECTOR_CHUNK) - c);
    }

    /** F32 {@code out[oo+i] = kind(x[xo+i]; a, b)} for {@code i < n}: the arrays may be the same one at the same offset. */
    static void unaryRow(UnaryOp kind, double a, double b, float[] x, int xo, float[] out, int oo, int n) {
        if (Simd.ENABLED && laneExact(kind)) {
            // f32 lanes of exactly specified operations (the same bits boxed or compiled); while the scalar twins run
            // (WarmKernels) their lane-by-lane copy, which C1 compiles within a few calls, instead of the boxed vector code.
            // GELU's derivatives also wait until their own rows have run long enough after the hand-over that the JIT
            // compiles the vector kernel soon (vectorRow).
            boolean vector = kind == UnaryOp.GELU_TANH ? vectorArith() : vectorRow(UNARY_VOLUME[kind.ordinal()], n);
            if (vector) {
                switch (kind) {
                    case GELU_TANH -> VectorMath.geluTanh(x, xo, out, oo, n);
                    case GELU_DERIVATIVE -> VectorMath.geluDerivative(x, xo, out, oo, n);
                    default -> VectorMath.geluTanhDerivative(x, xo, out, oo, n);
                }
            } else {
                switch (kind) {
                    case GELU_TANH -> { for (int i = 0; i < n; i++) out[oo + i] = VectorMath.geluTanhLane(x[xo + i]); }
                    case GELU_DERIVATIVE -> { for (int i = 0; i < n; i++) out[oo + i] = ScalarTwins.geluDerivativeLane(x[xo + i]); }
                    default -> { for (int i = 0; i < n; i++) out[oo + i] = VectorMath.geluTanhDerivativeLane(x[xo + i]); }
                }
            }
            return;
        }
        if (Simd.ENABLED && vectorised(kind)) {
            if (!WarmKernels.unaryKernel(kind).readyFor(n)) {
                // the same bits until the JIT has compiled the vector kernel (WarmKernels)
                ScalarTwins.unary(kind, a, b, x, xo, out, oo, n);
                return;
            }
            switch (kind) {
                case EXP -> VectorMath.exp(x, xo, out, oo, n);
                case LOG -> VectorMath.log(x, xo, out, oo, n);
                case TANH -> VectorMath.tanh(x, xo, out, oo, n);
                case SIGMOID -> VectorMath.sigmoid(x, xo, out, oo, n);
                case ERF -> VectorMath.erf(x, xo, out, oo, n);
                case GELU -> VectorMath.gelu(x, xo, out, oo, n);
                case SILU -> VectorMath.silu(x, xo, out, oo, n);
                case SOFTPLUS -> VectorMath.softplus(x, xo, out, oo, n, a, b);
                case ELU -> VectorMath.elu(x, xo, out, oo, n, a);
                default -> VectorMath.relu(x, xo, out, oo, n);
            }
            return;
        }
        if (vectorUnary(kind, n) && VectorArith.unaryRow(kind, a, b, x, xo, out, oo, n)) return;
        switch (kind) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i] = -x[xo + i]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i] = Math.abs(x[xo + i]); }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] <= 0 ? 0f : x[xo + i]; }  // NaN stays NaN
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log(x[xo + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.sqrt(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.tanh(x[xo + i]); }
            case ERF -> { for (int i = 0; i < n; i++) out[oo + i] = (float) FloatFunctions.erf(x[xo + i]); }
            case GELU -> { for (int i = 0; i < n; i++) out[oo + i] = (float) FloatFunctions.gelu(x[xo + i]); }
            default -> otherUnaryRow(kind, a, b, x, xo, out, oo, n);
        }
    }

    /**
     * {@link #unaryRow}'s scalar loops for the other functions, each {@code (float) kind.apply(x, a, b)} written out, so the
     * JIT inlines it: a loop calling {@link UnaryOp#apply} (too large to inline) took ~9 ns an element. A method of its
     * own, so that these rarer cases recompile apart from {@link #unaryRow}.
     */
    static void otherUnaryRow(UnaryOp kind, double a, double b, float[] x, int xo, float[] out, int oo, int n) {
        switch (kind) {
            case SIGN -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.signum((double) x[xo + i]); }
            case EXPM1 -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.expm1(x[xo + i]); }
            case LOG1P -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log1p(x[xo + i]); }
            case RSQRT -> { for (int i = 0; i < n; i++) out[oo + i] = (float) (1 / Math.sqrt(x[xo + i])); }
            case SIN -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.sin(x[xo + i]); }
            case COS -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.cos(x[xo + i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) out[oo + i] = (float) dev.jasg.core.SpecialFunctions.sigmoid(x[xo + i]); }
            case SILU -> {
                for (int i = 0; i < n; i++) {
                    double v = x[xo + i];
                    out[oo + i] = (float) (v * dev.jasg.core.SpecialFunctions.sigmoid(v));
                }
            }
            case SOFTPLUS -> {
                for (int i = 0; i < n; i++) {
                    double v = x[xo + i];
                    out[oo + i] = (float) (a * v > b ? v : Math.log1p(Math.exp(a * v)) / a);
                }
            }
            case ELU -> {
                for (int i = 0; i < n; i++) {
                    double v = x[xo + i];
                    out[oo + i] = (float) (v > 0 ? v : a * Math.expm1(v));
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    double v = x[xo + i];
                    out[oo + i] = (float) (v > 0 ? v : a * v);
                }
            }
            case CLAMP -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.min(Math.max(x[xo + i], a), b); }
            case FLOOR -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.floor(x[xo + i]); }
            case ROUND -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.rint(x[xo + i]); }
            default -> { for (int i = 0; i < n; i++) out[oo + i] = (float) kind.apply(x[xo + i], a, b); }
        }
    }

    // ---- binary ------------------------------------------------------------------------

    /** Broadcast {@code out = kind(x, y)} over {@code g} (operands: out, x, y), rounded to {@code dt}. */
    static void binary(BinaryOp kind, DType dt, Strided g, float[] x, float[] y, float[] out) {
        CpuThreads.parallelFor((int) g.size(), PARALLEL_MIN, (from, to) -> binaryRange(kind, dt, g, x, y, out, from, to));
    }

    /** {@link #binary}'s elements {@code [from, to)} (a plan's step runs them as a {@link LoopStep}). */
    static void binaryRange(BinaryOp kind, DType dt, Strided g, float[] x, float[] y, float[] out, int from, int to) {
        int len = g.rowLength();
        int e = from;
        while (e < to) {
            int row = e / len, col = e - row * len, m = Math.min(len - col, to - e);
            int sx = g.innerStride(1), sy = g.innerStride(2);
            binaryRow(kind, dt, x, g.offset(1, row) + col * sx, sx, y, g.offset(2, row) + col * sy, sy, out, e, m);
            e += m;
        }
    }

    /** {@code o[io+i] = kind(x[ix+i*sx], y[iy+i*sy])} for {@code i < n}. */
    static void binaryRow(BinaryOp k, DType dt, float[] x, int ix, int sx, float[] y, int iy, int sy, float[] o, int io, int n) {
        if (dt != DType.F32) {
            for (int i = 0; i < n; i++) o[io + i] = (float) dt.round(k.apply(x[ix + i * sx], y[iy + i * sy]));
            return;
        }
        if (k == BinaryOp.POW && sx == 1 && sy == 0 && y[iy] == 2f) {
            // x^2 as x * x: the square of a float is exact in double, so Math.pow's (float) result is the float product
            // (the same bits), and a multiplication instead of a pow call an element (6 ns)
            binaryRow(BinaryOp.MUL, dt, x, ix, 1, x, ix, 1, o, io, n);
            return;
        }
        if ((sx | sy) == 1 && vectorArith(k, n) && VectorArith.binaryRow(k, x, ix, sx, y, iy, sy, o, io, n)) return;
        if (sx == 1 && sy == 1) binaryBoth(k, x, ix, y, iy, o, io, n);
        else if (sx == 1 && sy == 0) binaryRight(k, x, ix, y[iy], o, io, n);
        else if (sx == 0 && sy == 1) binaryLeft(k, x[ix], y, iy, o, io, n);
        else for (int i = 0; i < n; i++) o[io + i] = f(k, x[ix + i * sx], y[iy + i * sy]);
    }

    // The stride cases of binaryRow are methods of their own: the JIT compiles each for the cases that reach it, and a
    // case reached later recompiles its own small method, not all of binaryRow (the cold start's C2 time, README).

    private static void binaryBoth(BinaryOp k, float[] x, int ix, float[] y, int iy, float[] o, int io, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] + y[iy + i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] - y[iy + i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] * y[iy + i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] / y[iy + i]; }
            case POW, MAXIMUM, MINIMUM, ATAN2, FMOD -> { for (int i = 0; i < n; i++) o[io + i] = f(k, x[ix + i], y[iy + i]); }
        }
    }

    private static void binaryRight(BinaryOp k, float[] x, int ix, float c, float[] o, int io, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] + c; }
            case SUB -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] - c; }
            case MUL -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] * c; }
            case DIV -> { for (int i = 0; i < n; i++) o[io + i] = x[ix + i] / c; }
            case POW, MAXIMUM, MINIMUM, ATAN2, FMOD -> { for (int i = 0; i < n; i++) o[io + i] = f(k, x[ix + i], c); }
        }
    }

    private static void binaryLeft(BinaryOp k, float c, float[] y, int iy, float[] o, int io, int n) {
        switch (k) {
            case ADD -> { for (int i = 0; i < n; i++) o[io + i] = c + y[iy + i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[io + i] = c - y[iy + i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[io + i] = c * y[iy + i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[io + i] = c / y[iy + i]; }
            case POW, MAXIMUM, MINIMUM, ATAN2, FMOD -> { for (int i = 0; i < n; i++) o[io + i] = f(k, c, y[iy + i]); }
        }
    }

    /** One F32 element of {@code k}; NaN propagates through maximum/minimum as in {@link BinaryOp#apply}. */
    static float f(BinaryOp k, float x, float y) {
        return switch (k) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> (float) Math.pow(x, y);
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            case ATAN2 -> (float) Math.atan2(x, y);
            case FMOD -> x % y;  // exact, as C's fmod
        };
    }

    // ---- compare and where ---------------------------------------------------------------

    /**
     * Broadcast {@code out = kind(x, y) ? 1 : 0} over {@code g} (operands: out, x, y), elements {@code [from, to)}: a plan's
     * step runs it as a {@link LoopStep}.
     */
    static void compareRange(CompareOp kind, Strided g, float[] x, float[] y, float[] out, int from, int to) {
        int len = g.rowLength(), sx = g.innerStride(1), sy = g.innerStride(2);
        int e = from;
        while (e < to) {
            int row = e / len, col = e - row * len, m = Math.min(len - col, to - e);
            int ix = g.offset(1, row) + col * sx, iy = g.offset(2, row) + col * sy;
            compareRow(kind, x, ix, sx, y, iy, sy, out, e, m);
            e += m;
        }
    }

    /** Broadcast {@code out = mask != 0 ? a : b} over {@code g} (operands: out, mask, a, b). */
    static void where(Strided g, float[] mask, float[] a, float[] b, float[] out) {
        int n = (int) g.size();
        CpuThreads.parallelFor(n, PARALLEL_MIN, (from, to) -> {
            int len = g.rowLength(), sm = g.innerStride(1), sa = g.innerStride(2), sb = g.innerStride(3);
            int e = from;
            while (e < to) {
                int row = e / len, col = e - row * len, m = Math.min(len - col, to - e);
                int im = g.offset(1, row) + col * sm, ia = g.offset(2, row) + col * sa, ib = g.offset(3, row) + col * sb;
                whereRow(mask, im, sm, a, ia, sa, b, ib, sb, out, e, m);
                e += m;
            }
        });
    }

    /** {@code o[io+i] = m[im+i*sm] != 0 ? a[ia+i*sa] : b[ib+i*sb]} for {@code i < n}. */
    static void whereRow(float[] mask, int im, int sm, float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int io, int m) {
        if (sm == 0) {
            // one mask value for the whole row (a row mask broadcast over the last axis, e.g. the row of a
            // cache a decode step writes): the row is a copy of one operand
            boolean pick = mask[im] != 0;
            float[] src = pick ? a : b;
            int is = pick ? ia : ib, ss = pick ? sa : sb;
            if (ss == 1) System.arraycopy(src, is, out, io, m);
            else if (ss == 0) java.util.Arrays.fill(out, io, io + m, src[is]);
            else for (int i = 0; i < m; i++) out[io + i] = src[is + i * ss];
        } else if (Simd.ENABLED && (sm | sa | sb) <= 1 && sm >= 0 && sa >= 0 && sb >= 0 && WarmKernels.Kernel.WHERE.readyFor(m)) {
            VectorMath.whereRow(mask, im, sm, a, ia, sa, b, ib, sb, out, io, m);
        } else {
            for (int i = 0; i < m; i++) out[io + i] = mask[im + i * sm] != 0 ? a[ia + i * sa] : b[ib + i * sb];
        }
    }

    /** {@code o[io+i] = kind(x[ix+i*sx], y[iy+i*sy]) ? 1 : 0} for {@code i < n}. */
    static void compareRow(CompareOp kind, float[] x, int ix, int sx, float[] y, int iy, int sy, float[] out, int io, int m) {
        // comparing the floats equals comparing them widened to double, as the reference does
        if (Simd.ENABLED && (sx | sy) <= 1 && sx >= 0 && sy >= 0 && WarmKernels.compareReady(kind, m)) VectorMath.compareRow(kind, x, ix, sx, y, iy, sy, out, io, m);
        else for (int i = 0; i < m; i++) out[io + i] = kind.test(x[ix + i * sx], y[iy + i * sy]) ? 1f : 0f;
    }

    static void checkLength(String what, float[] a, long n) {
        if (a.length < n) throw new IllegalArgumentException(what + ": buffer of " + a.length + " elements, need " + n);
    }
}
