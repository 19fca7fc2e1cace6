package dev.jasg.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.nn.io.FormatException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The sizes of a GPT-2, as Hugging Face's {@code GPT2Config}: {@code vocab_size},
 * {@code n_positions}, {@code n_embd}, {@code n_layer}, {@code n_head}, {@code layer_norm_epsilon}.
 * Dropout is absent (inference and the parity test run without it); the activation is always
 * {@code gelu_new} (GELU's tanh approximation) and attention weights are always scaled by
 * {@code head_dim^-0.5}, as in every released GPT-2.
 *
 * @param vocabSize tokens in the vocabulary (50257 for GPT-2)
 * @param nPositions the longest sequence (the rows of {@code wpe}), 1024 for GPT-2
 * @param nEmbd the width {@code E}
 * @param nLayer transformer blocks
 * @param nHead attention heads; must divide {@code nEmbd}
 * @param layerNormEpsilon the layer norms' epsilon
 */
public record Gpt2Config(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, double layerNormEpsilon) {
    /** Checks that every size is positive and that {@code nHead} divides {@code nEmbd}. */
    public Gpt2Config {
        if (vocabSize < 1 || nPositions < 1 || nEmbd < 1 || nLayer < 1 || nHead < 1) {
            throw new IllegalArgumentException("Gpt2Config: every size must be positive, got " + describe(vocabSize, nPositions, nEmbd, nLayer, nHead));
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("Gpt2Config: n_embd " + nEmbd + " is not a multiple of n_head " + nHead);
        }
        if (!(layerNormEpsilon > 0)) throw new IllegalArgumentException("Gpt2Config: layer_norm_epsilon must be positive, got " + layerNormEpsilon);
    }

    /** GPT-2 small (124M parameters): vocab 50257, 1024 positions, width 768, 12 layers, 12 heads. */
    public static Gpt2Config gpt2() {
        return new Gpt2Config(50257, 1024, 768, 12, 12, 1e-5);
    }

    /** The width of one head, {@code nEmbd / nHead}. */
    public int headDim() {
        return nEmbd / nHead;
    }

    /**
     * Reads Hugging Face's {@code config.json}; a missing key takes GPT-2 small's value (as
     * {@code GPT2Config}'s defaults), and {@code n_ctx} is accepted for {@code n_positions}.
     *
     * @throws FormatException when the file is not a JSON object or a size is not an integer
     */
    public static Gpt2Config fromJson(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new FormatException(file, "a GPT-2 config.json must be a JSON object");
        Gpt2Config d = gpt2();
        int positions = intOf(root, "n_positions", intOf(root, "n_ctx", d.nPositions(), file), file);
        return new Gpt2Config(intOf(root, "vocab_size", d.vocabSize(), file), positions, intOf(root, "n_embd", d.nEmbd(), file),
                intOf(root, "n_layer", d.nLayer(), file), intOf(root, "n_head", d.nHead(), file),
                root.has("layer_norm_epsilon") ? root.get("layer_norm_epsilon").asDouble() : d.layerNormEpsilon());
    }

    private static int intOf(JsonNode root, String key, int fallback, Path file) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return fallback;
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw new FormatException(file, "'" + key + "' must be an integer, got " + n);
        return n.intValue();
    }

    private static String describe(int v, int p, int e, int l, int h) {
        return "vocab_size=" + v + ", n_positions=" + p + ", n_embd=" + e + ", n_layer=" + l + ", n_head=" + h;
    }
}
