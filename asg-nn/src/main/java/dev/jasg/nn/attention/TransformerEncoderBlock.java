package dev.jasg.nn.attention;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

/**
 * {@code torch.nn.TransformerEncoderLayer} with {@code batch_first=True}: self-attention and a
 * feed-forward network, each in a residual branch with layer norm. Post-LN (PyTorch's default,
 * {@code normFirst = false}):
 *
 * <pre>  x = norm1(x + dropout1(self_attn(x)));   x = norm2(x + dropout2(ff(x)))</pre>
 *
 * pre-LN ({@code normFirst = true}, GPT-2 style, easier to train deep):
 *
 * <pre>  x = x + dropout1(self_attn(norm1(x)));   x = x + dropout2(ff(norm2(x)))</pre>
 *
 * Children: {@code self_attn} ({@link MultiHeadAttention}), {@code ff} ({@link FeedForward}:
 * {@code linear1}, {@code dropout}, {@code linear2}), {@code norm1}, {@code norm2}
 * ({@link LayerNorm}) and, with dropout, {@code dropout1}, {@code dropout2}. Input and output
 * {@code [batch, seq, d_model]}. With a causal mask it is a GPT block.
 */
public final class TransformerEncoderBlock extends Layer {
    private final int dModel;
    private final boolean normFirst;
    private final MultiHeadAttention selfAttn;
    private final FeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;

    /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, post-LN. */
    public TransformerEncoderBlock(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, true);
    }

    /** ReLU, eps 1e-5, biases. */
    public TransformerEncoderBlock(int dModel, int nhead, int dimFeedforward, double dropout, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, "relu", 1e-5, normFirst, true);
    }

    /** Every option of {@code nn.TransformerEncoderLayer}; {@code activation} is relu, gelu or silu. */
    public TransformerEncoderBlock(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean normFirst, boolean bias) {
        this.dModel = dModel;
        this.normFirst = normFirst;
        this.selfAttn = register("self_attn", new MultiHeadAttention(dModel, nhead, bias, dropout));
        this.ff = register("ff", new FeedForward(dModel, dimFeedforward, activation, dropout, bias));
        this.norm1 = register("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = register("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = dropout > 0 ? register("dropout1", new Dropout(dropout)) : null;
        this.dropout2 = dropout > 0 ? register("dropout2", new Dropout(dropout)) : null;
    }

    /** The block on {@code x} without masks. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null, false);
    }

    /**
     * The block in this module's scope, as {@code layer(src, src_mask, src_key_padding_mask, is_causal)}:
     * masks as {@link MultiHeadAttention} (BOOL true = not allowed / padded; float added).
     */
    public Tensor apply(Tensor x, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        return inScope(x.builder(), () -> forward(x, srcMask, srcKeyPaddingMask, isCausal));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, boolean)} in the caller's scope. */
    public Tensor forward(Tensor x, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        if (normFirst) {
            x = x.add(drop(dropout1, selfAttn.apply(norm1.apply(x), srcKeyPaddingMask, srcMask, isCausal)));
            return x.add(drop(dropout2, ff.apply(norm2.apply(x))));
        }
        x = norm1.apply(x.add(drop(dropout1, selfAttn.apply(x, srcKeyPaddingMask, srcMask, isCausal))));
        return norm2.apply(x.add(drop(dropout2, ff.apply(x))));
    }

    static Tensor drop(Dropout d, Tensor x) {
        return d == null ? x : d.apply(x);
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
