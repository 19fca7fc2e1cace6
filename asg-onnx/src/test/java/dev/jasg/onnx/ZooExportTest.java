package dev.jasg.onnx;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Layer;
import dev.jasg.models.vision.MobileNetV2;
import dev.jasg.models.vision.ResNet;
import dev.jasg.models.vision.VisionTransformer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Zoo models (in eval mode, JASG's default initial values) exported by {@link OnnxExport} run in
 * ONNX Runtime with JASG's outputs, and import back with the same outputs.
 */
class ZooExportTest {
    static final Map<String, Supplier<Layer>> MODELS = Map.of(
            "resnet18", () -> ResNet.resnet18(10),
            "mobilenet_v2", () -> MobileNetV2.mobilenetV2(10, 0.5),
            "vit_small", () -> new VisionTransformer(VisionTransformer.Config.small()));

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
        try (Backend cpu = Backends.create("cpu"); Executable ex = cpu.compile(g)) {
            want = ex.run(Map.of("image", x)).get("logits").floats();
            OnnxExport.write(g, ex.parameters(), p);
        }
        OnnxExportTest.close(want, OnnxExportTest.runOrt(p, "image", x, "logits"), name + " in onnxruntime");
        OnnxExportTest.close(want, OnnxExportTest.runCpu(OnnxImport.read(p).graph(), null, "image", x, "logits"), name + " re-imported");
    }
}
