package dev.jasg.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.ParameterSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPT-2 against a plain-torch reference of HF's architecture (make_gpt2_fixtures.py): a tiny config
 * (2 layers, 2 heads, width 32, 64 positions, vocab 100) with weights from a formula both sides
 * compute; the logits of a prompt within 1e-4 of their scale and 32 greedy tokens, through the KV cache,
 * id for id.
 */
class Gpt2ParityTest {
    static JsonNode fixture() throws IOException {
        try (InputStream in = Gpt2ParityTest.class.getResourceAsStream("gpt2_fixtures.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Gpt2Config config(JsonNode f) {
        JsonNode c = f.get("config");
        return new Gpt2Config(c.get("vocab_size").asInt(), c.get("n_positions").asInt(), c.get("n_embd").asInt(), c.get("n_layer").asInt(),
                c.get("n_head").asInt(), c.get("layer_norm_epsilon").asDouble());
    }

    /** The generator's formula: 1 + 0.1 sin(0.37 i + k) for the layer norms' weights, else 0.5 sin(0.37 i + k); k = 0.01 * sum of the name's code points. */
    static Map<String, HostTensor> formulaWeights(Gpt2 model) {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterSpec> e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            double k = 0.01 * name.chars().sum();
            boolean ln = name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name.endsWith("ln_f.weight");
            int n = (int) e.getValue().shape().size();
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double s = Math.sin(0.37 * i + k);
                v[i] = (float) (ln ? 1 + 0.1 * s : 0.5 * s);
            }
            w.put(name, HostTensor.of(v, e.getValue().shape().dims()));
        }
        return w;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    @Test
    void parameterNamesAndShapesAreHuggingFaces() throws IOException {
        JsonNode f = fixture();
        Map<String, ParameterSpec> ours = new Gpt2(config(f)).namedParameters();
        List<String> want = new ArrayList<>(), got = new ArrayList<>();
        for (JsonNode p : f.get("parameters")) want.add(p.get(0).asText() + Arrays.toString(ints(p.get(1))));
        for (var e : ours.entrySet()) got.add(e.getKey() + Arrays.toString(e.getValue().shape().dims()));
        assertEquals(want, got);
    }

    @Test
    void logitsAndGreedyDecodingMatchTorchOnCpu() throws IOException {
        try (Backend cpu = Backends.create("cpu")) {
            check(cpu);
        }
    }

    @Test
    @Tag("gpu")
    void logitsAndGreedyDecodingMatchTorchOnVulkan() throws IOException {
        Backend gpu;
        try {
            gpu = Backends.create("vulkan");
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no Vulkan device: " + e.getMessage());
            return;
        }
        try (gpu) {
            check(gpu);
        }
    }

    private static void check(Backend backend) throws IOException {
        JsonNode f = fixture();
        Gpt2 model = new Gpt2(config(f));
        int[] prompt = ints(f.get("prompt"));
        try (Gpt2Generator gen = new Gpt2Generator(model, backend, 0)) {
            gen.load(formulaWeights(model), null);
            HostTensor logits = gen.logits(prompt);
            JsonNode want = f.get("logits");
            assertEquals(want.size(), logits.size());
            // Relative to the logits' scale (max |logit|, about 15 here): the reference is exact (float64), and
            // float32 itself is off by about 1e-5 of that scale (torch in f32: 5e-6), so 1e-4 leaves room.
            double worst = 0, scale = 0;
            for (int i = 0; i < want.size(); i++) {
                double w = want.get(i).asDouble();
                worst = Math.max(worst, Math.abs(logits.get(i) - w));
                scale = Math.max(scale, Math.abs(w));
            }
            assertTrue(worst <= 1e-4 * scale, backend.name() + ": logits differ from torch by " + worst + " (scale " + scale + ")");
            int[] greedy = gen.generate(prompt, 32, Sampling.greedy()).tokens();
            assertArrayEquals(ints(f.get("greedy")), greedy, backend.name() + ": greedy ids with the KV cache");
            // The cache is rewritten by the next prefill: a second run gives the same ids.
            assertArrayEquals(greedy, gen.generate(prompt, 32, Sampling.greedy()).tokens(), backend.name() + ": second generation");
        }
    }

    @Test
    void decodeStepsAgreeWithFullRecomputation() throws IOException {
        JsonNode f = fixture();
        Gpt2 model = new Gpt2(config(f));
        try (Backend cpu = Backends.create("cpu"); Gpt2Generator gen = new Gpt2Generator(model, cpu, 5)) {
            int[] prompt = {3, 1, 4, 1, 5};
            int[] made = gen.generate(prompt, 12, Sampling.greedy()).tokens();
            int[] all = Arrays.copyOf(prompt, prompt.length + made.length);
            System.arraycopy(made, 0, all, prompt.length, made.length);
            HostTensor logits = gen.logits(all);
            int v = model.config().vocabSize();
            for (int i = 0; i < made.length; i++) {
                int row = prompt.length - 1 + i, best = 0;
                for (int k = 1; k < v; k++) if (logits.get(row * v + k) > logits.get(row * v + best)) best = k;
                assertEquals(best, made[i], "token " + i + ": the cached step and the full forward disagree");
            }
        }
    }

    @Test
    void badRequestsNameTheProblem() throws IOException {
        Gpt2 model = new Gpt2(config(fixture()));
        try (Backend cpu = Backends.create("cpu"); Gpt2Generator gen = new Gpt2Generator(model, cpu, 0)) {
            String[][] cases = {
                {"empty", "the prompt is empty"},
                {"long", "exceed n_positions 64"},
                {"range", "token id 100 at prompt index 1"},
            };
            for (String[] c : cases) {
                int[] prompt = switch (c[0]) {
                    case "empty" -> new int[0];
                    case "long" -> new int[60];
                    default -> new int[] {1, 100};
                };
                var e = assertThrows(IllegalArgumentException.class, () -> gen.generate(prompt, 10, Sampling.greedy()), c[0]);
                assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            }
        }
    }
}
