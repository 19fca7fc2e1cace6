package dev.jasg.nn.attention;

import dev.jasg.core.DType;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.nn.MultiheadAttention} with {@code batch_first=True}:
 *
 * <pre>  MHA(q, k, v) = concat(head_1, ..., head_h) W_o^T + b_o,
 *  head_i = attention(q W_q,i^T + b_q,i, k W_k,i^T + b_k,i, v W_v,i^T + b_v,i)</pre>
 *
 * with {@link Attention scaled dot-product attention} per head. Inputs are {@code query
 * [..., Lq, embed_dim]}, {@code key [..., Lk, kdim]}, {@code value [..., Lk, vdim]} (usually
 * {@code [batch, seq, embed]}; the batch may be symbolic, the sequence lengths must be concrete
 * for the causal mask only); the output is {@code [..., Lq, embed_dim]}.
 *
 * <p>The projections are four {@link Linear} children {@code q_proj}, {@code k_proj},
 * {@code v_proj}, {@code out_proj} (PyTorch packs the first three into {@code in_proj_weight}
 * when the dimensions agree; splitting it into three {@code [embed_dim, embed_dim]} blocks gives
 * these). As PyTorch, the input projections start Xavier-uniform with zero biases and
 * {@code out_proj} has a zero bias. With {@code dropout > 0} a {@link Dropout} child {@code dropout}
 * (its I32 seed a buffer) drops attention weights in training mode.
 *
 * <p>Masks follow {@code nn.MultiheadAttention}, not the functional API: a BOOL
 * {@code keyPaddingMask [..., Lk]} is true for padded keys, which are ignored, and a BOOL
 * {@code attnMask} broadcastable to {@code [..., heads, Lq, Lk]} is true where attending is NOT
 * allowed; float masks of either kind are added to the scores. (PyTorch's 3-D
 * {@code [batch*heads, Lq, Lk]} mask is given here as {@code [batch, heads, Lq, Lk]}.) A query
 * whose keys are all masked gets a zero output (see {@link Attention}).
 */
public final class MultiHeadAttention extends Layer {
    private final int embedDim;
    private final int numHeads;
    private final int headDim;
    private final double dropout;
    private final int kdim;
    private final int vdim;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final Dropout attnDropout;
    private RotaryEmbedding rotary;

    /** Self-attention sizes with a bias and no dropout. */
    public MultiHeadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, true, 0, embedDim, embedDim);
    }

    /** With a bias when {@code bias} and dropout {@code dropout} on the attention weights in training. */
    public MultiHeadAttention(int embedDim, int numHeads, boolean bias, double dropout) {
        this(embedDim, numHeads, bias, dropout, embedDim, embedDim);
    }

    /** With keys of {@code kdim} and values of {@code vdim} features (cross-attention from another space). */
    public MultiHeadAttention(int embedDim, int numHeads, boolean bias, double dropout, int kdim, int vdim) {
        if (embedDim <= 0 || numHeads <= 0 || kdim <= 0 || vdim <= 0) {
            throw new IllegalArgumentException("MultiHeadAttention: sizes must be positive, got embed_dim=" + embedDim
                    + ", num_heads=" + numHeads + ", kdim=" + kdim + ", vdim=" + vdim);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embed_dim " + embedDim + " must be divisible by num_heads " + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("MultiHeadAttention: dropout must be in [0, 1), got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.dropout = dropout;
        this.kdim = kdim;
        this.vdim = vdim;
        Initializers.Initializer xavier = Initializers.xavierUniform(), zero = Initializers.zeros();
        this.qProj = register("q_proj", new Linear(embedDim, embedDim, bias, xavier, zero));
        this.kProj = register("k_proj", new Linear(kdim, embedDim, bias, xavier, zero));
        this.vProj = register("v_proj", new Linear(vdim, embedDim, bias, xavier, zero));
        this.outProj = register("out_proj", new Linear(embedDim, embedDim, bias, Initializers.linearDefaultWeight(), zero));
        this.attnDropout = dropout > 0 ? register("dropout", new Dropout(dropout)) : null;
    }

    /**
     * Rotates queries and keys of every head with {@code rope} before the scores (RoFormer,
     * LLaMA); its dimension must not exceed the head dimension. Returns this.
     */
    public MultiHeadAttention withRotary(RotaryEmbedding rope) {
        if (rope != null && rope.dim() > headDim) {
            throw new IllegalArgumentException("MultiHeadAttention: rotary dim " + rope.dim() + " exceeds the head dim " + headDim);
        }
        this.rotary = rope;
        return this;
    }

    /** Self-attention of {@code x} with no mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false);
    }

    /**
     * Attention of {@code query} over {@code key}/{@code value}, in this module's scope
     * (PyTorch's {@code mha(query, key, value, key_padding_mask, attn_mask=..., is_causal=...)}).
     *
     * @param keyPaddingMask BOOL {@code [..., Lk]} true = padded key, or float (added); null for none
     * @param attnMask       BOOL broadcastable to {@code [..., heads, Lq, Lk]} true = not allowed, or float (added); null for none
     * @param causal         also mask key {@code j > i} for query {@code i}
     */
    public Tensor apply(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        return inScope(query.builder(), () -> forward(query, key, value, keyPaddingMask, attnMask, causal));
    }

    /** Self-attention with masks, in this module's scope: {@code apply(x, x, x, keyPaddingMask, attnMask, causal)}. */
    public Tensor apply(Tensor x, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        return apply(x, x, x, keyPaddingMask, attnMask, causal);
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, boolean)}, in the caller's scope. */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        checkFeatures("query", query, embedDim);
        checkFeatures("key", key, kdim);
        checkFeatures("value", value, vdim);
        Tensor q = splitHeads(qProj.apply(query));
        Tensor k = splitHeads(kProj.apply(key));
        Tensor v = splitHeads(vProj.apply(value));
        if (rotary != null) {
            q = rotary.rotate(q, 0);
            k = rotary.rotate(k, 0);
        }
        List<Tensor> masks = new ArrayList<>();
        if (keyPaddingMask != null) {
            // [..., Lk] -> [..., 1, 1, Lk] against scores [..., heads, Lq, Lk]
            Tensor pad = keyPaddingMask.unsqueeze(-2).unsqueeze(-3);
            masks.add(pad.dtype() == DType.BOOL ? Attention.not(pad) : pad);
        }
        if (attnMask != null) masks.add(attnMask.dtype() == DType.BOOL ? Attention.not(attnMask) : attnMask);
        // The Dropout child is the identity in eval mode.
        Tensor out = Attention.attend(q, k, v, masks, causal, attnDropout == null ? null : attnDropout::apply, Double.NaN);
        return outProj.apply(mergeHeads(out));
    }

    private static void checkFeatures(String what, Tensor t, int features) {
        if (t.rank() < 2 || t.shape().isSymbolic(t.rank() - 1) || t.shape().dim(t.rank() - 1) != features) {
            throw new ShapeException("MultiHeadAttention: " + what + " must be [..., seq, " + features + "], got " + t.shape() + " at node " + t.id());
        }
    }

    /** {@code [..., L, heads*D]} to {@code [..., heads, L, D]}. */
    private Tensor splitHeads(Tensor x) {
        List<Object> parts = new ArrayList<>(x.shape().parts());
        int r = parts.size();
        parts.set(r - 1, numHeads);
        parts.add(headDim);
        return x.reshapeSymbolic(parts.toArray()).transpose(r - 2, r - 1);
    }

    /** {@code [..., heads, L, D]} to {@code [..., L, heads*D]}. */
    private Tensor mergeHeads(Tensor x) {
        Tensor t = x.transpose(-3, -2);
        List<Object> parts = new ArrayList<>(t.shape().parts());
        parts.remove(parts.size() - 1);
        parts.set(parts.size() - 1, embedDim);
        return t.reshapeSymbolic(parts.toArray());
    }

    /** Model dimension. */
    public int embedDim() {
        return embedDim;
    }

    /** Number of heads. */
    public int numHeads() {
        return numHeads;
    }

    /** Features per head, {@code embed_dim / num_heads}. */
    public int headDim() {
        return headDim;
    }

    /** Dropout probability on the attention weights in training. */
    public double dropout() {
        return dropout;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", dropout=" + Repr.of(dropout)
                + (kdim != embedDim || vdim != embedDim ? ", kdim=" + kdim + ", vdim=" + vdim : "")
                + (rotary != null ? ", rotary_dim=" + rotary.dim() : "");
    }
}
