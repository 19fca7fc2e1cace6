package dev.jasg.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.optim.SGD;
import dev.jasg.nn.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models exported by PyTorch 1.13 ({@code torch.onnx.export}, opset 17, dynamic batch): imported
 * and run on cpu they give PyTorch's outputs; the imported MLP fine-tunes with {@code Trainer}.
 * Fixtures: {@code make_onnx_fixtures.py} next to them.
 */
class OnnxImportTest {
    static final BiFunction<Tensor, Tensor, Tensor> MSE = (out, y) -> out.sub(y).square().mean();

    static Path fixture(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = OnnxImportTest.class.getResourceAsStream(name)) {
            Files.copy(in, p);
        }
        return p;
    }

    static JsonNode fixtures() throws IOException {
        try (InputStream in = OnnxImportTest.class.getResourceAsStream("onnx_fixtures.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static int[] ints(JsonNode n) {
        int[] r = new int[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asInt();
        return r;
    }

    static float[] floats(JsonNode n) {
        float[] r = new float[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) n.get(i).asDouble();
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "misc"})
    void importedModelsMatchPyTorchOnCpu(String name, @TempDir Path dir) throws IOException {
        try (Backend cpu = Backends.create("cpu")) {
            check(name, cpu, dir);
        }
    }

    @Tag("gpu")
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "misc"})
    void importedModelsMatchPyTorchOnVulkan(String name, @TempDir Path dir) throws IOException {
        Backend vk;
        try {
            vk = Backends.create("vulkan");
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no vulkan backend, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            return;
        }
        try (vk) {
            check(name, vk, dir);
        }
    }

    static void check(String name, Backend backend, Path dir) throws IOException {
        JsonNode f = fixtures().get(name);
        OnnxModel m = OnnxImport.read(fixture(dir, name + ".onnx"));
        assertEquals(17, m.opset());
        assertEquals("input", m.inputs().get(0).name());
        assertTrue(m.inputs().get(0).shape().isSymbolic(0), "dynamic batch axis becomes a symbolic size: " + m.inputs());
        assertEquals("B", m.inputs().get(0).shape().symbol(0));
        assertEquals(java.util.List.of("output"), m.outputNames());
        assertFalse(m.parameters().isEmpty());
        HostTensor x = HostTensor.of(floats(f.get("input")), ints(f.get("input_shape")));
        float[] want = floats(f.get("output"));
        try (Executable ex = backend.compile(m.graph())) {
            HostTensor y = ex.run(Map.of("input", x)).get("output");
            assertEquals(Shape.of(ints(f.get("output_shape"))), y.shape());
            float[] got = y.floats();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), name + " on " + backend.name() + ": output[" + i + "]");
        }
    }

    /**
     * A BERT-style encoder and a GPT-2-style decoder written as Hugging Face writes them, exported with a dynamic batch
     * {@code B} and sequence {@code T}: the shape arithmetic over both symbols, the attention mask from an input, the
     * causal masks (a sliced tril buffer with where, and tril of ones built in-graph with masked_fill) import and give
     * PyTorch's outputs; the same graph runs a second batch and sequence length.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "gpt2"})
    void textModelsWithDynamicBatchAndSequenceMatchPyTorch(String name, @TempDir Path dir) throws IOException {
        try (Backend cpu = Backends.create("cpu")) {
            checkText(name, cpu, dir);
        }
    }

    @Tag("gpu")
    @ParameterizedTest
    @ValueSource(strings = {"bert", "gpt2"})
    void textModelsMatchPyTorchOnVulkan(String name, @TempDir Path dir) throws IOException {
        Backend vk;
        try {
            vk = Backends.create("vulkan");
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no vulkan backend, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            return;
        }
        try (vk) {
            checkText(name, vk, dir);
        }
    }

    static void checkText(String name, Backend backend, Path dir) throws IOException {
        JsonNode f = fixtures().get(name);
        OnnxModel m = OnnxImport.read(fixture(dir, name + ".onnx"));
        assertEquals(java.util.List.of("input_ids", "attention_mask"), m.inputs().stream().map(OnnxModel.Input::name).toList());
        for (OnnxModel.Input in : m.inputs()) assertEquals(Shape.symbolic("B", "T"), in.shape(), in.name());
        int[] shape = ints(f.get("input_shape"));
        HostTensor ids = HostTensor.fromDoubles(DType.I64, Shape.of(shape), doubles(f.get("input_ids")));
        HostTensor mask = HostTensor.fromDoubles(DType.I64, Shape.of(shape), doubles(f.get("attention_mask")));
        try (Executable ex = backend.compile(m.graph())) {
            var out = ex.run(Map.of("input_ids", ids, "attention_mask", mask));
            var it = f.get("outputs").fields();
            while (it.hasNext()) {
                var e = it.next();
                HostTensor y = out.get(e.getKey());
                assertEquals(Shape.of(ints(e.getValue().get("shape"))), y.shape(), e.getKey());
                float[] want = floats(e.getValue().get("values")), got = y.floats();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), name + " on " + backend.name() + ": " + e.getKey() + "[" + i + "]");
                }
            }
            // the symbolic sizes are bound per run: one sequence of length 3 (the first 3 tokens of the first) gives the
            // first 3 positions of the causal decoder's logits again
            if (name.equals("gpt2")) {
                int t = shape[1];
                double[] id3 = java.util.Arrays.copyOf(doubles(f.get("input_ids")), 3);
                HostTensor y3 = ex.run(Map.of("input_ids", HostTensor.fromDoubles(DType.I64, Shape.of(1, 3), id3),
                        "attention_mask", HostTensor.fromDoubles(DType.I64, Shape.of(1, 3), new double[] {1, 1, 1}))).get("logits");
                float[] all = floats(f.get("outputs").get("logits").get("values")), got = y3.floats();
                int v = y3.shape().dim(2);
                assertEquals(Shape.of(1, 3, v), y3.shape());
                for (int i = 0; i < 3 * v; i++) assertEquals(all[i], got[i], 1e-4 * Math.max(1, Math.abs(all[i])), "gpt2 prefix logits[" + i + "]");
                assertTrue(t > 3);
            }
        }
    }

    /** The same fixtures in ONNX Runtime give PyTorch's outputs too: the files are what PyTorch meant, not read only by JASG. */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "gpt2"})
    void textFixturesGivePyTorchsOutputsInOnnxRuntime(String name, @TempDir Path dir) throws Exception {
        JsonNode f = fixtures().get(name);
        Path p = fixture(dir, name + ".onnx");
        int[] shape = ints(f.get("input_shape"));
        long[] dims = {shape[0], shape[1]};
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession s = env.createSession(p.toString(), new ai.onnxruntime.OrtSession.SessionOptions());
             ai.onnxruntime.OnnxTensor ids = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(longs(f.get("input_ids"))), dims);
             ai.onnxruntime.OnnxTensor mask = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(longs(f.get("attention_mask"))), dims);
             ai.onnxruntime.OrtSession.Result r = s.run(Map.of("input_ids", ids, "attention_mask", mask))) {
            var it = f.get("outputs").fields();
            while (it.hasNext()) {
                var e = it.next();
                java.nio.FloatBuffer fb = ((ai.onnxruntime.OnnxTensor) r.get(e.getKey()).orElseThrow()).getFloatBuffer();
                float[] got = new float[fb.remaining()];
                fb.get(got);
                OnnxExportTest.close(floats(e.getValue().get("values")), got, name + " " + e.getKey() + " in onnxruntime");
            }
        }
    }

    static long[] longs(JsonNode n) {
        long[] r = new long[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asLong();
        return r;
    }

    static double[] doubles(JsonNode n) {
        double[] r = new double[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asDouble();
        return r;
    }

    @Test
    void batchNormStatisticsAreBuffersAndWeightsAreTrainable(@TempDir Path dir) throws IOException {
        OnnxModel m = OnnxImport.read(fixture(dir, "cnn.onnx"));
        assertEquals(java.util.Set.of("bn.running_mean", "bn.running_var"), m.buffers());
        var params = m.graph().parameters();
        assertTrue(params.containsKey("conv.weight") && params.containsKey("fc.weight"), params.keySet().toString());
        assertFalse(((dev.jasg.core.Op.Parameter) params.get("bn.running_mean").op()).trainable());
        assertTrue(((dev.jasg.core.Op.Parameter) params.get("conv.weight").op()).trainable());
    }

    @Test
    void theImportedMlpFineTunesWithTrainer(@TempDir Path dir) throws IOException {
        OnnxModel m = OnnxImport.read(fixture(dir, "mlp.onnx"));
        Random r = new Random(5);
        int n = 32;
        float[] x = new float[n * 4], y = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) r.nextGaussian();
            for (int j = 0; j < 3; j++) y[i * 3 + j] = (float) Math.sin(x[i * 4 + j] + x[i * 4 + j + 1]);
        }
        Map<String, HostTensor> batch = Map.of("input", HostTensor.of(x, n, 4), "y", HostTensor.of(y, n, 3));
        try (Backend cpu = Backends.create("cpu");
             Trainer t = Trainer.builder(cpu, m.asLayer()).input("input", DType.F32, "B", 4).target("y", DType.F32, "B", 3)
                     .loss(MSE).optimizer(new SGD(0.1)).seed(1).build()) {
            double first = t.step(batch), last = first;
            for (int s = 0; s < 60; s++) last = t.step(batch);
            assertTrue(last < 0.75 * first, "loss " + first + " -> " + last);
            // the weights started from the initializers and moved
            double[] w0 = m.parameters().get("fc1.weight").toDoubles(), w1 = t.parameters().get("fc1.weight").toDoubles();
            assertEquals(w0.length, w1.length);
            assertFalse(java.util.Arrays.equals(w0, w1));
        }
    }
}
