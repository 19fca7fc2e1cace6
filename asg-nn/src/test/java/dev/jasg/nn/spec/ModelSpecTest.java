package dev.jasg.nn.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading, writing, validation errors with JSON Pointers, the schema, partial shape checks and the edit history. */
class ModelSpecTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonSchema schema() throws Exception {
        try (InputStream in = ModelSpec.class.getResourceAsStream(ModelSpec.SCHEMA_RESOURCE)) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    @Test
    void everyTemplateValidatesAgainstTheSchema() throws Exception {
        JsonSchema schema = schema();
        for (String name : Templates.names()) {
            JsonNode doc = JSON.readTree(Templates.load(name).toJson());
            Set<ValidationMessage> errors = schema.validate(doc);
            assertTrue(errors.isEmpty(), name + ": " + errors);
        }
        // and the schema is not vacuous: an unknown node type, a missing format version fail it
        JsonNode bad = JSON.readTree(Templates.load("MLP").toJson().replace("\"Linear\"", "\"Linearr\""));
        assertFalse(schema.validate(bad).isEmpty());
        assertFalse(schema.validate(JSON.readTree("{\"nodes\": []}")).isEmpty());
    }

    @Test
    void schemaAndRegistriesAgree() throws Exception {
        JsonNode s;
        try (InputStream in = ModelSpec.class.getResourceAsStream(ModelSpec.SCHEMA_RESOURCE)) {
            s = JSON.readTree(in);
        }
        assertEquals(names(Arrays.stream(LayerType.values()).map(LayerType::jsonName).toList()), enumOf(s.at("/$defs/nodeType/enum")));
        assertEquals(names(Arrays.stream(LossType.values()).map(LossType::jsonName).toList()), enumOf(s.at("/properties/training/properties/loss/enum")));
        assertEquals(names(Arrays.stream(OptimizerType.values()).map(OptimizerType::jsonName).toList()),
                enumOf(s.at("/properties/training/properties/optimizer/properties/type/enum")));
        assertEquals(names(Arrays.stream(SchedulerType.values()).map(SchedulerType::jsonName).toList()),
                enumOf(s.at("/properties/training/properties/scheduler/anyOf/0/properties/type/enum")));
        assertEquals(names(Arrays.stream(DatasetKind.values()).map(DatasetKind::jsonName).toList()),
                enumOf(s.at("/properties/training/properties/dataset/properties/type/enum")));
        assertEquals(ModelSpec.FORMAT_VERSION, s.at("/properties/format_version/const").asInt());
    }

    private static Set<String> names(List<String> l) {
        assertEquals(l.size(), new HashSet<>(l).size(), "duplicate JSON names " + l);
        return new HashSet<>(l);
    }

    private static Set<String> enumOf(JsonNode arr) {
        assertTrue(arr.isArray(), "no enum there");
        Set<String> out = new HashSet<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void buildGivesStableParameterNames() {
        GraphModel m = Templates.load("ResNet basic block").build();
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias", "fc.weight", "fc.bias"),
                new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("conv1", "bn1", "relu1", "conv2", "bn2", "residual", "relu2", "pool", "flatten", "fc"), m.order());
    }

    // ---- errors, each naming the place -------------------------------------------------------------

    static String mlp() {
        return Templates.load("MLP").toJson();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not json                |{\"format_version\": 1,                                   |SYNTAX|''",
            "future version          |VERSION2                                                  |VERSION|/format_version",
            "unknown type            |\"type\": \"Linear\"=>\"type\": \"Lineer\"                  |UNKNOWN_TYPE|/nodes/1/type",
            "bad hyper-parameter     |\"out_features\": 128=>\"out_features\": -3                 |BAD_PARAMETER|/nodes/1/params/out_features",
            "wrong hyper-param type  |\"out_features\": 128=>\"out_features\": \"many\"           |BAD_PARAMETER|/nodes/1/params/out_features",
            "unknown hyper-parameter |\"out_features\": 128=>\"out_feature\": 128                 |BAD_PARAMETER|/nodes/1/params/out_feature",
            "missing hyper-parameter |\"in_features\": 784,=>                                     |BAD_PARAMETER|/nodes/1/params",
            "dangling edge           |\"from\": \"relu1\"=>\"from\": \"relu9\"                    |DANGLING_EDGE|/edges/3/from",
            "cycle                   |\"from\": \"x\"=>\"from\": \"fc2\"                           |CYCLE|/edges/0",
            "shape mismatch          |\"in_features\": 128=>\"in_features\": 64                   |SHAPE|/nodes/3",
            "bad dtype               |\"dtype\": \"F32\"=>\"dtype\": \"F24\"                       |SYNTAX|/inputs/0/dtype",
            "unknown optimizer       |\"type\": \"adam\"=>\"type\": \"adamm\"                      |UNKNOWN_TYPE|/training/optimizer/type",
            "unknown loss            |\"cross_entropy\"=>\"hinge\"                                |UNKNOWN_TYPE|/training/loss",
    })
    void invalidSpecsGiveTypedErrorsAtTheirPlace(String what, String edit, SpecException.Kind kind, String pointer) {
        String json = mlp();
        if (edit.equals("VERSION2")) json = json.replace("\"format_version\" : 1", "\"format_version\" : 2");
        else if (edit.contains("=>")) {
            String[] p = edit.replace("\\n", "\n").split("=>", -1);
            String from = p[0].replace("\": ", "\" : "), to = p[1].replace("\": ", "\" : ");
            assertTrue(json.contains(from), what + ": the edit does not apply: " + from + "\n" + json);
            json = json.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        } else json = edit;
        String doc = json;
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.parse(doc).build());
        assertEquals(kind, e.kind(), what + ": " + e.getMessage());
        assertEquals(pointer, e.pointer(), what + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(pointer.isEmpty() ? "(document)" : pointer), e.getMessage());
    }

    @Test
    void shapeErrorNamesTheNodeAndShapes() {
        String json = mlp().replace("\"in_features\" : 128", "\"in_features\" : 64");
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.parse(json).build());
        assertTrue(e.getMessage().contains("'fc2'") && e.getMessage().contains("[B,128]"), e.getMessage());
    }

    @Test
    void writeIsAtomicAndReadsBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.json");
        ModelSpec spec = Templates.load("Transformer encoder block");
        spec.write(f);
        assertEquals(spec, ModelSpec.read(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    // ---- partial graphs -------------------------------------------------------------------------

    static ModelSpec partialSpec() {
        ModelSpec s = ModelSpec.empty("partial").withInputs(List.of(new ModelSpec.Input("x", dev.jasg.core.DType.F32, List.of("B", 1, 28, 28))));
        EditHistory h = new EditHistory(s);
        h.apply(new EditHistory.AddNode(new ModelSpec.Node("flat", "Flatten", Map.of()), null));
        h.apply(new EditHistory.AddNode(new ModelSpec.Node("fc", "Linear", Map.of("in_features", 784, "out_features", 10)), null));
        h.apply(new EditHistory.AddNode(new ModelSpec.Node("bad", "Linear", Map.of("in_features", 100, "out_features", 10)), null));
        h.apply(new EditHistory.AddNode(new ModelSpec.Node("sum", "Add", Map.of()), null));
        h.apply(new EditHistory.Connect(new ModelSpec.Edge("x", "flat", 0)));
        return h.current();
    }

    @ParameterizedTest(name = "{0} -> {1}:{2}")
    @CsvSource({
            "flat, fc,  0, true,  'gives [B,10]'",
            "flat, bad, 0, false, 'on input shape [B,784]'",
            "x,    fc,  0, false, '[B,1,28,28]'",
            "flat, sum, 0, true,  'not connected'",
            "flat, sum, 2, false, 'no port 2'",
            "fc,   flat,0, false, 'fed twice'",
            "nope, fc,  0, false, 'no node or input'",
    })
    void connectionChecks(String from, String to, int port, boolean ok, String reason) {
        ShapeInference.Compatibility c = ShapeInference.checkConnection(partialSpec(), from, to, port);
        assertEquals(ok, c.compatible(), c.reason());
        assertTrue(c.reason().contains(reason), c.reason());
    }

    @Test
    void connectionThatClosesACycleIsRefused() {
        ModelSpec s = new EditHistory(partialSpec()).apply(new EditHistory.Connect(new ModelSpec.Edge("flat", "fc", 0)));
        s = s.withEdges(s.edges().stream().filter(e -> !e.to().equals("flat")).toList());
        ShapeInference.Compatibility c = ShapeInference.checkConnection(s, "fc", "flat", 0);
        assertFalse(c.compatible());
        assertTrue(c.reason().contains("cycle"), c.reason());
    }

    @Test
    void partialInferenceReportsWhatItKnows() {
        Map<String, ShapeInference.NodeShape> shapes = ShapeInference.partial(partialSpec());
        assertEquals("[B,784]", shapes.get("flat").shape().toString());
        assertNull(shapes.get("fc").shape());
        assertTrue(shapes.get("fc").problem().contains("not connected"), shapes.get("fc").problem());
    }

    // ---- undo / redo ----------------------------------------------------------------------------

    @Test
    void undoRedoRestoresEachSnapshot() {
        ModelSpec start = Templates.load("MLP");
        EditHistory h = new EditHistory(start);
        List<ModelSpec> seen = new ArrayList<>(List.of(start));
        List<EditHistory.Edit> edits = List.of(
                new EditHistory.SetParam("fc1", "out_features", 64),
                new EditHistory.SetParam("fc2", "in_features", 64),
                new EditHistory.AddNode(new ModelSpec.Node("drop", "Dropout", Map.of("p", 0.2)), new ModelSpec.Position(5, 6)),
                new EditHistory.Disconnect("fc2", 0),
                new EditHistory.Connect(new ModelSpec.Edge("relu1", "drop", 0)),
                new EditHistory.Connect(new ModelSpec.Edge("drop", "fc2", 0)),
                new EditHistory.RemoveNode("drop"),
                new EditHistory.Connect(new ModelSpec.Edge("relu1", "fc2", 0)));
        for (EditHistory.Edit e : edits) seen.add(h.apply(e));
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), new ArrayList<>(h.current().build().namedParameters().keySet()));
        assertEquals(64, h.current().build().namedParameters().get("fc2.weight").shape().dim(1));
        for (int i = seen.size() - 2; i >= 0; i--) assertEquals(seen.get(i), h.undo(), "undo to snapshot " + i);
        assertFalse(h.canUndo());
        assertThrows(IllegalStateException.class, h::undo);
        for (int i = 1; i < seen.size(); i++) assertEquals(seen.get(i), h.redo(), "redo to snapshot " + i);
        assertFalse(h.canRedo());
        h.undo();
        h.apply(new EditHistory.SetOutput("relu1"));
        assertFalse(h.canRedo(), "a new edit clears the redo stack");
        ModelSpec before = h.current();
        assertThrows(IllegalArgumentException.class, () -> h.apply(new EditHistory.RemoveNode("nope")));
        assertEquals(before, h.current(), "a failing edit changes nothing");
    }

    @Test
    void setInputsReshapesKeepsEdgesOfKeptNamesAndDropsTheOthers() {
        ModelSpec mlp = Templates.load("MLP");
        ModelSpec.Input x = mlp.inputs().get(0);
        // the same name with another shape keeps its edges; the shape inference follows
        ModelSpec wider = new EditHistory.SetInputs(List.of(new ModelSpec.Input(x.name(), x.dtype(), List.of("B", 1, 28, 28)))).applyTo(mlp);
        assertEquals(mlp.edges(), wider.edges());
        // a renamed input drops the old name's edges and position
        ModelSpec renamed = new EditHistory.SetInputs(List.of(new ModelSpec.Input("img", x.dtype(), x.shape()))).applyTo(mlp);
        assertEquals(mlp.edges().size() - 1, renamed.edges().size());
        assertTrue(renamed.edges().stream().noneMatch(e -> e.from().equals(x.name())));
        assertFalse(renamed.layout().containsKey(x.name()));
        // names taken by a node or given twice are refused
        assertThrows(IllegalArgumentException.class, () -> new EditHistory.SetInputs(List.of(new ModelSpec.Input("fc1", x.dtype(), x.shape()))).applyTo(mlp));
        assertThrows(IllegalArgumentException.class, () -> new EditHistory.SetInputs(List.of(x, x)).applyTo(mlp));
    }
}
