package dev.jasg.core;

/**
 * The closed set of primitive operations. Every concern (shape rules, gradients, kernels,
 * printing) is one exhaustive {@code switch} over this type, so adding an op makes the
 * compiler name every place that must learn it. Anything expressible with these is a
 * composite in {@link Tensor} and has no rules of its own.
 *
 * <p>Broadcasting follows numpy/PyTorch: shapes are aligned at the right and a size-1
 * axis stretches to match.
 */
public sealed interface Op {

    /** A value fed by the caller at run time; its shape may have symbolic dimensions. */
    record Input(String name) implements Op {}

    /**
     * A persistent value owned by the backend's parameter store: a weight when
     * {@code trainable}, optimiser state otherwise. Updated only by graph assignments.
     */
    record Parameter(String name, Init init, boolean trainable) implements Op {}

    /** A constant value baked into the graph. */
    record Constant(HostTensor value) implements Op {}

    /** {@code kind(x; a, b)} elementwise; {@code a}, {@code b} are used by the parameterised kinds. */
    record Unary(UnaryOp kind, double a, double b) implements Op {
        /** A unary op without parameters. */
        public static Unary of(UnaryOp kind) {
            return new Unary(kind, 0, 0);
        }
    }

    /** {@code kind(x, y)} elementwise with broadcasting. */
    record Binary(BinaryOp kind) implements Op {}

    /** {@code kind(x, y)} elementwise with broadcasting, giving a BOOL mask. */
    record Compare(CompareOp kind) implements Op {}

    /** {@code mask ? a : b} elementwise, all three broadcast together. */
    record Where() implements Op {}

    /** Reduction over {@code axes} (sorted, non-negative); reduced axes are kept with size 1 when {@code keepDims}. */
    record Reduce(ReduceOp kind, Ints axes, boolean keepDims) implements Op {}

    /** Arg-max or arg-min over one axis, giving I32 indices. */
    record ArgReduce(ArgReduceOp kind, int axis, boolean keepDims) implements Op {}

    /**
     * A scalar holding the number of elements of the input over {@code axes}: {@code prod(shape[axes])}.
     * It depends on the shape only, so it resolves symbolic sizes at run time (mean and
     * variance gradients use it); its gradient is zero.
     */
    record Count(Ints axes) implements Op {}

    /** {@code torch.matmul}: batched, broadcasting over leading axes, 1-D operands promoted and squeezed. */
    record MatMul() implements Op {}

    /** Same elements in row-major order under {@code target}. */
    record Reshape(Shape target) implements Op {}

    /** Axis {@code i} of the output is axis {@code perm[i]} of the input. */
    record Permute(Ints perm) implements Op {}

    /** Broadcast to {@code target} (size-1 axes stretch, new axes on the left). */
    record Expand(Shape target) implements Op {}

    /** Elements {@code start, start+step, ...} below {@code end} along {@code axis}; step >= 1. */
    record Slice(int axis, int start, int end, int step) implements Op {}

    /**
     * The adjoint of {@link Slice}: zeros of length {@code size} along {@code axis}, with
     * input element {@code i} written at {@code start + i*step}.
     */
    record SliceScatter(int axis, int start, int step, int size) implements Op {}

    /** Inputs joined along {@code axis}. */
    record Concat(int axis) implements Op {}

    /** {@code exp(x_i - max x) / sum_j exp(x_j - max x)} along {@code axis}. */
    record Softmax(int axis) implements Op {}

    /** {@code x_i - max x - log sum_j exp(x_j - max x)} along {@code axis}. */
    record LogSoftmax(int axis) implements Op {}

    /** Conversion to {@code to}; float to integer truncates toward zero, anything to BOOL is {@code x != 0}. */
    record Cast(DType to) implements Op {}

    /** Short name printed in listings and errors, e.g. {@code matmul}, {@code exp}, {@code sum}. */
    default String label() {
        return switch (this) {
            case Input i -> "input";
            case Parameter p -> "parameter";
            case Constant c -> "constant";
            case Unary u -> u.kind().label();
            case Binary b -> b.kind().label();
            case Compare c -> c.kind().label();
            case Where w -> "where";
            case Reduce r -> r.kind().label();
            case ArgReduce a -> a.kind().label();
            case Count c -> "count";
            case MatMul m -> "matmul";
            case Reshape r -> "reshape";
            case Permute p -> "permute";
            case Expand e -> "expand";
            case Slice s -> "slice";
            case SliceScatter s -> "slice_scatter";
            case Concat c -> "concat";
            case Softmax s -> "softmax";
            case LogSoftmax s -> "log_softmax";
            case Cast c -> "cast";
        };
    }

    /** Attributes as printed in listings, e.g. {@code axes=[1] keepdim}; empty when none. */
    default String attributes() {
        return switch (this) {
            case Input i -> "'" + i.name() + "'";
            case Parameter p -> "'" + p.name() + "'" + (p.trainable() ? "" : " state") + " init=" + p.init();
            case Constant c -> c.value().shape().size() == 1 ? String.valueOf((float) c.value().get(0)) : c.value().shape().toString();
            case Unary u -> u.kind().hasParameters() ? "a=" + u.a() + " b=" + u.b() : "";
            case Binary b -> "";
            case Compare c -> "";
            case Where w -> "";
            case Reduce r -> "axes=" + r.axes() + (r.keepDims() ? " keepdim" : "");
            case ArgReduce a -> "axis=" + a.axis() + (a.keepDims() ? " keepdim" : "");
            case Count c -> "axes=" + c.axes();
            case MatMul m -> "";
            case Reshape r -> "to=" + r.target();
            case Permute p -> "perm=" + p.perm();
            case Expand e -> "to=" + e.target();
            case Slice s -> "axis=" + s.axis() + " " + s.start() + ":" + s.end() + ":" + s.step();
            case SliceScatter s -> "axis=" + s.axis() + " start=" + s.start() + " step=" + s.step() + " size=" + s.size();
            case Concat c -> "axis=" + c.axis();
            case Softmax s -> "axis=" + s.axis();
            case LogSoftmax s -> "axis=" + s.axis();
            case Cast c -> "to=" + c.to().label();
        };
    }
}
