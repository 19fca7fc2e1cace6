package dev.jasg.nn.attention;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Repr;

/**
 * {@code torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
 * activation="relu", layer_norm_eps=1e-5, batch_first=False, norm_first=False)}: self-attention
 * and a feed-forward network, each in a residual branch with a layer norm. Post-norm (PyTorch's
 * default):
 *
 * <pre>  x = norm1(x + dropout1(self_attn(x, x, x)))
 *  x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))</pre>
 *
 * pre-norm ({@code normFirst}): {@code x = x + dropout1(self_attn(norm1(x)))}, then
 * {@code x = x + dropout2(ff(norm2(x)))}.
 *
 * <p>PyTorch's children and so its {@code state_dict} names: {@code self_attn}
 * ({@link MultiHeadAttention} with {@code in_proj_weight}, {@code in_proj_bias}, {@code out_proj}),
 * {@code linear1}, {@code linear2}, {@code norm1}, {@code norm2}; with dropout also
 * {@code dropout}, {@code dropout1}, {@code dropout2} (whose seed buffers PyTorch does not have).
 * Input and output {@code [S, N, E]}, or {@code [N, S, E]} with {@code batchFirst}. The
 * activation is {@code relu}, {@code gelu} (exact) or {@code silu}. Unlike the older
 * {@link TransformerEncoderBlock} (batch-first, {@code ff.linear1} names) this one matches
 * PyTorch name for name.
 */
public final class TransformerEncoderLayer extends Layer {
    private final int dModel;
    private final int nhead;
    private final int dimFeedforward;
    private final String activation;
    private final boolean batchFirst;
    private final boolean normFirst;
    private final MultiHeadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;

    /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, sequence-first, post-norm. */
    public TransformerEncoderLayer(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false);
    }

    /** Every option of {@code nn.TransformerEncoderLayer} (with a bias everywhere). */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, false);
    }

    /** With every matrix Xavier-uniform when {@code xavier}, as {@code nn.Transformer} initialises its layers. */
    TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                            double layerNormEps, boolean batchFirst, boolean normFirst, boolean xavier) {
        this.activation = FeedForward.checkActivation(activation);
        checkSizes("TransformerEncoderLayer", dModel, nhead, dimFeedforward, dropout);
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        MultiHeadAttention.Options o = MultiHeadAttention.options(dModel, nhead).dropout(dropout).batchFirst(batchFirst);
        o.xavierOutProj = xavier;
        this.selfAttn = register("self_attn", new MultiHeadAttention(o));
        this.linear1 = register("linear1", linear(dModel, dimFeedforward, xavier));
        this.dropout = dropout > 0 ? register("dropout", new Dropout(dropout)) : null;
        this.linear2 = register("linear2", linear(dimFeedforward, dModel, xavier));
        this.norm1 = register("norm1", norm(dModel, layerNormEps));
        this.norm2 = register("norm2", norm(dModel, layerNormEps));
        this.dropout1 = dropout > 0 ? register("dropout1", new Dropout(dropout)) : null;
        this.dropout2 = dropout > 0 ? register("dropout2", new Dropout(dropout)) : null;
    }

    /** Refuses sizes that are not positive and a dropout outside [0, 1), naming the layer {@code who}. */
    static void checkSizes(String who, int dModel, int nhead, int dimFeedforward, double dropout) {
        if (dModel <= 0 || nhead <= 0 || dimFeedforward <= 0) {
            throw new IllegalArgumentException(who + ": sizes must be positive, got d_model=" + dModel
                    + ", nhead=" + nhead + ", dim_feedforward=" + dimFeedforward);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException(who + ": dropout must be in [0, 1), got " + dropout);
    }

    /** A {@link LayerNorm} over the last dimension {@code dModel}, with weight and bias, as the layers' norms. */
    static LayerNorm norm(int dModel, double eps) {
        return new LayerNorm(new int[] {dModel}, eps, true);
    }

    /** A {@link Linear} with PyTorch's default init, or a Xavier-uniform weight when {@code xavier}. */
    static Linear linear(int in, int out, boolean xavier) {
        return xavier ? new Linear(in, out, true, Initializers.xavierUniform(), Initializers.linearDefaultBias(in)) : new Linear(in, out);
    }

    static Tensor drop(Dropout d, Tensor x) {
        return d == null ? x : d.apply(x);
    }

    /** The layer on {@code src} without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /**
     * The layer in this module's scope, as {@code layer(src, src_mask, src_key_padding_mask, is_causal)};
     * masks as {@link MultiHeadAttention} (BOOL true = not allowed / padded; float added).
     */
    public Tensor apply(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        return inScope(src.builder(), () -> forward(src, srcMask, srcKeyPaddingMask, isCausal));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, boolean)} in the caller's scope. */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.apply(x), srcMask, srcKeyPaddingMask, isCausal));
            return x.add(feedForward(norm2.apply(x)));
        }
        x = norm1.apply(x.add(selfAttention(x, srcMask, srcKeyPaddingMask, isCausal)));
        return norm2.apply(x.add(feedForward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean causal) {
        return drop(dropout1, selfAttn.apply(x, x, x, keyPaddingMask, mask, causal));
    }

    private Tensor feedForward(Tensor x) {
        return drop(dropout2, linear2.apply(drop(dropout, FeedForward.activate(activation, linear1.apply(x)))));
    }

    /** Model dimension. */
    public int dModel() {
        return dModel;
    }

    /** True for {@code [N, S, E]} inputs. */
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
