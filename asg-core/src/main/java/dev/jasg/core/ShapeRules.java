package dev.jasg.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape and dtype inference: one rule per op, run when a node is added. A broken rule
 * throws {@link ShapeException} naming the op and the shapes; {@link GraphBuilder} adds
 * the node id and scope.
 */
public final class ShapeRules {
    private ShapeRules() {}

    /** An inferred shape and dtype. */
    public record Result(Shape shape, DType dtype) {}

    /** Infers the result of {@code op} applied to inputs of the given shapes and dtypes. */
    public static Result infer(Op op, Shape[] in, DType[] dt) {
        String name = op.label();
        return switch (op) {
            case Op.Input i -> throw new IllegalArgumentException("inputs carry their own shape");
            case Op.Parameter p -> throw new IllegalArgumentException("parameters carry their own shape");
            case Op.Constant c -> new Result(c.value().shape(), c.value().dtype());
            case Op.Unary u -> {
                arity(name, in, 1);
                if (!dt[0].isFloat() && !u.kind().acceptsIntegers()) {
                    throw new ShapeException(ShapeException.Kind.DTYPE, name + ": needs a float tensor, got " + dt[0].label() + in[0]);
                }
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on a bool mask " + in[0]);
                yield new Result(in[0], dt[0]);
            }
            case Op.Binary b -> {
                arity(name, in, 2);
                sameDtype(name, in, dt);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on bool masks " + in[0] + " and " + in[1]);
                if (!dt[0].isFloat() && !b.kind().acceptsIntegers()) {
                    throw new ShapeException(ShapeException.Kind.DTYPE, name + ": needs float tensors, got " + dt[0].label() + in[0] + " and " + dt[1].label() + in[1]);
                }
                yield new Result(broadcast(name, in[0], in[1]), dt[0]);
            }
            case Op.Compare c -> {
                arity(name, in, 2);
                sameDtype(name, in, dt);
                yield new Result(broadcast(name, in[0], in[1]), DType.BOOL);
            }
            case Op.Where w -> {
                arity(name, in, 3);
                if (dt[0] != DType.BOOL) throw new ShapeException(name + ": the condition must be a bool mask, got " + dt[0].label() + in[0]);
                if (dt[1] != dt[2]) {
                    throw new ShapeException(name + ": branches have different dtypes: " + dt[1].label() + in[1] + " and " + dt[2].label() + in[2]);
                }
                yield new Result(broadcast(name, broadcast(name, in[0], in[1]), in[2]), dt[1]);
            }
            case Op.Reduce r -> {
                arity(name, in, 1);
                if (r.kind() == ReduceOp.MEAN && !dt[0].isFloat()) throw new ShapeException(name + ": needs a float tensor, got " + dt[0].label() + in[0]);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on a bool mask; cast it first");
                checkAxes(name, in[0], r.axes());
                yield new Result(reduced(in[0], r.axes(), r.keepDims()), dt[0]);
            }
            case Op.ArgReduce a -> {
                arity(name, in, 1);
                checkAxes(name, in[0], Ints.of(a.axis()));
                yield new Result(reduced(in[0], Ints.of(a.axis()), a.keepDims()), DType.I32);
            }
            case Op.Count c -> {
                arity(name, in, 1);
                checkAxes(name, in[0], c.axes());
                yield new Result(Shape.scalar(), dt[0].isFloat() ? dt[0] : DType.F32);
            }
            case Op.MatMul m -> {
                arity(name, in, 2);
                sameDtype(name, in, dt);
                yield new Result(matmul(in[0], in[1]), accumulated(dt[0]));
            }
            case Op.Reshape r -> {
                arity(name, in, 1);
                if (!in[0].symbolicSize().equals(r.target().symbolicSize())) {
                    throw new ShapeException(ShapeException.Kind.ELEMENT_COUNT, name + ": cannot reshape " + in[0] + " (" + in[0].symbolicSize() + " elements) to "
                            + r.target() + " (" + r.target().symbolicSize() + " elements)");
                }
                yield new Result(r.target(), dt[0]);
            }
            case Op.Permute p -> {
                arity(name, in, 1);
                int rank = in[0].rank();
                boolean[] seen = new boolean[rank];
                if (p.perm().size() != rank) throw new ShapeException(name + ": permutation " + p.perm() + " has " + p.perm().size() + " axes but the input " + in[0] + " has " + rank);
                List<Object> parts = new ArrayList<>();
                for (int i = 0; i < rank; i++) {
                    int a = p.perm().get(i);
                    if (a < 0 || a >= rank || seen[a]) throw new ShapeException(name + ": " + p.perm() + " is not a permutation of the axes of " + in[0]);
                    seen[a] = true;
                    parts.add(in[0].parts().get(a));
                }
                yield new Result(Shape.symbolic(parts.toArray()), dt[0]);
            }
            case Op.Expand e -> {
                arity(name, in, 1);
                Shape t = e.target(), s = in[0];
                if (t.rank() < s.rank()) throw new ShapeException(name + ": cannot expand " + s + " to the lower rank " + t);
                for (int i = 1; i <= s.rank(); i++) {
                    if (!s.sameDim(-i, t, -i) && !s.isOne(-i)) {
                        throw new ShapeException(name + ": cannot expand " + s + " to " + t + ": axis " + (s.rank() - i) + " is neither equal nor 1");
                    }
                }
                yield new Result(t, dt[0]);
            }
            case Op.Slice s -> {
                arity(name, in, 1);
                int ax = checkAxis(name, in[0], s.axis());
                if (in[0].isSymbolic(ax)) throw new ShapeException(name + ": cannot slice the symbolic axis " + ax + " of " + in[0]);
                int n = in[0].dim(ax);
                if (s.step() < 1) throw new ShapeException(name + ": step must be >= 1, got " + s.step());
                if (s.start() < 0 || s.end() > n || s.start() > s.end()) {
                    throw new ShapeException(name + ": range " + s.start() + ":" + s.end() + " outside axis " + ax + " of " + in[0]);
                }
                int len = (s.end() - s.start() + s.step() - 1) / s.step();
                yield new Result(in[0].with(ax, len), dt[0]);
            }
            case Op.SliceScatter s -> {
                arity(name, in, 1);
                int ax = checkAxis(name, in[0], s.axis());
                if (in[0].isSymbolic(ax)) throw new ShapeException(name + ": axis " + ax + " of " + in[0] + " is symbolic");
                int n = in[0].dim(ax);
                if (s.step() < 1 || s.start() < 0 || (n > 0 && s.start() + (long) (n - 1) * s.step() >= s.size())) {
                    throw new ShapeException(name + ": " + n + " elements from " + s.start() + " by " + s.step() + " do not fit in " + s.size());
                }
                yield new Result(in[0].with(ax, s.size()), dt[0]);
            }
            case Op.Concat c -> {
                if (in.length == 0) throw new ShapeException(name + ": needs at least one input");
                int ax = checkAxis(name, in[0], c.axis());
                int total = 0;
                for (int k = 0; k < in.length; k++) {
                    if (dt[k] != dt[0]) throw new ShapeException(name + ": input " + k + " is " + dt[k].label() + " but input 0 is " + dt[0].label());
                    if (in[k].rank() != in[0].rank()) throw new ShapeException(name + ": input " + k + " " + in[k] + " has another rank than input 0 " + in[0]);
                    for (int i = 0; i < in[0].rank(); i++) {
                        if (i != ax && !in[k].sameDim(i, in[0], i)) {
                            throw new ShapeException(name + ": input " + k + " " + in[k] + " differs from input 0 " + in[0] + " at axis " + i);
                        }
                    }
                    if (in[k].isSymbolic(ax)) throw new ShapeException(name + ": the concat axis " + ax + " of " + in[k] + " is symbolic");
                    total += in[k].dim(ax);
                }
                yield new Result(in[0].with(ax, total), dt[0]);
            }
            case Op.Softmax s -> softmaxLike(name, in, dt, s.axis());
            case Op.LogSoftmax s -> softmaxLike(name, in, dt, s.axis());
            case Op.Cast c -> {
                arity(name, in, 1);
                yield new Result(in[0], c.to());
            }
            case Op.CumSum c -> {
                arity(name, in, 1);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on a bool mask " + in[0] + "; cast it first");
                checkAxis(name, in[0], c.axis());
                yield new Result(in[0], dt[0]);
            }
            case Op.CumProd c -> {
                arity(name, in, 1);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on a bool mask " + in[0] + "; cast it first");
                checkAxis(name, in[0], c.axis());
                yield new Result(in[0], dt[0]);
            }
            case Op.Linalg l -> linalg(name, l.kind(), in, dt);
            case Op.Attention a -> {
                arity(name, in, 3);
                attentionOperands(name, in, dt, 3);
                List<Object> parts = new ArrayList<>(in[0].parts());
                parts.set(parts.size() - 1, in[2].parts().get(in[2].rank() - 1));
                yield new Result(Shape.symbolic(parts.toArray()), accumulated(dt[0]));
            }
            case Op.AttentionStats a -> {
                arity(name, in, 2);
                attentionOperands(name, in, dt, 2);
                yield new Result(Shape.symbolic(in[0].parts().subList(0, in[0].rank() - 1).toArray()), accumulated(dt[0]));
            }
            case Op.AttentionGrad a -> {
                arity(name, in, 6);
                attentionOperands(name, in, dt, 3);
                List<Object> out = new ArrayList<>(in[0].parts());
                out.set(out.size() - 1, in[2].parts().get(in[2].rank() - 1));
                Shape o = Shape.symbolic(out.toArray());
                for (int k = 3; k <= 4; k++) {
                    if (!in[k].equals(o) || !dt[k].isFloat()) {
                        throw new ShapeException(name + ": input " + k + " (" + (k == 3 ? "output" : "output gradient") + ") must be float "
                                + o + ", got " + dt[k].label() + in[k]);
                    }
                }
                Shape stats = Shape.symbolic(in[0].parts().subList(0, in[0].rank() - 1).toArray());
                DType acc = accumulated(dt[0]);
                if (!in[5].equals(stats) || dt[5] != acc) {
                    throw new ShapeException(name + ": input 5 (the softmax statistics) must be " + acc.label() + stats + ", got " + dt[5].label() + in[5]);
                }
                yield new Result(in[a.wrt()], acc);
            }
            case Op.ArgSort a -> {
                arity(name, in, 1);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on a bool mask " + in[0] + "; cast it first");
                checkAxis(name, in[0], a.axis());
                yield new Result(in[0], DType.I32);
            }
            case Op.StopGradient s -> {
                arity(name, in, 1);
                yield new Result(in[0], dt[0]);
            }
            case Op.Gather g -> {
                arity(name, in, 2);
                indices(name, in[1], dt[1]);
                if (in[0].rank() == 0) throw new ShapeException(name + ": the table must have rank >= 1, got " + dt[0].label() + in[0]);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on a bool table " + in[0]);
                List<Object> parts = new ArrayList<>(in[1].parts());
                parts.addAll(in[0].parts().subList(1, in[0].rank()));
                yield new Result(Shape.symbolic(parts.toArray()), dt[0]);
            }
            case Op.ScatterAdd s -> {
                arity(name, in, 2);
                indices(name, in[1], dt[1]);
                if (dt[0] == DType.BOOL) throw new ShapeException(name + ": not defined on bool updates " + in[0]);
                if (s.size() < 0) throw new ShapeException(name + ": size must be >= 0, got " + s.size());
                int k = in[1].rank();
                boolean prefix = in[0].rank() >= k;
                for (int i = 0; prefix && i < k; i++) prefix = in[0].sameDim(i, in[1], i);
                if (!prefix) throw new ShapeException(name + ": the updates " + in[0] + " must start with the indices' shape " + in[1]);
                List<Object> parts = new ArrayList<>();
                parts.add(s.size());
                parts.addAll(in[0].parts().subList(k, in[0].rank()));
                yield new Result(Shape.symbolic(parts.toArray()), dt[0]);
            }
            case Op.DropoutMask d -> {
                arity(name, in, 2);
                if (!dt[0].isFloat()) throw new ShapeException(name + ": needs a float tensor for the shape, got " + dt[0].label() + in[0]);
                if (dt[1] != DType.I32 || in[1].rank() != 0) throw new ShapeException(name + ": the seed must be an i32 scalar, got " + dt[1].label() + in[1]);
                yield new Result(in[0], DType.F32);
            }
            case Op.Normalize n -> {
                arity(name, in, 1);
                if (!dt[0].isFloat()) throw new ShapeException(name + ": needs a float tensor, got " + dt[0].label() + in[0]);
                if (n.axes().size() == 0) throw new ShapeException(name + ": needs at least one axis");
                if (!(n.eps() >= 0)) throw new ShapeException(name + ": eps must be >= 0, got " + n.eps());
                checkAxes(name, in[0], n.axes());
                yield new Result(in[0], dt[0]);
            }
            case Op.Conv2d c -> {
                arity(name, in, 2);
                floats(name, in, dt);
                ConvGeometry g = c.geometry();
                int[] x = nchw(name, "input", in[0], false), w = nchw(name, "weight", in[1], true);
                if (w[0] % g.groups() != 0) throw new ShapeException(name + ": " + w[0] + " output channels of weight " + in[1] + " are not divisible by groups=" + g.groups());
                if (x[1] != w[1] * g.groups()) {
                    throw new ShapeException(ShapeException.Kind.CHANNELS, name + ": input " + in[0] + " has " + x[1] + " channels but weight " + in[1] + " with groups=" + g.groups()
                            + " expects " + w[1] * g.groups());
                }
                yield new Result(in[0].with(1, w[0]).with(2, spatial(name, in[0], g.outH(x[2], w[2]), g.outW(x[3], w[3]), w)).with(3, g.outW(x[3], w[3])), accumulated(dt[0]));
            }
            case Op.ConvTranspose2d c -> {
                arity(name, in, 2);
                floats(name, in, dt);
                ConvGeometry g = c.geometry();
                int[] x = nchw(name, "input", in[0], false), w = nchw(name, "weight", in[1], true);
                if (c.outputPaddingH() < 0 || c.outputPaddingW() < 0) {
                    throw new ShapeException(name + ": output padding must be >= 0, got " + c.outputPaddingH() + "x" + c.outputPaddingW());
                }
                if (x[1] != w[0]) throw new ShapeException(ShapeException.Kind.CHANNELS, name + ": input " + in[0] + " has " + x[1] + " channels but weight " + in[1] + " expects " + w[0]);
                if (w[0] % g.groups() != 0) throw new ShapeException(name + ": " + w[0] + " input channels are not divisible by groups=" + g.groups());
                int ho = g.transposedH(x[2], w[2], c.outputPaddingH()), wo = g.transposedW(x[3], w[3], c.outputPaddingW());
                yield new Result(in[0].with(1, w[1] * g.groups()).with(2, spatial(name, in[0], ho, wo, w)).with(3, wo), accumulated(dt[0]));
            }
            case Op.Conv2dWeightGrad c -> {
                arity(name, in, 2);
                floats(name, in, dt);
                ConvGeometry g = c.geometry();
                int[] x = nchw(name, "input", in[0], false), gr = nchw(name, "gradient", in[1], false);
                if (!in[0].sameDim(0, in[1], 0)) throw new ShapeException(name + ": batch sizes of input " + in[0] + " and gradient " + in[1] + " differ");
                if (x[1] % g.groups() != 0 || gr[1] % g.groups() != 0) {
                    throw new ShapeException(name + ": channels of input " + in[0] + " and gradient " + in[1] + " must be divisible by groups=" + g.groups());
                }
                if (c.kernelH() < 1 || c.kernelW() < 1) throw new ShapeException(name + ": kernel must be >= 1, got " + c.kernelH() + "x" + c.kernelW());
                int ho = g.outH(x[2], c.kernelH()), wo = g.outW(x[3], c.kernelW());
                if (gr[2] > ho || gr[3] > wo) {
                    throw new ShapeException(name + ": gradient " + in[1] + " is larger than the convolution output " + ho + "x" + wo + " of input " + in[0]);
                }
                yield new Result(Shape.of(gr[1], x[1] / g.groups(), c.kernelH(), c.kernelW()), accumulated(dt[0]));
            }
            case Op.MaxPoolSelect m -> {
                arity(name, in, 2);
                floats(name, in, dt);
                int[] x = nchw(name, "input", in[0], false);
                if (!in[0].equals(in[1])) throw new ShapeException(name + ": the selected tensor " + in[1] + " must have the input's shape " + in[0]);
                int ho = m.window().outSize(0, x[2]), wo = m.window().outSize(1, x[3]);
                if (ho < 1 || wo < 1) throw new ShapeException(name + ": " + m.window() + " gives an empty output " + ho + "x" + wo + " for input " + in[0]);
                yield new Result(in[0].with(2, ho).with(3, wo), dt[0]);
            }
            case Op.MaxPoolScatter m -> {
                arity(name, in, 2);
                floats(name, in, dt);
                int[] x = nchw(name, "input", in[0], false);
                Shape pooled = in[0].with(2, m.window().outSize(0, x[2])).with(3, m.window().outSize(1, x[3]));
                if (!pooled.equals(in[1])) throw new ShapeException(name + ": gradient " + in[1] + " must have the pooled shape " + pooled + " of input " + in[0]);
                yield new Result(in[0], dt[0]);
            }
        };
    }

    /** Shapes of {@link LinalgOp}: float matrices with concrete last two axes, batch axes passed through. */
    private static Result linalg(String name, LinalgOp op, Shape[] in, DType[] dt) {
        arity(name, in, op.arity());
        Shape a = in[0];
        if (a.rank() < 2) throw new ShapeException(name + ": needs a matrix [.., m, n], got " + a);
        if (!dt[0].isFloat()) throw new ShapeException(name + ": needs a float matrix, got " + dt[0].label() + a);
        if (dt[0].isHalf()) throw new ShapeException(name + ": needs an f32 or f64 matrix, got " + dt[0].label() + a + "; cast it to f32 first");
        if (a.isSymbolic(a.rank() - 2) || a.isSymbolic(a.rank() - 1)) throw new ShapeException(name + ": the matrix axes of " + a + " must be concrete");
        int m = a.dim(a.rank() - 2), n = a.dim(a.rank() - 1), k = Math.min(m, n);
        List<Object> batch = new ArrayList<>(a.parts().subList(0, a.rank() - 2));
        boolean square = switch (op) {
            case QR_Q, QR_R, SVD_U, SVD_S, SVD_VH -> false;
            case SOLVE, INV, DET, SLOGDET_SIGN, SLOGDET_LOGABS, CHOLESKY, EIGH_VALUES, EIGH_VECTORS -> true;
        };
        if (square && m != n) throw new ShapeException(name + ": needs square matrices, got " + a);
        if (op == LinalgOp.SOLVE) {
            Shape b = in[1];
            if (dt[1] != dt[0]) throw new ShapeException(name + ": dtypes differ: " + dt[0].label() + a + " and " + dt[1].label() + b);
            boolean ok = b.rank() == a.rank() && !b.isSymbolic(b.rank() - 2) && b.dim(b.rank() - 2) == n && !b.isSymbolic(b.rank() - 1);
            for (int i = 0; ok && i < a.rank() - 2; i++) ok = a.sameDim(i, b, i);
            if (!ok) throw new ShapeException(name + ": the right-hand sides must be [.., " + n + ", k] with A's batch, got A " + a + " and B " + b);
            return new Result(b, dt[0]);
        }
        List<Object> out = new ArrayList<>(batch);
        switch (op) {
            case INV, CHOLESKY, EIGH_VECTORS -> { out.add(n); out.add(n); }
            case DET, SLOGDET_SIGN, SLOGDET_LOGABS -> { }
            case EIGH_VALUES, SVD_S -> out.add(k);
            case QR_Q, SVD_U -> { out.add(m); out.add(k); }
            case QR_R, SVD_VH -> { out.add(k); out.add(n); }
            case SOLVE -> throw new AssertionError();
        }
        return new Result(Shape.symbolic(out.toArray()), dt[0]);
    }

    /**
     * The result type of a product of two operands of {@code t}: F32 for the half types (products
     * accumulate in f32 and keep it, as cuBLAS's {@code gemmEx} with an f32 output), else {@code t}.
     */
    public static DType accumulated(DType t) {
        return t.isHalf() ? DType.F32 : t;
    }

    private static Result softmaxLike(String name, Shape[] in, DType[] dt, int axis) {
        arity(name, in, 1);
        if (!dt[0].isFloat()) throw new ShapeException(ShapeException.Kind.DTYPE, name + ": needs a float tensor, got " + dt[0].label() + in[0]);
        checkAxis(name, in[0], axis);
        return new Result(in[0], dt[0]);
    }

    private static void floats(String name, Shape[] in, DType[] dt) {
        sameDtype(name, in, dt);
        if (!dt[0].isFloat()) throw new ShapeException(ShapeException.Kind.DTYPE, name + ": needs float tensors, got " + dt[0].label() + in[0] + " and " + dt[1].label() + in[1]);
    }

    /**
     * The dims of an NCHW tensor, checking rank 4 and concrete sizes (all of them when
     * {@code allConcrete}, else all but the batch axis); a symbolic batch reads as -1.
     */
    private static int[] nchw(String name, String role, Shape s, boolean allConcrete) {
        if (s.rank() != 4) throw new ShapeException(name + ": the " + role + " must have rank 4 (" + (allConcrete ? "O,C,kh,kw" : "N,C,H,W") + "), got " + s);
        int[] d = new int[4];
        for (int i = 0; i < 4; i++) {
            if (s.isSymbolic(i)) {
                if (allConcrete || i > 0) throw new ShapeException(name + ": axis " + i + " of the " + role + " " + s + " must be concrete");
                d[i] = -1;
            } else {
                d[i] = s.dim(i);
            }
        }
        return d;
    }

    /** {@code ho}, checking that an output of {@code ho x wo} is not empty. */
    private static int spatial(String name, Shape x, int ho, int wo, int[] kernel) {
        if (ho < 1 || wo < 1) {
            throw new ShapeException(name + ": kernel " + kernel[2] + "x" + kernel[3] + " gives an empty output " + ho + "x" + wo + " for input " + x);
        }
        return ho;
    }

    private static void indices(String name, Shape s, DType t) {
        if (t != DType.I32 && t != DType.I64) throw new ShapeException(name + ": indices must be i32 or i64, got " + t.label() + s);
    }

    /**
     * The operands of the attention ops: {@code q [.., Lq, E]}, {@code k [.., Lk, E]} and (when
     * {@code n == 3}) {@code v [.., Lk, Ev]}, rank >= 2, equal leading axes, one float dtype.
     */
    private static void attentionOperands(String name, Shape[] in, DType[] dt, int n) {
        String[] what = {"query", "key", "value"};
        for (int k = 0; k < n; k++) {
            if (in[k].rank() < 2) throw new ShapeException(name + ": the " + what[k] + " " + in[k] + " must have rank >= 2");
            if (!dt[k].isFloat() || dt[k] != dt[0]) {
                throw new ShapeException(ShapeException.Kind.DTYPE, name + ": query, key and value must share one float dtype, got "
                        + dt[0].label() + in[0] + " and " + what[k] + " " + dt[k].label() + in[k]);
            }
            if (in[k].rank() != in[0].rank()) throw new ShapeException(name + ": the " + what[k] + " " + in[k] + " and the query " + in[0] + " differ in rank");
            for (int i = 0; i < in[0].rank() - 2; i++) {
                if (!in[k].sameDim(i, in[0], i)) {
                    throw new ShapeException(name + ": the " + what[k] + " " + in[k] + " and the query " + in[0] + " differ at leading axis " + i
                            + " (the fused op does not broadcast)");
                }
            }
        }
        int r = in[0].rank();
        if (!in[1].sameDim(r - 1, in[0], r - 1)) throw new ShapeException(name + ": the query " + in[0] + " and the key " + in[1] + " differ in the last (embedding) axis");
        if (n == 3 && !in[2].sameDim(r - 2, in[1], r - 2)) throw new ShapeException(name + ": the key " + in[1] + " and the value " + in[2] + " differ in sequence length");
        if (!in[1].isSymbolic(r - 2) && in[1].dim(r - 2) == 0) {
            throw new ShapeException(name + ": the key " + in[1] + " has no rows, so a query has no key to attend (the softmax of no scores)");
        }
    }

    private static void arity(String name, Shape[] in, int n) {
        if (in.length != n) throw new ShapeException(name + ": takes " + n + " inputs, got " + in.length);
    }

    private static void sameDtype(String name, Shape[] in, DType[] dt) {
        if (dt[0] != dt[1]) {
            throw new ShapeException(ShapeException.Kind.DTYPE, name + ": dtypes differ: " + dt[0].label() + in[0] + " and " + dt[1].label() + in[1]);
        }
    }

    private static int checkAxis(String name, Shape s, int axis) {
        if (axis < 0 || axis >= s.rank()) throw new ShapeException(name + ": axis " + axis + " out of range for " + s);
        return axis;
    }

    private static void checkAxes(String name, Shape s, Ints axes) {
        for (int i = 0; i < axes.size(); i++) {
            checkAxis(name, s, axes.get(i));
            if (i > 0 && axes.get(i) <= axes.get(i - 1)) throw new ShapeException(name + ": axes " + axes + " must be sorted and distinct");
        }
    }

    /** The shape after reducing {@code axes}. */
    public static Shape reduced(Shape s, Ints axes, boolean keepDims) {
        List<Object> out = new ArrayList<>();
        List<Object> parts = s.parts();
        for (int i = 0; i < parts.size(); i++) {
            if (!axes.contains(i)) out.add(parts.get(i));
            else if (keepDims) out.add(1);
        }
        return Shape.symbolic(out.toArray());
    }

    /** numpy broadcasting of two shapes. */
    public static Shape broadcast(String name, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        Object[] out = new Object[r];
        List<Object> pa = a.parts(), pb = b.parts();
        for (int i = 1; i <= r; i++) {
            Object da = i <= a.rank() ? pa.get(a.rank() - i) : 1;
            Object db = i <= b.rank() ? pb.get(b.rank() - i) : 1;
            if (da.equals(db) || Integer.valueOf(1).equals(db)) out[r - i] = da;
            else if (Integer.valueOf(1).equals(da)) out[r - i] = db;
            else {
                throw new ShapeException(ShapeException.Kind.BROADCAST, name + ": shapes " + a + " and " + b + " do not broadcast (axis " + (r - i) + ": " + da + " vs " + db + ")");
            }
        }
        return Shape.symbolic(out);
    }

    /** torch.matmul's shape rule. */
    public static Shape matmul(Shape a, Shape b) {
        if (a.rank() == 0 || b.rank() == 0) throw new ShapeException("matmul: needs tensors of rank >= 1, got " + a + " x " + b);
        Shape a2 = a.rank() == 1 ? a.insert(0, 1) : a;
        Shape b2 = b.rank() == 1 ? b.insert(1, 1) : b;
        if (!a2.sameDim(-1, b2, -2)) throw new ShapeException(ShapeException.Kind.INNER_DIMENSIONS, "matmul: inner dimensions differ: " + a + " x " + b);
        Shape batch = broadcast("matmul", a2.sub(0, a2.rank() - 2), b2.sub(0, b2.rank() - 2));
        List<Object> out = new ArrayList<>(batch.parts());
        if (a.rank() > 1) out.add(a2.parts().get(a2.rank() - 2));
        if (b.rank() > 1) out.add(b2.parts().get(b2.rank() - 1));
        return Shape.symbolic(out.toArray());
    }

    /**
     * Resolves a reshape spec of sizes, symbol names and at most one {@code -1} against the
     * input shape, e.g. {@code [B,28,28]} with {@code (-1, 784)} gives {@code [B,784]}.
     */
    public static Shape resolveReshape(Shape in, Object... spec) {
        int infer = -1;
        Object[] parts = spec.clone();
        for (int i = 0; i < parts.length; i++) {
            if (Integer.valueOf(-1).equals(parts[i])) {
                if (infer >= 0) throw new ShapeException("reshape: only one -1 allowed in " + java.util.Arrays.toString(spec));
                infer = i;
                parts[i] = 1;
            } else if (parts[i] instanceof Integer n && n < 0) {
                throw new ShapeException("reshape: negative size " + n + " in " + java.util.Arrays.toString(spec));
            }
        }
        Shape known = Shape.symbolic(parts);
        if (infer < 0) return known;
        Shape.SymbolicSize rest = in.symbolicSize().divide(known.symbolicSize());
        if (rest == null) throw new ShapeException("reshape: cannot infer -1 when reshaping " + in + " to " + java.util.Arrays.toString(spec));
        if (rest.powers().isEmpty()) {
            if (rest.coefficient() > Integer.MAX_VALUE) throw new ShapeException("reshape: inferred size too large");
            parts[infer] = (int) rest.coefficient();
        } else if (rest.coefficient() == 1 && rest.powers().size() == 1 && rest.powers().firstEntry().getValue() == 1) {
            parts[infer] = rest.powers().firstKey();
        } else {
            throw new ShapeException("reshape: the -1 axis would be " + rest + " when reshaping " + in + ", which is not one size or symbol");
        }
        return Shape.symbolic(parts);
    }
}
