package dev.jasg.nn.attention;

import dev.jasg.core.Tensor;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Sequential;

import java.util.function.Supplier;

/**
 * {@code torch.nn.TransformerDecoder(decoder_layer, num_layers, norm=None)}: {@code num_layers}
 * {@link TransformerDecoderLayer}s applied in turn, each reading the same {@code memory}, then
 * {@code norm} when given.
 *
 * <p>PyTorch deep-copies one layer; here {@code layer} makes each of them (a fresh one per call).
 * Children as PyTorch's names: {@code layers} (children {@code 0}, {@code 1}, ...) and {@code norm}.
 */
public final class TransformerDecoder extends Layer {
    private final Sequential layers;
    private final LayerNorm norm;

    /** {@code numLayers} layers made by {@code layer}, then {@code norm} (null for none). */
    public TransformerDecoder(Supplier<TransformerDecoderLayer> layer, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) throw new IllegalArgumentException("TransformerDecoder: num_layers must be positive, got " + numLayers);
        Sequential s = new Sequential();
        for (int i = 0; i < numLayers; i++) s.add(layer.get());
        this.layers = register("layers", s);
        this.norm = norm == null ? null : register("norm", norm);
    }

    /** The decoder with {@code x} as both target and memory, no masks (see {@link TransformerDecoderLayer#forward(Tensor)}). */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, null, null, null, null, false, false);
    }

    /** The decoder on {@code tgt} and {@code memory} without masks, in this module's scope. */
    public Tensor apply(Tensor tgt, Tensor memory) {
        return apply(tgt, memory, null, null, null, null, false, false);
    }

    /**
     * The decoder in this module's scope, as {@code decoder(tgt, memory, tgt_mask, memory_mask,
     * tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal, memory_is_causal)}.
     */
    public Tensor apply(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                        Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        return inScope(tgt.builder(), () -> forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask,
                tgtIsCausal, memoryIsCausal));
    }

    /** The computation of {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)} in the caller's scope. */
    @SuppressWarnings("try") // the scope is entered for its effect on the builder
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        Tensor x = tgt;
        try (var scope = tgt.builder().scope("layers")) {
            for (int i = 0; i < layers.size(); i++) {
                x = ((TransformerDecoderLayer) layers.get(i)).apply(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask,
                        memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal);
            }
        }
        return norm == null ? x : norm.apply(x);
    }

    /** Number of layers. */
    public int numLayers() {
        return layers.size();
    }

    /** Layer {@code i}. */
    public TransformerDecoderLayer layer(int i) {
        return (TransformerDecoderLayer) layers.get(i);
    }
}
