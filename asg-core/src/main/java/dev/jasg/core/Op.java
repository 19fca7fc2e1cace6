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

    /**
     * {@code torch.matmul}: batched, broadcasting over leading axes, 1-D operands promoted and squeezed.
     * Two {@link DType#F16} or {@link DType#BF16} operands accumulate in f32 and give an F32 result
     * (so do the convolutions): the mixed-precision product of {@link Autocast}.
     */
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

    /**
     * Conversion to {@code to}; float to integer truncates toward zero, anything to BOOL is {@code x != 0},
     * to F16/BF16 rounds to nearest even ({@link HalfFloats}: NaN stays NaN, F16 overflows to infinity).
     */
    record Cast(DType to) implements Op {}

    /**
     * {@code torch.Tensor.detach}: the value of its input, through which no gradient flows
     * ({@code y = x}, {@code dy/dx = 0} by definition). Losses use it to give a gradient of their own
     * choosing ({@code stop(v) + (x - stop(x)) stop(g)} has the value {@code v} and the gradient {@code g}).
     */
    record StopGradient() implements Op {}

    /**
     * Rows of a table picked by integer indices (the embedding lookup, {@code torch.index_select}
     * on axis 0 for any index shape). Inputs {@code (table [V, D...], indices I32 [I...])}, output
     * {@code [I..., D...]}: {@code out[i..., :] = table[indices[i...], :]}. An index outside
     * {@code [0, V)} is an error on the host backends.
     */
    record Gather() implements Op {}

    /**
     * The adjoint of {@link Gather}: inputs {@code (updates [I..., D...], indices I32 [I...])},
     * output zeros of {@code [size, D...]} with {@code out[indices[i...], :] += updates[i..., :]},
     * repeated indices summing.
     */
    record ScatterAdd(int size) implements Op {}

    /**
     * A dropout mask: inputs {@code (x, seed)} where {@code x} only gives the shape and
     * {@code seed} is an I32 scalar; output F32 of {@code x}'s shape with element {@code i}
     * equal to {@code 1/(1-p)} when {@code u(seed, salt, i) >= p} and 0 otherwise.
     * {@code u} is a counter-based hash ({@link #bits24}) of the seed, the salt and the flat
     * index mapped to {@code [0, 1)} with 24 bits, the same function on every backend, so
     * all backends give identical masks. It depends on {@code x}'s shape only, so its
     * gradient is zero. Seeds are exact up to {@code 2^24} (integers are stored as floats).
     */
    record DropoutMask(double p, long salt) implements Op {
        private static final double TWO_24 = 16777216.0;

        /** Checks {@code 0 <= p <= 1}. */
        public DropoutMask {
            if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        }

        /** murmur3's 32-bit finaliser: a bijection with full avalanche. */
        public static int fmix32(int h) {
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            h ^= h >>> 16;
            return h;
        }

        /** The salt folded to 32 bits; a constant per node, computed on the host by every backend. */
        public static int saltMix(long salt) {
            return fmix32((int) salt ^ fmix32((int) (salt >>> 32) ^ 0x68E31DA4));
        }

        /** The key of the stream for one seed: {@code fmix32(seed * 0x9E3779B9 + saltMix)}. */
        public static int streamKey(int seed, int saltMix) {
            return fmix32(seed * 0x9E3779B9 + saltMix);
        }

        /** 24 uniform bits for element {@code index}: {@code fmix32(fmix32(index * 0x9E3779B9 + key) + key) >>> 8}. */
        public static int bits24(int key, int index) {
            return fmix32(fmix32(index * 0x9E3779B9 + key) + key) >>> 8;
        }

        /** Smallest 24-bit value that is kept: {@code u = bits / 2^24 >= p} exactly when {@code bits >= ceil(p 2^24)}. */
        public int threshold() {
            return (int) Math.ceil(p * TWO_24);
        }

        /** The value of a kept element, {@code 1/(1-p)} (0 when p is 1: nothing is kept). */
        public double scale() {
            return p >= 1 ? 0 : 1 / (1 - p);
        }

        /** True when element {@code index} of the mask for {@code seed} is kept. */
        public boolean keeps(int seed, int index) {
            return bits24(streamKey(seed, saltMix(salt)), index) >= threshold();
        }
    }

    /**
     * {@code y = (x - mean(x, axes)) / sqrt(var(x, axes) + eps)} with the biased variance over
     * {@code axes} (sorted, non-negative, non-empty): layer norm over the last axes, batch norm
     * over every axis but the channel axis.
     */
    record Normalize(Ints axes, double eps) implements Op {}

    /**
     * 2-D convolution (cross-correlation, as {@code torch.nn.functional.conv2d}): inputs
     * {@code (x [N, C, H, W], w [O, C/groups, kh, kw])}, output {@code [N, O, Ho, Wo]} with
     * {@code y[n,o,p,q] = sum_{c,i,j} w[o,c,i,j] x[n, G(o) + c, p sh - pt + i dh, q sw - pl + j dw]},
     * {@code G(o)} the first input channel of {@code o}'s group, zero outside the input.
     */
    record Conv2d(ConvGeometry geometry) implements Op {}

    /**
     * Transposed 2-D convolution (as {@code torch.nn.functional.conv_transpose2d}), the adjoint
     * of {@link Conv2d} in its input: inputs {@code (x [N, Cin, H, W], w [Cin, Cout/groups, kh, kw])},
     * output {@code [N, Cout, Ho, Wo]} with {@code Ho = (H-1) sh - pt - pb + dh (kh-1) + 1 + outputPaddingH};
     * every {@code x[n,ci,p,q] w[ci,co,i,j]} is added at {@code (p sh - pt + i dh, q sw - pl + j dw)}.
     * Any output padding {@code >= 0} is allowed here (gradients need it); layers enforce PyTorch's bound.
     */
    record ConvTranspose2d(ConvGeometry geometry, int outputPaddingH, int outputPaddingW) implements Op {}

    /**
     * The gradient of {@link Conv2d} with respect to its kernel: inputs
     * {@code (x [N, C, H, W], g [N, O, Ho, Wo])}, output {@code [O, C/groups, kernelH, kernelW]} with
     * {@code dw[o,c,i,j] = sum_{n,p,q} g[n,o,p,q] x[n, G(o) + c, p sh - pt + i dh, q sw - pl + j dw]};
     * {@code Ho, Wo} may be smaller than the convolution's output size (the rest is taken as zero).
     */
    record Conv2dWeightGrad(ConvGeometry geometry, int kernelH, int kernelW) implements Op {}

    /**
     * Max-pooling selection: inputs {@code (x, u)} of one shape {@code [N, C, H, W]}; output
     * {@code [N, C, Ho, Wo]} holding, for each window, {@code u} at the position where {@code x}
     * is largest (the first such in row-major window order; NaN counts as largest). Max pooling
     * is {@code select(x, x)}; its gradient is {@link MaxPoolScatter}. The choice of position is
     * piecewise constant, so {@code x} gets no gradient.
     */
    record MaxPoolSelect(PoolWindow window) implements Op {}

    /**
     * The adjoint of {@link MaxPoolSelect} in {@code u}: inputs {@code (x [N, C, H, W], g [N, C, Ho, Wo])},
     * output zeros of {@code x}'s shape with each {@code g} added at the arg-max of its window of
     * {@code x} (windows sharing an arg-max sum).
     */
    record MaxPoolScatter(PoolWindow window) implements Op {}

    /**
     * {@code torch.cumsum}: the inclusive running sum along {@code axis},
     * {@code y[.., i, ..] = sum_{j <= i} x[.., j, ..]}; with {@code reverse} the sum runs from the
     * end, {@code y_i = sum_{j >= i} x_j} (the adjoint of the forward sum, so its own gradient).
     * Float or integer input; one O(n) pass per lane.
     */
    record CumSum(int axis, boolean reverse) implements Op {}

    /**
     * {@code torch.cumprod}: the inclusive running product along {@code axis},
     * {@code y_i = prod_{j <= i} x_j}. A primitive because {@code exp(cumsum(log x))} is wrong for
     * zeros and negative numbers; its gradient is exact with zeros (see {@code Vjp}).
     */
    record CumProd(int axis) implements Op {}

    /**
     * {@code torch.argsort(x, dim, descending, stable=True)}: I32 indices that sort each lane
     * along {@code axis}, ascending or {@code descending}; equal elements keep their original
     * order (stable) and NaN sorts as the largest value, as in PyTorch. Piecewise constant:
     * no gradient. {@code sort}, {@code topk} and {@code msort} are composites of it.
     */
    record ArgSort(int axis, boolean descending) implements Op {}

    /**
     * Dense linear algebra on the last two axes ({@code torch.linalg}): one result of one function, see
     * {@link LinalgOp} for each function's shapes and sign conventions. Inputs: the matrix {@code A}
     * ({@code [.., m, n]}, float), and for {@link LinalgOp#SOLVE} the right-hand sides {@code B [.., n, k]} with
     * the same batch. Use {@link Linalg} to build them.
     */
    record Linalg(LinalgOp kind) implements Op {}

    /**
     * Fused scaled dot-product attention ({@code torch.nn.functional.scaled_dot_product_attention}
     * without mask or dropout): inputs {@code (q [.., Lq, E], k [.., Lk, E], v [.., Lk, Ev])} with equal
     * leading axes, output {@code [.., Lq, Ev]},
     * {@code o[i] = sum_j p[i,j] v[j]}, {@code p[i,.] = softmax_j(scale q[i].k[j])} over the keys
     * {@code j} it may attend: all of them, or with {@code causal} those with {@code j <= i} (aligned at
     * the top left when {@code Lq != Lk}, as {@code is_causal}). A primitive for speed: a backend need not
     * store the {@code [.., Lq, Lk]} weights. Float inputs of one dtype; half inputs (F16, BF16) give an
     * F32 result, as the products do. No keys ({@code Lk = 0}) is a shape error; with {@code causal} every row attends at least key 0.
     */
    record Attention(double scale, boolean causal) implements Op {}

    /**
     * The softmax statistics of {@link Attention}: inputs {@code (q [.., Lq, E], k [.., Lk, E])}, output
     * {@code [.., Lq]} in F32 (F64 for F64 operands: the products' accumulated type), {@code lse[i] = log sum_j exp(scale q[i].k[j])} over the keys {@code i} may attend
     * (so {@code p[i,j] = exp(scale q[i].k[j] - lse[i])}). Computed once for the three gradients.
     */
    record AttentionStats(double scale, boolean causal) implements Op {}

    /**
     * One gradient of {@link Attention}: inputs {@code (q, k, v, o, g, lse)} (the forward's operands, its
     * output {@code o}, the output's gradient {@code g [.., Lq, Ev]} and {@link AttentionStats}' {@code lse}),
     * output the gradient of operand {@code wrt} (0 = q, 1 = k, 2 = v) in F32 (F64 for F64 operands; the
     * caller casts it to a half operand's type), of that operand's shape:
     * with {@code dp[i,j] = g[i].v[j]} and {@code ds[i,j] = p[i,j] (dp[i,j] - g[i].o[i])},
     * {@code dq[i] = scale sum_j ds[i,j] k[j]}, {@code dk[j] = scale sum_i ds[i,j] q[i]},
     * {@code dv[j] = sum_i p[i,j] g[i]}. One op per result, as {@link LinalgOp}'s factorisations.
     */
    record AttentionGrad(double scale, boolean causal, int wrt) implements Op {
        public AttentionGrad {
            if (wrt < 0 || wrt > 2) throw new IllegalArgumentException("attention_grad: wrt must be 0 (q), 1 (k) or 2 (v), got " + wrt);
        }
    }

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
            case Gather g -> "gather";
            case ScatterAdd s -> "scatter_add";
            case DropoutMask d -> "dropout_mask";
            case Normalize n -> "normalize";
            case Conv2d c -> "conv2d";
            case ConvTranspose2d c -> "conv_transpose2d";
            case Conv2dWeightGrad c -> "conv2d_weight_grad";
            case MaxPoolSelect m -> "max_pool_select";
            case MaxPoolScatter m -> "max_pool_scatter";
            case StopGradient s -> "detach";
            case CumSum c -> "cumsum";
            case CumProd c -> "cumprod";
            case ArgSort a -> "argsort";
            case Linalg l -> "linalg." + l.kind().label();
            case Attention a -> "attention";
            case AttentionStats a -> "attention_stats";
            case AttentionGrad a -> "attention_grad";
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
            case Gather g -> "";
            case ScatterAdd s -> "size=" + s.size();
            case DropoutMask d -> "p=" + d.p() + " salt=" + d.salt();
            case Normalize n -> "axes=" + n.axes() + " eps=" + n.eps();
            case Conv2d c -> c.geometry().toString();
            case ConvTranspose2d c -> c.geometry() + " output_padding=" + c.outputPaddingH() + "x" + c.outputPaddingW();
            case Conv2dWeightGrad c -> c.geometry() + " kernel=" + c.kernelH() + "x" + c.kernelW();
            case MaxPoolSelect m -> m.window().toString();
            case MaxPoolScatter m -> m.window().toString();
            case StopGradient s -> "";
            case CumSum c -> "axis=" + c.axis() + (c.reverse() ? " reverse" : "");
            case CumProd c -> "axis=" + c.axis();
            case ArgSort a -> "axis=" + a.axis() + (a.descending() ? " descending" : "");
            case Linalg l -> "";
            case Attention a -> "scale=" + a.scale() + (a.causal() ? " causal" : "");
            case AttentionStats a -> "scale=" + a.scale() + (a.causal() ? " causal" : "");
            case AttentionGrad a -> "scale=" + a.scale() + (a.causal() ? " causal" : "") + " wrt=" + "qkv".charAt(a.wrt());
        };
    }
}
