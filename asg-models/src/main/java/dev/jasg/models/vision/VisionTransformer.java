package dev.jasg.models.vision;

import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.GELU;
import dev.jasg.nn.Identity;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.Layer;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.attention.MultiHeadAttention;

import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code VisionTransformer} (Dosovitskiy et al. 2020, "An Image is Worth 16x16
 * Words"), with its module tree and parameter names, so that a torchvision {@code state_dict}
 * loads by name:
 *
 * <pre>
 *  tokens = conv_proj(x)                          [N, hidden, H/p, W/p], a p x p conv of stride p
 *           .reshape(N, hidden, S).permute(0,2,1) [N, S, hidden],  S = (image_size / p)^2
 *  z_0    = concat(class_token, tokens) + encoder.pos_embedding      [N, S+1, hidden]
 *  z'_l   = z_{l-1} + MHA(LN_1(z_{l-1}))          (pre-LN encoder block encoder_layer_{l-1})
 *  z_l    = z'_l + MLP(LN_2(z'_l)),  MLP(u) = Linear(GELU(Linear(u)))
 *  logits = heads.head(encoder.ln(z_L)[:, 0])     [N, num_classes]
 * </pre>
 *
 * <p>Parameters ({@code namedParameters()}, in torchvision's order): {@code class_token [1,1,D]},
 * {@code conv_proj.weight [D,3,p,p]}, {@code conv_proj.bias}, {@code encoder.pos_embedding [1,S+1,D]},
 * per block {@code encoder.layers.encoder_layer_N.ln_1.weight/bias},
 * {@code .self_attention.in_proj_weight [3D,D]}, {@code .in_proj_bias}, {@code .out_proj.weight/bias},
 * {@code .ln_2.weight/bias}, {@code .mlp.0.weight [mlp,D]}, {@code .mlp.0.bias}, {@code .mlp.3.weight [D,mlp]},
 * {@code .mlp.3.bias}; then {@code encoder.ln.weight/bias}, {@code heads.head.weight [classes,D]},
 * {@code heads.head.bias}. Layer norms have eps {@code 1e-6}; GELU is the exact (erf) one.
 *
 * <p>Inputs are {@code [N, 3, image_size, image_size]} with a batch that may be symbolic; other
 * sizes throw {@link ShapeException} naming the expected and the given shape.
 *
 * <p>Initialisation follows torchvision: conv_proj weight normal with std {@code sqrt(1/fan_in)}
 * (torchvision truncates it at two standard deviations; here it is not truncated), biases and
 * class token zero, position embedding normal(0, 0.02), attention as
 * {@code nn.MultiheadAttention}, MLP weights Xavier-uniform with biases normal(0, 1e-6), and the
 * head zero. Differences from torchvision: no {@code representation_size} (pre-logits) head and no
 * convolutional stem ({@code conv_stem_configs}); dropout layers with {@code p = 0} (the
 * default) are {@link Identity} placeholders at the same indices ({@code mlp.2}, {@code mlp.4}),
 * so they hold no dropout seed buffer; with {@code p > 0} they are {@link Dropout} layers, whose I32
 * {@code seed} buffer is not part of PyTorch's state_dict.
 */
public final class VisionTransformer extends Layer {
    private final Config config;
    private final Conv2d convProj;
    private final Encoder encoder;
    private final Heads heads;

    /**
     * The sizes of a Vision Transformer: torchvision's {@code VisionTransformer(image_size,
     * patch_size, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout,
     * num_classes)}. Each {@code with*} method returns a copy with one value changed.
     *
     * @param imageSize        side of the square input image; a multiple of {@code patchSize}
     * @param patchSize        side of a square patch (the stride and kernel of {@code conv_proj})
     * @param depth            encoder blocks ({@code num_layers})
     * @param heads            attention heads; divides {@code hidden}
     * @param hidden           token width ({@code hidden_dim})
     * @param mlpDim           width of each block's MLP
     * @param numClasses       outputs of {@code heads.head}
     * @param dropout          dropout after the position embedding, after attention and in the MLP (training only)
     * @param attentionDropout dropout on the attention weights (training only)
     */
    public record Config(int imageSize, int patchSize, int depth, int heads, int hidden, int mlpDim, int numClasses,
                         double dropout, double attentionDropout) {
        /** Checks the sizes; throws {@link IllegalArgumentException} naming the one that is wrong. */
        public Config {
            check("image_size", imageSize);
            check("patch_size", patchSize);
            check("depth (num_layers)", depth);
            check("heads", heads);
            check("hidden (hidden_dim)", hidden);
            check("mlp_dim", mlpDim);
            check("num_classes", numClasses);
            if (imageSize % patchSize != 0) {
                throw new IllegalArgumentException("VisionTransformer: image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
            }
            if (hidden % heads != 0) {
                throw new IllegalArgumentException("VisionTransformer: hidden_dim " + hidden + " is not divisible by heads " + heads);
            }
            if (!(dropout >= 0 && dropout < 1) || !(attentionDropout >= 0 && attentionDropout < 1)) {
                throw new IllegalArgumentException("VisionTransformer: dropout " + dropout + " and attention_dropout " + attentionDropout + " must be in [0, 1)");
            }
        }

        private static void check(String what, int v) {
            if (v <= 0) throw new IllegalArgumentException("VisionTransformer: " + what + " must be positive, got " + v);
        }

        /** torchvision's {@code vit_b_16}: image 224, patch 16, 12 blocks, 12 heads, hidden 768, MLP 3072, 1000 classes. */
        public static Config vitB16() {
            return new Config(224, 16, 12, 12, 768, 3072, 1000, 0, 0);
        }

        /**
         * A small configuration for tests and CPU fine-tuning: image 32, patch 8 (16 patches), 2 blocks,
         * 2 heads, hidden 32, MLP 64, 10 classes (about 27 thousand parameters).
         */
        public static Config small() {
            return new Config(32, 8, 2, 2, 32, 64, 10, 0, 0);
        }

        /** Tokens per image including the class token, {@code (image_size / patch_size)^2 + 1}. */
        public int seqLength() {
            int n = imageSize / patchSize;
            return n * n + 1;
        }

        /** This configuration with another {@code image_size}. */
        public Config withImageSize(int v) {
            return new Config(v, patchSize, depth, heads, hidden, mlpDim, numClasses, dropout, attentionDropout);
        }

        /** This configuration with another {@code patch_size}. */
        public Config withPatchSize(int v) {
            return new Config(imageSize, v, depth, heads, hidden, mlpDim, numClasses, dropout, attentionDropout);
        }

        /** This configuration with another depth ({@code num_layers}). */
        public Config withDepth(int v) {
            return new Config(imageSize, patchSize, v, heads, hidden, mlpDim, numClasses, dropout, attentionDropout);
        }

        /** This configuration with another number of heads. */
        public Config withHeads(int v) {
            return new Config(imageSize, patchSize, depth, v, hidden, mlpDim, numClasses, dropout, attentionDropout);
        }

        /** This configuration with another {@code hidden_dim}. */
        public Config withHidden(int v) {
            return new Config(imageSize, patchSize, depth, heads, v, mlpDim, numClasses, dropout, attentionDropout);
        }

        /** This configuration with another {@code mlp_dim}. */
        public Config withMlpDim(int v) {
            return new Config(imageSize, patchSize, depth, heads, hidden, v, numClasses, dropout, attentionDropout);
        }

        /** This configuration with another {@code num_classes} (a new head). */
        public Config withNumClasses(int v) {
            return new Config(imageSize, patchSize, depth, heads, hidden, mlpDim, v, dropout, attentionDropout);
        }

        /** This configuration with other dropout probabilities. */
        public Config withDropout(double dropout, double attentionDropout) {
            return new Config(imageSize, patchSize, depth, heads, hidden, mlpDim, numClasses, dropout, attentionDropout);
        }
    }

    /** {@code torchvision.models.vit_b_16()} (no weights: load them by name). */
    public static VisionTransformer vitB16() {
        return new VisionTransformer(Config.vitB16());
    }

    /** {@code vit_b_16(num_classes=numClasses)}. */
    public static VisionTransformer vitB16(int numClasses) {
        return new VisionTransformer(Config.vitB16().withNumClasses(numClasses));
    }

    /** A Vision Transformer of {@code config}. */
    public VisionTransformer(Config config) {
        this.config = config;
        int d = config.hidden(), p = config.patchSize();
        registerParameter("class_token", Initializers.zeros(), 1, 1, d);
        this.convProj = register("conv_proj", new Conv2d(3, d, p, p, ConvOptions.defaults().stride(p)));
        this.encoder = register("encoder", new Encoder(config));
        this.heads = register("heads", new Heads(config));
    }

    /** The configuration this model was built with. */
    public Config config() {
        return config;
    }

    /** Logits {@code [N, num_classes]} of images {@code x [N, 3, image_size, image_size]}. */
    @Override
    public Tensor forward(Tensor x) {
        int s = config.imageSize();
        if (x.rank() != 4 || x.shape().isSymbolic(1) || x.shape().dim(1) != 3 || x.shape().isSymbolic(2) || x.shape().dim(2) != s
                || x.shape().isSymbolic(3) || x.shape().dim(3) != s) {
            throw new ShapeException("VisionTransformer: input must be [N, 3, " + s + ", " + s + "] (image_size " + s + "), got "
                    + x.shape() + " at node " + x.id());
        }
        Object n = x.shape().parts().get(0);
        int d = config.hidden(), grid = s / config.patchSize();
        Tensor tokens = convProj.apply(x).reshapeSymbolic(n, d, grid * grid).permute(0, 2, 1);
        Tensor cls = parameter(x, "class_token").expand(n, -1, -1);
        Tensor z = encoder.apply(Tensor.concat(1, cls, tokens));
        return heads.apply(z.select(1, 0));
    }

    @Override
    protected String extraRepr() {
        return "image_size=" + config.imageSize() + ", patch_size=" + config.patchSize() + ", num_layers=" + config.depth()
                + ", num_heads=" + config.heads() + ", hidden_dim=" + config.hidden() + ", mlp_dim=" + config.mlpDim()
                + ", num_classes=" + config.numClasses();
    }

    private static Layer dropout(double p) {
        return p > 0 ? new Dropout(p) : new Identity();
    }

    /** {@code heads}: a sequential holding {@code head}, {@code Linear(hidden, num_classes)} starting at zero. */
    private static final class Heads extends Layer {
        private final Linear head;

        Heads(Config c) {
            this.head = register("head", new Linear(c.hidden(), c.numClasses(), true, Initializers.zeros(), Initializers.zeros()));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.apply(x);
        }
    }

    /** torchvision's {@code Encoder}: position embedding, dropout, {@code layers}, final {@code ln}. */
    private static final class Encoder extends Layer {
        private final Layer drop;
        private final Blocks layers;
        private final LayerNorm ln;

        Encoder(Config c) {
            registerParameter("pos_embedding", Initializers.normal(0, 0.02), 1, c.seqLength(), c.hidden());
            this.drop = register("dropout", dropout(c.dropout()));
            this.layers = register("layers", new Blocks(c));
            this.ln = register("ln", new LayerNorm(new int[] {c.hidden()}, 1e-6, true));
        }

        @Override
        public Tensor forward(Tensor x) {
            return ln.apply(layers.apply(drop.apply(x.add(parameter(x, "pos_embedding")))));
        }
    }

    /** {@code encoder.layers}: blocks named {@code encoder_layer_0 ..}, applied in order. */
    private static final class Blocks extends Layer {
        private final List<EncoderBlock> blocks = new ArrayList<>();

        Blocks(Config c) {
            for (int i = 0; i < c.depth(); i++) blocks.add(register("encoder_layer_" + i, new EncoderBlock(c)));
        }

        @Override
        public Tensor forward(Tensor x) {
            for (EncoderBlock b : blocks) x = b.apply(x);
            return x;
        }
    }

    /** torchvision's {@code EncoderBlock}: {@code x + MHA(ln_1(x))}, then {@code + mlp(ln_2(.))}. */
    private static final class EncoderBlock extends Layer {
        private final LayerNorm ln1;
        private final MultiHeadAttention attention;
        private final Layer drop;
        private final LayerNorm ln2;
        private final Sequential mlp;

        EncoderBlock(Config c) {
            int d = c.hidden();
            this.ln1 = register("ln_1", new LayerNorm(new int[] {d}, 1e-6, true));
            this.attention = register("self_attention",
                    new MultiHeadAttention(MultiHeadAttention.options(d, c.heads()).dropout(c.attentionDropout()).batchFirst(true)));
            this.drop = register("dropout", dropout(c.dropout()));
            this.ln2 = register("ln_2", new LayerNorm(new int[] {d}, 1e-6, true));
            Initializers.Initializer w = Initializers.xavierUniform(), b = Initializers.normal(0, 1e-6);
            this.mlp = register("mlp", new Sequential(new Linear(d, c.mlpDim(), true, w, b), new GELU(), dropout(c.dropout()),
                    new Linear(c.mlpDim(), d, true, w, b), dropout(c.dropout())));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = ln1.apply(x);
            Tensor y = drop.apply(attention.apply(h, h, h, null, null, false)).add(x);
            return y.add(mlp.apply(ln2.apply(y)));
        }
    }
}
