package dev.jasg.onnx;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Layer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.jasg.models.text.Gpt2;
import dev.jasg.models.text.Gpt2Config;
import dev.jasg.models.vision.MobileNetV2;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;
import dev.jasg.models.vision.ResNet;
import dev.jasg.models.vision.VisionTransformer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Zoo models (resnet18, mobilenet_v2 x0.5, a small ViT, a tiny GPT-2; eval mode, JASG's default initial values) exported by {@link OnnxExport} run in
 * ONNX Runtime with JASG's outputs, and import back with the same outputs.
 */
class ZooExportTest {
    static final Map<String, Supplier<Layer>> MODELS = Map.of(
            "resnet18", () -> ResNet.resnet18(10),
            "mobilenet_v2", () -> MobileNetV2.mobilenetV2(10, 0.5),
            "vit_small", () -> new VisionTransformer(VisionTransformer.Config.small()));

    /** A 2-layer GPT-2 (vocabulary 50, width 32) with a symbolic batch and sequence: token ids in, logits out. */
    @Test
    void anExportedTinyGpt2RunsInOnnxRuntimeAndImportsBack(@TempDir Path dir) throws Exception {
        Gpt2 model = new Gpt2(new Gpt2Config(50, 16, 32, 2, 2, 1e-5));
        GraphBuilder b = new GraphBuilder();
        b.output("logits", model.apply(b.input("ids", DType.I32, "B", "T")));
        Graph g = b.build();
        int[] ids = {3, 14, 15, 9, 2, 6, 5, 35, 8, 9, 7, 9};
        HostTensor x = HostTensor.ofInts(ids, 2, 6);
        Path p = dir.resolve("gpt2.onnx");
        float[] want;
        try (Backend cpu = Backends.create("cpu"); Executable ex = cpu.compile(g)) {
            want = ex.run(Map.of("ids", x)).get("logits").floats();
            OnnxExport.write(g, ex.parameters(), p);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(p.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, IntBuffer.wrap(ids), new long[] {2, 6});
             OrtSession.Result r = s.run(Map.of("ids", t))) {
            FloatBuffer fb = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
            float[] got = new float[fb.remaining()];
            fb.get(got);
            OnnxExportTest.close(want, got, "gpt2 in onnxruntime");
        }
        OnnxExportTest.close(want, OnnxExportTest.runCpu(OnnxImport.read(p).graph(), null, "ids", x, "logits"), "gpt2 re-imported");
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "vit_small"})
    void exportedZooModelsRunInOnnxRuntimeAndImportBack(String name, @TempDir Path dir) throws Exception {
        Layer model = MODELS.get(name).get().eval();
        GraphBuilder b = new GraphBuilder();
        b.output("logits", model.apply(b.input("image", DType.F32, "N", 3, 32, 32)));
        Graph g = b.build();
        HostTensor x = OnnxExportTest.random(7, 2, 3, 32, 32);
        Path p = dir.resolve(name + ".onnx");
        float[] want;
        // the ViT's eval graph holds the fused attention op, which the reference interpreter runs whatever the device backends lower
        try (Backend be = name.equals("vit_small") ? new dev.jasg.core.reference.ReferenceBackend() : Backends.create("cpu"); Executable ex = be.compile(g)) {
            want = ex.run(Map.of("image", x)).get("logits").floats();
            OnnxExport.write(g, ex.parameters(), p);
        }
        OnnxExportTest.close(want, OnnxExportTest.runOrt(p, "image", x, "logits"), name + " in onnxruntime");
        OnnxExportTest.close(want, OnnxExportTest.runCpu(OnnxImport.read(p).graph(), null, "image", x, "logits"), name + " re-imported");
    }
}
