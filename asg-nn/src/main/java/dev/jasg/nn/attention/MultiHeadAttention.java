package dev.jasg.nn.attention;

import dev.jasg.core.DType;
import dev.jasg.core.Shape;
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
 * {@code torch.nn.MultiheadAttention}:
 *
 * <pre>  MHA(q, k, v) = concat(head_1, ..., head_h) W_o^T + b_o,
 *  head_i = attention(q W_q,i^T + b_q,i, k W_k,i^T + b_k,i, v W_v,i^T + b_v,i)</pre>
 *
 * with {@link Attention scaled dot-product attention} per head, {@code softmax(Q K^T / sqrt(head_dim) + M) V}:
 * with {@code -Djasg.attention.fused=true} and without masks (the causal one aside), without {@code needWeights}
 * and without dropout in training, the fused {@code attention} op (opt-in: {@link Attention} says why).
 *
 * <p><b>Two ways to make one.</b> {@link #MultiHeadAttention(Options)} with
 * {@link #options(int, int)} follows PyTorch in everything: its defaults ({@code batch_first=false},
 * sequence-first {@code [L, N, E]} inputs), its parameter names and layouts, so that a PyTorch
 * {@code state_dict} loads by name: {@code in_proj_weight [3E, E]} (the packed q, k, v
 * projections, in that order) when {@code kdim == vdim == embed_dim}, otherwise
 * {@code q_proj_weight [E, E]}, {@code k_proj_weight [E, kdim]}, {@code v_proj_weight [E, vdim]};
 * {@code in_proj_bias [3E]}, {@code out_proj.weight [E, E]}, {@code out_proj.bias [E]} with a
 * bias; {@code bias_k}, {@code bias_v [1, 1, E]} with {@code add_bias_kv}. They start as
 * PyTorch's: the input projections Xavier-uniform (the packed one over its {@code [3E, E]}
 * shape), zero biases, {@code out_proj.weight} as {@code nn.Linear}, {@code bias_k}/{@code bias_v}
 * Xavier-normal. The constructors that take sizes (the original JASG API) keep the batch-first
 * layout {@code [..., L, E]} and four {@link Linear} children {@code q_proj}, {@code k_proj},
 * {@code v_proj}, {@code out_proj}; splitting PyTorch's {@code in_proj_weight} into three
 * {@code [E, E]} blocks gives their weights.
 *
 * <p><b>Layouts.</b> Batch-first: {@code query [..., L, E]}, {@code key [..., S, kdim]},
 * {@code value [..., S, vdim]} (the batch may be symbolic; any number of leading axes).
 * Sequence-first ({@code batchFirst(false)}): {@code [L, N, E]}, {@code [S, N, kdim]},
 * {@code [S, N, vdim]}, or unbatched {@code [L, E]}. The output has the query's layout; the
 * attention weights are {@code [N, L, S']} averaged over heads ({@code average_attn_weights}) or
 * {@code [N, heads, L, S']} per head in both layouts, where {@code S' = S + add_bias_kv + add_zero_attn}.
 *
 * <p><b>Extra keys.</b> {@code add_bias_kv} appends the learned {@code bias_k}/{@code bias_v} as one
 * more key and value after projection; {@code add_zero_attn} then appends a zero key and value
 * per head; masks get a column "attend" for each, as PyTorch pads them.
 *
 * <p><b>Masks</b> follow {@code nn.MultiheadAttention}, not the functional API: a BOOL
 * {@code keyPaddingMask [N, S]} ({@code [S]} unbatched) is true for padded keys, which are
 * ignored, and a BOOL {@code attnMask} is true where attending is NOT allowed; float masks of
 * either kind are added to the scores ({@code -inf} masks). {@code attnMask} is {@code [L, S]}
 * or, broadcast, {@code [..., heads, L, S]}; with {@link #options(int, int)} a 3-D mask is
 * PyTorch's {@code [N*heads, L, S]} (batch-major, as PyTorch), while the size constructors read a
 * 3-D mask as {@code [heads, L, S]} broadcast over the batch. Difference from PyTorch: a query
 * whose keys are all masked gets zero weights and a zero attention output where PyTorch gives
 * NaN (see {@link Attention}); PyTorch 1.13 also rejects float key padding masks, which add here.
 *
 * <p><b>Dropout</b> ({@code dropout > 0}): a {@link Dropout} child {@code dropout} (its I32 seed a
 * buffer, not in PyTorch's state_dict) drops attention weights in training mode only; the
 * returned weights are those after dropout, as PyTorch returns them.
 */
public final class MultiHeadAttention extends Layer {
    private final int embedDim;
    private final int numHeads;
    private final int headDim;
    private final double dropout;
    private final int kdim;
    private final int vdim;
    private final boolean torchLayout;
    private final boolean batchFirst;
    private final boolean bias;
    private final boolean addBiasKv;
    private final boolean addZeroAttn;
    private final boolean packed;
    private final boolean xavierOutProj;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final Dropout attnDropout;
    private RotaryEmbedding rotary;

    /**
     * The settings of {@code nn.MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True,
     * add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False)}, with
     * PyTorch's defaults; each setter returns this.
     */
    public static final class Options {
        private final int embedDim;
        private final int numHeads;
        private double dropout;
        private boolean bias = true;
        private boolean addBiasKv;
        private boolean addZeroAttn;
        private int kdim;
        private int vdim;
        private boolean batchFirst;
        boolean xavierOutProj;

        private Options(int embedDim, int numHeads) {
            this.embedDim = embedDim;
            this.numHeads = numHeads;
            this.kdim = embedDim;
            this.vdim = embedDim;
        }

        /** Dropout probability on the attention weights in training (default 0). */
        public Options dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** Biases in the input and output projections (default true). */
        public Options bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Appends the learned {@code bias_k}/{@code bias_v} to keys and values (default false). */
        public Options addBiasKv(boolean b) {
            this.addBiasKv = b;
            return this;
        }

        /** Appends a zero key and value per head (default false). */
        public Options addZeroAttn(boolean b) {
            this.addZeroAttn = b;
            return this;
        }

        /** Features of the key (default embed_dim). */
        public Options kdim(int d) {
            this.kdim = d;
            return this;
        }

        /** Features of the value (default embed_dim). */
        public Options vdim(int d) {
            this.vdim = d;
            return this;
        }

        /** {@code [N, L, E]} inputs when true; {@code [L, N, E]} when false (PyTorch's default). */
        public Options batchFirst(boolean b) {
            this.batchFirst = b;
            return this;
        }
    }

    /** PyTorch's settings for {@code embedDim} features and {@code numHeads} heads; see {@link Options}. */
    public static Options options(int embedDim, int numHeads) {
        return new Options(embedDim, numHeads);
    }

    /** The result of {@link #apply(Tensor, Tensor, Tensor, Tensor, boolean, Tensor, boolean, boolean)}: the output and the attention weights (null unless asked for). */
    public record Result(Tensor output, Tensor weights) {}

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
        this(options(embedDim, numHeads).bias(bias).dropout(dropout).kdim(kdim).vdim(vdim).batchFirst(true), false);
    }

    /** {@code nn.MultiheadAttention} with PyTorch's layout and parameter names; see the class comment. */
    public MultiHeadAttention(Options o) {
        this(o, true);
    }

    private MultiHeadAttention(Options o, boolean torchLayout) {
        int embedDim = o.embedDim, numHeads = o.numHeads, kdim = o.kdim, vdim = o.vdim;
        double dropout = o.dropout;
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
        this.torchLayout = torchLayout;
        this.batchFirst = o.batchFirst;
        this.bias = o.bias;
        this.addBiasKv = o.addBiasKv;
        this.addZeroAttn = o.addZeroAttn;
        this.packed = torchLayout && kdim == embedDim && vdim == embedDim;
        this.xavierOutProj = o.xavierOutProj;
        Initializers.Initializer xavier = Initializers.xavierUniform(), zero = Initializers.zeros();
        if (torchLayout) {
            this.qProj = this.kProj = this.vProj = null;
            if (packed) {
                registerParameter("in_proj_weight", xavier, 3 * embedDim, embedDim);
            } else {
                registerParameter("q_proj_weight", xavier, embedDim, embedDim);
                registerParameter("k_proj_weight", xavier, embedDim, kdim);
                registerParameter("v_proj_weight", xavier, embedDim, vdim);
            }
            if (o.bias) registerParameter("in_proj_bias", zero, 3 * embedDim);
            if (o.addBiasKv) {
                registerParameter("bias_k", Initializers.xavierNormal(), 1, 1, embedDim);
                registerParameter("bias_v", Initializers.xavierNormal(), 1, 1, embedDim);
            }
        } else {
            this.qProj = register("q_proj", new Linear(embedDim, embedDim, o.bias, xavier, zero));
            this.kProj = register("k_proj", new Linear(kdim, embedDim, o.bias, xavier, zero));
            this.vProj = register("v_proj", new Linear(vdim, embedDim, o.bias, xavier, zero));
        }
        this.outProj = register("out_proj", new Linear(embedDim, embedDim, o.bias,
                o.xavierOutProj ? xavier : Initializers.linearDefaultWeight(), zero));
        this.attnDropout = dropout > 0 ? register("dropout", new Dropout(dropout)) : null;
    }

    /**
     * A new attention layer with these settings (layout, bias, dropout, extra keys, rotary
     * embedding when it fits the new head size) for {@code embedDim} features and {@code numHeads}
     * heads, with fresh parameters; keys and values keep their sizes unless they were the embedding
     * size. The Model Lab's layer editor makes it; a change of heads alone keeps every parameter shape.
     */
    public MultiHeadAttention resized(int embedDim, int numHeads) {
        Options o = options(embedDim, numHeads).bias(bias).dropout(dropout).batchFirst(batchFirst)
                .kdim(kdim == this.embedDim ? embedDim : kdim).vdim(vdim == this.embedDim ? embedDim : vdim);
        if (addBiasKv) o.addBiasKv(true);
        if (addZeroAttn) o.addZeroAttn(true);
        o.xavierOutProj = xavierOutProj;
        MultiHeadAttention m = new MultiHeadAttention(o, torchLayout);
        if (rotary != null && rotary.dim() <= m.headDim) m.rotary = rotary;
        return m;
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
     * (PyTorch's {@code mha(query, key, value, key_padding_mask, need_weights=False, attn_mask=..., is_causal=...)}).
     *
     * @param keyPaddingMask BOOL {@code [N, S]} true = padded key, or float (added); null for none
     * @param attnMask       BOOL {@code [L, S]} or broadcastable to {@code [..., heads, L, S]} true = not allowed, or float (added); null for none
     * @param causal         also mask key {@code j > i} for query {@code i}
     */
    public Tensor apply(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        return inScope(query.builder(), () -> forward(query, key, value, keyPaddingMask, attnMask, causal));
    }

    /** Self-attention with masks, in this module's scope: {@code apply(x, x, x, keyPaddingMask, attnMask, causal)}. */
    public Tensor apply(Tensor x, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        return apply(x, x, x, keyPaddingMask, attnMask, causal);
    }

    /**
     * PyTorch's {@code mha(query, key, value, key_padding_mask, need_weights, attn_mask,
     * average_attn_weights, is_causal)} in this module's scope: the output and, when
     * {@code needWeights}, the attention weights {@code [N, L, S']} averaged over the heads
     * ({@code averageAttnWeights}) or {@code [N, heads, L, S']} per head (no batch axis when
     * unbatched). Masks as {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, boolean)}.
     */
    public Result apply(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                        boolean averageAttnWeights, boolean causal) {
        Result[] r = new Result[1];
        inScope(query.builder(), () -> {
            r[0] = forward(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights, causal);
            return r[0].output();
        });
        return r[0];
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, boolean)}, in the caller's scope. */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        return forward(query, key, value, keyPaddingMask, false, attnMask, true, causal).output();
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, boolean, Tensor, boolean, boolean)}, in the caller's scope. */
    public Result forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask,
                          boolean averageAttnWeights, boolean causal) {
        boolean seqFirst = !batchFirst && query.rank() == 3;
        if (!batchFirst && query.rank() > 3) {
            throw new ShapeException("MultiHeadAttention (batch_first=false): query must be [L, N, " + embedDim + "] or [L, "
                    + embedDim + "], got " + query.shape() + " at node " + query.id());
        }
        if (!batchFirst && (key.rank() != query.rank() || value.rank() != query.rank())) {
            throw new ShapeException("MultiHeadAttention (batch_first=false): query " + query.shape() + ", key " + key.shape()
                    + " and value " + value.shape() + " must have the same rank (nodes " + query.id() + ", " + key.id() + ", " + value.id() + ")");
        }
        if (seqFirst) {
            query = query.transpose(0, 1);
            key = key.transpose(0, 1);
            value = value.transpose(0, 1);
        }
        checkFeatures("query", query, embedDim);
        checkFeatures("key", key, kdim);
        checkFeatures("value", value, vdim);
        Tensor q = project(query, 0);
        Tensor k = project(key, 1);
        Tensor v = project(value, 2);
        if (addBiasKv) {
            k = Tensor.concat(-2, k, row(parameter(k, "bias_k"), k));
            v = Tensor.concat(-2, v, row(parameter(v, "bias_v"), v));
        }
        q = splitHeads(q);
        k = splitHeads(k);
        v = splitHeads(v);
        if (rotary != null) {
            q = rotary.rotate(q, 0);
            k = rotary.rotate(k, 0);
        }
        if (addZeroAttn) {
            k = Tensor.concat(-2, k, row(k.builder().scalar(0, k.dtype()), k));
            v = Tensor.concat(-2, v, row(v.builder().scalar(0, v.dtype()), v));
        }
        int extra = (addBiasKv ? 1 : 0) + (addZeroAttn ? 1 : 0);
        List<Tensor> masks = new ArrayList<>();
        if (keyPaddingMask != null) {
            // [..., S] -> [..., 1, 1, S] against scores [..., heads, L, S]
            Tensor pad = padKeys(keyPaddingMask.dtype() == DType.BOOL ? Attention.not(keyPaddingMask) : keyPaddingMask, extra);
            masks.add(pad.unsqueeze(-2).unsqueeze(-3));
        }
        if (attnMask != null) {
            Tensor m = torchLayout && attnMask.rank() == 3 ? perBatchHead(attnMask) : attnMask;
            masks.add(padKeys(m.dtype() == DType.BOOL ? Attention.not(m) : m, extra));
        }
        if (causal && extra > 0) {
            // The appended keys stay visible to every query, as PyTorch pads its masks.
            masks.add(padKeys(Attention.causalMask(q.builder(), seqLength(q, "query"), seqLength(k, "key") - extra), extra));
            causal = false;
        }
        Attention.checkQk(q, k);
        if (!k.shape().sameDim(-2, v.shape(), -2)) {
            throw new ShapeException("MultiHeadAttention: key " + key.shape() + " and value " + value.shape()
                    + " differ in sequence length at nodes " + key.id() + ", " + value.id());
        }
        boolean dropping = attnDropout != null && attnDropout.isTraining() && attnDropout.p() > 0;
        Tensor fused = needWeights || dropping || !masks.isEmpty() ? null : Attention.fused(q, k, v, causal, Double.NaN);
        if (fused != null) {
            Tensor out = outProj.apply(mergeHeads(fused));
            return new Result(seqFirst ? out.transpose(0, 1) : out, null);
        }
        Tensor w = Attention.weights(q, k, masks, causal, Double.NaN);
        // The Dropout child is the identity in eval mode.
        if (attnDropout != null) w = attnDropout.apply(w);
        Tensor out = outProj.apply(mergeHeads(w.matmul(v)));
        if (seqFirst) out = out.transpose(0, 1);
        Tensor weights = needWeights ? (averageAttnWeights ? w.mean(-3) : w) : null;
        return new Result(out, weights);
    }

    /** Projection {@code which} (0 query, 1 key, 2 value) of {@code x [..., n, features]} to {@code [..., n, embed_dim]}. */
    private Tensor project(Tensor x, int which) {
        if (!torchLayout) return (which == 0 ? qProj : which == 1 ? kProj : vProj).apply(x);
        Tensor w = packed
                ? parameter(x, "in_proj_weight").slice(0, which * embedDim, (which + 1) * embedDim)
                : parameter(x, which == 0 ? "q_proj_weight" : which == 1 ? "k_proj_weight" : "v_proj_weight");
        Tensor y = x.matmul(w.mT());
        return bias ? y.add(parameter(x, "in_proj_bias").slice(0, which * embedDim, (which + 1) * embedDim)) : y;
    }

    /** {@code value} (a scalar or {@code [1, 1, F]}) broadcast to one more row of {@code like [..., n, F]}: {@code [..., 1, F]}. */
    private static Tensor row(Tensor value, Tensor like) {
        List<Object> parts = new ArrayList<>(like.shape().parts());
        parts.set(parts.size() - 2, 1);
        Tensor v = value.rank() == 0 ? value : value.reshape(like.shape().dim(like.rank() - 1));
        return v.cast(like.dtype()).expand(parts.toArray());
    }

    /** {@code mask [..., S]} with {@code extra} columns appended that attend: true for BOOL, 0 for float. */
    private static Tensor padKeys(Tensor mask, int extra) {
        if (extra == 0) return mask;
        List<Object> parts = new ArrayList<>(mask.shape().parts());
        parts.set(parts.size() - 1, extra);
        Tensor fill = mask.builder().scalar(mask.dtype() == DType.BOOL ? 1 : 0, mask.dtype()).expand(parts.toArray());
        return Tensor.concat(-1, mask, fill);
    }

    /** PyTorch's 3-D mask {@code [N*heads, L, S]} as {@code [N, heads, L, S]}. */
    private Tensor perBatchHead(Tensor m) {
        if (m.shape().isSymbolic(0) || m.shape().dim(0) % numHeads != 0) {
            throw new ShapeException("MultiHeadAttention: a 3-D attn_mask must be [N*num_heads, L, S] with num_heads " + numHeads
                    + ", got " + m.shape() + " at node " + m.id() + " (give [N, num_heads, L, S] for a symbolic batch)");
        }
        List<Object> parts = new ArrayList<>(m.shape().parts());
        parts.set(0, numHeads);
        parts.add(0, m.shape().dim(0) / numHeads);
        return m.reshapeSymbolic(parts.toArray());
    }

    private static int seqLength(Tensor t, String what) {
        Shape s = t.shape();
        if (s.isSymbolic(s.rank() - 2)) {
            throw new ShapeException("MultiHeadAttention: a causal mask needs a concrete " + what + " length, got " + s + " at node " + t.id());
        }
        return s.dim(s.rank() - 2);
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

    /** True when inputs are {@code [N, L, E]}; false for PyTorch's default {@code [L, N, E]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** Dropout probability on the attention weights in training. */
    public double dropout() {
        return dropout;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", dropout=" + Repr.of(dropout)
                + (kdim != embedDim || vdim != embedDim ? ", kdim=" + kdim + ", vdim=" + vdim : "")
                + (addBiasKv ? ", add_bias_kv=True" : "") + (addZeroAttn ? ", add_zero_attn=True" : "")
                + (torchLayout ? ", batch_first=" + Repr.of(batchFirst) : "")
                + (rotary != null ? ", rotary_dim=" + rotary.dim() : "");
    }
}
