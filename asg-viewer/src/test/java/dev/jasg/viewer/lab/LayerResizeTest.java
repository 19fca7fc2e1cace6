package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm2d;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.attention.FeedForward;
import dev.jasg.nn.attention.MultiHeadAttention;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.viewer.demo.DemoData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Phase D: {@link LabSession#preview(LayerResize)} and {@link LabSession#apply(LayerResize)}, as a table. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LayerResizeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** x + fc(x): a residual the resized layer's output must still fit. */
    static final class Residual extends Layer {
        final Linear fc = register("fc", new Linear(784, 784));

        @Override
        public Tensor forward(Tensor x) {
            Tensor f = x.reshape(-1, 784);
            return f.add(fc.apply(f));
        }
    }

    static Layer mlp() {
        return new Sequential(new Flatten(), new Linear(784, 16), new ReLU(), new Linear(16, 10));
    }

    static Layer conv() {
        return new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(), new Linear(4 * 26 * 26, 10));
    }

    static Layer convBn() {
        return new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), new ReLU(), new Flatten(), new Linear(4 * 26 * 26, 10));
    }

    static Layer ffn() {
        return new Sequential(new Flatten(), new Linear(784, 16), new FeedForward(16, 32), new Linear(16, 10));
    }

    static Layer attention() {
        return new Sequential(new Flatten(1, 2), new Linear(28, 16), new MultiHeadAttention(16, 4), new Flatten(), new Linear(28 * 16, 10));
    }

    static Layer residual() {
        return new Sequential(new Residual(), new Linear(784, 10));
    }

    /**
     * model, resize, the cascade (adapted scopes), the re-initialised weights (trainable and
     * buffers, without optimizer state), or null and the failing node's text for a refused edit.
     */
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("mlp", (Supplier<Layer>) LayerResizeTest::mlp, LayerResize.of("1", "out_features", 8),
                        List.of("3"), List.of("1.bias", "1.weight", "3.weight"), null),
                Arguments.of("conv kernel", (Supplier<Layer>) LayerResizeTest::conv, LayerResize.of("0", "kernel_size", 5),
                        List.of("3"), List.of("0.weight", "3.weight"), null),
                Arguments.of("conv stride", (Supplier<Layer>) LayerResizeTest::conv, LayerResize.of("0", "stride", 2),
                        List.of("3"), List.of("3.weight"), null),
                Arguments.of("conv padding keeps every shape", (Supplier<Layer>) LayerResizeTest::conv,
                        new LayerResize("0", Map.of("padding", 1, "kernel_size", 3, "stride", 1)),
                        List.of("3"), List.of("3.weight"), null),
                Arguments.of("conv out_channels through batch norm", (Supplier<Layer>) LayerResizeTest::convBn, LayerResize.of("0", "out_channels", 6),
                        List.of("1", "4"), List.of("0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight", "4.weight"), null),
                Arguments.of("conv groups that do not divide", (Supplier<Layer>) LayerResizeTest::conv, LayerResize.of("0", "groups", 3),
                        null, null, "0 (Conv2d)"),
                Arguments.of("feed-forward hidden", (Supplier<Layer>) LayerResizeTest::ffn, LayerResize.of("2", "hidden", 8),
                        List.of(), List.of("2.linear1.bias", "2.linear1.weight", "2.linear2.weight"), null),
                Arguments.of("attention heads keep every shape", (Supplier<Layer>) LayerResizeTest::attention, LayerResize.of("2", "num_heads", 2),
                        List.of(), List.of(), null),
                Arguments.of("attention heads must divide", (Supplier<Layer>) LayerResizeTest::attention, LayerResize.of("2", "num_heads", 3),
                        null, null, "2 (MultiHeadAttention)"),
                Arguments.of("attention embed_dim cannot take its input", (Supplier<Layer>) LayerResizeTest::attention, LayerResize.of("2", "embed_dim", 8),
                        null, null, "2 (MultiHeadAttention)"),
                Arguments.of("a residual refuses a new width", (Supplier<Layer>) LayerResizeTest::residual, LayerResize.of("0.fc", "out_features", 32),
                        null, null, "0/add"),
                Arguments.of("a layer that cannot be edited", (Supplier<Layer>) LayerResizeTest::mlp, LayerResize.of("2", "out_features", 3),
                        null, null, "2 (ReLU)"),
                Arguments.of("a setting the layer lacks", (Supplier<Layer>) LayerResizeTest::mlp, LayerResize.of("1", "stride", 3),
                        null, null, "1 (Linear)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void cpu(String name, Supplier<Layer> model, LayerResize resize, List<String> cascade, List<String> reinit, String failsAt) throws Exception {
        try (Backend backend = Backends.create("cpu")) {
            check(backend, model.get(), resize, cascade, reinit, failsAt);
        }
    }

    @Test
    void vulkanMlpAndConvStride() throws Exception {
        Backend backend;
        try {
            backend = Backends.create("vulkan");
        } catch (RuntimeException e) {
            String req = System.getenv("JASG_REQUIRE_GPU");
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no vulkan backend: " + e.getMessage());
            return;
        }
        try (backend) {
            check(backend, mlp(), LayerResize.of("1", "out_features", 8), List.of("3"), List.of("1.bias", "1.weight", "3.weight"), null);
            check(backend, conv(), LayerResize.of("0", "stride", 2), List.of("3"), List.of("3.weight"), null);
            check(backend, conv(), LayerResize.of("0", "groups", 3), null, null, "0 (Conv2d)");
        }
    }

    private static void check(Backend backend, Layer model, LayerResize resize, List<String> cascade, List<String> reinit, String failsAt) throws Exception {
        try (LabSession lab = LabSession.builder(backend, model)
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(DemoData.synthetic(128, 8, 3)).seed(5)
                .startPaused(true).build()) {
            lab.start();
            lab.send(new GuiCommand.Step());
            lab.send(new GuiCommand.Step());
            awaitSteps(lab, 2);
            var names = new ArrayList<>(lab.parameters().names());
            Map<String, double[]> before = new java.util.HashMap<>();
            for (String n : names) before.put(n, lab.parameters().get(n).toDoubles());
            String graphBefore = lab.model().toString();

            ResizePreview preview = lab.preview(resize).get(30, TimeUnit.SECONDS);
            if (failsAt != null) {
                ResizePreview.Failed f = assertInstanceOf(ResizePreview.Failed.class, preview, () -> "expected a refusal: " + preview);
                assertTrue(f.node().startsWith(failsAt), () -> "failing node " + f.node() + " (" + f.message() + ") should start with " + failsAt);
                assertTrue(!f.reason().isBlank());
                ResizePreview applied = lab.apply(resize).get(30, TimeUnit.SECONDS);
                assertInstanceOf(ResizePreview.Failed.class, applied);
                assertEquals(graphBefore, lab.model().toString(), "a refused edit changes nothing");
                assertEquals(new TreeSet<>(names), new TreeSet<>(lab.parameters().names()));
                for (String n : names) assertArrayEquals(before.get(n), lab.parameters().get(n).toDoubles(), n + " unchanged");
                lab.send(new GuiCommand.Step());
                awaitSteps(lab, 3);
                return;
            }
            ResizePreview.Ready p = assertInstanceOf(ResizePreview.Ready.class, preview, () -> "expected the cascade to succeed: " + preview);
            assertTrue(!p.applied());
            assertEquals(cascade, p.adapted().stream().map(s -> s.substring(0, s.indexOf(' '))).toList(), "cascade");
            assertEquals(new TreeSet<>(reinit), weights(p.reinitialised()), "re-initialised weights");
            // A preview changes nothing: the same parameters and values, the same model.
            for (String n : names) assertArrayEquals(before.get(n), lab.parameters().get(n).toDoubles(), n + " unchanged by the preview");
            assertTrue(lab.resizedModel().resizedLayers().isEmpty());

            ResizePreview.Ready a = assertInstanceOf(ResizePreview.Ready.class, lab.apply(resize).get(30, TimeUnit.SECONDS));
            assertTrue(a.applied());
            assertEquals(p.reinitialised(), a.reinitialised());
            // Every kept tensor (weights and optimizer state) has its value; the others have their new shape.
            assertTrue(!a.kept().isEmpty());
            for (String n : a.kept()) assertArrayEquals(before.get(n), lab.parameters().get(n).toDoubles(), n + " kept");
            for (ResizePreview.Reinitialised r : a.reinitialised()) assertEquals(r.after(), lab.parameters().get(r.name()).shape(), r.name());
            // The optimizer state of a re-initialised weight starts afresh (Adam's moments are zero).
            for (ResizePreview.Reinitialised r : a.reinitialised()) {
                if (!r.name().contains("exp_avg")) continue;
                for (double v : lab.parameters().get(r.name()).toDoubles()) assertEquals(0.0, v, r.name());
            }
            // The forward graph has the new parameter shapes, and training goes on with finite losses.
            for (Node n : a.forward().nodes()) {
                if (n.op() instanceof Op.Parameter q && lab.parameters().contains(q.name())) {
                    assertEquals(lab.parameters().get(q.name()).shape(), n.shape(), q.name());
                }
            }
            lab.send(new GuiCommand.Step());
            lab.send(new GuiCommand.Step());
            awaitSteps(lab, 4);
            assertEquals(1, lab.history().size());
        }
    }

    /** Save, resize, load the old checkpoint: what kept its shape takes the saved values, the rest is reported. */
    @Test
    void aPartialCheckpointLoadsWhatKeptItsShape(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        try (Backend backend = Backends.create("cpu");
             LabSession lab = LabSession.builder(backend, mlp())
                     .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                     .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(DemoData.synthetic(128, 8, 3)).seed(5)
                     .startPaused(true).build()) {
            lab.start();
            lab.send(new GuiCommand.Step());
            awaitSteps(lab, 1);
            java.nio.file.Path dir = lab.saveCheckpoint(tmp.resolve("ckpt")).get(30, TimeUnit.SECONDS);
            Map<String, double[]> saved = new java.util.HashMap<>();
            for (String n : lab.parameters().names()) saved.put(n, lab.parameters().get(n).toDoubles());
            assertInstanceOf(ResizePreview.Ready.class, lab.apply(LayerResize.of("1", "out_features", 8)).get(30, TimeUnit.SECONDS));
            lab.send(new GuiCommand.Step());
            lab.send(new GuiCommand.Step());
            awaitSteps(lab, 3);
            dev.jasg.nn.io.PartialLoad r = lab.loadCheckpoint(dir).get(30, TimeUnit.SECONDS);
            assertTrue(r.loaded().contains("3.bias"), r.toString());
            assertEquals(new TreeSet<>(List.of("1.bias", "1.weight", "3.weight")),
                    new TreeSet<>(r.reinitialised().stream().map(m -> m.name()).filter(n -> !n.contains("exp_avg")).toList()));
            assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty(), r.toString());
            for (String n : r.loaded()) assertArrayEquals(saved.get(n), lab.parameters().get(n).toDoubles(), n + " loaded");
            // A checkpoint that cannot be read changes nothing.
            Map<String, double[]> now = new java.util.HashMap<>();
            for (String n : lab.parameters().names()) now.put(n, lab.parameters().get(n).toDoubles());
            var bad = lab.loadCheckpoint(tmp.resolve("absent"));
            assertThrows(java.util.concurrent.ExecutionException.class, () -> bad.get(30, TimeUnit.SECONDS));
            for (String n : now.keySet()) assertArrayEquals(now.get(n), lab.parameters().get(n).toDoubles(), n + " untouched");
            lab.send(new GuiCommand.Step());
            awaitSteps(lab, 4);
        }
    }

    private static TreeSet<String> weights(List<ResizePreview.Reinitialised> r) {
        TreeSet<String> s = new TreeSet<>();
        for (ResizePreview.Reinitialised x : r) if (x.name().matches("[0-9][0-9a-z_.]*") && !x.name().contains("exp_avg")) s.add(x.name());
        return s;
    }

    private static void awaitSteps(LabSession lab, long n) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (lab.steps() < n) {
            if (lab.state() == LabSession.State.FAILED) throw new AssertionError("the session failed");
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for step " + n + " (at " + lab.steps() + ")");
            Thread.sleep(5);
        }
    }
}
