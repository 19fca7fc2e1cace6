package dev.jasg.models.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.models.Inference;
import dev.jasg.nn.Layer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits parity with torchvision: each zoo model, given the deterministic weights of
 * {@link VisionWeights} by name and the fixture's input, must give torchvision's logits within
 * {@code 1e-4} relative ({@code max |jasg - torch| <= 1e-4 * max |torch|} per model), through
 * the inference path ({@link Inference}). The fixture, {@code vision_fixtures.json}, is written by
 * {@code make_vision_fixtures.py} with torchvision's own classes (2 x 3 x 32 x 32, 10 classes).
 *
 * <p>{@code -Djasg.vision.fixture=FILE} runs the same comparison on another fixture the script
 * wrote (the full-size one of {@code asg-models/parity/full_parity.sh}).
 */
class VisionParityTest {
    static final Map<String, IntFunction<Layer>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("resnet18", ResNet::resnet18);
        MODELS.put("resnet34", ResNet::resnet34);
        MODELS.put("resnet50", ResNet::resnet50);
        MODELS.put("mobilenet_v2", c -> MobileNetV2.mobilenetV2(c, 1.0));
        MODELS.put("mobilenet_v2_w0.5", c -> MobileNetV2.mobilenetV2(c, 0.5));
    }

    /** Models run on vulkan: every zoo model (resnet34 costs about 8 s on lavapipe on 2 cores at 32x32). */
    static final List<String> GPU_MODELS = List.of("resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v2_w0.5");

    private static final JsonNode FIXTURE = load();

    private static JsonNode load() {
        String file = System.getProperty("jasg.vision.fixture");
        try (InputStream in = file != null ? Files.newInputStream(Path.of(file)) : VisionParityTest.class.getResourceAsStream("vision_fixtures.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cpuCases() {
        return MODELS.keySet().stream().filter(m -> FIXTURE.get("models").has(m)).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} on cpu")
    @MethodSource("cpuCases")
    void logitsMatchTorchvisionOnCpu(String model) {
        try (Backend cpu = Backends.create("cpu")) {
            check(model, cpu);
        }
    }

    @Tag("gpu")
    @ParameterizedTest(name = "{0} on vulkan")
    @MethodSource("cpuCases")
    void logitsMatchTorchvisionOnVulkan(String model) {
        if (!GPU_MODELS.contains(model)) {
            Assumptions.abort(model + " is not run on vulkan: too slow on lavapipe for CI, and its blocks are checked by " + GPU_MODELS);
        }
        try (Backend vk = openVulkan()) {
            check(model, vk);
        }
    }

    static void check(String modelName, Backend backend) {
        JsonNode m = FIXTURE.get("models").get(modelName);
        int[] shape = ints(FIXTURE.get("input_shape"));
        HostTensor input = HostTensor.of(floats(FIXTURE.get("input")), shape);
        Layer model = MODELS.get(modelName).apply(m.get("num_classes").asInt());
        Map<String, HostTensor> weights = VisionWeights.of(model);
        assertEquals(m.get("state_dict_keys").asInt(), weights.size() + countTracked(model),
                modelName + ": torchvision's state_dict and the JASG model hold different numbers of entries");
        try (Inference net = Inference.compile(model, backend, (Object[]) box(shape))) {
            List<String> missing = net.load(weights);
            assertTrue(missing.isEmpty(), modelName + ": parameters not set: " + missing);
            HostTensor logits = net.run(input);
            assertEquals(List.of(shape[0], m.get("num_classes").asInt()), List.of(logits.shape().dim(0), logits.shape().dim(1)), modelName + " logits shape");
            float[] expected = floats(m.get("logits"));
            float[] actual = logits.floats();
            double scale = 0, worst = 0;
            int at = 0;
            for (float e : expected) scale = Math.max(scale, Math.abs(e));
            for (int i = 0; i < expected.length; i++) {
                double d = Math.abs(actual[i] - expected[i]);
                if (d > worst) { worst = d; at = i; }
            }
            assertTrue(worst <= 1e-4 * scale, String.format("%s on %s: logit %d is %s, torchvision %s (max |diff| %.3g > 1e-4 x max |logit| %.4g)",
                    modelName, backend.name(), at, actual[at], expected[at], worst, scale));
        }
    }

    private static int countTracked(Layer model) {
        return (int) model.namedBuffers().keySet().stream().filter(k -> k.endsWith("num_batches_tracked")).count();
    }

    static Backend openVulkan() {
        try {
            return Backends.create("vulkan");
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no vulkan backend, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    private static Integer[] box(int[] a) {
        Integer[] out = new Integer[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = n.get(i).asInt();
        return out;
    }

    private static float[] floats(JsonNode n) {
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) n.get(i).asDouble();
        return out;
    }
}
