package dev.jasg.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A symbolic tensor: a thin handle on one node of a {@link GraphBuilder}. Every method adds
 * nodes and returns a new handle; nothing is computed until a backend runs the graph.
 * Methods follow PyTorch names and semantics; negative axes count from the end.
 * Methods that are not primitives in {@link Op} are composites of those that are.
 *
 * <p>Boolean masking without {@code nonzero}: shapes are fixed when the graph is built, so
 * {@code x[mask]} (whose length depends on the data) has no counterpart. Keep the shape and select
 * instead: {@code where(mask, x, 0)} (or another neutral value) in place of {@code x[mask] = ...}
 * and before a reduction, e.g. a masked mean is {@code where(mask, x, 0).sum() / mask.cast(F32).sum()},
 * a masked max uses {@code -inf} as the neutral value; the gradient flows only to the selected elements.
 */
public final class Tensor {
    private final GraphBuilder b;
    private final int id;

    Tensor(GraphBuilder b, int id) {
        this.b = b;
        this.id = id;
    }

    /** The builder this tensor belongs to. */
    public GraphBuilder builder() {
        return b;
    }

    /** Node id. */
    public int id() {
        return id;
    }

    /** The node. */
    public Node node() {
        return b.node(id);
    }

    /** Inferred shape. */
    public Shape shape() {
        return node().shape();
    }

    /** Inferred dtype. */
    public DType dtype() {
        return node().dtype();
    }

    /** Rank. */
    public int rank() {
        return shape().rank();
    }

    private Tensor op(Op op, Tensor... more) {
        Tensor[] all = new Tensor[more.length + 1];
        all[0] = this;
        System.arraycopy(more, 0, all, 1, more.length);
        return b.apply(op, all);
    }

    /** A scalar constant with this tensor's dtype (F32 for masks). */
    public Tensor scalarLike(double v) {
        return b.scalar(v, dtype() == DType.BOOL ? DType.F32 : dtype());
    }

    private int ax(int axis) {
        int r = rank();
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) throw new ShapeException("axis " + axis + " out of range for " + shape() + " at node " + id);
        return a;
    }

    private Ints axes(int... axes) {
        int[] a = new int[axes.length];
        for (int i = 0; i < a.length; i++) a[i] = ax(axes[i]);
        Arrays.sort(a);
        return Ints.of(a);
    }

    private Ints allAxes() {
        int[] a = new int[rank()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return Ints.of(a);
    }

    // ---- unary -------------------------------------------------------------------------

    private Tensor unary(UnaryOp k) {
        return op(Op.Unary.of(k));
    }

    /** {@code -x} */
    public Tensor neg() { return unary(UnaryOp.NEG); }
    /** {@code |x|} */
    public Tensor abs() { return unary(UnaryOp.ABS); }
    /** {@code sign(x)} */
    public Tensor sign() { return unary(UnaryOp.SIGN); }
    /** {@code e^x} */
    public Tensor exp() { return unary(UnaryOp.EXP); }
    /** {@code e^x - 1} */
    public Tensor expm1() { return unary(UnaryOp.EXPM1); }
    /** {@code ln x} */
    public Tensor log() { return unary(UnaryOp.LOG); }
    /** {@code ln(1 + x)} */
    public Tensor log1p() { return unary(UnaryOp.LOG1P); }
    /** {@code sqrt x} */
    public Tensor sqrt() { return unary(UnaryOp.SQRT); }
    /** {@code 1 / sqrt x} */
    public Tensor rsqrt() { return unary(UnaryOp.RSQRT); }
    /** {@code sin x} */
    public Tensor sin() { return unary(UnaryOp.SIN); }
    /** {@code cos x} */
    public Tensor cos() { return unary(UnaryOp.COS); }
    /** {@code erf x} */
    public Tensor erf() { return unary(UnaryOp.ERF); }
    /** {@code max(x, 0)} */
    public Tensor relu() { return unary(UnaryOp.RELU); }
    /** {@code 1 / (1 + e^-x)} */
    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID); }
    /** {@code tanh x} */
    public Tensor tanh() { return unary(UnaryOp.TANH); }
    /** Exact GELU {@code x Phi(x)}. */
    public Tensor gelu() { return unary(UnaryOp.GELU); }
    /** GELU; {@code approximate} is {@code "none"} (exact) or {@code "tanh"}, as in PyTorch. */
    public Tensor gelu(String approximate) {
        return switch (approximate) {
            case "none" -> gelu();
            case "tanh" -> unary(UnaryOp.GELU_TANH);
            default -> throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        };
    }
    /** {@code d/dx gelu(x) = Phi(x) + x phi(x)}: GELU's gradient is {@code g * x.geluDerivative()}, one op (PyTorch's {@code gelu_backward}). */
    public Tensor geluDerivative() { return unary(UnaryOp.GELU_DERIVATIVE); }
    /** The derivative of {@link #gelu(String)} with the same {@code approximate}, {@code "none"} or {@code "tanh"}. */
    public Tensor geluDerivative(String approximate) {
        return switch (approximate) {
            case "none" -> geluDerivative();
            case "tanh" -> unary(UnaryOp.GELU_TANH_DERIVATIVE);
            default -> throw new IllegalArgumentException("geluDerivative: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        };
    }
    /** {@code x sigmoid(x)} */
    public Tensor silu() { return unary(UnaryOp.SILU); }
    /** softplus with PyTorch's defaults beta = 1, threshold = 20. */
    public Tensor softplus() { return softplus(1, 20); }
    /** {@code log(1 + e^(beta x)) / beta}, or {@code x} where {@code beta x > threshold}. */
    public Tensor softplus(double beta, double threshold) { return op(new Op.Unary(UnaryOp.SOFTPLUS, beta, threshold)); }
    /** ELU with alpha = 1. */
    public Tensor elu() { return elu(1); }
    /** {@code x} for x > 0, else {@code alpha (e^x - 1)}. */
    public Tensor elu(double alpha) { return op(new Op.Unary(UnaryOp.ELU, alpha, 0)); }
    /** Leaky ReLU with PyTorch's default slope 0.01. */
    public Tensor leakyRelu() { return leakyRelu(0.01); }
    /** {@code x} for x > 0, else {@code slope x}. */
    public Tensor leakyRelu(double negativeSlope) { return op(new Op.Unary(UnaryOp.LEAKY_RELU, negativeSlope, 0)); }
    /** {@code min(max(x, min), max)}. */
    public Tensor clamp(double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        return op(new Op.Unary(UnaryOp.CLAMP, min, max));
    }
    /** {@code max(x, min)} */
    public Tensor clampMin(double min) { return clamp(min, Double.POSITIVE_INFINITY); }
    /** {@code min(x, max)} */
    public Tensor clampMax(double max) { return clamp(Double.NEGATIVE_INFINITY, max); }

    // ---- issue 14: elementwise functions ----
    // Composites unless a primitive is needed: floor and round (UnaryOp), atan2 and fmod (BinaryOp), which have no
    // exact composite in single precision. The forms below keep single precision near 0 (log1p/expm1 forms).

    private void requireFloat(String op) {
        if (!dtype().isFloat()) throw new ShapeException(op + ": needs a float tensor, got " + dtype().label() + shape() + " at node " + id);
    }

    /** {@code tan x = sin x / cos x}, as {@code torch.tan}. */
    public Tensor tan() {
        requireFloat("tan");
        return sin().div(cos());
    }

    /** {@code asin x = atan2(x, sqrt((1 - x)(1 + x)))}, in [-pi/2, pi/2], accurate near 0 and ±1; NaN for |x| > 1. */
    public Tensor asin() {
        requireFloat("asin");
        return atan2(oneMinusSquare().sqrt());
    }

    /** {@code acos x = atan2(sqrt((1 - x)(1 + x)), x)}, in [0, pi], accurate near ±1 (unlike pi/2 - asin x); NaN for |x| > 1. */
    public Tensor acos() {
        requireFloat("acos");
        return oneMinusSquare().sqrt().atan2(this);
    }

    /** {@code (1 - x)(1 + x)}: exact factors near |x| = 1, where {@code 1 - x^2} cancels. */
    private Tensor oneMinusSquare() {
        return rsub(1).mul(add(1));
    }

    /** {@code atan x = atan2(x, 1)}, in (-pi/2, pi/2). */
    public Tensor atan() {
        requireFloat("atan");
        return atan2(scalarLike(1));
    }

    /**
     * {@code torch.atan2(this, other)}: the angle of the point (other, this) in (-pi, pi] with C's quadrant,
     * signed-zero and infinity rules ({@link BinaryOp#ATAN2}); float tensors, broadcast.
     */
    public Tensor atan2(Tensor other) { return binary(BinaryOp.ATAN2, other); }

    /** {@code sinh x = (expm1(x) - expm1(-x)) / 2}, accurate near 0; overflows to ±inf for |x| > 88.72 in f32 (PyTorch: 89.4). */
    public Tensor sinh() {
        requireFloat("sinh");
        return expm1().sub(neg().expm1()).mul(0.5);
    }

    /** {@code cosh x = (e^x + e^-x) / 2}; overflows to inf for |x| > 88.72 in f32 (PyTorch: 89.4). */
    public Tensor cosh() {
        requireFloat("cosh");
        return exp().add(neg().exp()).mul(0.5);
    }

    /**
     * {@code asinh x = log1p(x + x^2 / (1 + sqrt(1 + x^2)))} for 0 <= x <= 1e4 (accurate near 0, where
     * {@code log(x + sqrt(x^2 + 1))} cancels), {@code ln x + ln 2} above (where x^2 would overflow; the omitted
     * {@code 1/(4x^2)} is below f32 resolution), and {@code -asinh(-x)} for x < 0.
     */
    public Tensor asinh() {
        requireFloat("asinh");
        return lt(0).where(neg().asinhOfPositive().neg(), asinhOfPositive());
    }

    /** Each branch reads its input clamped to its range, so the unselected one never makes a NaN that its zero gradient would multiply. */
    private Tensor asinhOfPositive() {
        Tensor small = minimum(scalarLike(LARGE_ARGUMENT)), sq = small.square();
        return gt(LARGE_ARGUMENT).where(logOfTwice(), small.add(sq.div(sq.add(1).sqrt().add(1))).log1p());
    }

    /** Above it asinh x and acosh x equal {@code ln 2x} to f32 resolution. */
    private static final double LARGE_ARGUMENT = 1e4;

    /** {@code ln(2 max(x, 1e4))}, without overflow of 2x. */
    private Tensor logOfTwice() {
        return maximum(scalarLike(LARGE_ARGUMENT)).log().add(Math.log(2));
    }

    /**
     * {@code acosh x = log1p(t + sqrt(t (x + 1)))} with t = x - 1, accurate near 1; {@code ln x + ln 2} above 1e4
     * (no overflow); NaN below 1.
     */
    public Tensor acosh() {
        requireFloat("acosh");
        Tensor small = minimum(scalarLike(LARGE_ARGUMENT)), t = small.sub(1);
        return gt(LARGE_ARGUMENT).where(logOfTwice(), t.add(t.mul(small.add(1)).sqrt()).log1p());
    }

    /** {@code atanh x = log1p(2x / (1 - x)) / 2}, accurate near 0; ±inf at ±1, NaN beyond. */
    public Tensor atanh() {
        requireFloat("atanh");
        return mul(2).div(rsub(1)).log1p().mul(0.5);
    }

    /** {@code floor x} ({@link UnaryOp#FLOOR}); gradient zero; the identity on integer tensors, as PyTorch. */
    public Tensor floor() { return unary(UnaryOp.FLOOR); }

    /** {@code ceil x = -floor(-x)} (exact); gradient zero; the identity on integer tensors. */
    public Tensor ceil() { return neg().floor().neg(); }

    /** {@code torch.round}: to the nearest integer, halves to even ({@link UnaryOp#ROUND}); gradient zero. */
    public Tensor round() { return unary(UnaryOp.ROUND); }

    /**
     * {@code torch.round(x, decimals=d)}: {@code round(x 10^d) / 10^d} (for d < 0, {@code round(x / 10^-d) 10^-d}),
     * as PyTorch computes it, so halves are those of the scaled value.
     */
    public Tensor round(int decimals) {
        if (decimals == 0) return round();
        requireFloat("round(decimals)");
        double scale = Math.pow(10, Math.abs(decimals));
        return decimals > 0 ? mul(scale).round().div(scale) : div(scale).round().mul(scale);
    }

    /** {@code trunc x}: toward zero, {@code floor} for x >= 0 and {@code ceil} below; gradient zero; the identity on integers. */
    public Tensor trunc() { return lt(0).where(ceil(), floor()); }

    /** {@code frac x = x - trunc(x)}, with the sign of x; NaN for ±inf, as PyTorch. Float tensors only (as PyTorch). */
    public Tensor frac() {
        requireFloat("frac");
        return sub(trunc());
    }

    /**
     * {@code torch.fmod}: {@code this - trunc(this / other) other}, exact, with the sign of the dividend
     * ({@link BinaryOp#FMOD}); NaN where other = 0 (PyTorch raises for integer tensors). Gradient: 1 and
     * {@code -trunc(this / other)}.
     */
    public Tensor fmod(Tensor other) { return binary(BinaryOp.FMOD, other); }

    /** {@code torch.fmod(this, c)}. */
    public Tensor fmod(double c) { return fmod(scalarLike(c)); }

    /**
     * {@code torch.remainder} (Python's {@code %}): {@code this - floor(this / other) other}, with the sign of the
     * divisor; computed as PyTorch does: {@code r = fmod(this, other)}, plus {@code other} where r != 0 and r's sign
     * differs from other's.
     */
    public Tensor remainder(Tensor other) {
        Tensor r = fmod(other);
        Tensor shifted = r.lt(0).ne(other.lt(0)).where(r.add(other), r);
        return r.eq(0).where(r, shifted);
    }

    /** {@code torch.remainder(this, c)}. */
    public Tensor remainder(double c) { return remainder(scalarLike(c)); }

    /** {@code log2 x = ln x / ln 2}. */
    public Tensor log2() {
        requireFloat("log2");
        return log().mul(1 / Math.log(2));
    }

    /** {@code log10 x = ln x / ln 10}. */
    public Tensor log10() {
        requireFloat("log10");
        return log().mul(1 / Math.log(10));
    }

    /** {@code exp2 x = 2^x}, through {@link BinaryOp#POW} (exact at integers). */
    public Tensor exp2() {
        requireFloat("exp2");
        return scalarLike(2).pow(this);
    }

    /**
     * {@code torch.hypot}: {@code sqrt(x^2 + y^2)} without overflow or underflow, as
     * {@code m sqrt(1 + (n/m)^2)} with m = max(|x|, |y|), n = min(|x|, |y|); 0 at (0, 0), inf where either is
     * infinite and the other is not NaN (NaN where either is NaN; C and PyTorch give inf for (inf, NaN)).
     */
    public Tensor hypot(Tensor other) {
        requireFloat("hypot");
        Tensor a = abs(), b = other.abs();
        Tensor m = a.maximum(b), n = a.minimum(b);
        // n / m with both scaled by a power of two near 1: a GPU may divide through a reciprocal that flushes to
        // zero for m above 2^126 (hypot(2e38, 1e38) came out 2e38 on an H200); the scaling is exact
        Tensor s = m.gt(0x1p64).where(m.scalarLike(0x1p-64), m.lt(0x1p-64).where(m.scalarLike(0x1p64), m.scalarLike(1)));
        Tensor h = m.mul(n.mul(s).div(m.mul(s)).square().add(1).sqrt());
        return m.eq(Double.POSITIVE_INFINITY).where(m, m.eq(0).where(m, h));
    }

    /**
     * {@code torch.lerp(this, end, weight) = this + weight (end - this)}, evaluated as PyTorch does:
     * {@code end - (end - this)(1 - weight)} when |weight| >= 0.5, so weight 1 gives {@code end} exactly.
     */
    public Tensor lerp(Tensor end, double weight) {
        requireFloat("lerp");
        Tensor d = end.sub(this);
        return Math.abs(weight) < 0.5 ? add(d.mul(weight)) : end.sub(d.mul(1 - weight));
    }

    /** {@code torch.lerp} with a tensor weight, broadcast with both ends. */
    public Tensor lerp(Tensor end, Tensor weight) {
        requireFloat("lerp");
        Tensor d = end.sub(this);
        return weight.abs().lt(0.5).where(add(weight.mul(d)), end.sub(d.mul(weight.rsub(1))));
    }

    /** {@code torch.isnan}: a bool mask, true where x is NaN ({@code x != x}); all false on integer tensors. */
    public Tensor isnan() { return ne(this); }

    /** {@code torch.isinf}: a bool mask, true where x is ±inf; all false on integer tensors. */
    public Tensor isinf() { return dtype().isFloat() ? abs().eq(Double.POSITIVE_INFINITY) : ne(this); }

    /** {@code torch.isfinite}: a bool mask, true where x is neither NaN nor ±inf; all true on integer tensors. */
    public Tensor isfinite() { return dtype().isFloat() ? abs().lt(Double.POSITIVE_INFINITY) : eq(this); }

    /** {@code torch.nan_to_num} with its defaults: NaN to 0, ±inf to the dtype's largest finite value of that sign. */
    public Tensor nanToNum() { return nanToNum(0, null, null); }

    /**
     * {@code torch.nan_to_num(x, nan, posinf, neginf)}: NaN to {@code nan}, +inf to {@code posinf}, -inf to
     * {@code neginf}; a null bound means PyTorch's None, the dtype's largest (smallest) finite value. The gradient
     * passes where x is finite and is zero elsewhere. The identity on integer tensors.
     */
    public Tensor nanToNum(double nan, Double posinf, Double neginf) {
        if (!dtype().isFloat()) return this;
        double max = dtype() == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        Tensor pos = scalarLike(posinf == null ? max : posinf), negative = scalarLike(neginf == null ? -max : neginf);
        Tensor infs = eq(Double.POSITIVE_INFINITY).where(pos, eq(Double.NEGATIVE_INFINITY).where(negative, this));
        return isnan().where(scalarLike(nan), infs);
    }
    /** {@code x * x} */
    public Tensor square() { return mul(this); }
    /** {@code 1 / x} */
    public Tensor reciprocal() { return scalarLike(1).div(this); }

    // ---- binary ------------------------------------------------------------------------

    private Tensor binary(BinaryOp k, Tensor o) {
        return op(new Op.Binary(k), o);
    }

    /** {@code this + o} */
    public Tensor add(Tensor o) { return binary(BinaryOp.ADD, o); }
    /** {@code this + c} */
    public Tensor add(double c) { return add(scalarLike(c)); }
    /** {@code this - o} */
    public Tensor sub(Tensor o) { return binary(BinaryOp.SUB, o); }
    /** {@code this - c} */
    public Tensor sub(double c) { return sub(scalarLike(c)); }
    /** {@code c - this} */
    public Tensor rsub(double c) { return scalarLike(c).sub(this); }
    /** {@code this * o} */
    public Tensor mul(Tensor o) { return binary(BinaryOp.MUL, o); }
    /** {@code this * c} */
    public Tensor mul(double c) { return mul(scalarLike(c)); }
    /** {@code this / o} */
    public Tensor div(Tensor o) { return binary(BinaryOp.DIV, o); }
    /** {@code this / c} */
    public Tensor div(double c) { return div(scalarLike(c)); }
    /** {@code this ^ o} */
    public Tensor pow(Tensor o) { return binary(BinaryOp.POW, o); }
    /** {@code this ^ c} */
    public Tensor pow(double c) { return pow(scalarLike(c)); }
    /** {@code max(this, o)} elementwise */
    public Tensor maximum(Tensor o) { return binary(BinaryOp.MAXIMUM, o); }
    /** {@code min(this, o)} elementwise */
    public Tensor minimum(Tensor o) { return binary(BinaryOp.MINIMUM, o); }

    // ---- comparisons and selection -----------------------------------------------------

    private Tensor compare(CompareOp k, Tensor o) {
        return op(new Op.Compare(k), o);
    }

    /** {@code this == o} as a mask */
    public Tensor eq(Tensor o) { return compare(CompareOp.EQ, o); }
    /** {@code this == c} */
    public Tensor eq(double c) { return eq(scalarLike(c)); }
    /** {@code this != o} */
    public Tensor ne(Tensor o) { return compare(CompareOp.NE, o); }
    /** {@code this != c} */
    public Tensor ne(double c) { return ne(scalarLike(c)); }
    /** {@code this < o} */
    public Tensor lt(Tensor o) { return compare(CompareOp.LT, o); }
    /** {@code this < c} */
    public Tensor lt(double c) { return lt(scalarLike(c)); }
    /** {@code this <= o} */
    public Tensor le(Tensor o) { return compare(CompareOp.LE, o); }
    /** {@code this <= c} */
    public Tensor le(double c) { return le(scalarLike(c)); }
    /** {@code this > o} */
    public Tensor gt(Tensor o) { return compare(CompareOp.GT, o); }
    /** {@code this > c} */
    public Tensor gt(double c) { return gt(scalarLike(c)); }
    /** {@code this >= o} */
    public Tensor ge(Tensor o) { return compare(CompareOp.GE, o); }
    /** {@code this >= c} */
    public Tensor ge(double c) { return ge(scalarLike(c)); }

    /** {@code cond ? a : b} elementwise with broadcasting, as torch.where. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return cond.op(new Op.Where(), a, b);
    }

    /** {@code this ? a : b}, this being a mask. */
    public Tensor where(Tensor a, Tensor b) {
        return where(this, a, b);
    }

    /** {@code this ? a : c}, this being a mask. */
    public Tensor where(Tensor a, double c) {
        return where(this, a, a.scalarLike(c));
    }

    /** {@code torch.Tensor.detach}: the same value, through which no gradient flows ({@link Op.StopGradient}). */
    public Tensor detach() {
        return op(new Op.StopGradient());
    }

    /** This tensor converted to {@code to} ({@link Op.Cast}). */
    public Tensor cast(DType to) {
        return dtype() == to ? this : op(new Op.Cast(to));
    }

    // ---- reductions --------------------------------------------------------------------

    private Tensor reduce(ReduceOp k, Ints axes, boolean keepDims) {
        return op(new Op.Reduce(k, axes, keepDims));
    }

    /** Sum of all elements, a scalar. */
    public Tensor sum() { return reduce(ReduceOp.SUM, allAxes(), false); }
    /** Sum over {@code axis}. */
    public Tensor sum(int axis) { return sum(new int[] {axis}, false); }
    /** Sum over {@code axis}, keeping it with size 1 when {@code keepDim}. */
    public Tensor sum(int axis, boolean keepDim) { return sum(new int[] {axis}, keepDim); }
    /** Sum over {@code axes}. */
    public Tensor sum(int[] axes, boolean keepDim) { return reduce(ReduceOp.SUM, axes(axes), keepDim); }
    /** Mean of all elements. */
    public Tensor mean() { return reduce(ReduceOp.MEAN, allAxes(), false); }
    /** Mean over {@code axis}. */
    public Tensor mean(int axis) { return mean(new int[] {axis}, false); }
    /** Mean over {@code axis}, keeping it when {@code keepDim}. */
    public Tensor mean(int axis, boolean keepDim) { return mean(new int[] {axis}, keepDim); }
    /** Mean over {@code axes}. */
    public Tensor mean(int[] axes, boolean keepDim) { return reduce(ReduceOp.MEAN, axes(axes), keepDim); }
    /** Largest element. */
    public Tensor max() { return reduce(ReduceOp.MAX, allAxes(), false); }
    /** Largest element over {@code axis} (torch.amax). */
    public Tensor max(int axis, boolean keepDim) { return max(new int[] {axis}, keepDim); }
    /** Largest element over {@code axes}. */
    public Tensor max(int[] axes, boolean keepDim) { return reduce(ReduceOp.MAX, axes(axes), keepDim); }
    /** Smallest element. */
    public Tensor min() { return reduce(ReduceOp.MIN, allAxes(), false); }
    /** Smallest element over {@code axis} (torch.amin). */
    public Tensor min(int axis, boolean keepDim) { return min(new int[] {axis}, keepDim); }
    /** Smallest element over {@code axes}. */
    public Tensor min(int[] axes, boolean keepDim) { return reduce(ReduceOp.MIN, axes(axes), keepDim); }

    /** Number of elements over {@code axes} as a scalar of this dtype; resolves symbolic sizes at run time. */
    public Tensor count(int... axes) {
        return op(new Op.Count(axes.length == 0 ? allAxes() : axes(axes)));
    }

    /** Unbiased variance of all elements (torch.var default). */
    public Tensor var() { return var(allAxes().toArray(), true, false); }

    /**
     * Variance over {@code axes}: {@code sum (x - mean)^2 / (n - 1)} when {@code unbiased},
     * else divided by {@code n}.
     */
    public Tensor var(int[] axes, boolean unbiased, boolean keepDim) {
        Tensor centered = sub(mean(axes, true));
        Tensor biased = centered.square().mean(axes, keepDim);
        if (!unbiased) return biased;
        Tensor n = count(axes);
        return biased.mul(n.div(n.sub(1)));
    }

    /** Standard deviation: {@code sqrt(var)}. */
    public Tensor std(int[] axes, boolean unbiased, boolean keepDim) {
        return var(axes, unbiased, keepDim).sqrt();
    }

    /** Index of the largest element along {@code axis} (I32). */
    public Tensor argmax(int axis) { return argmax(axis, false); }
    /** Index of the largest element along {@code axis}, keeping the axis when {@code keepDim}. */
    public Tensor argmax(int axis, boolean keepDim) { return op(new Op.ArgReduce(ArgReduceOp.ARGMAX, ax(axis), keepDim)); }
    /** Index of the smallest element along {@code axis} (I32). */
    public Tensor argmin(int axis) { return argmin(axis, false); }
    /** Index of the smallest element along {@code axis}, keeping the axis when {@code keepDim}. */
    public Tensor argmin(int axis, boolean keepDim) { return op(new Op.ArgReduce(ArgReduceOp.ARGMIN, ax(axis), keepDim)); }

    // ---- issue 14: reductions, scans, sort and indexing along an axis ----

    /** {@code torch.cumsum(x, dim)}: {@code y_i = sum_{j <= i} x_j} along {@code axis} ({@link Op.CumSum}); gradient: the reverse running sum. */
    public Tensor cumsum(int axis) { return cumsum(axis, false); }

    /**
     * The running sum along {@code axis}, from the end when {@code reverse}: {@code y_i = sum_{j >= i} x_j}
     * (PyTorch has no flag for it: {@code x.flip(d).cumsum(d).flip(d)}; it is the gradient of {@link #cumsum(int)}).
     */
    public Tensor cumsum(int axis, boolean reverse) { return op(new Op.CumSum(ax(axis), reverse)); }

    /**
     * {@code torch.cumprod(x, dim)}: {@code y_i = prod_{j <= i} x_j} along {@code axis} ({@link Op.CumProd}). Its gradient
     * {@code dx_k = sum_{i >= k} g_i prod_{j <= i, j != k} x_j} is exact with zeros and negative numbers, as PyTorch's.
     */
    public Tensor cumprod(int axis) { return op(new Op.CumProd(ax(axis))); }

    /** {@code torch.prod(x)}: the product of all elements, a scalar. */
    public Tensor prod() { return prod(allAxes().toArray(), false); }

    /** {@code torch.prod(x, dim, keepdim)}. */
    public Tensor prod(int axis, boolean keepDim) { return prod(new int[] {axis}, keepDim); }

    /**
     * The product over {@code axes} (PyTorch takes one dim; several are the product of the products). A composite:
     * the reduced axes are moved last and merged, and the product is the last element of their {@link #cumprod}, so
     * the gradient is right with zeros: with one zero in a lane its gradient is the product of the others, with two
     * or more every gradient of the lane is 0. The reduced axes must have concrete sizes; an empty product is 1.
     */
    public Tensor prod(int[] axes, boolean keepDim) {
        int[] red = axes(axes).toArray();
        Shape out = ShapeRules.reduced(shape(), Ints.of(red), keepDim);
        int n = 1;
        for (int a : red) {
            if (shape().isSymbolic(a)) throw new ShapeException("prod: reduced axis " + a + " of " + shape() + " is symbolic at node " + id);
            n *= shape().dim(a);
        }
        if (n == 0) return sum(red, keepDim).add(1);
        int[] perm = new int[rank()];
        List<Object> kept = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < rank(); i++) {
            if (!contains(red, i)) {
                perm[k++] = i;
                kept.add(shape().parts().get(i));
            }
        }
        for (int a : red) perm[k++] = a;
        kept.add(n);
        Tensor lanes = permute(perm).reshape(Shape.symbolic(kept.toArray()));
        return lanes.cumprod(-1).slice(-1, n - 1, n).reshape(out);
    }

    private static boolean contains(int[] xs, int v) {
        for (int x : xs) if (x == v) return true;
        return false;
    }

    /** {@code torch.logsumexp(x, dim, keepdim)} over one axis. */
    public Tensor logsumexp(int axis, boolean keepDim) { return logsumexp(new int[] {axis}, keepDim); }

    /**
     * {@code torch.logsumexp(x, dims, keepdim)}: {@code m + log sum exp(x - m)} with {@code m = max x} over the axes,
     * held constant for the gradient (which is {@code softmax(x)} either way), and 0 where the maximum is infinite,
     * so a lane of {@code -inf} gives {@code -inf} and one {@code +inf} gives {@code +inf}, as PyTorch.
     */
    public Tensor logsumexp(int[] axes, boolean keepDim) {
        Tensor m = max(axes, true).detach();
        Tensor shift = m.abs().lt(Double.POSITIVE_INFINITY).where(m, 0);
        Tensor lse = sub(shift).exp().sum(axes, keepDim).log();
        return lse.add(keepDim ? shift : shift.reshape(ShapeRules.reduced(shape(), axes(axes), false)));
    }

    /** {@code torch.norm(x)}: the 2-norm (Frobenius norm) of all elements. */
    public Tensor norm() { return norm(2, null, false); }

    /** {@code torch.norm(x, p)} over all elements. */
    public Tensor norm(double p) { return norm(p, null, false); }

    /**
     * {@code torch.norm(x, p, dim, keepdim)} with a number {@code p}, i.e. {@code torch.linalg.vector_norm}: the elements
     * over {@code dims} (all when null or empty) taken as one vector. {@code p = inf}: {@code max |x|}; {@code -inf}:
     * {@code min |x|} (ties share the gradient evenly, as PyTorch); {@code 0}: the number of non-zeros (no gradient);
     * {@code 1}: {@code sum |x|}; otherwise {@code (sum |x|^p)^(1/p)}. Where the norm is 0 the gradient is 0 (PyTorch
     * masks it the same way) rather than NaN. Matrix norms other than Frobenius ({@code 'nuc'}, or PyTorch's
     * {@code linalg.matrix_norm} with {@code p = 1, inf} over two dims) are not provided.
     */
    public Tensor norm(double p, int[] dims, boolean keepDim) {
        int[] d = dims == null || dims.length == 0 ? allAxes().toArray() : dims;
        Tensor a = abs();
        if (p == Double.POSITIVE_INFINITY) return a.max(d, keepDim);
        if (p == Double.NEGATIVE_INFINITY) return a.min(d, keepDim);
        // sign(|x|) is 1 for a non-zero and 0 for a zero, with PyTorch's zero gradient
        if (p == 0) return a.sign().sum(d, keepDim);
        if (p == 1) return a.sum(d, keepDim);
        Tensor s = p == 2 ? square().sum(d, keepDim) : a.pow(p).sum(d, keepDim);
        // the root's derivative is infinite at 0: take it of 1 there and select 0, so the gradient is 0, not NaN
        Tensor zero = s.eq(0);
        Tensor safe = Tensor.where(zero, s.scalarLike(1), s);
        Tensor root = p == 2 ? safe.sqrt() : safe.pow(1 / p);
        return Tensor.where(zero, s.scalarLike(0), root);
    }

    /** {@code torch.norm(x, p="fro", dim, keepdim)}: {@code "fro"} is the 2-norm over {@code dims}; {@code "nuc"} is not provided. */
    public Tensor norm(String p, int[] dims, boolean keepDim) {
        if (!"fro".equals(p)) throw new IllegalArgumentException("norm: p must be \"fro\" or a number, got \"" + p + "\" at node " + id);
        return norm(2, dims, keepDim);
    }

    /**
     * {@code torch.amax(x, dims, keepdim)}: the same as {@link #max(int[], boolean)}; the gradient is shared evenly among
     * tied maxima, as PyTorch's amax. (PyTorch's {@code max(x, dim)} instead gives it all to the returned index: see
     * {@link #maxWithIndices}.)
     */
    public Tensor amax(int[] axes, boolean keepDim) { return max(axes, keepDim); }

    /** {@code torch.amin(x, dims, keepdim)}: {@link #min(int[], boolean)}, the gradient shared evenly among tied minima. */
    public Tensor amin(int[] axes, boolean keepDim) { return min(axes, keepDim); }

    /**
     * {@code torch.max(x, dim, keepdim)}: {@code {values, indices}} with the first index of the maximum (NaN counts as
     * the maximum). The values are read at that index, so the whole gradient goes to it, as PyTorch's max(dim)
     * does; {@link #amax} shares it among ties instead.
     */
    public Tensor[] maxWithIndices(int axis, boolean keepDim) {
        return withIndices(argmax(axis, true), axis, keepDim);
    }

    /** {@code torch.min(x, dim, keepdim)}: {@code {values, indices}}, the whole gradient to the first minimum (see {@link #maxWithIndices}). */
    public Tensor[] minWithIndices(int axis, boolean keepDim) {
        return withIndices(argmin(axis, true), axis, keepDim);
    }

    private Tensor[] withIndices(Tensor index, int axis, boolean keepDim) {
        Tensor values = gather(axis, index);
        return keepDim ? new Tensor[] {values, index} : new Tensor[] {values.squeeze(ax(axis)), index.squeeze(ax(axis))};
    }

    /** {@code torch.argsort(x, dim)}: ascending and stable. */
    public Tensor argsort(int axis) { return argsort(axis, false); }

    /**
     * {@code torch.argsort(x, dim, descending, stable=True)} ({@link Op.ArgSort}): I32 indices that sort each lane;
     * equal elements keep their order (also when descending) and NaN sorts as the largest value.
     */
    public Tensor argsort(int axis, boolean descending) { return op(new Op.ArgSort(ax(axis), descending)); }

    /**
     * {@code torch.sort(x, dim, descending, stable=True)}: {@code {values, indices}}, the values read at the indices
     * ({@link #takeAlongDim}), so each gets the gradient of the place it moved to.
     */
    public Tensor[] sort(int axis, boolean descending) {
        Tensor index = argsort(axis, descending);
        return new Tensor[] {takeAlongDim(index, axis), index};
    }

    /** {@code torch.topk(x, k)}: the {@code k} largest along the last axis, sorted. */
    public Tensor[] topk(int k) { return topk(k, -1, true, true); }

    /**
     * {@code torch.topk(x, k, dim, largest, sorted)}: {@code {values, indices}} of the {@code k} largest (or smallest)
     * along {@code axis}; a slice of the stable {@link #argsort}. The result is always sorted (PyTorch leaves the order
     * unspecified when {@code sorted} is false), and among equal values the earlier index comes first (PyTorch does
     * not specify which of tied elements it returns). The axis must have a concrete size of at least {@code k}.
     */
    public Tensor[] topk(int k, int axis, boolean largest, boolean sorted) {
        int a = ax(axis);
        if (shape().isSymbolic(a)) throw new ShapeException("topk: axis " + a + " of " + shape() + " is symbolic at node " + id);
        if (k < 0 || k > shape().dim(a)) throw new ShapeException("topk: k = " + k + " is out of range for axis " + a + " of " + shape() + " at node " + id);
        Tensor index = argsort(a, largest).slice(a, 0, k);
        return new Tensor[] {takeAlongDim(index, a), index};
    }

    /**
     * {@code torch.gather(x, dim, index)}: {@code out[i][j][k] = x[i][index[i][j][k]][k]} for {@code dim = 1}, any axis
     * and rank. {@code index} is I32 of the same rank as {@code x}, no larger than {@code x} on the other axes; the result
     * has its shape. A composite: the flat position of each element is computed (the index times the axis stride plus
     * the other coordinates times theirs) and read with {@link Op.Gather} from the flattened tensor, so the gradient is a
     * {@link Op.ScatterAdd}, repeated indices summing. With symbolic sizes (a batch) the tensor cannot be flattened and
     * it is a one-hot selection instead ({@code sum_k where(index == k, x_k, 0)}, O(n) per index). Index values are not range-checked per axis: one outside
     * {@code [0, size)} of the axis reads another element, or fails on the host backends when outside the whole tensor.
     */
    public Tensor gather(int axis, Tensor index) {
        int a = ax(axis);
        if (shape().isConcrete()) return flatten().gather(flatIndex("gather", a, index));
        return gatherOneHot(a, index);
    }

    /**
     * {@link #gather(int, Tensor)} for symbolic sizes, which cannot be flattened: with the axis moved last,
     * {@code out[.., j] = sum_k where(index[.., j] == k, x[.., k], 0)}, O(n m) per lane for an axis of n and m indices.
     */
    private Tensor gatherOneHot(int a, Tensor index) {
        checkIndex("gather", a, index);
        Tensor x = this;
        for (int d = 0; d < rank(); d++) {
            if (d == a || shape().sameDim(d, index.shape(), d)) continue;
            if (shape().isSymbolic(d) || index.shape().isSymbolic(d)) {
                throw new ShapeException("gather: index " + index.shape() + " and " + shape() + " differ on symbolic axis " + d + " at node " + id);
            }
            x = x.slice(d, 0, index.shape().dim(d));
        }
        int last = rank() - 1;
        Tensor xl = x.transpose(a, last).unsqueeze(-2);                 // [.., 1, n]
        Tensor il = index.transpose(a, last).unsqueeze(-1);             // [.., m, 1]
        Object[] parts = new Object[rank() + 1];
        java.util.Arrays.fill(parts, 1);
        parts[rank()] = shape().parts().get(a);
        Tensor k = coordinate(b.scalar(0, DType.I32).broadcastTo(Shape.symbolic(parts)), rank()); // [1.., 1, n]
        return Tensor.where(il.eq(k), xl, xl.scalarLike(0)).sum(-1).transpose(a, last);
    }

    /**
     * {@code torch.take_along_dim(x, indices, dim)}: as {@link #gather(int, Tensor)}, but {@code x} and {@code indices}
     * broadcast against each other on every axis but {@code axis} first.
     */
    public Tensor takeAlongDim(Tensor indices, int axis) {
        int a = ax(axis);
        if (indices.rank() != rank()) {
            throw new ShapeException("take_along_dim: indices " + indices.shape() + " must have the rank of " + shape() + " at node " + id);
        }
        Object[] xs = new Object[rank()], is = new Object[rank()];
        for (int d = 0; d < rank(); d++) {
            Object px = shape().parts().get(d), pi = indices.shape().parts().get(d);
            Object both = Integer.valueOf(1).equals(px) ? pi : px;
            xs[d] = d == a ? px : both;
            is[d] = d == a ? pi : both;
        }
        return broadcastTo(Shape.symbolic(xs)).gather(a, indices.broadcastTo(Shape.symbolic(is)));
    }

    /** {@code torch.take_along_dim(x, indices)} without a dim: {@code x.flatten()[indices.flatten()]}. */
    public Tensor takeAlongDim(Tensor indices) {
        return flatten().gather(0, indices.flatten());
    }

    /**
     * {@code torch.scatter(x, dim, index, src)}: a copy of {@code x} with {@code out[i][index[i][j]][k] = src[i][j][k]}
     * ({@code dim = 1}); {@code src} has {@code index}'s shape. Where an index repeats PyTorch keeps one of the values,
     * unspecified which; here they are summed. Composite of {@link Op.ScatterAdd} and {@link #where}: {@code x} needs
     * concrete sizes. Gradient: {@code g} where nothing was written for {@code x}, {@code g} at the index for {@code src}.
     */
    public Tensor scatter(int axis, Tensor index, Tensor src) {
        Tensor fi = flatIndex("scatter", ax(axis), index);
        int n = concreteSize("scatter");
        Tensor written = src.broadcastTo(index.shape()).scatterAdd(fi, n).reshape(shape());
        return Tensor.where(hit(fi, n), written, this);
    }

    /** {@code torch.scatter(x, dim, index, value)}: a copy of {@code x} with {@code value} at the places {@code index} names. */
    public Tensor scatter(int axis, Tensor index, double value) {
        Tensor fi = flatIndex("scatter", ax(axis), index);
        return Tensor.where(hit(fi, concreteSize("scatter")), scalarLike(value), this);
    }

    /**
     * {@code torch.scatter_add(x, dim, index, src)}: {@code x} plus {@code src} added at {@code out[i][index[i][j]][k]}
     * ({@code dim = 1}), repeated indices summing; {@code src} has {@code index}'s shape and {@code x} concrete sizes.
     */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        Tensor fi = flatIndex("scatter_add", ax(axis), index);
        return add(src.broadcastTo(index.shape()).scatterAdd(fi, concreteSize("scatter_add")).reshape(shape()));
    }

    private Tensor hit(Tensor flatIndex, int n) {
        return scalarLike(1).broadcastTo(flatIndex.shape()).scatterAdd(flatIndex, n).reshape(shape()).gt(0);
    }

    private int concreteSize(String name) {
        if (!shape().isConcrete()) throw new ShapeException(name + ": needs concrete sizes, got " + shape() + " at node " + id);
        return shape().sizeInt();
    }

    /**
     * The position in this tensor flattened of each element of {@code index} read along {@code axis}:
     * {@code sum_d c_d * stride_d}, with {@code c_axis = index} and {@code c_d} the element's own coordinate otherwise.
     * Coordinates are small I32 constants broadcast along their axis (a running sum of ones for a symbolic axis of
     * the index), strides are constants; exact below {@code 2^24} elements (backends hold integers as floats).
     */
    private Tensor flatIndex(String name, int axis, Tensor index) {
        checkIndex(name, axis, index);
        if (!shape().isConcrete()) throw new ShapeException(name + ": needs concrete sizes, got " + shape() + " at node " + id);
        Tensor flat = null;
        long stride = 1;
        for (int d = rank() - 1; d >= 0; d--) {
            Tensor c = d == axis ? index : coordinate(index, d);
            Tensor term = stride == 1 ? c : c.mul(b.scalar(stride, DType.I32));
            flat = flat == null ? term : term.add(flat);
            stride *= shape().dim(d);
        }
        return flat.broadcastTo(index.shape());
    }

    private void checkIndex(String name, int axis, Tensor index) {
        if (index.dtype() != DType.I32) throw new ShapeException(name + ": index must be i32, got " + index.dtype().label() + index.shape() + " at node " + index.id());
        if (index.rank() != rank()) {
            throw new ShapeException(name + ": index " + index.shape() + " must have the rank of " + shape() + " at node " + id);
        }
        for (int d = 0; d < rank(); d++) {
            if (d == axis || shape().isSymbolic(d) || index.shape().isSymbolic(d)) continue;
            if (index.shape().dim(d) > shape().dim(d)) {
                throw new ShapeException(name + ": index " + index.shape() + " is larger than " + shape() + " on axis " + d + " at node " + id);
            }
        }
    }

    /** {@code 0, 1, ...} along axis {@code d} of {@code like}, size 1 on the other axes. */
    private Tensor coordinate(Tensor like, int d) {
        Object[] parts = new Object[like.rank()];
        java.util.Arrays.fill(parts, 1);
        parts[d] = like.shape().parts().get(d);
        if (!like.shape().isSymbolic(d)) {
            int n = like.shape().dim(d);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = i;
            return b.constant(HostTensor.fromDoubles(DType.I32, Shape.symbolic(parts), v));
        }
        Tensor ones = b.scalar(1, DType.I32).broadcastTo(Shape.symbolic(parts[d]));
        return ones.cumsum(0).sub(1).reshape(Shape.symbolic(parts));
    }

    // ---- linear algebra ----------------------------------------------------------------

    /** {@code torch.matmul(this, o)}. */
    public Tensor matmul(Tensor o) { return op(new Op.MatMul(), o); }

    // ---- shape ops ---------------------------------------------------------------------

    /** Same elements under a new shape given as sizes, symbol names and at most one -1. */
    public Tensor reshapeSymbolic(Object... spec) {
        return reshape(ShapeRules.resolveReshape(shape(), spec));
    }

    /**
     * Same elements under a new shape; one size may be -1 and is inferred, also when it is
     * a symbolic size: {@code [B,28,28].reshape(-1, 784)} is {@code [B,784]}.
     */
    public Tensor reshape(int... spec) {
        Object[] o = new Object[spec.length];
        for (int i = 0; i < o.length; i++) o[i] = spec[i];
        return reshapeSymbolic(o);
    }

    /** Same elements under {@code target}. */
    public Tensor reshape(Shape target) {
        return target.equals(shape()) ? this : op(new Op.Reshape(target));
    }

    /** Rank-1 view of all elements. */
    public Tensor flatten() { return reshape(-1); }

    /** Axes {@code start..end} (inclusive) merged into one, as torch.flatten. */
    public Tensor flatten(int start, int end) {
        int s = ax(start), e = ax(end);
        List<Object> p = shape().parts();
        List<Object> out = new ArrayList<>(p.subList(0, s));
        out.add(-1);
        out.addAll(p.subList(e + 1, p.size()));
        // -1 is resolved from the total, so the merged axes may include one symbolic size.
        return reshapeSymbolic(out.toArray());
    }

    /** Removes every axis of size 1. */
    public Tensor squeeze() {
        List<Object> out = new ArrayList<>();
        for (Object o : shape().parts()) if (!Integer.valueOf(1).equals(o)) out.add(o);
        return reshape(Shape.symbolic(out.toArray()));
    }

    /** Removes {@code axis}, which must have size 1 (as torch, a no-op otherwise). */
    public Tensor squeeze(int axis) {
        int a = ax(axis);
        return shape().isOne(a) ? reshape(shape().remove(a)) : this;
    }

    /** Inserts an axis of size 1 at {@code axis} (-1 appends). */
    public Tensor unsqueeze(int axis) {
        int r = rank() + 1;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) throw new ShapeException("unsqueeze: axis " + axis + " out of range for " + shape() + " at node " + id);
        return reshape(shape().insert(a, 1));
    }

    /** Axis {@code i} of the result is axis {@code perm[i]} of this tensor. */
    public Tensor permute(int... perm) {
        int[] p = new int[perm.length];
        boolean identity = perm.length == rank();
        for (int i = 0; i < p.length; i++) {
            p[i] = perm[i] < 0 ? perm[i] + rank() : perm[i];
            identity &= p[i] == i;
        }
        return identity ? this : op(new Op.Permute(Ints.of(p)));
    }

    /** Swaps axes {@code a} and {@code b}. */
    public Tensor transpose(int a, int b) {
        int[] p = new int[rank()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        int x = ax(a), y = ax(b);
        p[x] = y;
        p[y] = x;
        return permute(p);
    }

    /** Transpose of the last two axes (torch's {@code mT}). */
    public Tensor mT() {
        return transpose(-2, -1);
    }

    /** Broadcast to dimensions given as sizes and symbol names; -1 keeps an axis. */
    public Tensor expand(Object... dims) {
        Object[] d = dims.clone();
        int off = d.length - rank();
        for (int i = 0; i < d.length; i++) {
            if (Integer.valueOf(-1).equals(d[i])) {
                if (i < off) throw new ShapeException("expand: -1 is not allowed for a new axis " + i + " at node " + id);
                d[i] = shape().parts().get(i - off);
            }
        }
        return broadcastTo(Shape.symbolic(d));
    }

    /** Broadcast to {@code target}. */
    public Tensor broadcastTo(Shape target) {
        return target.equals(shape()) ? this : op(new Op.Expand(target));
    }

    /** Elements {@code start..end-1} along {@code axis}; negative indices count from the end, out-of-range ones clamp (Python slicing). */
    public Tensor slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code axis}, as Python slicing with step >= 1. */
    public Tensor slice(int axis, int start, int end, int step) {
        int a = ax(axis);
        if (shape().isSymbolic(a)) throw new ShapeException("slice: axis " + a + " of " + shape() + " is symbolic at node " + id);
        int n = shape().dim(a);
        int s = clampIndex(start, n), e = Math.max(s, clampIndex(end, n));
        if (s == 0 && e == n && step == 1) return this;
        return op(new Op.Slice(a, s, e, step));
    }

    private static int clampIndex(int i, int n) {
        int j = i < 0 ? i + n : i;
        return Math.max(0, Math.min(n, j));
    }

    /** {@code length} elements from {@code start} along {@code axis}. */
    public Tensor narrow(int axis, int start, int length) {
        return slice(axis, start, start + length);
    }

    /** The sub-tensor at {@code index} of {@code axis}, that axis removed. */
    public Tensor select(int axis, int index) {
        int a = ax(axis);
        int n = shape().dim(a);
        int i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) throw new ShapeException("select: index " + index + " out of range for axis " + a + " of " + shape() + " at node " + id);
        return slice(a, i, i + 1).squeeze(a);
    }

    // ---- issue 14: shape and indexing ----

    /**
     * {@code torch.nn.functional.pad(x, pads)}: constant padding with zeros. {@code pads} holds
     * {@code (left, right)} pairs starting from the last axis, as PyTorch's tuple; negative pads crop.
     */
    public Tensor pad(int... pads) {
        return pad(pads, "constant", 0);
    }

    /** {@code torch.nn.functional.pad(x, pads, mode)} with {@code value = 0}; see {@link #pad(int[], String, double)}. */
    public Tensor pad(int[] pads, String mode) {
        return pad(pads, mode, 0);
    }

    /**
     * {@code torch.nn.functional.pad(x, pads, mode, value)}. {@code pads = (l_last, r_last, l_last-1,
     * r_last-1, ...)} pads the last {@code pads.length / 2} axes; along an axis of size {@code n} with
     * pads {@code (l, r)} the output has {@code l + n + r} elements and output position {@code k}
     * reads input index {@code i = k - l} mapped by the mode:
     * <ul>
     * <li>{@code "constant"}: {@code x[i]} for {@code 0 <= i < n}, else {@code value};</li>
     * <li>{@code "reflect"}: {@code x[|i|]}, and {@code x[2(n-1) - i]} for {@code i >= n}; needs {@code l, r < n};</li>
     * <li>{@code "replicate"}: {@code x[clamp(i, 0, n-1)]};</li>
     * <li>{@code "circular"}: negative pads crop first to {@code m} elements, then
     *     {@code x'[i mod m]} of the cropped {@code x'}; needs {@code l, r <= m}.</li>
     * </ul>
     * A negative pad crops in every mode. Composite: slices and concats with a constant (constant
     * mode), {@link #indexSelect} with constant indices (the others). Unlike PyTorch 1.13, which
     * restricts the non-constant modes to 2-D to 5-D inputs padded on all but the first one or two
     * axes, any rank and any number of padded axes ({@code <= rank}) is accepted here; a padded axis
     * must not be symbolic.
     */
    public Tensor pad(int[] pads, String mode, double value) {
        return Padding.pad(this, pads, mode, value);
    }

    /**
     * {@code torch.flip(x, dims)}: the order of the elements reversed along each of {@code dims},
     * {@code y[..., i, ...] = x[..., n-1-i, ...]}. Composite: {@link #indexSelect} with reversed
     * constant indices per axis ({@link Op.Slice} has no negative step).
     */
    public Tensor flip(int... dims) {
        Tensor y = this;
        boolean[] seen = new boolean[rank()];
        for (int d : dims) {
            int a = ax(d);
            if (seen[a]) throw new ShapeException("flip: axis " + a + " appears twice in " + Arrays.toString(dims) + " at node " + id);
            seen[a] = true;
            int n = concreteDim("flip", a);
            if (n <= 1) continue;
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = n - 1 - i;
            y = y.indexSelect(a, idx);
        }
        return y;
    }

    /**
     * {@code torch.roll(x, shift)} without dims: the elements rolled in flattened (row-major) order,
     * {@code y.flatten()[(i + shift) mod N] = x.flatten()[i]}, then given this shape back.
     */
    public Tensor roll(int shift) {
        if (!shape().isConcrete()) throw new ShapeException("roll: cannot roll the flattened symbolic shape " + shape() + " at node " + id);
        if (rank() == 0) return this;
        return flatten().roll(shift, 0).reshape(shape());
    }

    /** {@code torch.roll(x, shift, dim)}: {@code y[..., (i + shift) mod n, ...] = x[..., i, ...]}; shifts may be negative. */
    public Tensor roll(int shift, int dim) {
        return roll(new int[] {shift}, new int[] {dim});
    }

    /**
     * {@code torch.roll(x, shifts, dims)}: rolls along {@code dims[k]} by {@code shifts[k]} for each
     * {@code k} (an axis may appear more than once: its shifts add). Composite: two slices and a concat per axis.
     */
    public Tensor roll(int[] shifts, int[] dims) {
        if (shifts.length != dims.length || dims.length == 0) {
            throw new ShapeException("roll: shifts and dims must align, got " + shifts.length + " shifts and " + dims.length + " dims at node " + id);
        }
        Tensor y = this;
        for (int k = 0; k < dims.length; k++) {
            int a = ax(dims[k]);
            int n = concreteDim("roll", a);
            if (n == 0) continue;
            int s = Math.floorMod(shifts[k], n);
            if (s == 0) continue;
            y = concat(a, y.slice(a, n - s, n), y.slice(a, 0, n - s));
        }
        return y;
    }

    /**
     * {@code torch.Tensor.repeat(sizes)}: this tensor tiled {@code sizes[i]} times along axis {@code i},
     * {@code y[i_0, ..] = x[i_0 mod d_0, ..]} with output sizes {@code d_i sizes[i]}; when {@code sizes}
     * is longer than the rank, this tensor is first viewed with leading axes of size 1 (as PyTorch).
     * Composite: reshape, expand, reshape. A symbolic axis must have a repeat of 1.
     */
    public Tensor repeat(int... sizes) {
        if (sizes.length < rank()) {
            throw new ShapeException("repeat: " + sizes.length + " repeat sizes " + Arrays.toString(sizes)
                    + " are fewer than the " + rank() + " axes of " + shape() + " at node " + id);
        }
        int extra = sizes.length - rank();
        List<Object> parts = shape().parts();
        Object[] interleaved = new Object[2 * sizes.length], expanded = new Object[2 * sizes.length], merged = new Object[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            Object d = i < extra ? (Object) 1 : parts.get(i - extra);
            if (sizes[i] < 0) throw new ShapeException("repeat: size " + sizes[i] + " for axis " + i + " is negative at node " + id);
            interleaved[2 * i] = 1;
            interleaved[2 * i + 1] = d;
            expanded[2 * i] = sizes[i];
            expanded[2 * i + 1] = d;
            if (sizes[i] == 1) merged[i] = d;
            else if (d instanceof Integer n) merged[i] = sizes[i] * n;
            else throw new ShapeException("repeat: cannot repeat the symbolic axis " + (i - extra) + " of " + shape() + " " + sizes[i] + " times at node " + id);
        }
        return reshape(Shape.symbolic(interleaved)).broadcastTo(Shape.symbolic(expanded)).reshape(Shape.symbolic(merged));
    }

    /**
     * {@code torch.tile(x, dims)}: {@link #repeat}, except that a {@code dims} shorter than the rank
     * is first padded with leading ones ({@code tile(2)} of a matrix repeats its last axis).
     */
    public Tensor tile(int... dims) {
        if (dims.length >= rank()) return repeat(dims);
        int[] d = new int[rank()];
        Arrays.fill(d, 1);
        System.arraycopy(dims, 0, d, rank() - dims.length, dims.length);
        return repeat(d);
    }

    /** {@code torch.tril(x)}: the lower triangle with the main diagonal, see {@link #tril(int)}. */
    public Tensor tril() {
        return tril(0);
    }

    /**
     * {@code torch.tril(x, diagonal)} on the last two axes {@code [m, n]} (leading axes are a batch):
     * {@code y[.., i, j] = x[.., i, j]} where {@code j - i <= diagonal}, else 0. Composite: {@code where}
     * with a constant mask (so an infinite or NaN element above the diagonal still gives 0).
     */
    public Tensor tril(int diagonal) {
        return triangle("tril", diagonal, true);
    }

    /** {@code torch.triu(x)}: the upper triangle with the main diagonal, see {@link #triu(int)}. */
    public Tensor triu() {
        return triu(0);
    }

    /** {@code torch.triu(x, diagonal)}: {@code y[.., i, j] = x[.., i, j]} where {@code j - i >= diagonal}, else 0 (last two axes). */
    public Tensor triu(int diagonal) {
        return triangle("triu", diagonal, false);
    }

    private Tensor triangle(String name, int k, boolean lower) {
        if (rank() < 2) throw new ShapeException(name + ": needs at least 2 axes, got " + shape() + " at node " + id);
        int m = concreteDim(name, rank() - 2), n = concreteDim(name, rank() - 1);
        float[] mask = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) mask[i * n + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
        }
        return where(b.constant(HostTensor.of(DType.BOOL, Shape.of(m, n), mask)), this, scalarLike(0));
    }

    /**
     * {@code torch.chunk(x, chunks, dim)}: {@link #split(int, int)} with size {@code ceil(n / chunks)},
     * so, as in PyTorch, fewer than {@code chunks} pieces may come back (6 elements in 4 chunks give 3 of 2).
     */
    public List<Tensor> chunk(int chunks, int dim) {
        if (chunks <= 0) throw new ShapeException("chunk: chunks must be > 0, got " + chunks + " at node " + id);
        int a = ax(dim);
        int n = concreteDim("chunk", a);
        return split(Math.max(1, (n + chunks - 1) / chunks), a);
    }

    /** {@code torch.split(x, splitSize, dim)}: pieces of {@code splitSize} along {@code dim}, the last one smaller when it does not divide. */
    public List<Tensor> split(int splitSize, int dim) {
        int a = ax(dim);
        int n = concreteDim("split", a);
        if (splitSize <= 0 && !(splitSize == 0 && n == 0)) {
            throw new ShapeException("split: split size must be > 0, got " + splitSize + " for axis " + a + " of " + shape() + " at node " + id);
        }
        List<Tensor> out = new ArrayList<>();
        if (n == 0) out.add(this);
        for (int s = 0; s < n; s += splitSize) out.add(slice(a, s, Math.min(n, s + splitSize)));
        return out;
    }

    /** {@code torch.split(x, sizes, dim)} (split_with_sizes): consecutive pieces of {@code sizes[k]} elements, which must sum to the axis size. */
    public List<Tensor> split(int[] sizes, int dim) {
        int a = ax(dim);
        int n = concreteDim("split", a);
        long sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new ShapeException("split: negative size in " + Arrays.toString(sizes) + " at node " + id);
            sum += s;
        }
        if (sum != n) {
            throw new ShapeException("split: sizes " + Arrays.toString(sizes) + " sum to " + sum + " but axis " + a + " of " + shape() + " has " + n + " at node " + id);
        }
        List<Tensor> out = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            out.add(slice(a, start, start + s));
            start += s;
        }
        return out;
    }

    /**
     * {@code torch.unflatten(x, dim, sizes)}: axis {@code dim} replaced by axes of {@code sizes}, whose
     * product must be its size; one size may be -1 and is inferred (also from a symbolic size).
     */
    public Tensor unflatten(int dim, int... sizes) {
        int a = ax(dim);
        if (sizes.length == 0) throw new ShapeException("unflatten: no sizes for axis " + a + " of " + shape() + " at node " + id);
        int inferred = 0;
        long product = 1;
        for (int s : sizes) {
            if (s == -1) inferred++;
            else if (s < 0) throw new ShapeException("unflatten: invalid size " + s + " in " + Arrays.toString(sizes) + " at node " + id);
            else product *= s;
        }
        if (inferred > 1) throw new ShapeException("unflatten: more than one -1 in " + Arrays.toString(sizes) + " at node " + id);
        if (!shape().isSymbolic(a)) {
            int n = shape().dim(a);
            if (inferred == 0 ? product != n : product == 0 || n % product != 0) {
                throw new ShapeException("unflatten: sizes " + Arrays.toString(sizes) + " do not multiply up to the size " + n
                        + " of axis " + a + " of " + shape() + " at node " + id);
            }
        } else if (inferred == 0) {
            throw new ShapeException("unflatten: axis " + a + " of " + shape() + " is symbolic, so sizes " + Arrays.toString(sizes) + " need a -1 at node " + id);
        }
        // Every other axis keeps its size or symbol, so a -1 is resolved against axis a alone.
        List<Object> parts = new ArrayList<>(shape().parts());
        parts.remove(a);
        for (int i = sizes.length - 1; i >= 0; i--) parts.add(a, sizes[i]);
        return reshapeSymbolic(parts.toArray());
    }

    /**
     * {@code torch.index_select(x, dim, index)}: {@code y[.., k, ..] = x[.., index[k], ..]} along {@code dim},
     * {@code index} an I32 vector (or scalar, giving one element). Composite: {@link #gather} on the axis
     * moved to the front, then moved back. An index outside {@code [0, n)} is an error at run time on the host backends.
     */
    public Tensor indexSelect(int dim, Tensor index) {
        int a = ax(dim);
        if (index.dtype() != DType.I32) throw new ShapeException("index_select: the index must be i32, got " + index.dtype().label() + index.shape() + " at node " + index.id());
        if (index.rank() > 1) throw new ShapeException("index_select: the index must be a vector, got " + index.shape() + " at node " + index.id());
        Tensor idx = index.rank() == 0 ? index.reshape(1) : index;
        int r = rank();
        int[] front = new int[r], back = new int[r];
        front[0] = a;
        for (int i = 0, k = 1; i < r; i++) if (i != a) front[k++] = i;
        for (int i = 0; i < r; i++) back[i] = i < a ? i + 1 : i == a ? 0 : i;
        return permute(front).gather(idx).permute(back);
    }

    /** {@link #indexSelect(int, Tensor)} with constant indices, checked against the axis size here. */
    public Tensor indexSelect(int dim, int... indices) {
        int a = ax(dim);
        if (!shape().isSymbolic(a)) {
            int n = shape().dim(a);
            for (int i : indices) {
                if (i < 0 || i >= n) throw new ShapeException("index_select: index " + i + " out of range for axis " + a + " of " + shape() + " at node " + id);
            }
        }
        return indexSelect(a, b.constant(HostTensor.ofInts(indices, indices.length)));
    }

    /**
     * {@code torch.Tensor.masked_fill(mask, value)}: {@code value} where the bool {@code mask} is true, else
     * this tensor's element; the mask broadcasts to this tensor's shape (never the other way, as PyTorch).
     * Composite: {@code where}. No gradient reaches the filled elements.
     */
    public Tensor maskedFill(Tensor mask, double value) {
        return maskedFill(mask, scalarLike(value));
    }

    /** {@code torch.Tensor.masked_fill(mask, value)} with a 0-d {@code value} tensor of this dtype (it receives the gradient of the filled elements). */
    public Tensor maskedFill(Tensor mask, Tensor value) {
        if (mask.dtype() != DType.BOOL) {
            throw new ShapeException("masked_fill: the mask must be a bool mask, got " + mask.dtype().label() + mask.shape() + " at node " + mask.id());
        }
        if (value.rank() != 0) throw new ShapeException("masked_fill: the value must be 0-d, got " + value.shape() + " at node " + value.id());
        Tensor y = where(mask, value, this);
        if (!y.shape().equals(shape())) {
            throw new ShapeException("masked_fill: the mask " + mask.shape() + " does not broadcast to the shape " + shape() + " of node " + id);
        }
        return y;
    }

    /**
     * {@code torch.einsum(equation, operands)}, e.g. {@code "ij,jk->ik"}, {@code "bhqd,bhkd->bhqk"},
     * {@code "ii->i"} or {@code "ij"} (implicit output: the subscripts that appear once, in alphabetical
     * order, upper case first). Lowered to permutes, reshapes, sums, broadcasting multiplies and batched
     * matmuls, contracting the operands left to right; repeated subscripts in one operand take a
     * diagonal. Differences from PyTorch: no ellipsis {@code "..."}, and a subscript must have the same
     * size in every operand (no size-1 broadcasting).
     */
    public static Tensor einsum(String equation, Tensor... operands) {
        return Einsum.einsum(equation, operands);
    }

    private int concreteDim(String name, int a) {
        if (shape().isSymbolic(a)) throw new ShapeException(name + ": axis " + a + " of " + shape() + " is symbolic at node " + id);
        return shape().dim(a);
    }

    /** Tensors joined along {@code axis}. */
    public static Tensor concat(int axis, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("concat: no tensors");
        if (ts.length == 1) return ts[0];
        Tensor first = ts[0];
        Tensor[] rest = Arrays.copyOfRange(ts, 1, ts.length);
        return first.op(new Op.Concat(first.ax(axis)), rest);
    }

    /** Tensors of equal shape stacked along a new {@code axis}. */
    public static Tensor stack(int axis, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("stack: no tensors");
        Tensor[] u = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            if (!ts[i].shape().equals(ts[0].shape())) {
                throw new ShapeException("stack: tensor " + i + " has shape " + ts[i].shape() + " but tensor 0 has " + ts[0].shape());
            }
            u[i] = ts[i].unsqueeze(axis);
        }
        return concat(axis < 0 ? axis : axis, u);
    }

    // ---- normalisation -----------------------------------------------------------------

    /** Softmax along {@code axis}, computed stably. */
    public Tensor softmax(int axis) { return op(new Op.Softmax(ax(axis))); }

    /** Log-softmax along {@code axis}, computed stably. */
    public Tensor logSoftmax(int axis) { return op(new Op.LogSoftmax(ax(axis))); }

    /**
     * {@code (x - mean(x, axes)) / sqrt(var(x, axes) + eps)} with the biased variance over
     * {@code axes} (negative axes count from the end), one primitive ({@link Op.Normalize}).
     */
    public Tensor normalize(int[] axes, double eps) {
        if (axes.length == 0) throw new ShapeException("normalize: needs at least one axis at node " + id);
        return op(new Op.Normalize(axes(axes), eps));
    }

    /**
     * {@code torch.nn.functional.layer_norm}: normalises over the last {@code normalizedRank}
     * axes, then multiplies by {@code weight} and adds {@code bias} (each may be null, else of
     * the shape of those axes).
     */
    public Tensor layerNorm(int normalizedRank, Tensor weight, Tensor bias, double eps) {
        if (normalizedRank < 1 || normalizedRank > rank()) {
            throw new ShapeException("layer_norm: cannot normalise the last " + normalizedRank + " axes of " + shape() + " at node " + id);
        }
        int[] axes = new int[normalizedRank];
        for (int i = 0; i < axes.length; i++) axes[i] = rank() - normalizedRank + i;
        Tensor y = normalize(axes, eps);
        if (weight != null) y = y.mul(weight);
        return bias == null ? y : y.add(bias);
    }

    // ---- indexing ----------------------------------------------------------------------

    /** Rows of this table {@code [V, D...]} picked by I32 {@code indices [I...]}: {@code [I..., D...]} ({@link Op.Gather}). */
    public Tensor gather(Tensor indices) {
        return op(new Op.Gather(), indices);
    }

    /** The embedding lookup {@code table[indices]}, as {@code torch.nn.functional.embedding}. */
    public static Tensor embedding(Tensor table, Tensor indices) {
        return table.gather(indices);
    }

    /**
     * Zeros of {@code [size, D...]} with this tensor's rows {@code [I..., D...]} added at the
     * rows {@code indices [I...]} name ({@link Op.ScatterAdd}, the adjoint of {@link #gather}).
     */
    public Tensor scatterAdd(Tensor indices, int size) {
        return op(new Op.ScatterAdd(size), indices);
    }

    // ---- convolution and pooling (NCHW) --------------------------------------------------

    /** {@code conv2d(x, weight)} with {@code weight [O, C/groups, kh, kw]} ({@link Op.Conv2d}); no bias. */
    public Tensor conv2d(Tensor weight, ConvGeometry geometry) {
        return op(new Op.Conv2d(geometry), weight);
    }

    /** {@code conv_transpose2d(x, weight)} with {@code weight [Cin, Cout/groups, kh, kw]} ({@link Op.ConvTranspose2d}); no bias. */
    public Tensor convTranspose2d(Tensor weight, ConvGeometry geometry, int outputPaddingH, int outputPaddingW) {
        return op(new Op.ConvTranspose2d(geometry, outputPaddingH, outputPaddingW), weight);
    }

    /** The kernel gradient of {@code conv2d(this, w)} for the output gradient {@code grad} ({@link Op.Conv2dWeightGrad}). */
    public Tensor conv2dWeightGrad(Tensor grad, ConvGeometry geometry, int kernelH, int kernelW) {
        return op(new Op.Conv2dWeightGrad(geometry, kernelH, kernelW), grad);
    }

    /** {@code u} at the arg-max of this tensor in each pooling window ({@link Op.MaxPoolSelect}). */
    public Tensor maxPoolSelect(Tensor u, PoolWindow window) {
        return op(new Op.MaxPoolSelect(window), u);
    }

    /** {@code grad} routed to the arg-max of this tensor in each pooling window ({@link Op.MaxPoolScatter}). */
    public Tensor maxPoolScatter(Tensor grad, PoolWindow window) {
        return op(new Op.MaxPoolScatter(window), grad);
    }

    /** {@code torch.nn.functional.max_pool2d} (and adaptive_max_pool2d): {@code maxPoolSelect(this, this)}. */
    public Tensor maxPool2d(PoolWindow window) {
        return maxPoolSelect(this, window);
    }

    // ---- issue 14: activations (composites, as torch.nn.functional) ----

    /** {@code torch.nn.functional.hardtanh}: {@code clamp(x, min, max)}; NaN stays NaN. */
    public Tensor hardtanh(double min, double max) { return clamp(min, max); }

    /** {@code torch.nn.functional.relu6}: {@code min(max(x, 0), 6)}. */
    public Tensor relu6() { return clamp(0, 6); }

    /** {@code torch.nn.functional.hardsigmoid}: {@code relu6(x + 3) / 6}. */
    public Tensor hardsigmoid() { return add(3).clamp(0, 6).div(6); }

    /** {@code torch.nn.functional.hardswish}: {@code x relu6(x + 3) / 6}. */
    public Tensor hardswish() { return mul(hardsigmoid()); }

    /**
     * {@code torch.nn.functional.selu}: {@code scale elu(x, alpha)} with PyTorch's constants
     * {@code alpha = 1.6732632423543772}, {@code scale = 1.0507009873554805}.
     */
    public Tensor selu() { return elu(1.6732632423543772848170429916717).mul(1.0507009873554804934193349852946); }

    /** {@code torch.nn.functional.celu}: {@code max(0, x) + min(0, alpha (exp(x / alpha) - 1))}, i.e. {@code alpha elu(x / alpha)}. */
    public Tensor celu(double alpha) {
        if (alpha == 0) throw new IllegalArgumentException("celu: alpha must not be 0 at node " + id);
        return alpha == 1 ? elu(1) : div(alpha).elu(1).mul(alpha);
    }

    /** {@code torch.nn.functional.mish}: {@code x tanh(softplus(x))}. */
    public Tensor mish() { return mul(softplus().tanh()); }

    /** {@code torch.nn.functional.softsign}: {@code x / (1 + |x|)}. */
    public Tensor softsign() { return div(abs().add(1)); }

    /** {@code torch.nn.functional.logsigmoid}: {@code log(sigmoid(x)) = -softplus(-x)}, stable for large {@code |x|}. */
    public Tensor logSigmoid() { return neg().softplus().neg(); }

    /**
     * {@code torch.nn.functional.glu}: the halves {@code a, b} of {@code axis} (whose size must be
     * even) give {@code a sigmoid(b)}.
     */
    public Tensor glu(int axis) {
        int a = ax(axis);
        if (shape().isSymbolic(a) || shape().dim(a) % 2 != 0) {
            throw new ShapeException("glu: axis " + axis + " of " + shape() + " must have a concrete even size at node " + id);
        }
        int h = shape().dim(a) / 2;
        return slice(a, 0, h).mul(slice(a, h, 2 * h).sigmoid());
    }

    /** {@code torch.nn.functional.threshold}: {@code value} where {@code x <= threshold}, else {@code x} (so NaN stays NaN). */
    public Tensor threshold(double threshold, double value) {
        return where(le(threshold), scalarLike(value), this);
    }

    /**
     * {@code torch.nn.functional.prelu}: {@code x} where {@code x >= 0}, else {@code weight x};
     * {@code weight} has one element or one per channel (axis 1).
     */
    public Tensor prelu(Tensor weight) {
        Tensor w = weight;
        if (weight.rank() != 1) throw new ShapeException("prelu: weight must have rank 1, got " + weight.shape() + " at node " + weight.id());
        if (weight.shape().dim(0) != 1) {
            if (rank() < 2 || shape().isSymbolic(1) || shape().dim(1) != weight.shape().dim(0)) {
                throw new ShapeException("prelu: " + weight.shape().dim(0) + " weights need " + weight.shape().dim(0)
                        + " channels on axis 1, got " + shape() + " at node " + id);
            }
            int[] dims = new int[rank()];
            Arrays.fill(dims, 1);
            dims[1] = weight.shape().dim(0);
            w = weight.reshape(dims);
        } else if (rank() == 0) {
            w = weight.reshape(Shape.scalar());
        }
        return where(ge(0), this, mul(w));
    }

    // ---- dropout -----------------------------------------------------------------------

    /**
     * An F32 dropout mask of this tensor's shape: {@code 1/(1-p)} where kept, 0 where dropped,
     * drawn from the I32 scalar {@code seed} and the {@code salt} ({@link Op.DropoutMask}).
     */
    public Tensor dropoutMask(double p, long salt, Tensor seed) {
        return op(new Op.DropoutMask(p, salt), seed);
    }

    /** Inverted dropout: {@code x * dropoutMask(p, salt, seed)}. */
    public Tensor dropout(double p, long salt, Tensor seed) {
        return mul(dropoutMask(p, salt, seed).cast(dtype()));
    }

    @Override
    public String toString() {
        return "Tensor" + node();
    }
}
