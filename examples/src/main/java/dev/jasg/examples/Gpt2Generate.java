package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.models.text.BpeTrainer;
import dev.jasg.models.text.ByteLevelBpe;
import dev.jasg.models.text.Gpt2;
import dev.jasg.models.text.Gpt2Config;
import dev.jasg.models.text.Gpt2Generator;
import dev.jasg.models.text.Sampling;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Generates text with GPT-2 and a key/value cache: {@code --weights DIR} is a Hugging Face
 * directory ({@code model.safetensors}, {@code config.json} (GPT-2 small when absent), and
 * {@code vocab.json} + {@code merges.txt} or {@code tokenizer.json}); without it a tiny random
 * GPT-2 with a BPE vocabulary learnt from a few sentences runs instead (its text is noise), and
 * the program says so. Prints the prompt and the continuation, and the decoding speed in tokens/s.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.Gpt2Generate -Dexec.args="--weights DIR --prompt 'Hello'"</pre>
 */
public final class Gpt2Generate {
    private Gpt2Generate() {}

    static final String USAGE = "usage: Gpt2Generate [--weights DIR] [--prompt TEXT] [--max-tokens N] [--temperature T] [--top-k K] [--top-p P]"
            + " [--seed S] [--backend cpu|reference|vulkan] [--gpu]\n"
            + "  DIR holds model.safetensors, config.json and vocab.json + merges.txt (or tokenizer.json), as Hugging Face's gpt2;\n"
            + "  without --weights a tiny random model runs. Defaults: --max-tokens 40, --temperature 0 (greedy), --top-k 0, --top-p 1.";

    private static final List<String> TINY_TEXT = List.of(
            "The quick brown fox jumps over the lazy dog.", "JASG builds a graph once and runs it many times.",
            "Hello, world! Tokens are bytes merged into pieces.");

    /** Runs the program; returns the exit status (0, or 2 for a bad argument or unreadable weights). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path weights = null;
        String prompt = "Hello, I'm a language model,", backendName = "cpu";
        int maxTokens = 40, topK = 0;
        double temperature = 0, topP = 1;
        long seed = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    out.println(USAGE);
                    return 0;
                }
                if (a.equals("--gpu")) {
                    backendName = "vulkan";
                    continue;
                }
                if (!List.of("--weights", "--prompt", "--max-tokens", "--temperature", "--top-k", "--top-p", "--seed", "--backend").contains(a)) {
                    throw new IllegalArgumentException("unknown option '" + a + "'");
                }
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--weights" -> weights = Path.of(v);
                    case "--prompt" -> prompt = v;
                    case "--max-tokens" -> maxTokens = positive(a, v);
                    case "--temperature" -> temperature = number(a, v);
                    case "--top-k" -> topK = (int) number(a, v);
                    case "--top-p" -> topP = number(a, v);
                    case "--seed" -> seed = (long) number(a, v);
                    default -> backendName = v;
                }
            }
            Sampling sampling = new Sampling(temperature, topK, topP, seed);
            try (Backend backend = Backends.create(backendName)) {
                generate(backend, weights, prompt, maxTokens, sampling, out);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("Gpt2Generate: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (BackendUnavailableException e) {
            err.println("Gpt2Generate: the '" + backendName + "' backend is not available: " + e.getMessage());
            return 2;
        } catch (IOException | JasgException e) {
            err.println("Gpt2Generate: cannot load " + weights + ": " + e.getMessage());
            return 2;
        }
    }

    static void generate(Backend backend, Path dir, String prompt, int maxTokens, Sampling sampling, PrintStream out) throws IOException {
        ByteLevelBpe bpe;
        Gpt2Config config;
        Map<String, HostTensor> loaded = null;
        if (dir == null) {
            bpe = BpeTrainer.train(TINY_TEXT, 256 + 64, "<|endoftext|>");
            config = new Gpt2Config(bpe.vocabSize(), 128, 64, 2, 4, 1e-5);
            out.println("No --weights given: a tiny GPT-2 with RANDOM weights (" + config.nLayer() + " layers, width " + config.nEmbd()
                    + ", BPE vocabulary of " + bpe.vocabSize() + " learnt from three sentences) runs instead; its text is noise.");
        } else {
            if (!Files.isDirectory(dir)) throw new IOException("not a directory: " + dir.toAbsolutePath());
            bpe = Files.isRegularFile(dir.resolve("vocab.json"))
                    ? ByteLevelBpe.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"))
                    : ByteLevelBpe.fromTokenizerJson(dir.resolve("tokenizer.json"));
            config = Files.isRegularFile(dir.resolve("config.json")) ? Gpt2Config.fromJson(dir.resolve("config.json")) : Gpt2Config.gpt2();
            loaded = Gpt2.readHuggingFace(dir);
        }
        int[] ids = bpe.encode(prompt);
        if (ids.length == 0) {
            int eos = bpe.id("<|endoftext|>");
            if (eos < 0) throw new IllegalArgumentException("the prompt is empty and the vocabulary has no <|endoftext|> to start from");
            ids = new int[] {eos};
        }
        int room = config.nPositions() - ids.length;
        if (room < 1) throw new IllegalArgumentException("the prompt has " + ids.length + " tokens; the model reads at most " + config.nPositions());
        int n = Math.min(maxTokens, room);
        Gpt2 model = new Gpt2(config);
        try (Gpt2Generator gen = new Gpt2Generator(model, backend, 1)) {
            if (loaded != null) gen.load(loaded, dir);
            int eos = bpe.id("<|endoftext|>");
            Gpt2Generator.Generation g = gen.generate(ids, n, sampling, t -> t != eos);
            out.println("--- " + ids.length + " prompt tokens, " + g.tokens().length + " new (" + (sampling.isGreedy() ? "greedy" : "sampled") + ") ---");
            out.println(prompt + bpe.decode(g.tokens()));
            out.printf("--- backend %s: prefill %.1f ms, decode %.1f tokens/s ---%n", backend.name(), g.prefillNanos() / 1e6, g.tokensPerSecond());
        }
    }

    private static int positive(String flag, String v) {
        double d = number(flag, v);
        if (d < 1 || d != Math.rint(d)) throw new IllegalArgumentException(flag + " must be a positive integer, got '" + v + "'");
        return (int) d;
    }

    private static double number(String flag, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + v + "'");
        }
    }

    /** See the class comment; a bad argument prints the usage and exits with status 2. */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) System.exit(status);
    }
}
