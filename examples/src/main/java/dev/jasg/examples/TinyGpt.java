package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.models.text.BpeTrainer;
import dev.jasg.models.text.ByteLevelBpe;
import dev.jasg.nn.Embedding;
import dev.jasg.nn.LayerNorm;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.attention.LearnedPositionalEmbedding;
import dev.jasg.nn.attention.TransformerEncoderBlock;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * A character-level GPT: token and learned position embeddings, two pre-LN transformer blocks
 * with causal self-attention, a final layer norm and a linear head over the characters; trained
 * to predict each next character of a text file (by default the repository's LICENSE, a licence text
 * the machine has, or the MIT licence it carries; see {@link #defaultText()}) with
 * cross entropy and AdamW, then sampled from on the host with a temperature. With {@code --bpe N}
 * it learns its own byte-level BPE vocabulary of {@code N} tokens from the text first
 * ({@link BpeTrainer}, GPT-2's format) and works on those tokens instead of characters.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.TinyGpt [-Dexec.args="FILE --steps 600 --bpe 512 --backend cpu|--gpu"]</pre>
 */
public final class TinyGpt {
    /** Context length. */
    public static final int BLOCK = 32;
    static final int D_MODEL = 64;
    static final int HEADS = 4;
    static final int LAYERS = 2;
    static final int BATCH = 16;

    private TinyGpt() {}

    /** The characters of a text and their ids. */
    public record Vocabulary(char[] chars) {
        /** The sorted distinct characters of {@code text}. */
        public static Vocabulary of(String text) {
            TreeSet<Character> set = new TreeSet<>();
            for (char c : text.toCharArray()) set.add(c);
            char[] cs = new char[set.size()];
            int i = 0;
            for (char c : set) cs[i++] = c;
            return new Vocabulary(cs);
        }

        /** Number of characters. */
        public int size() {
            return chars.length;
        }

        /** Id of {@code c}. */
        public int id(char c) {
            int i = java.util.Arrays.binarySearch(chars, c);
            if (i < 0) throw new IllegalArgumentException("character U+" + Integer.toHexString(c) + " is not in the vocabulary");
            return i;
        }
    }

    /** The GPT: {@code [B, BLOCK]} character ids to {@code [B, BLOCK, vocab]} next-character logits. */
    public static final class Model extends Layer {
        private final Embedding tok;
        private final LearnedPositionalEmbedding pos;
        private final List<TransformerEncoderBlock> blocks = new ArrayList<>();
        private final LayerNorm norm;
        private final Linear head;

        /** A model over {@code vocab} characters. */
        public Model(int vocab) {
            tok = register("tok_emb", new Embedding(vocab, D_MODEL));
            pos = register("pos_emb", new LearnedPositionalEmbedding(BLOCK, D_MODEL));
            for (int i = 0; i < LAYERS; i++) {
                blocks.add(register("h" + i, new TransformerEncoderBlock(D_MODEL, HEADS, 4 * D_MODEL, 0, "gelu", 1e-5, true, true)));
            }
            norm = register("ln_f", new LayerNorm(D_MODEL));
            head = register("head", new Linear(D_MODEL, vocab));
        }

        @Override
        public Tensor forward(Tensor ids) {
            Tensor h = pos.apply(tok.apply(ids));
            for (TransformerEncoderBlock b : blocks) h = b.apply(h, null, null, true);
            return head.apply(norm.apply(h));
        }
    }

    /** Cross entropy of logits {@code [B, T, V]} against next characters {@code [B, T]} (classes on axis 1, as PyTorch wants). */
    static Tensor loss(Tensor logits, Tensor target) {
        return Losses.crossEntropy(logits.permute(0, 2, 1), target);
    }

    /** The losses seen and a sample of generated text. */
    public record Result(double firstLoss, double lastLoss, String sample) {}

    /**
     * Trains {@code steps} steps on random windows of {@code text}, then generates
     * {@code sampleLength} characters after the first {@link #BLOCK} characters of the text.
     */
    public static Result train(Backend backend, String text, int steps, int sampleLength, double temperature, StepListener log) {
        if (text.length() <= BLOCK + 1) throw new IllegalArgumentException("TinyGpt: the text needs more than " + (BLOCK + 1) + " characters");
        Vocabulary vocab = Vocabulary.of(text);
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.id(text.charAt(i));
        Trained t = trainIds(backend, ids, vocab.size(), steps, sampleLength, temperature, log);
        StringBuilder sample = new StringBuilder();
        for (int id : t.sample()) sample.append(vocab.chars()[id]);
        return new Result(t.firstLoss(), t.lastLoss(), sample.toString());
    }

    /** A run on BPE tokens: the losses, the learnt tokenizer, the text's length in tokens and the sampled tokens with their text. */
    public record BpeResult(double firstLoss, double lastLoss, ByteLevelBpe tokenizer, int textTokens, int[] sampleIds, String sample) {}

    /**
     * Like {@link #train} on tokens of a byte-level BPE vocabulary learnt from {@code text} itself
     * ({@link BpeTrainer#train}: GPT-2's 256 byte tokens plus merges up to {@code bpeVocab}
     * tokens): the text is encoded, the model predicts next tokens, and {@code sampleTokens}
     * tokens are generated after the first {@link #BLOCK} tokens and decoded to text.
     *
     * @throws IllegalArgumentException when {@code bpeVocab} is below 256 or the text has at most {@code BLOCK + 1} tokens
     */
    public static BpeResult trainBpe(Backend backend, String text, int bpeVocab, int steps, int sampleTokens, double temperature, StepListener log) {
        ByteLevelBpe bpe = BpeTrainer.train(List.of(text), bpeVocab);
        int[] ids = bpe.encode(text);
        if (ids.length <= BLOCK + 1) {
            throw new IllegalArgumentException("TinyGpt: the text needs more than " + (BLOCK + 1) + " BPE tokens, it has " + ids.length + " with a vocabulary of " + bpe.vocabSize());
        }
        Trained t = trainIds(backend, ids, bpe.vocabSize(), steps, sampleTokens, temperature, log);
        return new BpeResult(t.firstLoss(), t.lastLoss(), bpe, ids.length, t.sample(), bpe.decode(t.sample()));
    }

    private record Trained(double firstLoss, double lastLoss, int[] sample) {}

    private static Trained trainIds(Backend backend, int[] ids, int vocabSize, int steps, int sampleLength, double temperature, StepListener log) {
        Random rnd = new Random(1);
        try (Trainer trainer = Trainer.builder(backend, new Model(vocabSize))
                .input("x", DType.I32, "B", BLOCK)
                .target("y", DType.I32, "B", BLOCK)
                .loss(TinyGpt::loss)
                .optimizer(new AdamW(3e-3))
                .clipGradNorm(1)
                .seed(3)
                .build()) {
            trainer.addListener(log);
            double first = Double.NaN, last = Double.NaN;
            for (int s = 0; s < steps; s++) {
                int[] x = new int[BATCH * BLOCK], y = new int[BATCH * BLOCK];
                for (int b = 0; b < BATCH; b++) {
                    int start = rnd.nextInt(ids.length - BLOCK - 1);
                    System.arraycopy(ids, start, x, b * BLOCK, BLOCK);
                    System.arraycopy(ids, start + 1, y, b * BLOCK, BLOCK);
                }
                last = trainer.step(Map.of("x", HostTensor.ofInts(x, BATCH, BLOCK), "y", HostTensor.ofInts(y, BATCH, BLOCK)));
                if (s == 0) first = last;
            }
            return new Trained(first, last, sample(trainer, vocabSize, ids, sampleLength, temperature, new Random(2)));
        }
    }

    /** Generates {@code n} ids after the first {@link #BLOCK} of {@code ids}: the model reads the last {@link #BLOCK} ids and its last-position logits are sampled. */
    static int[] sample(Trainer trainer, int v, int[] ids, int n, double temperature, Random rnd) {
        int[] window = java.util.Arrays.copyOf(ids, BLOCK);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            HostTensor logits = trainer.predict(HostTensor.ofInts(window, 1, BLOCK));
            int next = pick(logits, (BLOCK - 1) * v, v, temperature, rnd);
            out[i] = next;
            System.arraycopy(window, 1, window, 0, BLOCK - 1);
            window[BLOCK - 1] = next;
        }
        return out;
    }

    /** A draw from {@code softmax(logits[off .. off+v] / temperature)}; the arg-max when the temperature is 0. */
    static int pick(HostTensor logits, int off, int v, double temperature, Random rnd) {
        int best = 0;
        for (int k = 1; k < v; k++) if (logits.get(off + k) > logits.get(off + best)) best = k;
        if (temperature <= 0) return best;
        double[] p = new double[v];
        double sum = 0, max = logits.get(off + best);
        for (int k = 0; k < v; k++) sum += p[k] = Math.exp((logits.get(off + k) - max) / temperature);
        double u = rnd.nextDouble() * sum;
        for (int k = 0; k < v; k++) if ((u -= p[k]) <= 0) return k;
        return v - 1;
    }

    private static final String USAGE = "usage: TinyGpt [FILE] [--steps N] [--bpe VOCAB (>= 256)] [--backend cpu|reference|vulkan] [--gpu]";

    /**
     * The text to train on when no file is named: the repository's LICENSE when run from the
     * repository (or its examples folder), else a licence text Debian ships, else the copy of
     * the MIT licence this program carries as a resource.
     */
    static Text defaultText() {
        for (String candidate : new String[] {"LICENSE", "../LICENSE", "/usr/share/common-licenses/GPL-3"}) {
            Path p = Path.of(candidate);
            if (Files.isReadable(p)) {
                try {
                    return new Text(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // unreadable after all: try the next one
                }
            }
        }
        try (var in = TinyGpt.class.getResourceAsStream("tinygpt-default.txt")) {
            if (in == null) throw new IllegalStateException("TinyGpt: the default text resource is missing from the class path");
            return new Text("the bundled MIT licence", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("TinyGpt: cannot read the bundled default text", e);
        }
    }

    /** A training text and where it came from. */
    record Text(String source, String content) {}

    /** {@code [FILE] [--steps N] [--bpe VOCAB] [--backend NAME | --gpu]}; a bad argument or an unreadable file prints why and exits with 2. */
    public static void main(String[] args) {
        Path file = null;
        int steps = 600;
        int bpeVocab = 0;
        List<String> backendArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(USAGE);
                return;
            } else if (args[i].equals("--steps")) {
                if (i + 1 >= args.length) fail("--steps needs a value");
                try {
                    steps = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    fail("--steps must be a positive integer, got '" + args[i] + "'");
                }
                if (steps < 1) fail("--steps must be a positive integer, got " + steps);
            } else if (args[i].equals("--bpe")) {
                if (i + 1 >= args.length) fail("--bpe needs a vocabulary size");
                try {
                    bpeVocab = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    fail("--bpe must be an integer of at least 256 (the byte tokens), got '" + args[i] + "'");
                }
                if (bpeVocab < 256) fail("--bpe must be an integer of at least 256 (the byte tokens), got " + bpeVocab);
            } else if (args[i].equals("--backend") && i + 1 < args.length) {
                backendArgs.add(args[i]);
                backendArgs.add(args[++i]);
            } else if (args[i].equals("--gpu")) {
                backendArgs.add(args[i]);
            } else if (args[i].startsWith("-")) {
                fail("unknown option '" + args[i] + "'");
            } else {
                file = Path.of(args[i]);
            }
        }
        Text text;
        if (file == null) {
            text = defaultText();
        } else {
            try {
                text = new Text(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                fail("cannot read " + file.toAbsolutePath() + ": " + e);
                return;
            }
        }
        if (Vocabulary.of(text.content()).size() < 2 || text.content().length() <= BLOCK + 1) {
            fail(text.source() + " is too short to train on: it needs more than " + (BLOCK + 1) + " characters and two distinct ones");
        }
        try (Backend backend = ExampleCli.backend("TinyGpt", backendArgs.toArray(String[]::new))) {
            StepListener log = (step, loss) -> {
                if (step == 1 || step % 50 == 0) System.out.printf("step %4d  loss %.4f%n", step, loss);
            };
            if (bpeVocab > 0) {
                System.out.printf("JASG TinyGpt on the '%s' backend: %d characters of %s, learning a BPE vocabulary of up to %d tokens...%n",
                        backend.name(), text.content().length(), text.source(), bpeVocab);
                BpeResult r;
                try {
                    r = trainBpe(backend, text.content(), bpeVocab, steps, 100, 0.8, (step, loss) -> {
                        if (step == 1) System.out.printf("%d layers, d_model %d, context %d tokens%n", LAYERS, D_MODEL, BLOCK);
                        log.onStep(step, loss);
                    });
                } catch (IllegalArgumentException e) {
                    fail(e.getMessage());
                    return;
                }
                System.out.printf("BPE: vocabulary %d (%d merges), the text is %d tokens (%.2f characters per token)%n",
                        r.tokenizer().vocabSize(), r.tokenizer().merges().size(), r.textTokens(), text.content().length() / (double) r.textTokens());
                System.out.printf("loss %.4f -> %.4f%n--- sample of %d tokens (temperature 0.8) ---%n%s%n", r.firstLoss(), r.lastLoss(), r.sampleIds().length, r.sample());
                return;
            }
            System.out.printf("JASG TinyGpt on the '%s' backend: %d characters of %s, vocabulary %d, %d layers, d_model %d, context %d%n",
                    backend.name(), text.content().length(), text.source(), Vocabulary.of(text.content()).size(), LAYERS, D_MODEL, BLOCK);
            Result r = train(backend, text.content(), steps, 300, 0.8, log);
            System.out.printf("loss %.4f -> %.4f%n--- sample (temperature 0.8) ---%n%s%n", r.firstLoss(), r.lastLoss(), r.sample());
        }
    }

    private static void fail(String message) {
        System.err.println("TinyGpt: " + message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
