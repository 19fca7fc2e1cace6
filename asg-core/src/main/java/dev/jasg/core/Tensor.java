package dev.jasg.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A symbolic tensor: a thin handle on one node of a {@link GraphBuilder}. Every method adds
 * nodes and returns a new handle; nothing is computed until a backend runs the graph.
 * Methods follow PyTorch names and semantics; negative axes count from the end.
 * Methods that are not primitives in {@link Op} are composites of those that are.
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
