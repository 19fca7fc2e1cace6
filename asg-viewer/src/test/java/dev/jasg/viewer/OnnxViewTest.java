package dev.jasg.viewer;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.onnx.OnnxExport;
import dev.jasg.onnx.OnnxImport;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.ViewNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code viewer.jar --onnx FILE}: the option, the view model of an imported graph, the headless summary, bad files. */
class OnnxViewTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = ViewerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** An ONNX file of {@code relu(x @ w + b)} with a symbolic batch, written by JASG's exporter. */
    static Path mlp(Path dir) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, "B", 3);
        Tensor w = b.parameter("fc.weight", new Init.Values(HostTensor.of(new float[] {1, -2, 3, 0.5f, 0, -1}, 3, 2)), 3, 2);
        Tensor bias = b.parameter("fc.bias", new Init.Values(HostTensor.of(new float[] {0.1f, -0.1f}, 2)), 2);
        b.output("y", x.matmul(w).add(bias).relu());
        Graph g = b.build();
        Path p = dir.resolve("mlp.onnx");
        OnnxExport.write(g, Map.of("fc.weight", HostTensor.of(new float[] {1, -2, 3, 0.5f, 0, -1}, 3, 2), "fc.bias", HostTensor.of(new float[] {0.1f, -0.1f}, 2)), p);
        return p;
    }

    @Test
    void theOptionIsFoundAndTheRestAreViewerOptions() {
        String[] args = {"--lang", "ru", "--onnx", "m.onnx", "--headless"};
        assertTrue(OnnxView.requested(args));
        assertFalse(OnnxView.requested(new String[] {"--headless"}));
        assertEquals(Path.of("m.onnx"), OnnxView.path(args));
        assertArrayEquals(new String[] {"--lang", "ru", "--headless"}, OnnxView.rest(args));
        assertThrows(ViewerOptions.UsageException.class, () -> OnnxView.path(new String[] {"--onnx"}));
        assertThrows(ViewerOptions.UsageException.class, () -> OnnxView.path(new String[] {"--onnx", "--headless"}));
        assertThrows(ViewerOptions.UsageException.class, () -> OnnxView.path(new String[] {"--onnx", "a", "--onnx", "b"}));
        assertTrue(ViewerOptions.USAGE.contains("--onnx FILE"));
    }

    @Test
    void theViewModelOfAnImportedGraphShowsItsInputsParametersOpsAndOutputs(@TempDir Path dir) {
        ComputeUpdate.GraphReady r = OnnxView.graphs(OnnxImport.read(mlp(dir)));
        assertTrue(r.gradients().extendsGraph(r.forward()));
        assertTrue(r.gradients().nodes().isEmpty(), "nothing is trained, so there is no gradient graph");
        GraphModel gm = GraphModel.of(r.forward(), r.gradients(), GraphModel.Mode.FORWARD);
        Set<String> titles = gm.nodes().stream().map(ViewNode::title).collect(Collectors.toSet());
        assertTrue(titles.containsAll(Set.of("x", "fc.weight", "fc.bias", "y")), titles.toString());
        assertTrue(gm.nodes().stream().anyMatch(v -> v.node().op() instanceof Op.MatMul), titles.toString());
        ViewNode out = gm.nodes().stream().filter(ViewNode::isOutput).findFirst().orElseThrow();
        assertEquals("y", out.output());
        assertEquals(Shape.symbolic("B", 2), out.node().shape());
        assertTrue(gm.edges().stream().anyMatch(e -> e.to() == out.index()), "the output is wired to its producer");
        ViewNode param = gm.nodes().stream().filter(v -> v.title().equals("fc.weight")).findFirst().orElseThrow();
        assertTrue(((Op.Parameter) param.node().op()).trainable());
        assertNull(param.output());
    }

    @Test
    void headlessPrintsASummaryOfTheImportedGraph(@TempDir Path dir) {
        Path p = mlp(dir);
        Run r = run("--onnx", p.toString(), "--headless");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ONNX model mlp.onnx: opset 17") && r.out().contains("x f32[B,3]") && r.out().contains("[y]"), r.out());
        Run ru = run("--lang", "ru", "--onnx", p.toString(), "--headless");
        assertEquals(0, ru.status());
        assertTrue(ru.out().startsWith("модель ONNX mlp.onnx"), ru.out());
    }

    @Test
    void aMissingOrBadFileIsAClearErrorWithStatusTwo(@TempDir Path dir) throws IOException {
        Run missing = run("--onnx", dir.resolve("nope.onnx").toString(), "--headless");
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("viewer: cannot show ONNX model") && missing.err().contains("nope.onnx"), missing.err());
        Path bad = dir.resolve("bad.onnx");
        byte[] good = Files.readAllBytes(mlp(dir));
        Files.write(bad, Arrays.copyOf(good, good.length / 2));
        Run truncated = run("--onnx", bad.toString(), "--headless");
        assertEquals(2, truncated.status());
        assertTrue(truncated.err().contains("bad.onnx") && truncated.err().contains("truncated"), truncated.err());
        Run noPath = run("--onnx");
        assertEquals(2, noPath.status());
        assertTrue(noPath.err().startsWith("viewer: --onnx needs the path") && noPath.err().contains("usage: java -jar viewer.jar"), noPath.err());
        assertEquals(2, run("--onnx", "x.onnx", "--frobnicate").status());
    }
}
