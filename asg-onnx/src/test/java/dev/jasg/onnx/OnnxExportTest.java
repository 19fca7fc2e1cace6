package dev.jasg.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.Tanh;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Export round trips: a JASG graph written by {@link OnnxExport} runs in ONNX Runtime (the
 * oracle) with JASG's outputs, and imports back into JASG with the same outputs.
 */
class OnnxExportTest {

    static HostTensor random(long seed, int... dims) {
        Random r = new Random(seed);
        int n = 1;
        for (int d : dims) n *= d;
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
        return HostTensor.of(f, dims);
    }

    static float[] runCpu(Graph g, Map<String, HostTensor> params, String input, HostTensor x, String output) {
        try (Backend cpu = Backends.create("cpu")) {
            var store = cpu.newParameters(0);
            try (Executable ex = cpu.compile(store, g)) {
                if (params != null) params.forEach(store::set);
                return ex.run(Map.of(input, x)).get(output).floats();
            }
        }
    }

    static float[] runOrt(Path model, String input, HostTensor x, String output) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = new long[x.shape().rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = x.shape().dim(i);
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), shape);
             OrtSession.Result r = s.run(Map.of(input, t))) {
            OnnxTensor y = (OnnxTensor) r.get(output).orElseThrow();
            FloatBuffer fb = y.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
    }

    /** A JASG model using most exported ops: linear layers, tanh, gelu, clamp, softmax, a reshape and a reduction. */
    static Graph jasgModel() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, "B", 6);
        Sequential mlp = new Sequential(new Linear(6, 8), new Tanh(), new Linear(8, 4));
        Tensor h = mlp.apply(x).gelu();
        Tensor w = b.parameter("scale", Init.uniform(0.5, 1.5), 4);
        h = h.mul(w).clamp(-0.5, 2).reshape(-1, 2, 2).sum(2, false).softmax(-1);
        b.output("y", h);
        return b.build();
    }

    @Test
    void aJasgModelRunsInOnnxRuntimeAndImportsBack(@TempDir Path dir) throws Exception {
        Graph g = jasgModel();
        HostTensor x = random(1, 5, 6);
        Map<String, HostTensor> params;
        float[] want;
        try (Backend cpu = Backends.create("cpu"); Executable ex = cpu.compile(g)) {
            want = ex.run(Map.of("x", x)).get("y").floats();
            params = new java.util.HashMap<>();
            for (String n : ex.parameters().names()) params.put(n, ex.parameters().get(n));
        }
        Path p = dir.resolve("jasg.onnx");
        OnnxExport.write(g, params, p);
        close(want, runOrt(p, "x", x, "y"), "onnxruntime");
        OnnxModel back = OnnxImport.read(p);
        assertEquals("B", back.inputs().get(0).shape().symbol(0));
        close(want, runCpu(back.graph(), null, "x", x, "y"), "re-imported");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "misc"})
    void importedPyTorchModelsExportAndRunInOnnxRuntime(String name, @TempDir Path dir) throws Exception {
        OnnxModel m = OnnxImport.read(OnnxImportTest.fixture(dir, name + ".onnx"));
        HostTensor x = switch (name) {
            case "mlp" -> random(2, 3, 4);
            case "cnn" -> random(2, 3, 1, 8, 8);
            default -> random(2, 3, 2, 8, 8);
        };
        float[] want = runCpu(m.graph(), null, "input", x, "output");
        Path p = dir.resolve(name + "-jasg.onnx");
        OnnxExport.write(m.graph(), m.parameters(), p);
        close(want, runOrt(p, "input", x, "output"), name + " onnxruntime");
        close(want, runCpu(OnnxImport.read(p).graph(), null, "input", x, "output"), name + " re-imported");
        // the original file in ONNX Runtime too: the importer agrees with it
        close(want, runOrt(dir.resolve(name + ".onnx"), "input", x, "output"), name + " original in onnxruntime");
    }

    @Test
    void aTrainingGraphOrAnUnmappedOpIsRefused() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, 3);
        b.output("y", x.argsort(0));
        Graph g = b.build();
        Function<String, HostTensor> none = n -> null;
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> OnnxExport.toModel(g, none));
        assertTrue(e.getMessage().contains("ArgSort"), e.getMessage());
        GraphBuilder b2 = new GraphBuilder();
        Tensor w = b2.parameter("w", Init.zeros(), 2);
        b2.assign(w, w.add(1));
        b2.output("w", w);
        assertThrows(OnnxException.class, () -> OnnxExport.toModel(b2.build(), none));
        GraphBuilder b3 = new GraphBuilder();
        b3.output("y", b3.input("x", DType.F32, 2).add(b3.parameter("w", Init.zeros(), 2)));
        OnnxException missing = assertThrows(OnnxException.class, () -> OnnxExport.toModel(b3.build(), none));
        assertTrue(missing.getMessage().contains("parameter 'w'"), missing.getMessage());
    }

    /** Self-attention through the fused op: x [B, 4, 6] projected to q, k [.., 6] and v [.., 5] by parameters. */
    static Graph attentionModel(boolean causal) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, "B", 4, 6);
        Tensor wq = b.parameter("wq", Init.normal(0, 0.5), 6, 6), wk = b.parameter("wk", Init.normal(0, 0.5), 6, 6);
        Tensor wv = b.parameter("wv", Init.normal(0, 0.5), 6, 5);
        Tensor o = b.apply(new dev.jasg.core.Op.Attention(0.4, causal), x.matmul(wq), x.matmul(wk), x.matmul(wv));
        b.output("y", o.tanh());
        return b.build();
    }

    /** GELU's derivatives, which a gradient graph holds, export as their formulas: ONNX has no gelu_backward. */
    @ParameterizedTest
    @ValueSource(strings = {"none", "tanh"})
    void geluDerivativesExportAsTheirFormulasAndRunInOnnxRuntime(String approximate, @TempDir Path dir) throws Exception {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, 4, 16);
        b.output("y", x.mul(2).geluDerivative(approximate));
        Graph g = b.build();
        HostTensor in = random(5, 4, 16);
        float[] want;
        try (Backend ref = new dev.jasg.core.reference.ReferenceBackend(); Executable ex = ref.compile(g)) {
            want = ex.run(Map.of("x", in)).get("y").floats();
        }
        Path p = dir.resolve("gelu_derivative.onnx");
        OnnxExport.write(g, Map.of(), p);
        close(want, runOrt(p, "x", in, "y"), "onnxruntime " + approximate);
        close(want, runCpu(OnnxImport.read(p).graph(), null, "x", in, "y"), "re-imported " + approximate);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fusedAttentionExportsAsMatMulSoftmaxAndRunsInOnnxRuntime(boolean causal, @TempDir Path dir) throws Exception {
        Graph g = attentionModel(causal);
        HostTensor x = random(3, 2, 4, 6);
        Map<String, HostTensor> params = new java.util.HashMap<>();
        float[] want;
        // the reference interpreter: a device backend may not lower attention yet
        try (Backend ref = new dev.jasg.core.reference.ReferenceBackend(); Executable ex = ref.compile(g)) {
            want = ex.run(Map.of("x", x)).get("y").floats();
            for (String n : ex.parameters().names()) params.put(n, ex.parameters().get(n));
        }
        Path p = dir.resolve("attention.onnx");
        OnnxExport.write(g, params, p);
        var types = OnnxExport.toModel(g, params::get).getGraph().getNodeList().stream().map(n -> n.getOpType()).toList();
        assertTrue(types.contains("Softmax") && types.contains("Transpose") && types.contains("Where") == causal, types.toString());
        close(want, runOrt(p, "x", x, "y"), "onnxruntime");
        OnnxModel back = OnnxImport.read(p);
        close(want, runCpu(back.graph(), null, "x", x, "y"), "re-imported");
    }

    @Test
    void causalAttentionWithASymbolicSequenceIsRefused() {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, 2, "L", 4);
        b.output("y", b.apply(new dev.jasg.core.Op.Attention(0.5, true), x, x, x));
        Graph g = b.build();
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> OnnxExport.toModel(g, n -> null));
        assertTrue(e.getMessage().contains("symbolic sequence length"), e.getMessage());
    }
}
