package dev.jasg.nn.attention;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

/**
 * {@code torch.nn.TransformerDecoderLayer} with {@code batch_first=True}: causal self-attention
 * over the target, cross-attention from the target to the encoder's {@code memory}, and a
 * feed-forward network, each in a residual branch with layer norm. Post-LN (default):
 *
 * <pre>  x = norm1(x + dropout1(self_attn(x, causal)))
 *  x = norm2(x + dropout2(multihead_attn(x, memory)))
 *  x = norm3(x + dropout3(ff(x)))</pre>
 *
 * pre-LN ({@code normFirst}) moves each norm to the branch input: {@code x = x + dropout(f(norm(x)))}.
 * Children: {@code self_attn}, {@code multihead_attn}, {@code ff}, {@code norm1..3} and, with
 * dropout, {@code dropout1..3}. Target {@code [batch, Lt, d_model]}, memory
 * {@code [batch, Lm, d_model]}, output like the target. The self-attention is causal unless
 * the caller says otherwise.
 */
public final class TransformerDecoderBlock extends Layer {
    private final int dModel;
    private final boolean normFirst;
    private final MultiHeadAttention selfAttn;
    private final MultiHeadAttention crossAttn;
    private final FeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Dropout dropout3;

    /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, post-LN. */
    public TransformerDecoderBlock(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, true);
    }

    /** ReLU, eps 1e-5, biases. */
    public TransformerDecoderBlock(int dModel, int nhead, int dimFeedforward, double dropout, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, "relu", 1e-5, normFirst, true);
    }

    /** Every option of {@code nn.TransformerDecoderLayer}; {@code activation} is relu, gelu or silu. */
    public TransformerDecoderBlock(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean normFirst, boolean bias) {
        this.dModel = dModel;
        this.normFirst = normFirst;
        this.selfAttn = register("self_attn", new MultiHeadAttention(dModel, nhead, bias, dropout));
        this.crossAttn = register("multihead_attn", new MultiHeadAttention(dModel, nhead, bias, dropout));
        this.ff = register("ff", new FeedForward(dModel, dimFeedforward, activation, dropout, bias));
        this.norm1 = register("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = register("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm3 = register("norm3", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = dropout > 0 ? register("dropout1", new Dropout(dropout)) : null;
        this.dropout2 = dropout > 0 ? register("dropout2", new Dropout(dropout)) : null;
        this.dropout3 = dropout > 0 ? register("dropout3", new Dropout(dropout)) : null;
    }

    /**
     * A decoder block reads a target and a memory, so the one-tensor form attends {@code x} to
     * itself as memory ({@code apply(x, x)}); use {@link #apply(Tensor, Tensor)} for an encoder's memory.
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, null, null, null, null, true);
    }

    /** The block on target {@code tgt} and {@code memory} with a causal self-attention and no other mask, in this module's scope. */
    public Tensor apply(Tensor tgt, Tensor memory) {
        return apply(tgt, memory, null, null, null, null, true);
    }

    /**
     * The block in this module's scope, as {@code layer(tgt, memory, tgt_mask, memory_mask,
     * tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal)}; masks as
     * {@link MultiHeadAttention} (BOOL true = not allowed / padded; float added).
     */
    public Tensor apply(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                        Tensor memoryKeyPaddingMask, boolean tgtIsCausal) {
        return inScope(tgt.builder(), () -> forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, boolean)} in the caller's scope. */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal) {
        Tensor x = tgt;
        if (normFirst) {
            x = x.add(TransformerEncoderBlock.drop(dropout1, selfAttn.apply(norm1.apply(x), tgtKeyPaddingMask, tgtMask, tgtIsCausal)));
            Tensor n = norm2.apply(x);
            x = x.add(TransformerEncoderBlock.drop(dropout2, crossAttn.apply(n, memory, memory, memoryKeyPaddingMask, memoryMask, false)));
            return x.add(TransformerEncoderBlock.drop(dropout3, ff.apply(norm3.apply(x))));
        }
        x = norm1.apply(x.add(TransformerEncoderBlock.drop(dropout1, selfAttn.apply(x, tgtKeyPaddingMask, tgtMask, tgtIsCausal))));
        x = norm2.apply(x.add(TransformerEncoderBlock.drop(dropout2, crossAttn.apply(x, memory, memory, memoryKeyPaddingMask, memoryMask, false))));
        return norm3.apply(x.add(TransformerEncoderBlock.drop(dropout3, ff.apply(x))));
    }

    /** Model dimension. */
    public int dModel() {
        return dModel;
    }

    /** True for pre-LN. */
    public boolean normFirst() {
        return normFirst;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", norm_first=" + Repr.of(normFirst);
    }
}
