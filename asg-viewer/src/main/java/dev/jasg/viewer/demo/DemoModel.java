package dev.jasg.viewer.demo;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;
import dev.jasg.nn.MaxPool2d;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.attention.LearnedPositionalEmbedding;
import dev.jasg.nn.attention.TransformerEncoderBlock;

import java.util.Locale;
import java.util.Optional;

/**
 * The demo's models, all from images {@code [B, 1, 28, 28]} to ten class logits, small enough to
 * train live on a CPU.
 */
public enum DemoModel {
    /** 784-128-64-10 with ReLU. */
    MLP("mlp", "MLP 784-128-64-10, ReLU"),
    /** Two convolutions with max pooling, then a linear head. */
    CNN("cnn", "CNN conv(1→8,3x3)-ReLU-maxpool, conv(8→16,3x3)-ReLU-maxpool, linear 400→10"),
    /** A vision transformer: 7x7 patches, one pre-LN encoder block (4 heads, GELU), mean pool, linear head. */
    TRANSFORMER("transformer", "transformer: 16 patches of 7x7, 1 encoder block (d=32, 4 heads, GELU), mean pool, linear 32→10");

    private final String id;
    private final String description;

    DemoModel(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The name on the command line. */
    public String id() {
        return id;
    }

    /** A one-line description in English (the viewer shows {@code model.<id>} from its bundles). */
    public String description() {
        return description;
    }

    /** The model named {@code s} (case-insensitive), or empty. */
    public static Optional<DemoModel> parse(String s) {
        for (DemoModel m : values()) if (m.id.equals(s.trim().toLowerCase(Locale.ROOT))) return Optional.of(m);
        return Optional.empty();
    }

    /** A new, untrained model. */
    public Layer build() {
        return switch (this) {
            case MLP -> new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10));
            // 28 -> conv 26 -> pool 13 -> conv 11 -> pool 5: 16 x 5 x 5 = 400 features.
            case CNN -> new Sequential(new Conv2d(1, 8, 3), new ReLU(), new MaxPool2d(2), new Conv2d(8, 16, 3), new ReLU(), new MaxPool2d(2),
                    new Flatten(), new Linear(400, 10));
            case TRANSFORMER -> new VisionTransformer();
        };
    }

    /** Patches, learned positions, one encoder block, layer norm, mean pool, linear head. */
    static final class VisionTransformer extends Layer {
        private static final int D = 32;
        private final Patchify patches = register("patchify", new Patchify(28, 7));
        private final Linear embed = register("patch_embed", new Linear(49, D));
        private final LearnedPositionalEmbedding pos = register("pos_emb", new LearnedPositionalEmbedding(16, D));
        private final TransformerEncoderBlock block = register("block", new TransformerEncoderBlock(D, 4, 64, 0, "gelu", 1e-5, true, true));
        private final LayerNorm norm = register("norm", new LayerNorm(D));
        private final Linear head = register("head", new Linear(D, 10));

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = pos.apply(embed.apply(patches.apply(x)));
            return head.apply(norm.apply(block.apply(h)).mean(1));
        }
    }
}
