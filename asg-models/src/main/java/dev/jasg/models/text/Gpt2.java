package dev.jasg.models.text;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Initializers;
import dev.jasg.nn.Layer;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.ParameterSpec;
import dev.jasg.nn.io.FormatException;
import dev.jasg.nn.io.SafeTensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 with Hugging Face's parameter names and layouts ({@code GPT2LMHeadModel}), so a
 * {@code model.safetensors} of the Hub loads by name: {@code wte.weight [V, E]},
 * {@code wpe.weight [P, E]}, per block {@code h.N.ln_1}, {@code h.N.attn.c_attn} ({@code [E, 3E]}),
 * {@code h.N.attn.c_proj}, {@code h.N.ln_2}, {@code h.N.mlp.c_fc} ({@code [E, 4E]}),
 * {@code h.N.mlp.c_proj}, and {@code ln_f}. The language-model head is tied: {@code logits = h wte^T},
 * with no weight of its own.
 *
 * <p>{@link #forward} maps token ids {@code [B, T]} to logits {@code [B, T, V]}:
 * <pre>
 * x = wte[ids] + wpe[0..T)
 * per block: x = x + c_proj(attn(ln_1(x)));  x = x + mlp.c_proj(gelu_tanh(mlp.c_fc(ln_2(x))))
 * attn: q, k, v = split(c_attn(x)); w = (q k^T) / sqrt(head_dim); w = where(causal, w, finfo(f32).min);
 *       softmax(w) v, heads merged
 * logits = ln_f(x) wte^T
 * </pre>
 * where {@code Conv1D} is HF's: {@code y = x W + b} with {@code W [in, out]} (the transpose of
 * {@code nn.Linear}'s layout), and the GELU is {@code gelu_new}, the tanh approximation. Dropout
 * is left out (HF's is off in eval mode). Generation with a key/value cache is
 * {@link Gpt2Generator}.
 */
public final class Gpt2 extends Layer {
    /** HF's mask value: the most negative finite f32 ({@code torch.finfo(torch.float32).min}). */
    public static final double MASKED = -Float.MAX_VALUE;

    private final Gpt2Config config;
    private final Table wte;
    private final Table wpe;
    private final Blocks h;
    private final LayerNorm lnF;

    /** A GPT-2 of {@code config}, initialised as HF does (normal std 0.02, {@code c_proj} scaled by {@code 1/sqrt(2 n_layer)}). */
    public Gpt2(Gpt2Config config) {
        this.config = config;
        wte = register("wte", new Table(config.vocabSize(), config.nEmbd()));
        wpe = register("wpe", new Table(config.nPositions(), config.nEmbd()));
        h = register("h", new Blocks());
        for (int i = 0; i < config.nLayer(); i++) h.add(new Block(config));
        lnF = register("ln_f", new LayerNorm(new int[] {config.nEmbd()}, config.layerNormEpsilon(), true));
    }

    /** GPT-2 small, 124M parameters ({@link Gpt2Config#gpt2()}). */
    public static Gpt2 gpt2() {
        return new Gpt2(Gpt2Config.gpt2());
    }

    /** The configuration. */
    public Gpt2Config config() {
        return config;
    }

    /** Logits {@code [B, T, V]} for I32 token ids {@code [B, T]} ({@code T} may be symbolic), causal attention. */
    @Override
    public Tensor forward(Tensor ids) {
        GraphBuilder b = ids.builder();
        if (ids.rank() != 2 || ids.dtype() != DType.I32) {
            throw new IllegalArgumentException("Gpt2: input ids must be i32 [B, T], got " + ids.dtype().label() + ids.shape() + " at node " + ids.id());
        }
        Object t = ids.shape().parts().get(1);
        // 0, 1, ..., T-1 (T may be symbolic), HF's position_ids.
        Tensor positions = b.scalar(1, DType.I32).broadcastTo(Shape.symbolic(t)).cumsum(0).sub(1);
        return lmHead(hidden(ids, positions, null));
    }

    /**
     * The final hidden states {@code ln_f(x)} {@code [B, T, E]} for {@code ids} at {@code positions}
     * (I32, broadcastable to ids); {@code cache} (null: plain causal attention) decides what each
     * layer attends over, see {@link KvHook}.
     */
    Tensor hidden(Tensor ids, Tensor positions, KvHook cache) {
        GraphBuilder b = ids.builder();
        Tensor x = wte.weight(b).gather(ids).add(wpe.weight(b).gather(positions));
        // Query i sees key j where position j <= position i (HF's tril of ones); bool [T, T], built
        // from the positions so that T may be symbolic.
        Tensor causal = positions.rank() == 1 ? positions.unsqueeze(1).ge(positions.unsqueeze(0)) : null;
        return lnF.apply(h.run(x, causal, cache));
    }

    /** Runs {@code body} in this model's scope (what {@link #apply} does for {@link #forward}), for the generation graphs. */
    Tensor scoped(GraphBuilder b, java.util.function.Supplier<Tensor> body) {
        return inScope(b, body);
    }

    /** The tied head: {@code h wte^T}, {@code [.., E]} to {@code [.., V]}. */
    Tensor lmHead(Tensor h) {
        Tensor w = wte.weight(h.builder());
        // [N, E] rows (generation): w h^T reads the table in its own layout instead of transposing [V, E] every step.
        return h.rank() == 2 ? w.matmul(h.mT()).mT() : h.matmul(w.transpose(0, 1));
    }

    // ---- weights ---------------------------------------------------------------------------

    /**
     * Reads HF weights: {@code path} is a {@code .safetensors} file or a directory holding
     * {@code model.safetensors}. Names are normalised to this model's: a {@code transformer.} prefix
     * ({@code GPT2LMHeadModel}'s) is dropped, and the causal-mask buffers {@code h.N.attn.bias} /
     * {@code masked_bias} and the tied {@code lm_head.weight} are skipped.
     */
    public static Map<String, HostTensor> readHuggingFace(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("model.safetensors") : path;
        if (!Files.isRegularFile(file)) throw new FormatException(file, "no such file: GPT-2 weights are read from model.safetensors (HF's format)");
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : SafeTensors.load(file).entrySet()) {
            String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length()) : e.getKey();
            if (name.equals("lm_head.weight") || name.matches("h\\.\\d+\\.attn\\.(bias|masked_bias)")) continue;
            out.put(name, e.getValue());
        }
        return out;
    }

    /**
     * Copies {@code weights} (by this model's parameter names) into {@code store}, which already
     * holds the parameters (a store something built from this model was compiled over).
     *
     * @throws FormatException naming {@code source} when a parameter is missing, a name is
     *     unknown, or a shape differs
     */
    public void load(Parameters store, Map<String, HostTensor> weights, Path source) {
        Map<String, ParameterSpec> want = namedParameters();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        for (String k : want.keySet()) if (!weights.containsKey(k)) missing.add(k);
        for (String k : weights.keySet()) if (!want.containsKey(k)) unexpected.add(k);
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new FormatException(source, "the weights do not match GPT-2 " + config + ": missing " + missing + ", unexpected " + unexpected);
        }
        for (var e : want.entrySet()) {
            HostTensor v = weights.get(e.getKey());
            if (!v.shape().equals(e.getValue().shape())) {
                throw new FormatException(source, "parameter '" + e.getKey() + "' is " + v.shape() + " in the file but " + e.getValue().shape() + " in GPT-2 " + config);
            }
        }
        for (var e : want.keySet()) store.set(e, weights.get(e));
        LOG.info("GPT-2: loaded {} tensors from {}", want.size(), source);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Gpt2.class);

    @Override
    protected String extraRepr() {
        return "n_layer=" + config.nLayer() + ", n_head=" + config.nHead() + ", n_embd=" + config.nEmbd() + ", n_positions=" + config.nPositions()
                + ", vocab_size=" + config.vocabSize();
    }

    // ---- parts -------------------------------------------------------------------------------

    /** What one attention layer attends over: keys and values {@code [B, H, Tk, d]} and a bool mask broadcastable to {@code [B, H, Tq, Tk]} (null: the causal mask of the positions). */
    record Attended(Tensor keys, Tensor values, Tensor visible) {}

    /** How a layer's keys and values meet a cache in a generation graph. */
    @FunctionalInterface
    interface KvHook {
        /** For layer {@code layer}, given this step's q, k, v {@code [B, H, T, d]}: what the queries attend over. */
        Attended attend(int layer, Tensor q, Tensor k, Tensor v);
    }

    /** An embedding table with one parameter {@code weight [rows, E]}, initialised N(0, 0.02) as HF's GPT-2. */
    public static final class Table extends Layer {
        Table(int rows, int width) {
            registerParameter("weight", Initializers.normal(0, 0.02), rows, width);
        }

        /** The table's node on {@code b} (made in this layer's scope on first use). */
        Tensor weight(GraphBuilder b) {
            return inScope(b, () -> parameter(b, "weight"));
        }

        /** The rows named by I32 {@code ids}. */
        @Override
        public Tensor forward(Tensor ids) {
            return weight(ids.builder()).gather(ids);
        }
    }

    /** HF's {@code Conv1D}: {@code y = x W + b} with {@code weight [in, out]} and {@code bias [out]}. */
    public static final class Conv1D extends Layer {
        private final int in;
        private final int out;

        /** A {@code Conv1D(nf=out, nx=in)}; weight N(0, std), bias 0. */
        Conv1D(int in, int out, double std) {
            this.in = in;
            this.out = out;
            registerParameter("weight", Initializers.normal(0, std), in, out);
            registerParameter("bias", Initializers.zeros(), out);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.matmul(parameter(x, "weight")).add(parameter(x, "bias"));
        }

        @Override
        protected String extraRepr() {
            return "nf=" + out + ", nx=" + in;
        }
    }

    /** The blocks {@code h.0 .. h.(n_layer-1)}, as {@code nn.ModuleList}; applied through {@link Gpt2}. */
    static final class Blocks extends Layer {
        private final List<Block> blocks = new ArrayList<>();

        void add(Block b) {
            blocks.add(register(Integer.toString(blocks.size()), b));
        }

        /** The blocks in order, in this list's scope; {@code cache} as {@link Gpt2#hidden}. */
        Tensor run(Tensor x, Tensor causal, KvHook cache) {
            return inScope(x.builder(), () -> {
                Tensor y = x;
                for (int i = 0; i < blocks.size(); i++) {
                    int layer = i;
                    y = blocks.get(i).run(y, (q, k, v) -> {
                        Attended a = cache == null ? new Attended(k, v, null) : cache.attend(layer, q, k, v);
                        return a.visible() != null ? a : new Attended(a.keys(), a.values(), causal);
                    });
                }
                return y;
            });
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("Gpt2: the block list 'h' is applied by Gpt2, block by block");
        }
    }

    /** One pre-LN block: {@code ln_1}, {@code attn} ({@code c_attn}, {@code c_proj}), {@code ln_2}, {@code mlp} ({@code c_fc}, {@code c_proj}). */
    public static final class Block extends Layer {
        private final Gpt2Config c;
        private final LayerNorm ln1;
        private final Attention attn;
        private final LayerNorm ln2;
        private final Mlp mlp;

        Block(Gpt2Config c) {
            this.c = c;
            ln1 = register("ln_1", new LayerNorm(new int[] {c.nEmbd()}, c.layerNormEpsilon(), true));
            attn = register("attn", new Attention(c));
            ln2 = register("ln_2", new LayerNorm(new int[] {c.nEmbd()}, c.layerNormEpsilon(), true));
            mlp = register("mlp", new Mlp(c));
        }

        /** The block on {@code [B, T, E]} with no mask (a block alone has no positions: {@link Gpt2#forward} adds the causal mask). */
        @Override
        public Tensor forward(Tensor x) {
            return run(x, (q, k, v) -> new Attended(k, v, null));
        }

        Tensor run(Tensor x, Attention.Source source) {
            return inScope(x.builder(), () -> {
                Tensor h = x.add(attn.run(ln1.apply(x), source));
                return h.add(mlp.apply(ln2.apply(h)));
            });
        }
    }

    /** HF's {@code GPT2Attention}: fused {@code c_attn} to q, k, v, scaled dot products, causal mask, {@code c_proj}. */
    public static final class Attention extends Layer {
        private final int heads;
        private final int width;
        private final Conv1D cAttn;
        private final Conv1D cProj;

        /** What the queries attend over, given this step's q, k, v. */
        @FunctionalInterface
        interface Source {
            Attended of(Tensor q, Tensor k, Tensor v);
        }

        Attention(Gpt2Config c) {
            heads = c.nHead();
            width = c.nEmbd();
            cAttn = register("c_attn", new Conv1D(width, 3 * width, 0.02));
            cProj = register("c_proj", new Conv1D(width, width, 0.02 / Math.sqrt(2.0 * c.nLayer())));
        }

        /** Attention with no mask (see {@link Block#forward}). */
        @Override
        public Tensor forward(Tensor x) {
            return run(x, (q, k, v) -> new Attended(k, v, null));
        }

        Tensor run(Tensor x, Source source) {
            return inScope(x.builder(), () -> {
                List<Tensor> qkv = cAttn.apply(x).split(width, 2);
                Tensor q = heads(qkv.get(0)), k = heads(qkv.get(1)), v = heads(qkv.get(2));
                Attended a = source.of(q, k, v);
                Tensor w = q.matmul(a.keys().mT()).div(Math.sqrt(width / heads));
                Tensor y = a.visible() == null ? w : a.visible().where(w, MASKED);
                y = y.softmax(-1).matmul(a.values());
                // [B, H, T, d] -> [B, T, H, d] -> [B, T, E]
                Tensor merged = y.permute(0, 2, 1, 3);
                return cProj.apply(merged.reshapeSymbolic(merged.shape().parts().get(0), merged.shape().parts().get(1), width));
            });
        }

        // [B, T, E] -> [B, H, T, d]
        private Tensor heads(Tensor t) {
            List<Object> p = t.shape().parts();
            return t.reshapeSymbolic(p.get(0), p.get(1), heads, width / heads).permute(0, 2, 1, 3);
        }
    }

    /** HF's {@code GPT2MLP}: {@code c_proj(gelu_new(c_fc(x)))}, hidden width {@code 4E}. */
    public static final class Mlp extends Layer {
        private final Conv1D cFc;
        private final Conv1D cProj;

        Mlp(Gpt2Config c) {
            cFc = register("c_fc", new Conv1D(c.nEmbd(), 4 * c.nEmbd(), 0.02));
            cProj = register("c_proj", new Conv1D(4 * c.nEmbd(), c.nEmbd(), 0.02 / Math.sqrt(2.0 * c.nLayer())));
        }

        @Override
        public Tensor forward(Tensor x) {
            return cProj.apply(cFc.apply(x).gelu("tanh"));
        }
    }
}
