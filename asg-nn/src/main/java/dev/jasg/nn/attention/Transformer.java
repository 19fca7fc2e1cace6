package dev.jasg.nn.attention;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Repr;

/**
 * {@code torch.nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
 * dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5, batch_first=False,
 * norm_first=False)}, the encoder-decoder of "Attention Is All You Need":
 *
 * <pre>  memory = encoder.norm(encoder.layers(src, src_mask, src_key_padding_mask))
 *  output = decoder.norm(decoder.layers(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask))</pre>
 *
 * with {@link TransformerEncoderLayer}s and {@link TransformerDecoderLayer}s, and the final
 * encoder and decoder {@link LayerNorm}s that PyTorch always adds (post-norm and pre-norm alike).
 * Children and so parameter names as PyTorch's {@code state_dict}:
 * {@code encoder.layers.N.self_attn.in_proj_weight}, {@code encoder.layers.N.linear1.weight},
 * {@code encoder.layers.N.norm1.weight}, {@code encoder.norm.weight},
 * {@code decoder.layers.N.multihead_attn.in_proj_weight}, {@code decoder.norm.bias}, ....
 * Every matrix starts Xavier-uniform, as PyTorch's {@code _reset_parameters}; vectors as the layers
 * make them. {@code src [S, N, E]}, {@code tgt [T, N, E]}, output {@code [T, N, E]} (batch-first:
 * {@code [N, S, E]}, {@code [N, T, E]}, {@code [N, T, E]}). Masks as {@link MultiHeadAttention}
 * (BOOL true = not allowed / padded; float added, {@code -inf} masks); a causal target mask
 * is {@link #generateSquareSubsequentMask(int)}.
 */
public final class Transformer extends Layer {
    private final int dModel;
    private final int nhead;
    private final boolean batchFirst;
    private final boolean normFirst;
    private final TransformerEncoder encoder;
    private final TransformerDecoder decoder;

    /** PyTorch's defaults: d_model 512, 8 heads, 6 + 6 layers, dim_feedforward 2048, dropout 0.1, relu, sequence-first, post-norm. */
    public Transformer() {
        this(512, 8, 6, 6, 2048, 0.1, "relu", 1e-5, false, false);
    }

    /** Every option of {@code nn.Transformer} but custom encoders and decoders; {@code activation} is relu, gelu or silu. */
    public Transformer(int dModel, int nhead, int numEncoderLayers, int numDecoderLayers, int dimFeedforward, double dropout,
                       String activation, double layerNormEps, boolean batchFirst, boolean normFirst) {
        this.dModel = dModel;
        this.nhead = nhead;
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        this.encoder = register("encoder", new TransformerEncoder(
                () -> new TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, true),
                numEncoderLayers, new LayerNorm(new int[] {dModel}, layerNormEps, true)));
        this.decoder = register("decoder", new TransformerDecoder(
                () -> new TransformerDecoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, true),
                numDecoderLayers, new LayerNorm(new int[] {dModel}, layerNormEps, true)));
    }

    /**
     * PyTorch's {@code Transformer.generate_square_subsequent_mask(n)}: the float {@code [n, n]}
     * mask with {@code -inf} above the diagonal (key {@code j > i} hidden from query {@code i}) and 0 elsewhere.
     */
    public static HostTensor generateSquareSubsequentMask(int n) {
        if (n <= 0) throw new IllegalArgumentException("generateSquareSubsequentMask: size must be positive, got " + n);
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) m[i * n + j] = Float.NEGATIVE_INFINITY;
        return HostTensor.of(DType.F32, Shape.of(n, n), m);
    }

    /** {@link #generateSquareSubsequentMask(int)} as an F32 constant on {@code b}. */
    public static Tensor generateSquareSubsequentMask(GraphBuilder b, int n) {
        return b.constant(generateSquareSubsequentMask(n));
    }

    /** Both encoder and decoder on {@code x} ({@code src = tgt = x}), with no mask: a convenience; use {@link #apply(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, null, null, null, null, null, null);
    }

    /** {@code transformer(src, tgt)} with no masks, in this module's scope. */
    public Tensor apply(Tensor src, Tensor tgt) {
        return apply(src, tgt, null, null, null, null, null, null);
    }

    /**
     * {@code transformer(src, tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask,
     * tgt_key_padding_mask, memory_key_padding_mask)} in this module's scope; any mask may be null.
     */
    public Tensor apply(Tensor src, Tensor tgt, Tensor srcMask, Tensor tgtMask, Tensor memoryMask, Tensor srcKeyPaddingMask,
                        Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        return inScope(src.builder(), () -> forward(src, tgt, srcMask, tgtMask, memoryMask, srcKeyPaddingMask, tgtKeyPaddingMask,
                memoryKeyPaddingMask));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)} in the caller's scope. */
    public Tensor forward(Tensor src, Tensor tgt, Tensor srcMask, Tensor tgtMask, Tensor memoryMask, Tensor srcKeyPaddingMask,
                          Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        Shape s = src.shape(), t = tgt.shape();
        if (s.rank() != t.rank() || s.rank() < 2 || s.rank() > 3) {
            throw new ShapeException("Transformer: src " + s + " and tgt " + t + " must both be " + (batchFirst ? "[N, seq, " : "[seq, N, ")
                    + dModel + "] or unbatched [seq, " + dModel + "] (nodes " + src.id() + ", " + tgt.id() + ")");
        }
        int batchAxis = batchFirst ? 0 : 1;
        if (s.rank() == 3 && !s.sameDim(batchAxis, t, batchAxis)) {
            throw new ShapeException("Transformer: the batch size of src " + s + " and tgt " + t + " must be equal (axis " + batchAxis
                    + ", nodes " + src.id() + ", " + tgt.id() + ")");
        }
        for (Tensor x : new Tensor[] {src, tgt}) {
            if (x.shape().isSymbolic(x.rank() - 1) || x.shape().dim(x.rank() - 1) != dModel) {
                throw new ShapeException("Transformer: the feature number of src and tgt must be d_model " + dModel + ", got "
                        + x.shape() + " at node " + x.id());
            }
        }
        Tensor memory = encoder.apply(src, srcMask, srcKeyPaddingMask, false);
        return decoder.apply(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false, false);
    }

    /** The encoder. */
    public TransformerEncoder encoder() {
        return encoder;
    }

    /** The decoder. */
    public TransformerDecoder decoder() {
        return decoder;
    }

    /** Model dimension. */
    public int dModel() {
        return dModel;
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", nhead=" + nhead + ", batch_first=" + Repr.of(batchFirst) + ", norm_first=" + Repr.of(normFirst);
    }
}
