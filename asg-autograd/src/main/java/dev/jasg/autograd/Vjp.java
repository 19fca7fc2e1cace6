package dev.jasg.autograd;

import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Ints;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.ReduceOp;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeRules;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * The vector-Jacobian product of every op: given the upstream gradient {@code g} of a node's
 * output {@code y}, the gradient contribution for each of its inputs.
 *
 * <p>Rules are written only with the public {@link Tensor} API, so the nodes they add are
 * ordinary graph nodes: backends run them like any other, and they can be differentiated
 * again (second derivatives). Broadcasting is undone in one place, {@link #sumToShape}.
 */
public final class Vjp {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_TANH_C = 0.044715;

    private Vjp() {}

    /**
     * Gradient contributions of {@code node}'s inputs for upstream gradient {@code g}
     * (shaped like the node's output). Entry {@code i} is null when input {@code i} gets no
     * gradient: it was not asked for ({@code need[i]} false), it is a mask or an index, or
     * its gradient is identically zero (sign, count). Forward values are read by id from
     * the graph {@code b} continues.
     */
    public static Tensor[] contributions(Node node, Tensor g, boolean[] need, GraphBuilder b) {
        Tensor[] in = new Tensor[node.arity()];
        for (int i = 0; i < in.length; i++) in[i] = b.tensor(node.input(i));
        Tensor y = b.tensor(node.id());
        Tensor[] none = new Tensor[in.length];
        // a product of half operands gives f32 (ShapeRules.accumulated): its gradient is rounded to the
        // operands' type, the transposed products run in half too, and their f32 results are cast back
        boolean mixed = in.length > 0 && in[0].dtype().isHalf() && y.dtype() != in[0].dtype();
        if (mixed) g = g.cast(in[0].dtype());
        Tensor[] out = switch (node.op()) {
            case Op.Input i -> none; // leaf
            case Op.Parameter p -> none; // leaf
            case Op.Constant c -> none; // leaf
            case Op.Unary u -> one(unary(u, in[0], y, g));
            case Op.Binary bin -> binary(bin, in[0], in[1], y, g, need);
            case Op.Compare c -> none; // piecewise constant: no gradient (isDifferentiable is false)
            // d/da = where(m, g, 0), d/db = where(m, 0, g); the mask gets none
            case Op.Where w -> new Tensor[] {null,
                    need[1] ? sumToShape(in[0].where(g, 0), in[1].shape()) : null,
                    need[2] ? sumToShape(Tensor.where(in[0], g.scalarLike(0), g), in[2].shape()) : null};
            case Op.Reduce r -> one(reduce(r, in[0], y, g));
            case Op.ArgReduce a -> none; // integer result: no gradient (isDifferentiable is false)
            case Op.Count c -> none; // depends on the shape only: gradient zero
            case Op.MatMul m -> matmul(in[0], in[1], g, need);
            // reshape g back to x's (possibly symbolic) shape
            case Op.Reshape r -> one(g.reshape(in[0].shape()));
            case Op.StopGradient s -> none; // detach: no gradient by definition (isDifferentiable is false)
            // the inverse permutation: inv[perm[i]] = i
            case Op.Permute p -> one(g.permute(inverse(p.perm())));
            // sum over the broadcast axes
            case Op.Expand e -> one(sumToShape(g, in[0].shape()));
            // scatter g back into zeros of x's length along the axis
            case Op.Slice s -> one(b.apply(new Op.SliceScatter(s.axis(), s.start(), s.step(), in[0].shape().dim(s.axis())), g));
            // the elements of g that x was written to: start, start+step, ... (n of them)
            case Op.SliceScatter s -> {
                int n = in[0].shape().dim(s.axis());
                int end = n == 0 ? s.start() : s.start() + (n - 1) * s.step() + 1;
                yield one(b.apply(new Op.Slice(s.axis(), s.start(), end, s.step()), g));
            }
            // input k gets its own section of g
            case Op.Concat c -> concat(c, in, g, need);
            // dx = y * (g - sum(g*y))
            case Op.Softmax s -> one(softmaxGradient(y, g, g.mul(y).sum(s.axis(), true)));
            // dx = g - softmax(x) * sum(g), softmax(x) = exp(y)
            case Op.LogSoftmax s -> one(g.sub(y.exp().mul(g.sum(s.axis(), true))));
            // float -> float: cast g back; any other cast has no gradient (isDifferentiable)
            case Op.Cast c -> in[0].dtype().isFloat() && c.to().isFloat() ? one(g.cast(in[0].dtype())) : none;
            // the table gets g's rows added back at the rows they were read from; the indices get none
            case Op.Gather ga -> new Tensor[] {need[0] ? g.scatterAdd(in[1], in[0].shape().dim(0)) : null, null};
            // each update gets the row of g it was added to; the indices get none
            case Op.ScatterAdd s -> new Tensor[] {need[0] ? g.gather(in[1]) : null, null};
            // depends on x's shape only (as count): zero for x, none for the seed
            case Op.DropoutMask d -> none;
            // dx = rstd * (g - mean(g) - y * mean(g * y)), rstd = 1 / sqrt(var(x) + eps), means over the axes
            case Op.Normalize z -> one(normalize(z, in[0], y, g));
            // dx = conv_transpose2d(g, w) back to x's size, dw = conv2d_weight_grad(x, g)
            case Op.Conv2d c -> new Tensor[] {
                    need[0] ? g.convTranspose2d(in[1], c.geometry(), outputPadding(in[0], g, in[1], c.geometry(), 2),
                            outputPadding(in[0], g, in[1], c.geometry(), 3)) : null,
                    need[1] ? in[0].conv2dWeightGrad(g, c.geometry(), kernel(in[1], 2), kernel(in[1], 3)) : null};
            // the adjoint's adjoint: dx = conv2d(g, w) cut to x's size, dw = conv2d_weight_grad(g, x)
            case Op.ConvTranspose2d c -> new Tensor[] {
                    need[0] ? cut(g.conv2d(in[1], c.geometry()), in[0]) : null,
                    need[1] ? g.conv2dWeightGrad(in[0], c.geometry(), kernel(in[1], 2), kernel(in[1], 3)) : null};
            // bilinear in (x, g): dx = conv_transpose2d(g, u), dg = conv2d(x, u) cut to g's size
            case Op.Conv2dWeightGrad c -> new Tensor[] {
                    need[0] ? in[1].convTranspose2d(g, c.geometry(), outputPadding(in[0], in[1], g, c.geometry(), 2),
                            outputPadding(in[0], in[1], g, c.geometry(), 3)) : null,
                    need[1] ? cut(in[0].conv2d(g, c.geometry()), in[1]) : null};
            // the arg-max is piecewise constant: x gets none; u gets g scattered to the arg-max
            case Op.MaxPoolSelect m -> new Tensor[] {null, need[1] ? in[0].maxPoolScatter(g, m.window()) : null};
            // linear in g: its adjoint is the selection
            case Op.MaxPoolScatter m -> new Tensor[] {null, need[1] ? in[0].maxPoolSelect(g, m.window()) : null};
            // the adjoint of a running sum is the running sum the other way: dx = cumsum(g, reverse)
            case Op.CumSum c -> one(g.cumsum(c.axis(), !c.reverse()));
            case Op.CumProd c -> one(cumprod(c.axis(), in[0], y, g));
            case Op.ArgSort a -> none; // integer result: no gradient (isDifferentiable is false)
            case Op.Linalg l -> LinalgVjp.contributions(l.kind(), in, y, g, need);
            case Op.Attention a -> attention(a, in, y, g, need);
            // the fused ops' own gradients (second derivatives through attention) are not defined, as in PyTorch's fused kernels
            case Op.AttentionStats a -> throw new GradientException("attention_stats at node " + node.id()
                    + ": second derivatives through fused attention are not supported; build attention from matmul and softmax"
                    + " (Attention.scaledDotProductAttention with a mask, or attentionWeights) to differentiate it twice");
            case Op.AttentionGrad a -> throw new GradientException("attention_grad at node " + node.id()
                    + ": second derivatives through fused attention are not supported; build attention from matmul and softmax"
                    + " (Attention.scaledDotProductAttention with a mask, or attentionWeights) to differentiate it twice");
        };
        for (int i = 0; i < out.length; i++) {
            if (!need[i]) out[i] = null;
            else if (mixed && out[i] != null) out[i] = out[i].cast(in[i].dtype());
        }
        return out;
    }

    /**
     * A softmax's input gradient {@code y (g - sums)}, {@code sums} being {@code sum(g y)} along its axis (kept): given
     * apart so that {@code Autograd} can pass sums it took another way (attention's, from the product that reads y).
     */
    static Tensor softmaxGradient(Tensor y, Tensor g, Tensor sums) {
        return y.mul(g.sub(sums));
    }

    /**
     * {@code dx_k = sum_{i >= k} g_i prod_{j <= i, j != k} x_j}, exact with zeros (as PyTorch). Before
     * the first zero of a lane it is {@code revcumsum(g y)_k / x_k}; at the first zero {@code z} it is
     * {@code revcumsum(g y')_z} with {@code y'} the running product of x with that zero replaced by 1;
     * after it, every product holds the zero at z, so 0.
     */
    private static Tensor cumprod(int axis, Tensor x, Tensor y, Tensor g) {
        Tensor zero = x.eq(0).cast(x.dtype());
        Tensor seen = zero.cumsum(axis, false); // zeros at or before k
        Tensor before = seen.eq(0);
        Tensor first = seen.mul(zero).eq(1);
        Tensor safe = Tensor.where(before, x, x.scalarLike(1));
        Tensor dBefore = g.mul(y).cumsum(axis, true).div(safe);
        Tensor yOthers = Tensor.where(first, x.scalarLike(1), x).cumprod(axis);
        Tensor dFirst = g.mul(yOthers).cumsum(axis, true);
        return Tensor.where(before, dBefore, first.where(dFirst, 0));
    }

    private static Tensor unary(Op.Unary u, Tensor x, Tensor y, Tensor g) {
        double a = u.a(), c = u.b();
        return switch (u.kind()) {
            // -g
            case NEG -> g.neg();
            // g * sign(x)
            case ABS -> g.mul(x.sign());
            // piecewise constant: zero
            case SIGN -> null;
            // g * e^x = g * y
            case EXP -> g.mul(y);
            // g * e^x = g * (y + 1)
            case EXPM1 -> g.mul(y.add(1));
            // g / x
            case LOG -> g.div(x);
            // g / (1 + x)
            case LOG1P -> g.div(x.add(1));
            // g * 0.5 / sqrt(x)
            case SQRT -> g.mul(0.5).div(y);
            // -0.5 * g * x^(-3/2) = -0.5 * g * y^3
            case RSQRT -> g.mul(y.mul(y).mul(y)).mul(-0.5);
            // g * cos x
            case SIN -> g.mul(x.cos());
            // -g * sin x
            case COS -> g.mul(x.sin()).neg();
            // g * 2/sqrt(pi) * exp(-x^2)
            case ERF -> g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI));
            // g where x > 0
            case RELU -> x.gt(0).where(g, 0);
            // g * y * (1 - y)
            case SIGMOID -> g.mul(y.mul(y.rsub(1)));
            // g * (1 - y^2)
            case TANH -> g.mul(y.square().rsub(1));
            // g * (Phi(x) + x phi(x)), Phi = 0.5 (1 + erf(x/sqrt2)), phi = exp(-x^2/2)/sqrt(2pi): one op, GELU's derivative
            case GELU -> g.mul(x.geluDerivative());
            // g * (0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3c x^2)), t = tanh(k (x + c x^3)): one op
            case GELU_TANH -> g.mul(x.geluDerivative("tanh"));
            // (Phi + x phi)' = 2 phi + x phi' = phi (2 - x^2)
            case GELU_DERIVATIVE -> g.mul(x.square().mul(-0.5).exp().mul(INV_SQRT_2PI).mul(x.square().rsub(2)));
            // u = k (x + c x^3), t = tanh(u): ((1 - t^2) u' / 2 (1 + ...))' = (1 - t^2) (u' - x t u'^2 + 3 k c x^2), u' = k (1 + 3c x^2)
            case GELU_TANH_DERIVATIVE -> {
                Tensor x2 = x.square();
                Tensor t = x.add(x2.mul(x).mul(GELU_TANH_C)).mul(SQRT_2_OVER_PI).tanh();
                Tensor du = x2.mul(3 * GELU_TANH_C).add(1).mul(SQRT_2_OVER_PI);
                Tensor inner = du.sub(x.mul(t).mul(du.square())).add(x2.mul(3 * SQRT_2_OVER_PI * GELU_TANH_C));
                yield g.mul(t.square().rsub(1).mul(inner));
            }
            // s = sigmoid(x): g * s * (1 + x (1 - s))
            case SILU -> {
                Tensor s = x.sigmoid();
                yield g.mul(s.mul(x.mul(s.rsub(1)).add(1)));
            }
            // g where beta x > threshold, else g * sigmoid(beta x)
            case SOFTPLUS -> {
                Tensor bx = x.mul(a);
                yield bx.gt(c).where(g, g.mul(bx.sigmoid()));
            }
            // g where x > 0, else g * alpha e^x = g * (y + alpha)
            case ELU -> x.gt(0).where(g, g.mul(y.add(a)));
            // g where x > 0, else slope * g
            case LEAKY_RELU -> x.gt(0).where(g, g.mul(a));
            // g where lo <= x <= hi, else 0
            case CLAMP -> x.ge(a).where(x.le(c).where(g, 0), 0);
            // piecewise constant: zero, as PyTorch
            case FLOOR, ROUND -> null;
        };
    }

    private static int kernel(Tensor w, int axis) {
        return w.shape().dim(axis);
    }

    /** The output padding that makes conv_transpose2d of {@code y} with kernel {@code w} as large as {@code x} along {@code axis}. */
    private static int outputPadding(Tensor x, Tensor y, Tensor w, dev.jasg.core.ConvGeometry geo, int axis) {
        int full = axis == 2 ? geo.transposedH(y.shape().dim(2), w.shape().dim(2), 0) : geo.transposedW(y.shape().dim(3), w.shape().dim(3), 0);
        return x.shape().dim(axis) - full;
    }

    /** {@code t} cut to {@code like}'s last two sizes (a convolution may cover rows its adjoint never wrote). */
    private static Tensor cut(Tensor t, Tensor like) {
        int h = like.shape().dim(2), w = like.shape().dim(3);
        if (t.shape().dim(2) != h) t = t.slice(2, 0, h);
        if (t.shape().dim(3) != w) t = t.slice(3, 0, w);
        return t;
    }

    private static Tensor normalize(Op.Normalize z, Tensor x, Tensor y, Tensor g) {
        int[] axes = z.axes().toArray();
        Tensor rstd = x.var(axes, false, true).add(z.eps()).rsqrt();
        Tensor centred = g.sub(g.mean(axes, true)).sub(y.mul(g.mul(y).mean(axes, true)));
        return rstd.mul(centred);
    }

    private static Tensor[] binary(Op.Binary op, Tensor a, Tensor b, Tensor y, Tensor g, boolean[] need) {
        Tensor[] d = switch (op.kind()) {
            // ga = g, gb = g
            case ADD -> new Tensor[] {g, g};
            // ga = g, gb = -g
            case SUB -> new Tensor[] {g, need[1] ? g.neg() : null};
            // ga = g b, gb = g a
            case MUL -> new Tensor[] {need[0] ? g.mul(b) : null, need[1] ? g.mul(a) : null};
            // ga = g / b, gb = -g a / b^2 = -(g / b) y
            case DIV -> {
                Tensor gOverB = g.div(b);
                yield new Tensor[] {gOverB, need[1] ? gOverB.mul(y).neg() : null};
            }
            // ga = g b a^(b-1), gb = g y ln a, 0 where a == 0 (ln reads 1 there so no NaN leaks into second derivatives)
            case POW -> {
                Tensor ga = need[0] ? g.mul(b).mul(a.pow(b.sub(1))) : null;
                Tensor gb = null;
                if (need[1]) {
                    Tensor zero = a.eq(0);
                    Tensor safeA = zero.where(a.scalarLike(1), a);
                    gb = zero.where(g.scalarLike(0), g.mul(y).mul(safeA.log()));
                }
                yield new Tensor[] {ga, gb};
            }
            // the larger side gets g, ties split g/2 each (as PyTorch)
            case MAXIMUM -> new Tensor[] {
                    need[0] ? a.gt(b).where(g, a.eq(b).where(g.mul(0.5), 0)) : null,
                    need[1] ? b.gt(a).where(g, a.eq(b).where(g.mul(0.5), 0)) : null};
            // the smaller side gets g, ties split g/2 each (as PyTorch)
            case MINIMUM -> new Tensor[] {
                    need[0] ? a.lt(b).where(g, a.eq(b).where(g.mul(0.5), 0)) : null,
                    need[1] ? b.lt(a).where(g, a.eq(b).where(g.mul(0.5), 0)) : null};
            // atan2(a, b): ga = g b / (a^2 + b^2), gb = -g a / (a^2 + b^2)
            case ATAN2 -> {
                Tensor gOverR2 = g.div(a.square().add(b.square()));
                yield new Tensor[] {need[0] ? gOverR2.mul(b) : null, need[1] ? gOverR2.mul(a).neg() : null};
            }
            // ga = g, gb = -g trunc(a / b)
            case FMOD -> new Tensor[] {g, need[1] ? g.mul(a.div(b).trunc()).neg() : null};
        };
        return new Tensor[] {
                need[0] ? sumToShape(d[0], a.shape()) : null,
                need[1] ? sumToShape(d[1], b.shape()) : null};
    }

    private static Tensor reduce(Op.Reduce r, Tensor x, Tensor y, Tensor g) {
        Ints axes = r.axes();
        if (axes.size() == 0) return g; // an empty reduction is a copy
        GraphBuilder b = x.builder();
        Shape kept = ShapeRules.reduced(x.shape(), axes, true);
        Tensor gKept = g.reshape(kept);
        return switch (r.kind()) {
            // g broadcast back over the reduced axes
            case SUM -> gKept.broadcastTo(x.shape());
            // g broadcast back, divided by the reduced count (resolved at run time for symbolic sizes)
            case MEAN -> gKept.broadcastTo(x.shape()).div(b.apply(new Op.Count(axes), x));
            // g shared evenly among the elements equal to the extremum: g * mask / sum(mask)
            case MAX, MIN -> {
                Tensor mask = x.eq(y.reshape(kept)).cast(x.dtype());
                Tensor ties = b.apply(new Op.Reduce(ReduceOp.SUM, axes, true), mask);
                yield gKept.mul(mask).div(ties);
            }
        };
    }

    /** torch.matmul's gradient: ga = g b^T, gb = a^T g on the 1-D-promoted operands, batch broadcasting summed away. */
    private static Tensor[] matmul(Tensor a, Tensor b, Tensor g, boolean[] need) {
        Tensor a2 = a.rank() == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = b.rank() == 1 ? b.unsqueeze(-1) : b;
        // g with the squeezed 1-D axes restored: batch + [M, N]
        Tensor g2 = g.reshape(ShapeRules.matmul(a2.shape(), b2.shape()));
        return new Tensor[] {
                need[0] ? sumToShape(g2.matmul(b2.mT()), a2.shape()).reshape(a.shape()) : null,
                need[1] ? (b2.rank() == 2 && a2.rank() > 2 && concreteBatch(a2) ? sharedRightGradient(a2, g2)
                        : sumToShape(a2.mT().matmul(g2), b2.shape())).reshape(b.shape()) : null};
    }

    /**
     * The gradient of a right operand {@code [K, N]} shared by every batch matrix of {@code a [.., M, K]} (a Linear layer's
     * weight under a batch of sequences): one product {@code a'^T g'} over all rows at once ({@code a'} and {@code g'} the
     * operands with their batch axes merged into the rows), not a product per batch matrix summed after, which writes a
     * {@code [.., K, N]} intermediate and reads it again.
     */
    private static Tensor sharedRightGradient(Tensor a2, Tensor g2) {
        Object k = a2.shape().parts().get(a2.rank() - 1), n = g2.shape().parts().get(g2.rank() - 1);
        return a2.reshapeSymbolic(-1, k).mT().matmul(g2.reshapeSymbolic(-1, n));
    }

    /**
     * True when {@code t}'s batch and row axes (all but the last) are known positive sizes, so that merging them is a plain
     * reshape (a symbolic one would make the merged axis a product of symbols, which shapes do not hold).
     */
    private static boolean concreteBatch(Tensor t) {
        for (int i = 0; i < t.rank() - 1; i++) {
            if (!(t.shape().parts().get(i) instanceof Integer d) || d <= 0) return false;
        }
        return true;
    }

    /** The three gradients of fused attention, each its own {@code attention_grad} node over one shared {@code attention_stats}. */
    private static Tensor[] attention(Op.Attention a, Tensor[] in, Tensor y, Tensor g, boolean[] need) {
        GraphBuilder b = g.builder();
        Tensor lse = b.apply(new Op.AttentionStats(a.scale(), a.causal()), in[0], in[1]);
        Tensor[] out = new Tensor[3];
        for (int wrt = 0; wrt < 3; wrt++) {
            if (need[wrt]) out[wrt] = b.apply(new Op.AttentionGrad(a.scale(), a.causal(), wrt), in[0], in[1], in[2], y, g, lse);
        }
        return out;
    }

    private static Tensor[] concat(Op.Concat c, Tensor[] in, Tensor g, boolean[] need) {
        Tensor[] out = new Tensor[in.length];
        int offset = 0;
        for (int k = 0; k < in.length; k++) {
            int len = in[k].shape().dim(c.axis());
            if (need[k]) out[k] = g.builder().apply(new Op.Slice(c.axis(), offset, offset + len, 1), g);
            offset += len;
        }
        return out;
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    private static int[] inverse(Ints perm) {
        int[] inv = new int[perm.size()];
        for (int i = 0; i < inv.length; i++) inv[perm.get(i)] = i;
        return inv;
    }

    /**
     * Undoes broadcasting: sums {@code grad} over the leading axes that {@code target} lacks
     * and over the axes where {@code target} has size 1 and {@code grad} does not, then
     * reshapes to {@code target}. Symbolic sizes are compared by name, so a {@code [B,1]}
     * target of a {@code [B,10]} gradient sums axis 1 only.
     */
    public static Tensor sumToShape(Tensor grad, Shape target) {
        Shape s = grad.shape();
        if (s.equals(target)) return grad;
        int lead = s.rank() - target.rank();
        if (lead < 0) throw new IllegalArgumentException("sumToShape: " + s + " has a lower rank than the target " + target);
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < lead; i++) axes.add(i);
        for (int i = 0; i < target.rank(); i++) {
            if (target.isOne(i) && !s.isOne(lead + i)) axes.add(lead + i);
            else if (!target.isOne(i) && !target.sameDim(i, s, lead + i)) {
                throw new IllegalArgumentException("sumToShape: " + s + " is not a broadcast of " + target);
            }
        }
        Tensor summed = axes.isEmpty() ? grad
                : grad.builder().apply(new Op.Reduce(ReduceOp.SUM, Ints.of(axes.stream().mapToInt(Integer::intValue).toArray()), true), grad);
        return summed.reshape(target);
    }
}
