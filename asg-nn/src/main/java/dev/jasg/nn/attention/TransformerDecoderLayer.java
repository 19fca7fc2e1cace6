package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.TransformerEncoderLayer.checkSizes;
import static dev.jasg.nn.attention.TransformerEncoderLayer.drop;
import static dev.jasg.nn.attention.TransformerEncoderLayer.linear;
import static dev.jasg.nn.attention.TransformerEncoderLayer.norm;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Repr;

/**
 * {@code torch.nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
 * activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False)}: self-attention
 * over the target, cross-attention from the target to the encoder's {@code memory}, and a
 * feed-forward network, each in a residual branch with a layer norm. Post-norm (the default):
 *
 * <pre>  x = norm1(x + dropout1(self_attn(x, x, x, tgt_mask)))
 *  x = norm2(x + dropout2(multihead_attn(x, memory, memory, memory_mask)))
 *  x = norm3(x + dropout3(linear2(dropout(act(linear1(x))))))</pre>
 *
 * pre-norm ({@code normFirst}) moves each norm to the branch input: {@code x = x + dropout_i(f(norm_i(x)))}.
 *
 * <p>As in PyTorch, the self-attention is causal only when asked ({@code tgt_mask}, e.g.
 * {@link Transformer#generateSquareSubsequentMask}, or {@code tgtIsCausal}); the older
 * {@link TransformerDecoderBlock} is causal by default. Children, as PyTorch's
 * {@code state_dict} names: {@code self_attn}, {@code multihead_attn}, {@code linear1},
 * {@code linear2}, {@code norm1..3}; with dropout also {@code dropout}, {@code dropout1..3}.
 * Target {@code [T, N, E]} and memory {@code [S, N, E]} ({@code [N, T, E]}, {@code [N, S, E]}
 * with {@code batchFirst}); the output is like the target.
 */
public final class TransformerDecoderLayer extends Layer {
    private final int dModel;
    private final int nhead;
    private final int dimFeedforward;
    private final String activation;
    private final boolean batchFirst;
    private final boolean normFirst;
    private final MultiHeadAttention selfAttn;
    private final MultiHeadAttention crossAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Dropout dropout3;

    /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, sequence-first, post-norm. */
    public TransformerDecoderLayer(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false);
    }

    /** Every option of {@code nn.TransformerDecoderLayer} (with a bias everywhere). */
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, false);
    }

    /** With every matrix Xavier-uniform when {@code xavier}, as {@code nn.Transformer} initialises its layers. */
    TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                            double layerNormEps, boolean batchFirst, boolean normFirst, boolean xavier) {
        this.activation = FeedForward.checkActivation(activation);
        checkSizes("TransformerDecoderLayer", dModel, nhead, dimFeedforward, dropout);
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        MultiHeadAttention.Options self = MultiHeadAttention.options(dModel, nhead).dropout(dropout).batchFirst(batchFirst);
        MultiHeadAttention.Options cross = MultiHeadAttention.options(dModel, nhead).dropout(dropout).batchFirst(batchFirst);
        self.xavierOutProj = xavier;
        cross.xavierOutProj = xavier;
        this.selfAttn = register("self_attn", new MultiHeadAttention(self));
        this.crossAttn = register("multihead_attn", new MultiHeadAttention(cross));
        this.linear1 = register("linear1", linear(dModel, dimFeedforward, xavier));
        this.dropout = dropout > 0 ? register("dropout", new Dropout(dropout)) : null;
        this.linear2 = register("linear2", linear(dimFeedforward, dModel, xavier));
        this.norm1 = register("norm1", norm(dModel, layerNormEps));
        this.norm2 = register("norm2", norm(dModel, layerNormEps));
        this.norm3 = register("norm3", norm(dModel, layerNormEps));
        this.dropout1 = dropout > 0 ? register("dropout1", new Dropout(dropout)) : null;
        this.dropout2 = dropout > 0 ? register("dropout2", new Dropout(dropout)) : null;
        this.dropout3 = dropout > 0 ? register("dropout3", new Dropout(dropout)) : null;
    }

    /**
     * A decoder layer reads a target and a memory, so the one-tensor form attends {@code x} to
     * itself as memory, with no mask; use {@link #apply(Tensor, Tensor)} for an encoder's memory.
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, null, null, null, null, false, false);
    }

    /** The layer on {@code tgt} and {@code memory} without masks, in this module's scope. */
    public Tensor apply(Tensor tgt, Tensor memory) {
        return apply(tgt, memory, null, null, null, null, false, false);
    }

    /**
     * The layer in this module's scope, as {@code layer(tgt, memory, tgt_mask, memory_mask,
     * tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal, memory_is_causal)}; masks as
     * {@link MultiHeadAttention} (BOOL true = not allowed / padded; float added).
     */
    public Tensor apply(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                        Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        return inScope(tgt.builder(), () -> forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask,
                tgtIsCausal, memoryIsCausal));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)} in the caller's scope. */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        Tensor x = tgt;
        if (normFirst) {
            Tensor n1 = norm1.apply(x);
            x = x.add(drop(dropout1, selfAttn.apply(n1, n1, n1, tgtKeyPaddingMask, tgtMask, tgtIsCausal)));
            x = x.add(drop(dropout2, crossAttn.apply(norm2.apply(x), memory, memory, memoryKeyPaddingMask, memoryMask, memoryIsCausal)));
            return x.add(feedForward(norm3.apply(x)));
        }
        x = norm1.apply(x.add(drop(dropout1, selfAttn.apply(x, x, x, tgtKeyPaddingMask, tgtMask, tgtIsCausal))));
        x = norm2.apply(x.add(drop(dropout2, crossAttn.apply(x, memory, memory, memoryKeyPaddingMask, memoryMask, memoryIsCausal))));
        return norm3.apply(x.add(feedForward(x)));
    }

    private Tensor feedForward(Tensor x) {
        return drop(dropout3, linear2.apply(drop(dropout, FeedForward.activate(activation, linear1.apply(x)))));
    }

    /** Model dimension. */
    public int dModel() {
        return dModel;
    }

    /** True for {@code [N, T, E]} inputs. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** True for pre-norm. */
    public boolean normFirst() {
        return normFirst;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", nhead=" + nhead + ", dim_feedforward=" + dimFeedforward + ", activation=" + Repr.of(activation)
                + ", batch_first=" + Repr.of(batchFirst) + ", norm_first=" + Repr.of(normFirst);
    }
}
