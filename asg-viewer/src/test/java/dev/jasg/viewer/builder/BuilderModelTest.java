package dev.jasg.viewer.builder;

import dev.jasg.nn.spec.LayerType;
import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.nn.spec.OptimizerType;
import dev.jasg.nn.spec.ShapeInference;
import dev.jasg.nn.spec.Templates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder's model without Swing: port colours while dragging, undo/redo, hyper-parameter fields, opening bad files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BuilderModelTest {
    private static final ModelSpec.Position AT = new ModelSpec.Position(0, 0);

    /** x [B,1,28,28] -> conv1 (Conv2d 1->6, 5x5, pad 2); flatten1, fc1 (784->10), fc2 (100->10), add1 and relu1 (fed by conv1) unconnected or as noted. */
    private static BuilderModel canvas() {
        BuilderModel b = new BuilderModel(BuilderModel.newSpec());
        String conv = b.addNode(LayerType.CONV2D, AT);
        assertEquals("conv1", conv);
        assertNull(b.setParam(conv, "out_channels", "6").message());
        assertNull(b.setParam(conv, "kernel_size", "5").message());
        assertNull(b.setParam(conv, "padding", "2").message());
        assertTrue(b.connect("x", conv, 0).applied());
        assertEquals("flatten1", b.addNode(LayerType.FLATTEN, AT));
        assertEquals("fc1", b.addNode(LayerType.LINEAR, AT));
        assertTrue(b.setParam("fc1", "in_features", "784").applied());
        assertEquals("fc2", b.addNode(LayerType.LINEAR, AT));
        assertTrue(b.setParam("fc2", "in_features", "100").applied());
        assertEquals("add1", b.addNode(LayerType.ADD, AT));
        assertEquals("relu1", b.addNode(LayerType.RELU, AT));
        assertTrue(b.connect("conv1", "relu1", 0).applied());
        return b;
    }

    @Test
    void portsLightUpGreenExactlyWhereShapeInferenceAcceptsTheEdge() {
        // {edits before the drag, drag from, port -> fits}
        record Row(String what, Consumer<BuilderModel> before, String from, Map<String, Boolean> colours) {}
        List<Row> rows = List.of(
                new Row("from the image input", b -> { }, "x", Map.of(
                        "conv1:0", true,          // replaces x -> conv1 by itself
                        "flatten1:0", true,
                        "fc1:0", false,           // a Linear over the last axis, 28, wants 784
                        "fc2:0", false,
                        "add1:0", true,           // the other summand is not fed yet: fits so far
                        "add1:1", true,
                        "relu1:0", true)),
                new Row("from a flattened image", b -> assertTrue(b.connect("x", "flatten1", 0).applied()), "flatten1", Map.of(
                        "conv1:0", false,         // Conv2d on [B,784]
                        "fc1:0", true,
                        "fc2:0", false,           // in_features 100
                        "add1:0", true,
                        "add1:1", true,
                        "relu1:0", true)),
                new Row("a node without a shape yet", b -> { }, "flatten1", Map.of(
                        "conv1:0", false, "fc1:0", false, "fc2:0", false, "add1:0", false, "add1:1", false, "relu1:0", false)),
                new Row("an edge that would close a cycle", b -> { }, "relu1", Map.of(
                        "conv1:0", false,         // relu1 is fed by conv1
                        "flatten1:0", true,
                        "fc1:0", false, "fc2:0", false, "add1:0", true, "add1:1", true)),
                new Row("the second summand must match the first", b -> {
                    assertTrue(b.connect("x", "flatten1", 0).applied());
                    assertTrue(b.connect("flatten1", "add1", 0).applied());
                }, "x", Map.of(
                        "add1:1", false,          // [B,784] + [B,1,28,28] does not broadcast
                        "add1:0", true,           // replacing the first summand: fits so far
                        "conv1:0", true, "flatten1:0", true, "fc1:0", false, "fc2:0", false, "relu1:0", true)));
        for (Row r : rows) {
            BuilderModel b = canvas();
            r.before().accept(b);
            Map<String, Boolean> seen = new TreeMap<>();
            for (var e : b.compatibility(r.from()).entrySet()) seen.put(e.getKey().node() + ":" + e.getKey().port(), e.getValue().compatible());
            assertEquals(new TreeMap<>(r.colours()), seen, r.what());
            // the colouring is what connecting does: a red port refuses the edge and changes nothing, a green one takes it
            for (var e : r.colours().entrySet()) {
                BuilderModel c = canvas();
                r.before().accept(c);
                ModelSpec before = c.spec();
                String[] port = e.getKey().split(":");
                BuilderModel.Result res = c.connect(r.from(), port[0], Integer.parseInt(port[1]));
                assertEquals(e.getValue(), res.applied(), r.what() + " " + e.getKey() + ": " + res.message());
                if (!res.applied()) {
                    assertSame(before, c.spec(), r.what() + " " + e.getKey());
                    assertTrue(res.message() != null && !res.message().isBlank());
                }
            }
        }
        // a refusal names the shapes
        BuilderModel b = canvas();
        ShapeInference.Compatibility c = b.compatibility("x").get(new BuilderModel.Port("fc1", 0));
        assertTrue(c.reason().contains("784") && c.reason().contains("28"), c.reason());
    }

    @Test
    void everyEditUndoesAndRedoesInOrder() {
        BuilderModel b = new BuilderModel(BuilderModel.newSpec());
        List<ModelSpec> states = new ArrayList<>(List.of(b.spec()));
        int[] changes = {0};
        b.addListener(() -> changes[0]++);
        List<Runnable> edits = List.of(
                () -> b.addNode(LayerType.FLATTEN, new ModelSpec.Position(10, 100)),
                () -> b.addNode(LayerType.LINEAR, new ModelSpec.Position(10, 200)),
                () -> b.setParam("fc1", "in_features", "784"),
                () -> b.setParam("fc1", "bias", "false"),
                () -> b.connect("x", "flatten1", 0),
                () -> b.connect("flatten1", "fc1", 0),
                () -> b.setOutput("fc1"),
                () -> b.move("fc1", new ModelSpec.Position(300, 200)),
                () -> b.setInputShape("x", "B, 1, 28, 28, 1"),
                () -> b.setInputShape("x", "B, 1, 28, 28"),
                () -> b.setTraining(new ModelSpec.Training("cross_entropy", new ModelSpec.Component("sgd", Map.of("lr", 0.1)), null, 16, 2, 50, 7, "cpu",
                        new ModelSpec.Component("synthetic", Map.of()))),
                () -> b.disconnect("fc1", 0),
                () -> b.removeNode("flatten1"));
        for (Runnable e : edits) {
            e.run();
            assertTrue(states.get(states.size() - 1) != b.spec(), "edit " + states.size() + " changed nothing");
            states.add(b.spec());
        }
        assertEquals(edits.size(), changes[0]);
        assertTrue(b.spec().nodes().size() == 1 && b.spec().edges().isEmpty() && b.spec().output().equals("fc1"));
        for (int i = states.size() - 2; i >= 0; i--) {
            b.undo();
            assertSame(states.get(i), b.spec(), "undo to state " + i);
        }
        assertFalse(b.canUndo());
        b.undo(); // nothing to undo: no change, no error
        assertSame(states.get(0), b.spec());
        for (int i = 1; i < states.size(); i++) {
            b.redo();
            assertSame(states.get(i), b.spec(), "redo to state " + i);
        }
        assertFalse(b.canRedo());
        // a new edit after undo drops the redo branch
        b.undo();
        b.undo();
        b.addNode(LayerType.RELU, AT);
        assertFalse(b.canRedo());
        // edits that change nothing are not recorded
        ModelSpec now = b.spec();
        b.setParam("relu1", "inplace", "x"); // no such parameter: refused
        b.setParam("fc1", "in_features", "784");
        b.move("fc1", b.spec().layout().get("fc1"));
        b.setOutput(b.spec().output());
        assertSame(now, b.spec());
        b.undo();
        assertEquals(states.get(states.size() - 3), b.spec());
    }

    @Test
    void formFieldsAreReadByKindAndCheckedByRange() {
        // {node type, parameter, text, accepted, value stored (when accepted), or a fragment of the refusal}
        Object[][] rows = {
                {LayerType.CONV2D, "kernel_size", "5", true, 5},
                {LayerType.CONV2D, "kernel_size", " 7 ", true, 7},
                {LayerType.CONV2D, "kernel_size", "0", false, "at least 1"},
                {LayerType.CONV2D, "kernel_size", "3.5", false, "integer"},
                {LayerType.CONV2D, "kernel_size", "", false, "required"},
                {LayerType.CONV2D, "bias", "false", true, false},
                {LayerType.CONV2D, "bias", "maybe", false, "true or false"},
                {LayerType.DROPOUT, "p", "0,25", true, 0.25},
                {LayerType.DROPOUT, "p", "-1", false, "at least"},
                {LayerType.MAX_POOL2D, "stride", "", true, null},       // nullable: None
                {LayerType.MAX_POOL2D, "stride", "2", true, 2},
                {LayerType.LAYER_NORM, "normalized_shape", "4, 8", true, List.of(4, 8)},
                {LayerType.LAYER_NORM, "normalized_shape", "[16]", true, List.of(16)},
                {LayerType.LAYER_NORM, "normalized_shape", "4, x", false, "integer"},
                {LayerType.GELU, "approximate", "tanh", true, "tanh"},
                {LayerType.GELU, "approximate", "fast", false, "one of"},
                {LayerType.RELU, "inplace", "true", false, "no hyper-parameter"},
        };
        for (Object[] r : rows) {
            BuilderModel b = new BuilderModel(BuilderModel.newSpec());
            String id = b.addNode((LayerType) r[0], AT);
            ModelSpec before = b.spec();
            BuilderModel.Result res = b.setParam(id, (String) r[1], (String) r[2]);
            String what = r[0] + "." + r[1] + " = '" + r[2] + "'";
            assertEquals(r[3], res.applied(), what + ": " + res.message());
            if ((Boolean) r[3]) {
                assertTrue(r[4] == null || b.spec().node(id).params().containsKey(r[1]), what);
                assertEquals(r[4], b.spec().node(id).params().get(r[1]), what);
            } else {
                assertSame(before, b.spec(), what);
                assertTrue(res.message().contains((String) r[4]), what + ": " + res.message());
            }
        }
        // an optional parameter's default typed in is no edit; clearing a set one returns it to its default
        BuilderModel b = new BuilderModel(BuilderModel.newSpec());
        String fc = b.addNode(LayerType.LINEAR, AT);
        ModelSpec s = b.spec();
        b.setParam(fc, "bias", "true");
        assertSame(s, b.spec());
        b.setParam(fc, "bias", "false");
        b.setParam(fc, "bias", "");
        assertFalse(b.spec().node(fc).params().containsKey("bias"));
        // the training components take the same fields
        ModelSpec.Component adam = new ModelSpec.Component("adam", Map.of("lr", 1e-3));
        assertEquals(Map.of("lr", 0.01), BuilderModel.withParam(adam, OptimizerType.ADAM.params(), "lr", "0.01").params());
        assertEquals(Map.of(), BuilderModel.withParam(adam, OptimizerType.ADAM.params(), "lr", "").params());
        assertSame(adam, BuilderModel.withParam(adam, OptimizerType.ADAM.params(), "amsgrad", "false"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BuilderModel.withParam(adam, OptimizerType.ADAM.params(), "lr", "-1"));
        assertTrue(e.getMessage().contains("at least"), e.getMessage());
    }

    @Test
    void newIdsFollowTheLayerKind() {
        BuilderModel b = new BuilderModel(BuilderModel.newSpec());
        List<String> ids = new ArrayList<>();
        for (LayerType t : List.of(LayerType.CONV2D, LayerType.CONV2D, LayerType.LINEAR, LayerType.MAX_POOL2D, LayerType.AVG_POOL2D, LayerType.BATCH_NORM2D,
                LayerType.CONV_TRANSPOSE2D, LayerType.DROPOUT, LayerType.RELU, LayerType.FLATTEN, LayerType.MULTI_HEAD_ATTENTION)) {
            ids.add(b.addNode(t, AT));
        }
        assertEquals(List.of("conv1", "conv2", "fc1", "pool1", "pool2", "bn1", "deconv1", "drop1", "relu1", "flatten1", "attn1"), ids);
        b.removeNode("conv1");
        assertEquals("conv1", b.addNode(LayerType.CONV1D, AT));
        // every registered type can be dropped: its required hyper-parameters get values the registry accepts
        for (LayerType t : LayerType.values()) {
            BuilderModel c = new BuilderModel(BuilderModel.newSpec());
            c.addNode(t, AT);
            BuilderModel.check(c.spec()); // structural checks of the partial graph
        }
    }

    @Test
    void openingABadFileShowsWhyAndChangesNothing(@TempDir Path dir) throws Exception {
        String good = Templates.load("MLP").toJson();
        // {what, file text, a fragment of the message}
        String[][] rows = {
                {"not JSON", "{ \"format_version\": 1, nope", "(document)"},
                {"a newer format", good.replace("\"format_version\" : 1", "\"format_version\" : 99"), "format_version"},
                {"an unknown layer", good.replace("\"Linear\"", "\"Lineer\""), "Lineer"},
                {"a bad hyper-parameter", good.replace("\"out_features\" : 10", "\"out_features\" : -3"), "out_features"},
                {"a dangling edge", good.replace("\"from\" : \"flatten\"", "\"from\" : \"nowhere\""), "nowhere"},
                {"an unknown optimizer", good.replace("\"adam\"", "\"adamx\""), "adamx"},
                {"an empty file", "", "(document)"},
        };
        assertTrue(good.contains("\"format_version\" : 1") && good.contains("\"Linear\"") && good.contains("\"out_features\" : 10")
                && good.contains("\"from\" : \"flatten\"") && good.contains("\"adam\""), good);
        BuilderModel b = new BuilderModel(BuilderModel.newSpec());
        b.addNode(LayerType.RELU, AT);
        ModelSpec before = b.spec();
        for (String[] r : rows) {
            Path f = dir.resolve(r[0].replace(' ', '_') + ".json");
            Files.writeString(f, r[1]);
            BuilderModel.Result res = b.open(f);
            assertFalse(res.applied(), r[0]);
            assertTrue(res.message().contains(r[2]), r[0] + ": " + res.message());
            assertSame(before, b.spec(), r[0]);
            assertTrue(b.canUndo(), r[0] + ": the history is kept");
        }
        BuilderModel.Result missing = b.open(dir.resolve("missing.json"));
        assertFalse(missing.applied());
        assertSame(before, b.spec());
        // the good file opens, with a fresh history
        Path f = dir.resolve("mlp.json");
        Files.writeString(f, good);
        assertTrue(b.open(f).applied());
        assertEquals(Templates.load("MLP"), b.spec());
        assertFalse(b.canUndo());
    }

    @Test
    void everyTemplateLoadsPlacedAndComplete() {
        // {template, nodes}: the building blocks, then the zoo (ResNet-18: 4 stem + 8 blocks of 7 + 3 downsample pairs + 3 head; MobileNetV2: 3 + 5 + 16 blocks of 8 + 10 adds + 3 + 4 head)
        Object[][] rows = {{"MLP", 4}, {"LeNet-5", 12}, {"ResNet basic block", 10}, {"Transformer encoder block", 3}, {"ResNet-18", 69}, {"MobileNetV2", 153}};
        assertEquals(java.util.Arrays.stream(rows).map(r -> r[0]).toList(), BuilderModel.templateNames());
        for (Object[] r : rows) {
            BuilderModel b = new BuilderModel(BuilderModel.newSpec());
            b.loadTemplate((String) r[0]);
            ModelSpec s = b.spec();
            assertEquals(r[1], s.nodes().size(), (String) r[0]);
            for (ModelSpec.Node n : s.nodes()) assertTrue(s.layout().containsKey(n.id()), r[0] + ": " + n.id() + " has a position");
            assertTrue(b.shapes().containsKey(s.output()), r[0] + ": the output has a shape");
            s.build();
        }
    }
}
