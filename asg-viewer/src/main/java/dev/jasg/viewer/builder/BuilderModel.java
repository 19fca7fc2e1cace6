package dev.jasg.viewer.builder;

import dev.jasg.core.DType;
import dev.jasg.nn.spec.EditHistory;
import dev.jasg.nn.spec.LayerType;
import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.nn.spec.Param;
import dev.jasg.nn.spec.ShapeInference;
import dev.jasg.nn.spec.SpecException;
import dev.jasg.nn.spec.SpecTraining;
import dev.jasg.nn.spec.Templates;
import dev.jasg.models.spec.ZooSpecs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The model builder's state without any Swing: the {@link ModelSpec} being edited, every edit made
 * through an {@link EditHistory} (so each one can be undone), the shapes of the partial graph, and
 * which input ports a connection dragged from a node's output would fit
 * ({@link ShapeInference#checkConnection}), for the canvas to colour them green or red.
 *
 * <pre>{@code
 * BuilderModel b = new BuilderModel(BuilderModel.newSpec());
 * String conv = b.addNode(LayerType.CONV2D, new ModelSpec.Position(40, 140));
 * b.setParam(conv, "out_channels", "6");
 * b.connect("x", conv, 0);                    // a Result: applied, or why not
 * Map<Port, ShapeInference.Compatibility> c = b.compatibility(conv);
 * b.undo();
 * }</pre>
 *
 * <p>Not thread-safe: confine to one thread (the Swing event thread).
 */
public final class BuilderModel {
    /** The name of the input of a new spec. */
    public static final String INPUT = "x";

    /**
     * An input port of a node.
     *
     * @param node the node id
     * @param port the port, 0-based
     */
    public record Port(String node, int port) {}

    /**
     * The outcome of an edit: applied, or refused with the reason (the spec is then unchanged).
     *
     * @param applied whether the spec changed
     * @param message why not (or a note on what it gave), may be null when applied
     */
    public record Result(boolean applied, String message) {
        static Result ok(String note) {
            return new Result(true, note);
        }

        static Result refused(String why) {
            return new Result(false, why);
        }
    }

    private EditHistory history;
    private final List<Runnable> listeners = new ArrayList<>();
    private ModelSpec shapesOf;
    private Map<String, ShapeInference.NodeShape> shapes = Map.of();
    private String graphProblem;

    /** A builder starting at {@code initial}, with an empty history. */
    public BuilderModel(ModelSpec initial) {
        history = new EditHistory(Objects.requireNonNull(initial, "initial"));
    }

    /**
     * The spec of File, New: one input {@value #INPUT} of F32 {@code [B, 1, 28, 28]} (a
     * Fashion-MNIST image), no nodes, and the default training settings on 256 synthetic examples
     * of 10 classes.
     */
    public static ModelSpec newSpec() {
        ModelSpec.Training d = ModelSpec.Training.defaults();
        ModelSpec.Training t = new ModelSpec.Training(d.loss(), d.optimizer(), null, d.batchSize(), d.epochs(), d.maxSteps(), d.seed(), d.backend(),
                new ModelSpec.Component("synthetic", Map.of("size", 256, "classes", 10)));
        return ModelSpec.empty("model").withInputs(List.of(new ModelSpec.Input(INPUT, DType.F32, List.of("B", 1, 28, 28))))
                .withTraining(t).withLayout(Map.of(INPUT, new ModelSpec.Position(40, 30)));
    }

    /** Calls {@code l} after every change of the spec (edit, undo, redo, load). */
    public void addListener(Runnable l) {
        listeners.add(l);
    }

    /** The spec as edited so far. */
    public ModelSpec spec() {
        return history.current();
    }

    // ---- loading --------------------------------------------------------------------------------

    /** Replaces the spec by {@code spec} with a fresh history (New, a template, an opened file). */
    public void load(ModelSpec spec) {
        history = new EditHistory(Objects.requireNonNull(spec, "spec"));
        changed();
    }

    /** The templates: {@link Templates}' building blocks, then the zoo models ({@link ZooSpecs}: ResNet-18, MobileNetV2). */
    public static java.util.List<String> templateNames() {
        java.util.List<String> n = new java.util.ArrayList<>(Templates.names());
        n.addAll(ZooSpecs.names());
        return java.util.List.copyOf(n);
    }

    /** Loads the template {@code name} ({@link #templateNames()}). */
    public void loadTemplate(String name) {
        load(withPositions(ZooSpecs.names().contains(name) ? ZooSpecs.load(name) : Templates.load(name)));
    }

    /**
     * Opens the spec at {@code path}; on any problem (not JSON, a newer format version, unknown
     * types, bad hyper-parameters, dangling edges, cycles, unknown training components) the spec
     * stays as it was and the result says why, with the {@link SpecException}'s message.
     */
    public Result open(Path path) {
        ModelSpec s;
        try {
            s = check(ModelSpec.read(path));
        } catch (SpecException e) {
            return Result.refused(e.getMessage());
        } catch (IOException | RuntimeException e) {
            return Result.refused(path + ": " + e.getMessage());
        }
        load(withPositions(s));
        return Result.ok(null);
    }

    /**
     * Checks what the canvas needs of an opened spec: its structure (the partial graph's checks:
     * ids, types, hyper-parameters, edges, cycles) and the registries of its training settings.
     * A spec may still be incomplete (ports not fed, no output). Returns it.
     */
    public static ModelSpec check(ModelSpec s) {
        ShapeInference.partial(s);
        if (s.training() != null && s.inputs().size() == 1) {
            SpecTraining.checkSettings(s);
        }
        return s;
    }

    /** Writes the spec to {@code path} (atomically). */
    public void save(Path path) throws IOException {
        spec().write(path);
    }

    // Gives nodes and inputs without a position one, in a column below the placed ones.
    private static ModelSpec withPositions(ModelSpec s) {
        Map<String, ModelSpec.Position> l = new LinkedHashMap<>(s.layout());
        double y = 30;
        for (ModelSpec.Position p : l.values()) y = Math.max(y, p.y() + 80);
        for (ModelSpec.Input i : s.inputs()) {
            if (!l.containsKey(i.name())) {
                l.put(i.name(), new ModelSpec.Position(40, y));
                y += 80;
            }
        }
        for (ModelSpec.Node n : s.nodes()) {
            if (!l.containsKey(n.id())) {
                l.put(n.id(), new ModelSpec.Position(40, y));
                y += 80;
            }
        }
        return l.equals(s.layout()) ? s : s.withLayout(l);
    }

    // ---- edits ----------------------------------------------------------------------------------

    /**
     * Adds a node of {@code type} at {@code at} with a new id ({@code conv1}, {@code fc2}, ...) and
     * its required hyper-parameters set to starting values ({@link #startValue}); returns the id.
     */
    public String addNode(LayerType type, ModelSpec.Position at) {
        String id = newId(type);
        Map<String, Object> p = new LinkedHashMap<>();
        for (Param q : type.params()) if (q.required()) p.put(q.name(), startValue(q));
        apply(new EditHistory.AddNode(new ModelSpec.Node(id, type.jsonName(), p), at));
        return id;
    }

    /** Removes node {@code id} and its edges. */
    public void removeNode(String id) {
        apply(new EditHistory.RemoveNode(id));
    }

    /**
     * Connects {@code from}'s output to {@code to}'s input {@code port} when
     * {@link ShapeInference#checkConnection} allows it (replacing what fed the port); otherwise
     * changes nothing and says why.
     */
    public Result connect(String from, String to, int port) {
        ModelSpec without = spec().withEdges(spec().edges().stream().filter(e -> !(e.to().equals(to) && e.port() == port)).toList());
        ShapeInference.Compatibility c = ShapeInference.checkConnection(without, from, to, port);
        if (!c.compatible()) return Result.refused(c.reason());
        apply(new EditHistory.Connect(new ModelSpec.Edge(from, to, port)));
        return Result.ok(c.reason());
    }

    /** Removes the edge into {@code to}'s input {@code port}. */
    public void disconnect(String to, int port) {
        apply(new EditHistory.Disconnect(to, port));
    }

    /**
     * Sets hyper-parameter {@code name} of node {@code id} from the text of a form field: parsed by
     * the parameter's kind (an integer, a number, {@code true}/{@code false}, a string, integers
     * separated by commas; an empty field is PyTorch's None for a nullable parameter and the default
     * for an optional one) and checked against its range. A bad value changes nothing; the result
     * says why.
     */
    public Result setParam(String id, String name, String text) {
        ModelSpec.Node n = spec().node(id);
        if (n == null) return Result.refused("no node '" + id + "'");
        LayerType t = LayerType.of(n.type()).orElseThrow();
        Param p = t.params().stream().filter(q -> q.name().equals(name)).findFirst().orElse(null);
        if (p == null) return Result.refused(n.type() + " has no hyper-parameter '" + name + "'");
        String s = text == null ? "" : text.trim();
        if (s.isEmpty() && !p.nullable()) {
            if (p.required()) return Result.refused("'" + name + "' is required");
            if (!n.params().containsKey(name)) return Result.ok(null);
            apply(new EditHistory.SetParam(id, name, null, true));
            return Result.ok(null);
        }
        Object value;
        try {
            value = s.isEmpty() ? null : p.check(parse(p, s), "/" + id + "/" + name);
        } catch (SpecException e) {
            return Result.refused(e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        }
        if (n.params().containsKey(name) ? Objects.equals(n.params().get(name), value) : Objects.equals(p.defaultValue(), value)) return Result.ok(null);
        apply(new EditHistory.SetParam(id, name, value));
        return Result.ok(null);
    }

    /** A form field's text as the JSON value {@link Param#check} takes (a string it cannot read stays a string, and is refused there). */
    static Object parse(Param p, String s) {
        try {
            return switch (p.kind()) {
                case INT -> Long.parseLong(s);
                case FLOAT -> Double.parseDouble(s.replace(',', '.'));
                case BOOL -> switch (s.toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> s;
                };
                case STRING -> s;
                case INTS -> {
                    List<Object> out = new ArrayList<>();
                    for (String part : s.replace("[", "").replace("]", "").split("[,\\s]+")) if (!part.isEmpty()) out.add(Long.parseLong(part));
                    yield out;
                }
            };
        } catch (NumberFormatException e) {
            return s;
        }
    }

    /**
     * Component {@code c} (an optimizer, a scheduler, a dataset) with parameter {@code name} of
     * {@code params} set from a form field's text, as {@link #setParam} reads it (empty: the
     * default); an {@link IllegalArgumentException} says why a value is refused.
     */
    public static ModelSpec.Component withParam(ModelSpec.Component c, List<Param> params, String name, String text) {
        Param p = params.stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(c.type() + " has no parameter '" + name + "'"));
        Map<String, Object> out = new LinkedHashMap<>(c.params());
        String s = text == null ? "" : text.trim();
        if (s.isEmpty() && !p.nullable()) {
            if (p.required()) throw new IllegalArgumentException("'" + name + "' is required");
            out.remove(name);
        } else {
            try {
                Object v = s.isEmpty() ? null : p.check(parse(p, s), "/" + name);
                if (!c.params().containsKey(name) && Objects.equals(v, p.defaultValue())) return c;
                out.put(name, v);
            } catch (SpecException e) {
                throw new IllegalArgumentException(e.getMessage().substring(e.getMessage().indexOf(": ") + 2), e);
            }
        }
        return new ModelSpec.Component(c.type(), out);
    }

    /** The value a required hyper-parameter starts with when its node is dropped on the canvas. */
    static Object startValue(Param p) {
        int least = p.min() == null ? 1 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, p.min()));
        return switch (p.kind()) {
            case INT -> switch (p.name()) {
                case "out_features" -> 10;
                case "out_channels" -> 8;
                case "kernel_size" -> 3;
                case "output_size" -> 1;
                case "embed_dim", "d_model", "embedding_dim" -> 16;
                case "num_heads", "nhead" -> 2;
                case "dim0", "dim1", "dim" -> 1;
                default -> least;
            };
            case FLOAT -> p.min() != null && p.min() > 0 ? Math.max(1.0, p.min()) : 0.0;
            case BOOL -> false;
            case STRING -> "";
            case INTS -> List.of(least);
        };
    }

    /** Moves node or input {@code id} to {@code to} on the canvas. */
    public void move(String id, ModelSpec.Position to) {
        if (to.equals(spec().layout().get(id))) return;
        apply(new EditHistory.Move(id, to));
    }

    /** Makes {@code id} (a node, or null for none) the model's output. */
    public void setOutput(String id) {
        if (Objects.equals(id, spec().output())) return;
        apply(new EditHistory.SetOutput(id));
    }

    /** Replaces the training settings. */
    public void setTraining(ModelSpec.Training t) {
        if (Objects.equals(t, spec().training())) return;
        apply(new EditHistory.SetTraining(t));
    }

    /**
     * Sets the shape of input {@code name} from a form field's text, such as {@code B, 1, 28, 28}
     * (a name is a symbolic dimension, a number a size); a bad text changes nothing.
     */
    public Result setInputShape(String name, String text) {
        List<Object> dims = new ArrayList<>();
        for (String part : text.replace("[", "").replace("]", "").split("[,\\s]+")) {
            if (part.isEmpty()) continue;
            if (part.matches("[0-9]+")) {
                int d;
                try {
                    d = Integer.parseInt(part);
                } catch (NumberFormatException e) {
                    return Result.refused("'" + part + "' is too large");
                }
                if (d < 1) return Result.refused("a size must be positive, got " + part);
                dims.add(d);
            } else if (part.matches("[A-Za-z][A-Za-z0-9_]*")) {
                dims.add(part);
            } else {
                return Result.refused("'" + part + "' is neither a size nor a symbol");
            }
        }
        if (dims.isEmpty()) return Result.refused("the shape is empty");
        List<ModelSpec.Input> in = new ArrayList<>();
        boolean found = false;
        for (ModelSpec.Input i : spec().inputs()) {
            if (i.name().equals(name)) {
                in.add(new ModelSpec.Input(name, i.dtype(), dims));
                found = true;
            } else {
                in.add(i);
            }
        }
        if (!found) return Result.refused("no input '" + name + "'");
        if (in.equals(spec().inputs())) return Result.ok(null);
        apply(new EditHistory.SetInputs(in));
        return Result.ok(null);
    }

    /** Whether there is an edit to undo. */
    public boolean canUndo() {
        return history.canUndo();
    }

    /** Whether there is an undone edit to redo. */
    public boolean canRedo() {
        return history.canRedo();
    }

    /** Undoes the last edit, if any. */
    public void undo() {
        if (!history.canUndo()) return;
        history.undo();
        changed();
    }

    /** Redoes the last undone edit, if any. */
    public void redo() {
        if (!history.canRedo()) return;
        history.redo();
        changed();
    }

    private void apply(EditHistory.Edit e) {
        history.apply(e);
        changed();
    }

    private void changed() {
        for (Runnable l : List.copyOf(listeners)) l.run();
    }

    // ---- what the canvas shows ---------------------------------------------------------------

    /**
     * The shapes of the partial graph by node id (known, or why not); empty when the graph has a
     * structural error ({@link #graphProblem()} says which). Computed once per spec.
     */
    public Map<String, ShapeInference.NodeShape> shapes() {
        refreshShapes();
        return shapes;
    }

    /** The structural error of the current spec that stops shape inference, or null. */
    public String graphProblem() {
        refreshShapes();
        return graphProblem;
    }

    private void refreshShapes() {
        if (shapesOf == spec()) return;
        shapesOf = spec();
        try {
            shapes = ShapeInference.partial(shapesOf);
            graphProblem = null;
        } catch (SpecException e) {
            shapes = Map.of();
            graphProblem = e.getMessage();
        }
    }

    /** The number of input ports of node {@code id} (0 for an input or an unknown id). */
    public int ports(String id) {
        ModelSpec.Node n = spec().node(id);
        if (n == null) return 0;
        LayerType t = LayerType.of(n.type()).orElse(null);
        if (t == null) return 1;
        Map<String, Object> p = new LinkedHashMap<>();
        for (Param q : t.params()) p.put(q.name(), n.params().containsKey(q.name()) ? n.params().get(q.name()) : q.defaultValue());
        try {
            return t.ports(p);
        } catch (RuntimeException e) {
            return 1;
        }
    }

    /** The node or input feeding {@code port}, or null. */
    public String source(Port port) {
        for (ModelSpec.Edge e : spec().edges()) if (e.to().equals(port.node()) && e.port() == port.port()) return e.from();
        return null;
    }

    /**
     * For a connection dragged from {@code from}'s output: for every input port of every other
     * node, whether the edge would fit there ({@link ShapeInference#checkConnection}, on the spec
     * without what feeds that port now, as dropping there replaces it).
     */
    public Map<Port, ShapeInference.Compatibility> compatibility(String from) {
        Map<Port, ShapeInference.Compatibility> out = new LinkedHashMap<>();
        for (ModelSpec.Node n : spec().nodes()) {
            if (n.id().equals(from)) continue;
            for (int k = 0; k < ports(n.id()); k++) {
                final int port = k;
                ModelSpec without = spec().withEdges(spec().edges().stream().filter(e -> !(e.to().equals(n.id()) && e.port() == port)).toList());
                ShapeInference.Compatibility c;
                try {
                    c = ShapeInference.checkConnection(without, from, n.id(), k);
                } catch (RuntimeException e) {
                    c = new ShapeInference.Compatibility(false, e.getMessage(), null);
                }
                out.put(new Port(n.id(), k), c);
            }
        }
        return out;
    }

    /** A new node id for {@code type}: its short name and the least number not taken ({@code conv1}). */
    String newId(LayerType type) {
        String base = shortName(type);
        for (int i = 1; ; i++) {
            String id = base + i;
            if (spec().node(id) == null && spec().inputs().stream().noneMatch(in -> in.name().equals(id))) return id;
        }
    }

    /** The prefix of ids of {@code type}: {@code conv}, {@code fc}, {@code pool}, ..., else its name in lower case. */
    static String shortName(LayerType type) {
        String n = type.jsonName();
        if (n.startsWith("ConvTranspose")) return "deconv";
        if (n.startsWith("Conv")) return "conv";
        if (n.equals("Linear")) return "fc";
        if (n.contains("Pool")) return "pool";
        if (n.startsWith("BatchNorm")) return "bn";
        if (n.equals("Dropout")) return "drop";
        if (n.equals("MultiheadAttention") || n.equals("MultiHeadAttention")) return "attn";
        return n.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
