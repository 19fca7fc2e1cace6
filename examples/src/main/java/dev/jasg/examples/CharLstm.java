package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Embedding;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.recurrent.LSTM;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A character-level LSTM that learns a short text by heart: character embeddings, a one-layer
 * {@link LSTM} unrolled over windows of {@link #WINDOW} characters (batch-first) and a linear head over the
 * characters, trained with cross entropy and Adam to predict each next character until the loss is low, then
 * sampled from: the model reads the last {@link #WINDOW} characters and its prediction for the last one is drawn.
 * The text is a nursery rhyme carried in this file, or a file named on the command line.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.CharLstm [-Dexec.args="FILE --steps 800 --backend cpu|--gpu"]</pre>
 */
public final class CharLstm {
    /** Characters per training window: the length the LSTM is unrolled over. */
    public static final int WINDOW = 24;
    static final int EMBED = 16;
    static final int HIDDEN = 128;
    static final int BATCH = 32;
    /** Training stops once the mean loss of the last 10 steps falls below this. */
    static final double TARGET_LOSS = 0.15;

    /** The default text. */
    static final String RHYME = """
            Twinkle, twinkle, little star,
            How I wonder what you are!
            Up above the world so high,
            Like a diamond in the sky.
            When the blazing sun is gone,
            When he nothing shines upon,
            Then you show your little light,
            Twinkle, twinkle, all the night.
            """;

    private CharLstm() {}

    /** {@code [B, WINDOW]} character ids to {@code [B, WINDOW, vocab]} next-character logits. */
    public static final class Model extends Layer {
        private final Embedding embed;
        private final LSTM lstm;
        private final Linear head;

        /** A model over {@code vocab} characters. */
        public Model(int vocab) {
            embed = register("embed", new Embedding(vocab, EMBED));
            lstm = register("lstm", new LSTM(EMBED, HIDDEN, 1, true, true, 0, false));
            head = register("head", new Linear(HIDDEN, vocab));
        }

        @Override
        public Tensor forward(Tensor ids) {
            return head.apply(lstm.apply(embed.apply(ids)));
        }
    }

    /** The losses seen, the steps taken and a sample of generated text. */
    public record Result(double firstLoss, double lastLoss, int steps, String sample) {}

    /**
     * Trains on random windows of {@code text} until the mean loss of 10 steps is below {@code targetLoss} or
     * {@code maxSteps} steps are taken, then generates {@code sampleLength} characters after the text's first
     * {@link #WINDOW} characters.
     */
    public static Result train(Backend backend, String text, int maxSteps, double targetLoss, int sampleLength, double temperature,
            StepListener log) {
        if (text.length() <= WINDOW + 1) throw new IllegalArgumentException("CharLstm: the text needs more than " + (WINDOW + 1) + " characters");
        TinyGpt.Vocabulary vocab = TinyGpt.Vocabulary.of(text);
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.id(text.charAt(i));
        Random rnd = new Random(1);
        try (Trainer trainer = Trainer.builder(backend, new Model(vocab.size()))
                .input("x", DType.I32, "B", WINDOW)
                .target("y", DType.I32, "B", WINDOW)
                .loss(TinyGpt::loss)
                .optimizer(new Adam(1e-2))
                .clipGradNorm(1)
                .seed(3)
                .build()) {
            trainer.addListener(log);
            double first = Double.NaN, last = Double.NaN, recent = 0;
            double[] window = new double[10];
            int s = 0;
            while (s < maxSteps) {
                int[] x = new int[BATCH * WINDOW], y = new int[BATCH * WINDOW];
                for (int b = 0; b < BATCH; b++) {
                    int start = rnd.nextInt(ids.length - WINDOW);
                    System.arraycopy(ids, start, x, b * WINDOW, WINDOW);
                    System.arraycopy(ids, start + 1, y, b * WINDOW, WINDOW);
                }
                last = trainer.step(Map.of("x", HostTensor.ofInts(x, BATCH, WINDOW), "y", HostTensor.ofInts(y, BATCH, WINDOW)));
                if (s == 0) first = last;
                recent += last - window[s % 10];
                window[s % 10] = last;
                s++;
                if (s >= 10 && recent / 10 < targetLoss) break;
            }
            String sample = sample(trainer, vocab, ids, sampleLength, temperature, new Random(2));
            return new Result(first, last, s, sample);
        }
    }

    /** Generates {@code n} characters, each from the model's prediction after the last {@link #WINDOW} characters. */
    static String sample(Trainer trainer, TinyGpt.Vocabulary vocab, int[] ids, int n, double temperature, Random rnd) {
        int[] window = java.util.Arrays.copyOf(ids, WINDOW);
        StringBuilder out = new StringBuilder();
        int v = vocab.size();
        for (int i = 0; i < n; i++) {
            HostTensor logits = trainer.predict(HostTensor.ofInts(window, 1, WINDOW));
            int next = TinyGpt.pick(logits, (WINDOW - 1) * v, v, temperature, rnd);
            out.append(vocab.chars()[next]);
            System.arraycopy(window, 1, window, 0, WINDOW - 1);
            window[WINDOW - 1] = next;
        }
        return out.toString();
    }

    private static final String USAGE = "usage: CharLstm [FILE] [--steps N] [--backend cpu|reference|vulkan] [--gpu]";

    /** {@code [FILE] [--steps N] [--backend NAME | --gpu]}; a bad argument or an unreadable file prints why and exits with 2. */
    public static void main(String[] args) {
        Path file = null;
        int steps = 600;
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
        String text = RHYME, source = "the rhyme in CharLstm.java";
        if (file != null) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
                source = file.toString();
            } catch (IOException e) {
                fail("cannot read " + file.toAbsolutePath() + ": " + e);
            }
        }
        if (TinyGpt.Vocabulary.of(text).size() < 2 || text.length() <= WINDOW + 1) {
            fail(source + " is too short to train on: it needs more than " + (WINDOW + 1) + " characters and two distinct ones");
        }
        try (Backend backend = ExampleCli.backend("CharLstm", backendArgs.toArray(String[]::new))) {
            System.out.printf("JASG CharLstm on the '%s' backend: %d characters of %s, vocabulary %d, LSTM hidden %d, unrolled over %d steps%n",
                    backend.name(), text.length(), source, TinyGpt.Vocabulary.of(text).size(), HIDDEN, WINDOW);
            long t0 = System.nanoTime();
            Result r = train(backend, text, steps, TARGET_LOSS, 260, 0.5, (step, loss) -> {
                if (step == 1 || step % 50 == 0) System.out.printf("step %4d  loss %.4f%n", step, loss);
            });
            System.out.printf("loss %.4f -> %.4f after %d steps (%.1f s)%n--- sample (temperature 0.5), after \"%s\" ---%n%s%n",
                    r.firstLoss(), r.lastLoss(), r.steps(), (System.nanoTime() - t0) / 1e9, text.substring(0, WINDOW).replace("\n", "\\n"),
                    r.sample());
        }
    }

    private static void fail(String message) {
        System.err.println("CharLstm: " + message);
        System.err.println(USAGE);
        System.exit(2);
    }
}
