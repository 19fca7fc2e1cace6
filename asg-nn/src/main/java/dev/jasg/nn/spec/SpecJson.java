package dev.jasg.nn.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jasg.core.DType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.jasg.nn.spec.SpecException.Kind.SYNTAX;

/** JSON to {@link ModelSpec} and back, with JSON Pointers in every error. Stateless (the mapper is thread-safe). */
final class SpecJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SpecJson() {}

    static ModelSpec read(String text, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new SpecException(SYNTAX, "", source + " is not valid JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new SpecException(SYNTAX, "", source + ": a model spec is a JSON object");
        JsonNode v = root.get("format_version");
        if (v == null) throw new SpecException(SpecException.Kind.VERSION, "/format_version", "missing; this library reads format_version 1 to " + ModelSpec.FORMAT_VERSION);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new SpecException(SpecException.Kind.VERSION, "/format_version", "must be a positive integer, got " + v);
        }
        int version = v.asInt();
        if (version > ModelSpec.FORMAT_VERSION) {
            throw new SpecException(SpecException.Kind.VERSION, "/format_version", "the file has format_version " + version
                    + ", written by a newer JASG; this library reads up to format_version " + ModelSpec.FORMAT_VERSION);
        }
        known(root, "", Set.of("format_version", "name", "inputs", "nodes", "edges", "output", "training", "layout", "$schema"));
        String name = root.has("name") ? text(root.get("name"), "/name") : "model";
        List<ModelSpec.Input> inputs = new ArrayList<>();
        JsonNode in = array(root, "inputs", "");
        for (int i = 0; i < in.size(); i++) inputs.add(input(in.get(i), "/inputs/" + i));
        List<ModelSpec.Node> nodes = new ArrayList<>();
        JsonNode ns = array(root, "nodes", "");
        for (int i = 0; i < ns.size(); i++) {
            String p = "/nodes/" + i;
            JsonNode n = object(ns.get(i), p);
            known(n, p, Set.of("id", "type", "params"));
            nodes.add(new ModelSpec.Node(text(required(n, "id", p), p + "/id"), text(required(n, "type", p), p + "/type"), params(n.get("params"), p + "/params")));
        }
        List<ModelSpec.Edge> edges = new ArrayList<>();
        JsonNode es = array(root, "edges", "");
        for (int i = 0; i < es.size(); i++) {
            String p = "/edges/" + i;
            JsonNode e = object(es.get(i), p);
            known(e, p, Set.of("from", "to", "port"));
            JsonNode port = e.get("port");
            if (port != null && !port.isIntegralNumber()) throw new SpecException(SYNTAX, p + "/port", "must be an integer, got " + port);
            edges.add(new ModelSpec.Edge(text(required(e, "from", p), p + "/from"), text(required(e, "to", p), p + "/to"), port == null ? 0 : port.asInt()));
        }
        JsonNode out = root.get("output");
        String output = out == null || out.isNull() ? null : text(out, "/output");
        ModelSpec.Training training = root.has("training") && !root.get("training").isNull() ? training(root.get("training"), "/training") : null;
        Map<String, ModelSpec.Position> layout = new LinkedHashMap<>();
        if (root.has("layout")) {
            JsonNode l = object(root.get("layout"), "/layout");
            for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
                var e = it.next();
                String p = "/layout/" + escape(e.getKey());
                JsonNode pos = object(e.getValue(), p);
                layout.put(e.getKey(), new ModelSpec.Position(number(required(pos, "x", p), p + "/x"), number(required(pos, "y", p), p + "/y")));
            }
        }
        return new ModelSpec(version, name, inputs, nodes, edges, output, training, layout);
    }

    private static ModelSpec.Input input(JsonNode n, String p) {
        object(n, p);
        known(n, p, Set.of("name", "dtype", "shape"));
        String dt = n.has("dtype") ? text(n.get("dtype"), p + "/dtype") : "F32";
        DType dtype;
        try {
            dtype = DType.valueOf(dt.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SpecException(SYNTAX, p + "/dtype", "unknown dtype \"" + dt + "\"; one of F32, F64, I32, I64, BOOL");
        }
        JsonNode s = required(n, "shape", p);
        if (!s.isArray()) throw new SpecException(SYNTAX, p + "/shape", "must be an array of sizes and symbol names");
        List<Object> dims = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            JsonNode d = s.get(i);
            if (d.isIntegralNumber() && d.canConvertToInt() && d.asInt() >= 1) dims.add(d.asInt());
            else if (d.isTextual() && d.asText().matches("[A-Za-z_][A-Za-z0-9_]*")) dims.add(d.asText());
            else throw new SpecException(SYNTAX, p + "/shape/" + i, "a dimension is a positive integer or a symbol name like \"B\", got " + d);
        }
        return new ModelSpec.Input(text(required(n, "name", p), p + "/name"), dtype, dims);
    }

    private static ModelSpec.Training training(JsonNode n, String p) {
        object(n, p);
        known(n, p, Set.of("loss", "optimizer", "scheduler", "batch_size", "epochs", "max_steps", "seed", "backend", "dataset"));
        ModelSpec.Training d = ModelSpec.Training.defaults();
        return new ModelSpec.Training(
                n.has("loss") ? text(n.get("loss"), p + "/loss") : d.loss(),
                n.has("optimizer") ? component(n.get("optimizer"), p + "/optimizer") : d.optimizer(),
                n.has("scheduler") && !n.get("scheduler").isNull() ? component(n.get("scheduler"), p + "/scheduler") : null,
                n.has("batch_size") ? positive(n.get("batch_size"), p + "/batch_size", 1) : d.batchSize(),
                n.has("epochs") ? positive(n.get("epochs"), p + "/epochs", 1) : d.epochs(),
                n.has("max_steps") && !n.get("max_steps").isNull() ? positive(n.get("max_steps"), p + "/max_steps", 0) : 0,
                n.has("seed") ? seed(n.get("seed"), p + "/seed") : d.seed(),
                n.has("backend") ? text(n.get("backend"), p + "/backend") : d.backend(),
                n.has("dataset") ? component(n.get("dataset"), p + "/dataset") : d.dataset());
    }

    private static ModelSpec.Component component(JsonNode n, String p) {
        object(n, p);
        known(n, p, Set.of("type", "params"));
        return new ModelSpec.Component(text(required(n, "type", p), p + "/type"), params(n.get("params"), p + "/params"));
    }

    private static Map<String, Object> params(JsonNode n, String p) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) return out;
        object(n, p);
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            out.put(e.getKey(), value(e.getValue(), p + "/" + escape(e.getKey())));
        }
        return out;
    }

    private static Object value(JsonNode v, String p) {
        if (v.isNull()) return null;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isTextual()) return v.asText();
        if (v.isIntegralNumber()) return v.canConvertToInt() ? (Object) v.asInt() : (Object) v.asLong();
        if (v.isNumber()) return v.asDouble();
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) l.add(value(v.get(i), p + "/" + i));
            return l;
        }
        throw new SpecException(SYNTAX, p, "a hyper-parameter is a number, boolean, string, null or an array of them, not an object");
    }

    // ---- small checks ----

    private static void known(JsonNode n, String p, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) throw new SpecException(SYNTAX, p + "/" + escape(f), "unknown field '" + f + "'; allowed: " + new java.util.TreeSet<>(allowed));
        }
    }

    private static JsonNode required(JsonNode n, String field, String p) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new SpecException(SYNTAX, p + "/" + field, "missing required field '" + field + "'");
        return v;
    }

    private static JsonNode object(JsonNode n, String p) {
        if (n == null || !n.isObject()) throw new SpecException(SYNTAX, p, "must be a JSON object, got " + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT)));
        return n;
    }

    private static JsonNode array(JsonNode root, String field, String p) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return F.arrayNode();
        if (!v.isArray()) throw new SpecException(SYNTAX, p + "/" + field, "must be a JSON array");
        return v;
    }

    private static String text(JsonNode n, String p) {
        if (!n.isTextual()) throw new SpecException(SYNTAX, p, "must be a string, got " + n);
        return n.asText();
    }

    private static double number(JsonNode n, String p) {
        if (!n.isNumber()) throw new SpecException(SYNTAX, p, "must be a number, got " + n);
        return n.asDouble();
    }

    private static int positive(JsonNode n, String p, int min) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min) throw new SpecException(SYNTAX, p, "must be an integer of at least " + min + ", got " + n);
        return n.asInt();
    }

    private static long seed(JsonNode n, String p) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw new SpecException(SYNTAX, p, "must be an integer, got " + n);
        return n.asLong();
    }

    /** RFC 6901 escaping of one reference token. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    // ---- writing ----

    static String write(ModelSpec s) {
        ObjectNode root = F.objectNode();
        root.put("format_version", s.formatVersion());
        root.put("name", s.name());
        ArrayNode in = root.putArray("inputs");
        for (ModelSpec.Input i : s.inputs()) {
            ObjectNode o = in.addObject();
            o.put("name", i.name());
            o.put("dtype", i.dtype().name());
            ArrayNode shape = o.putArray("shape");
            for (Object d : i.shape()) {
                if (d instanceof Integer n) shape.add(n);
                else shape.add(d.toString());
            }
        }
        ArrayNode ns = root.putArray("nodes");
        for (ModelSpec.Node n : s.nodes()) {
            ObjectNode o = ns.addObject();
            o.put("id", n.id());
            o.put("type", n.type());
            if (!n.params().isEmpty()) o.set("params", params(n.params()));
        }
        ArrayNode es = root.putArray("edges");
        for (ModelSpec.Edge e : s.edges()) {
            ObjectNode o = es.addObject();
            o.put("from", e.from());
            o.put("to", e.to());
            o.put("port", e.port());
        }
        if (s.output() != null) root.put("output", s.output());
        ModelSpec.Training t = s.training();
        if (t != null) {
            ObjectNode o = root.putObject("training");
            o.put("loss", t.loss());
            o.set("optimizer", component(t.optimizer()));
            if (t.scheduler() != null) o.set("scheduler", component(t.scheduler()));
            o.put("batch_size", t.batchSize());
            o.put("epochs", t.epochs());
            if (t.maxSteps() > 0) o.put("max_steps", t.maxSteps());
            o.put("seed", t.seed());
            o.put("backend", t.backend());
            o.set("dataset", component(t.dataset()));
        }
        if (!s.layout().isEmpty()) {
            ObjectNode l = root.putObject("layout");
            s.layout().forEach((k, v) -> l.putObject(k).put("x", v.x()).put("y", v.y()));
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode component(ModelSpec.Component c) {
        ObjectNode o = F.objectNode();
        o.put("type", c.type());
        if (!c.params().isEmpty()) o.set("params", params(c.params()));
        return o;
    }

    private static ObjectNode params(Map<String, Object> params) {
        ObjectNode o = F.objectNode();
        params.forEach((k, v) -> o.set(k, MAPPER.valueToTree(v)));
        return o;
    }
}
