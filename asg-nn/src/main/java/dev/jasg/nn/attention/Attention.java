package dev.jasg.nn.attention;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.UnaryOperator;

/**
 * Scaled dot-product attention, as {@code torch.nn.functional.scaled_dot_product_attention}:
 *
 * <pre>  attention(Q, K, V) = softmax(Q K^T * scale + M) V,   scale = 1 / sqrt(head_dim)</pre>
 *
 * on tensors {@code q [..., Lq, E]}, {@code k [..., Lk, E]}, {@code v [..., Lk, Ev]} whose leading
 * axes ({@code [batch, heads]} usually, any number of them, symbolic ones included) broadcast
 * as in {@code matmul}. The softmax is the stable primitive (it subtracts the row maximum).
 *
 * <p>Masks follow the functional API of PyTorch: a BOOL mask broadcastable to {@code [..., Lq, Lk]}
 * is true where a query may attend a key; a float mask is added to the scores. {@code causal}
 * keeps key {@code j} for query {@code i} when {@code j <= i}, aligned at the top left when
 * {@code Lq != Lk} (as {@code is_causal}).
 *
 * <p>Masked scores are replaced (not offset) by {@link #MASKED_SCORE} = -1e9, finite in F32, so
 * no {@code inf - inf} arises; such a key then gets weight {@code exp(-1e9 - max) = 0} exactly.
 * A query row whose keys are all masked would otherwise become a uniform average; instead
 * its weights (and so its output) are zero, and so is its gradient, where PyTorch's math
 * kernel gives NaN. In a float mask, {@code -inf} entries count as masked in the same way,
 * and finite entries are added.
 *
 * <p>Fused attention (opt-in). With the system property {@value #FUSED_PROPERTY} set to {@code true} (read
 * whenever a graph is built), and without a user mask and without dropout (a causal mask alone is fine), when
 * {@code q}, {@code k} and {@code v} have the same rank, equal leading axes (no broadcasting), one float dtype
 * and at least one key, the result is one fused {@link Op.Attention} node instead of the composite: the same
 * values, but a backend need not store the {@code [..., Lq, Lk]} weights (memory for long sequences), and its
 * gradient is one {@link Op.AttentionStats} and one {@link Op.AttentionGrad} per operand.
 * {@link #fusedScaledDotProductAttention} builds it whatever the property says. Two differences follow from the
 * fused op: half inputs (F16, BF16) give an F32 result, and the result cannot be differentiated twice
 * (forward-mode {@code Autograd.jvp} and second derivatives need the composite). Off by default because it is
 * not faster everywhere yet: on the CPU backend the fused kernels beat the composite by 1.1-1.6x on attention
 * alone (a training step of the benchmarks' transformer is unchanged within noise), while the Vulkan backend's
 * f32 kernels run at about a third of its matrix product's speed (a GPT-2-small step on an H200: 27.1k tokens/s
 * fused against 36.7k composite, 2026-12-03). {@link #attentionWeights} is always the composite.
 *
 * <p>Stateless apart from the per-builder dropout call count (synchronised); safe to call from any thread
 * for distinct builders, as {@link GraphBuilder} itself is not thread-safe.
 */
public final class Attention {
    /** The score a masked position takes before the softmax. */
    public static final double MASKED_SCORE = -1e9;

    /** System property that turns the fused attention op on ({@code true}) for the layers and functions here; read whenever a graph is built. */
    public static final String FUSED_PROPERTY = "jasg.attention.fused";

    // Functional dropout calls per builder, to give each its own seed parameter.
    private static final Map<GraphBuilder, Integer> DROPOUT_CALLS = new WeakHashMap<>();

    private Attention() {}

    /** Attention with no mask, no dropout and the default scale. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v) {
        return scaledDotProductAttention(q, k, v, null, false, 0);
    }

    /**
     * Attention with an optional {@code mask} (BOOL: true = attend; float: added), an optional
     * causal mask and dropout on the attention weights with probability {@code dropoutP}
     * (applied whenever {@code dropoutP > 0}, as the functional API does; modules pass 0 in eval
     * mode). The default scale {@code 1/sqrt(E)}. The dropout of this functional form is a
     * {@link Dropout} layer of its own whose I32 seed is a non-trainable parameter
     * {@code sdpa_dropout.seed} in the current scope, advanced by every run of the graph.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double dropoutP) {
        return scaledDotProductAttention(q, k, v, mask, causal, dropoutP, Double.NaN);
    }

    /** As {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double)} with scores scaled by {@code scale} (NaN: {@code 1/sqrt(E)}). */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double dropoutP, double scale) {
        return attend(q, k, v, mask == null ? List.of() : List.of(mask), causal, dropoutP, scale);
    }

    /**
     * The attention weights {@code softmax(Q K^T * scale + M)} of shape {@code [..., Lq, Lk]},
     * masked as in {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double)}
     * (rows with every key masked are zero).
     */
    public static Tensor attentionWeights(Tensor q, Tensor k, Tensor mask, boolean causal, double scale) {
        checkQk(q, k);
        return weights(q, k, mask == null ? List.of() : List.of(mask), causal, scale);
    }

    /** Attention with several masks, all applied (BOOL ones ANDed, float ones added), dropout {@code dropoutP} by a fresh seed. */
    static Tensor attend(Tensor q, Tensor k, Tensor v, List<Tensor> masks, boolean causal, double dropoutP, double scale) {
        if (!(dropoutP >= 0 && dropoutP <= 1)) throw new IllegalArgumentException("scaled_dot_product_attention: dropout_p must be in [0, 1], got " + dropoutP);
        return attend(q, k, v, masks, causal, dropoutP > 0 ? w -> functionalDropout(w, dropoutP) : null, scale);
    }

    /**
     * Attention with several masks, all applied (BOOL ones ANDed, float ones added), and
     * {@code weightDropout} (null for none) applied to the attention weights.
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, List<Tensor> masks, boolean causal, UnaryOperator<Tensor> weightDropout, double scale) {
        checkQk(q, k);
        if (v.rank() < 2) throw new ShapeException("scaled_dot_product_attention: value must have rank >= 2, got " + v.shape() + " at node " + v.id());
        if (!k.shape().sameDim(-2, v.shape(), -2)) {
            throw new ShapeException("scaled_dot_product_attention: key " + k.shape() + " and value " + v.shape()
                    + " differ in sequence length at nodes " + k.id() + ", " + v.id());
        }
        if (v.dtype() != q.dtype()) {
            throw new ShapeException("scaled_dot_product_attention: value is " + v.dtype().label() + " but query is " + q.dtype().label());
        }
        if (weightDropout == null && masks.stream().allMatch(java.util.Objects::isNull)) {
            Tensor fused = fused(q, k, v, causal, scale);
            if (fused != null) return fused;
        }
        Tensor w = weights(q, k, masks, causal, scale);
        if (weightDropout != null) w = weightDropout.apply(w);
        return w.matmul(v);
    }

    /** True when the fused op is enabled ({@value #FUSED_PROPERTY} is {@code true}). */
    public static boolean fusedEnabled() {
        return "true".equalsIgnoreCase(System.getProperty(FUSED_PROPERTY, "false").trim());
    }

    /**
     * Fused scaled dot-product attention whatever {@value #FUSED_PROPERTY} says: one {@link Op.Attention} node of
     * {@code q [.., Lq, E]}, {@code k [.., Lk, E]}, {@code v [.., Lk, Ev]} (same rank, equal leading axes, one float
     * dtype, {@code Lk >= 1}), keys {@code j <= i} only when {@code causal}, scores scaled by {@code scale} (NaN:
     * {@code 1/sqrt(E)}).
     *
     * @throws ShapeException when the operands do not fit the fused op (it does not broadcast)
     */
    public static Tensor fusedScaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal, double scale) {
        checkQk(q, k);
        Tensor t = fusedOp(q, k, v, causal, scale);
        if (t == null) {
            throw new ShapeException("fused attention: query " + q.dtype().label() + q.shape() + ", key " + k.dtype().label() + k.shape()
                    + " and value " + v.dtype().label() + v.shape() + " (nodes " + q.id() + ", " + k.id() + ", " + v.id()
                    + ") need the same rank, equal leading axes, one float dtype, at least one key and a concrete head size with the default scale");
        }
        return t;
    }

    /**
     * The fused {@link Op.Attention} of {@code q, k, v} with no mask but the optional causal one, or null
     * where the fused op does not apply (turned off, different ranks, broadcast leading axes, mixed or
     * non-float dtypes, no key, a symbolic head size with the default scale): the caller then builds the
     * composite, whose errors (or broadcasting) apply.
     */
    static Tensor fused(Tensor q, Tensor k, Tensor v, boolean causal, double scale) {
        return fusedEnabled() ? fusedOp(q, k, v, causal, scale) : null;
    }

    /** The fused op, or null where it does not apply. */
    private static Tensor fusedOp(Tensor q, Tensor k, Tensor v, boolean causal, double scale) {
        int r = q.rank();
        if (r < 2 || k.rank() != r || v.rank() != r) return null;
        if (!q.dtype().isFloat() || k.dtype() != q.dtype() || v.dtype() != q.dtype()) return null;
        for (int i = 0; i < r - 2; i++) {
            if (!k.shape().sameDim(i, q.shape(), i) || !v.shape().sameDim(i, q.shape(), i)) return null;
        }
        if (!k.shape().sameDim(r - 1, q.shape(), r - 1) || !v.shape().sameDim(r - 2, k.shape(), r - 2)) return null;
        if (!k.shape().isSymbolic(r - 2) && k.shape().dim(r - 2) == 0) return null;
        if (Double.isNaN(scale) && q.shape().isSymbolic(r - 1)) return null;
        double s = Double.isNaN(scale) ? 1 / Math.sqrt(q.shape().dim(r - 1)) : scale;
        return q.builder().apply(new Op.Attention(s, causal), q, k, v);
    }

    /**
     * Dropout for the functional form: a {@link Dropout} layer of its own, in a scope
     * {@code sdpa_dropout} (then {@code sdpa_dropout_1}, ... for later calls on the same
     * builder), so its seed parameter is {@code <scope>.sdpa_dropout.seed} and advances every run.
     */
    private static Tensor functionalDropout(Tensor w, double p) {
        GraphBuilder b = w.builder();
        int k;
        synchronized (DROPOUT_CALLS) {
            k = DROPOUT_CALLS.merge(b, 1, Integer::sum) - 1;
        }
        try (var scope = b.scope(k == 0 ? "sdpa_dropout" : "sdpa_dropout_" + k)) {
            return new Dropout(p).apply(w);
        }
    }

    static void checkQk(Tensor q, Tensor k) {
        if (q.rank() < 2 || k.rank() < 2) {
            throw new ShapeException("scaled_dot_product_attention: query " + q.shape() + " and key " + k.shape()
                    + " must have rank >= 2 (nodes " + q.id() + ", " + k.id() + ")");
        }
        if (!q.dtype().isFloat() || q.dtype() != k.dtype()) {
            throw new ShapeException("scaled_dot_product_attention: query and key must share a float dtype, got "
                    + q.dtype().label() + q.shape() + " and " + k.dtype().label() + k.shape());
        }
        if (!q.shape().sameDim(-1, k.shape(), -1)) {
            throw new ShapeException("scaled_dot_product_attention: query " + q.shape() + " and key " + k.shape()
                    + " differ in the last (embedding) axis at nodes " + q.id() + ", " + k.id());
        }
    }

    /**
     * The attention weights {@code softmax(Q K^T * scale + M)} under several masks (BOOL ones
     * true = attend, ANDed; float ones added) and an optional causal mask; rows with no key zero.
     */
    static Tensor weights(Tensor q, Tensor k, List<Tensor> masks, boolean causal, double scale) {
        double s = Double.isNaN(scale) ? 1 / Math.sqrt(q.shape().dim(-1 + q.rank())) : scale;
        // A power-of-two scale (1/8 for 64-wide heads) scales the queries instead of the scores: the same values bit for
        // bit (every product and partial sum is scaled exactly, subnormal queries aside), on [.., Lq, E] instead of [.., Lq, Lk]
        // elements; on the GPU the product then runs without an epilogue (0.41 against 1.08 ms for GPT-2's [8,12,1024,1024]).
        Tensor scores = exactScale(s) ? (s == 1 ? q : q.mul(s)).matmul(k.mT()) : q.matmul(k.mT()).mul(s);
        List<Tensor> keeps = new ArrayList<>();
        boolean anyUserMask = false;
        for (Tensor m : masks) {
            if (m == null) continue;
            anyUserMask = true;
            if (m.dtype() == DType.BOOL) {
                keeps.add(m);
            } else if (m.dtype().isFloat()) {
                Tensor additive = m.cast(scores.dtype());
                Tensor finite = additive.gt(Double.NEGATIVE_INFINITY);
                // -inf entries are masked by replacement below; adding them would only make -inf scores.
                scores = scores.add(finite.where(additive, 0));
                keeps.add(finite);
            } else {
                throw new ShapeException("attention: a mask must be BOOL (true = attend) or float (added), got "
                        + m.dtype().label() + m.shape() + " at node " + m.id());
            }
        }
        if (causal) keeps.add(causalMask(q.builder(), seqLength(q, "query"), seqLength(k, "key")));
        if (keeps.isEmpty()) return scores.softmax(-1);
        Tensor keep = keeps.get(0);
        for (int i = 1; i < keeps.size(); i++) keep = and(keep, keeps.get(i));
        Tensor w = keep.where(scores, MASKED_SCORE).softmax(-1);
        if (!anyUserMask) return w; // a causal mask alone always keeps key 0
        // Zero the rows that have no key to attend instead of spreading them uniformly.
        Tensor anyKept = keep.cast(w.dtype()).max(-1, true);
        return w.mul(anyKept);
    }

    /** True when multiplying by {@code s} is exact for every normal float: a power of two within F16's exponent range. */
    static boolean exactScale(double s) {
        return s > 0 && s == Math.scalb(1.0, Math.getExponent(s)) && Math.abs(Math.getExponent(s)) <= 8;
    }

    private static int seqLength(Tensor t, String what) {
        Shape s = t.shape();
        if (s.isSymbolic(s.rank() - 2)) {
            throw new ShapeException("attention: a causal mask needs a concrete " + what + " length, got " + s + " at node " + t.id());
        }
        return s.dim(s.rank() - 2);
    }

    /** {@code a AND b} of two BOOL masks, broadcast. */
    static Tensor and(Tensor a, Tensor b) {
        // Through F32 0/1: every backend has float multiplication, not all have bool where.
        return a.cast(DType.F32).mul(b.cast(DType.F32)).gt(0);
    }

    /** {@code NOT m} of a BOOL mask. */
    static Tensor not(Tensor m) {
        return m.eq(m.builder().scalar(0, DType.BOOL));
    }

    /**
     * The causal mask as a BOOL constant {@code [lq, lk]}: true (attend) where key {@code j <= i},
     * {@code torch.ones(lq, lk).tril()}.
     */
    public static Tensor causalMask(GraphBuilder b, int lq, int lk) {
        if (lq <= 0 || lk <= 0) throw new IllegalArgumentException("causalMask: lengths must be positive, got " + lq + ", " + lk);
        float[] m = new float[lq * lk];
        for (int i = 0; i < lq; i++) Arrays.fill(m, i * lk, i * lk + Math.min(lk, i + 1), 1f);
        return b.constant(HostTensor.of(DType.BOOL, Shape.of(lq, lk), m));
    }
}
