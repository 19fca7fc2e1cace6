package dev.jasg.nn.attention;

import dev.jasg.core.Tensor;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Sequential;

import java.util.function.Supplier;

/**
 * {@code torch.nn.TransformerEncoder(encoder_layer, num_layers, norm=None)}: {@code num_layers}
 * {@link TransformerEncoderLayer}s applied in turn, then {@code norm} when given.
 *
 * <p>PyTorch deep-copies one layer; here {@code layer} makes each of them (a fresh one per call),
 * so they have their own weights. Children as PyTorch's names: {@code layers} (with children
 * {@code 0}, {@code 1}, ...) and {@code norm}, so parameters are
 * {@code layers.0.self_attn.in_proj_weight}, {@code norm.weight}, ....
 */
public final class TransformerEncoder extends Layer {
    private final Sequential layers;
    private final LayerNorm norm;

    /** {@code numLayers} layers made by {@code layer}, then {@code norm} (null for none). */
    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) throw new IllegalArgumentException("TransformerEncoder: num_layers must be positive, got " + numLayers);
        Sequential s = new Sequential();
        for (int i = 0; i < numLayers; i++) s.add(layer.get());
        this.layers = register("layers", s);
        this.norm = norm == null ? null : register("norm", norm);
    }

    /** The encoder on {@code src} without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /**
     * The encoder in this module's scope, as {@code encoder(src, mask, src_key_padding_mask, is_causal)};
     * every layer gets the same masks.
     */
    public Tensor apply(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal) {
        return inScope(src.builder(), () -> forward(src, mask, srcKeyPaddingMask, isCausal));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, boolean)} in the caller's scope. */
    @SuppressWarnings("try") // the scope is entered for its effect on the builder
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal) {
        Tensor x = src;
        try (var scope = src.builder().scope("layers")) {
            for (int i = 0; i < layers.size(); i++) x = ((TransformerEncoderLayer) layers.get(i)).apply(x, mask, srcKeyPaddingMask, isCausal);
        }
        return norm == null ? x : norm.apply(x);
    }

    /** Number of layers. */
    public int numLayers() {
        return layers.size();
    }

    /** Layer {@code i}. */
    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) layers.get(i);
    }
}
