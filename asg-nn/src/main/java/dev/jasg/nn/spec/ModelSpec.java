package dev.jasg.nn.spec;

import dev.jasg.core.DType;
import dev.jasg.core.Shape;
import dev.jasg.nn.Layer;
import dev.jasg.nn.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's architecture and training settings as data: a versioned JSON document (schema:
 * {@value #SCHEMA_RESOURCE}) holding a graph of nodes, each a registered {@link LayerType} with its
 * hyper-parameters, fed by named inputs through edges, and the settings to train it.
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.read(Path.of("lenet.json"));
 * Layer model = spec.build();          // a GraphModel; parameters conv1.weight, fc1.bias, ...
 * List<Double> losses = SpecTraining.train(spec, 50, null);
 * JavaExport.write(spec, Path.of("LeNet.java"));
 * }</pre>
 *
 * <p>An edge feeds node {@code to}'s input {@code port} from {@code from}, a node id or an input
 * name; every node's ports are fed exactly once in a complete spec, while a partial one (the
 * viewer's canvas while a person builds it) may leave ports open: {@link ShapeInference} works on
 * both. Reading checks the JSON's structure and the format version; {@link #validate()} checks
 * types, hyper-parameters, edges, cycles; {@link #build()} also runs shape inference. Every error
 * is a {@link SpecException} naming the place as a JSON Pointer.
 *
 * <p>Immutable (its lists and maps are unmodifiable), so safe to share between threads; edits make
 * new specs ({@link EditHistory}).
 *
 * @param formatVersion the document's format version, {@link #FORMAT_VERSION} for documents this library writes
 * @param name          the model's name (the exported class's default name)
 * @param inputs        the graph's inputs
 * @param nodes         the nodes, in the order their layers are registered
 * @param edges         the connections
 * @param output        the id of the node (or input) whose value is the model's output; null while unset
 * @param training      training settings, or null
 * @param layout        canvas positions of nodes and inputs by id (for the viewer; no meaning to the model)
 */
public record ModelSpec(int formatVersion, String name, List<Input> inputs, List<Node> nodes, List<Edge> edges, String output,
                        Training training, Map<String, Position> layout) {
    /** The format version this library writes and the newest it reads. */
    public static final int FORMAT_VERSION = 1;
    /** Class-path resource of the JSON Schema (draft 2020-12) of the format. */
    public static final String SCHEMA_RESOURCE = "/dev/jasg/nn/spec/model-spec.schema.json";

    /** Copies the collections, unmodifiable. */
    public ModelSpec {
        Objects.requireNonNull(name, "name");
        inputs = List.copyOf(inputs);
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
        layout = layout == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(layout));
    }

    /** An empty spec named {@code name}, current format. */
    public static ModelSpec empty(String name) {
        return new ModelSpec(FORMAT_VERSION, name, List.of(), List.of(), List.of(), null, null, Map.of());
    }

    /**
     * A named graph input: its dtype and shape, each dimension a size ({@link Integer}) or a symbol
     * ({@link String}, the batch {@code "B"}).
     *
     * @param name  feed name
     * @param dtype element type
     * @param shape dimensions
     */
    public record Input(String name, DType dtype, List<Object> shape) {
        /** Copies the shape. */
        public Input {
            shape = List.copyOf(shape);
        }

        /** The shape as a {@link Shape}. */
        public Shape toShape() {
            return Shape.symbolic(shape.toArray());
        }
    }

    /**
     * A node: a unique id (also the name its layer is registered under, so its parameters are
     * {@code id.weight}, ...), its type's JSON name and the hyper-parameters given (the others
     * take their defaults).
     *
     * @param id     node id: a letter, then letters, digits or '_'
     * @param type   a {@link LayerType#jsonName()}
     * @param params hyper-parameters by name (Integer, Double, Boolean, String, List of Integer, null)
     */
    public record Node(String id, String type, Map<String, Object> params) {
        /** Copies the parameters (nulls allowed), unmodifiable. */
        public Node {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /** This node with hyper-parameter {@code key} set to {@code value}, or removed (back to its default) when {@code remove}. */
        public Node withParam(String key, Object value, boolean remove) {
            Map<String, Object> p = new LinkedHashMap<>(params);
            if (remove) p.remove(key);
            else p.put(key, value);
            return new Node(id, type, p);
        }
    }

    /**
     * A connection: {@code from}'s value feeds input {@code port} of node {@code to}.
     *
     * @param from a node id or an input name
     * @param to   a node id
     * @param port the input port, 0-based
     */
    public record Edge(String from, String to, int port) {}

    /**
     * A registered component (optimizer, scheduler, dataset) and its parameters as given.
     *
     * @param type   its JSON name
     * @param params parameters by name
     */
    public record Component(String type, Map<String, Object> params) {
        /** Copies the parameters, unmodifiable. */
        public Component {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params == null ? Map.of() : params));
        }
    }

    /**
     * How to train the model.
     *
     * @param loss      a {@link LossType#jsonName()}
     * @param optimizer an {@link OptimizerType} and its hyper-parameters
     * @param scheduler a {@link SchedulerType} and its hyper-parameters, or null for a constant rate
     * @param batchSize examples per step
     * @param epochs    passes over the data
     * @param maxSteps  stop after this many steps (0: no limit)
     * @param seed      seed of the initialisation, the shuffle and dropout
     * @param backend   backend name ({@code cpu}, {@code vulkan}, ...)
     * @param dataset   a {@link DatasetKind} and its parameters
     */
    public record Training(String loss, Component optimizer, Component scheduler, int batchSize, int epochs, int maxSteps, long seed,
                           String backend, Component dataset) {
        /** Cross-entropy, Adam(1e-3), no scheduler, batch 32, 1 epoch, no step limit, seed 0, cpu, 256 synthetic examples. */
        public static Training defaults() {
            return new Training("cross_entropy", new Component("adam", Map.of("lr", 1e-3)), null, 32, 1, 0, 0, "cpu",
                    new Component("synthetic", Map.of()));
        }
    }

    /**
     * A canvas position.
     *
     * @param x horizontal
     * @param y vertical
     */
    public record Position(double x, double y) {}

    // ---- reading, writing --------------------------------------------------------------------

    /**
     * Reads a spec from {@code path}: not JSON, a wrong structure or a newer format version is a
     * {@link SpecException} naming the place; types and edges are checked by {@link #validate()}
     * and {@link #build()}, not here, so the viewer can open a partial spec.
     */
    public static ModelSpec read(Path path) throws IOException {
        return SpecJson.read(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    }

    /** Reads a spec from JSON text; see {@link #read(Path)}. */
    public static ModelSpec parse(String json) {
        return SpecJson.read(json, "<string>");
    }

    /** This spec as pretty-printed JSON. */
    public String toJson() {
        return SpecJson.write(this);
    }

    /** Writes this spec to {@code path} atomically: a failed write leaves the previous file as it was. */
    public void write(Path path) throws IOException {
        byte[] bytes = toJson().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    // ---- checking, building --------------------------------------------------------------------

    /**
     * Checks everything but shapes: ids, types, hyper-parameters, edges, that every port is fed once,
     * the output, cycles, the training settings. Returns this.
     */
    public ModelSpec validate() {
        SpecGraph.of(this, true);
        if (training != null) SpecTraining.checkSettings(this);
        return this;
    }

    /**
     * {@link #validate()}, then shape inference over the whole graph (no execution), then a new
     * {@link GraphModel} running it: its layers are registered under their node ids, in node order,
     * so parameter names ({@code conv1.weight}) do not depend on anything else.
     */
    public GraphModel build() {
        validate();
        ShapeInference.inferAll(this);
        return new GraphModel(this);
    }

    /** The node with id {@code id}, or null. */
    public Node node(String id) {
        for (Node n : nodes) if (n.id().equals(id)) return n;
        return null;
    }

    /** The index of node {@code id} in {@link #nodes()}, or -1. */
    public int nodeIndex(String id) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).id().equals(id)) return i;
        return -1;
    }

    // ---- copies with one part changed ----------------------------------------------------------------

    /** This spec with other nodes. */
    public ModelSpec withNodes(List<Node> n) {
        return new ModelSpec(formatVersion, name, inputs, n, edges, output, training, layout);
    }

    /** This spec with other edges. */
    public ModelSpec withEdges(List<Edge> e) {
        return new ModelSpec(formatVersion, name, inputs, nodes, e, output, training, layout);
    }

    /** This spec with other inputs. */
    public ModelSpec withInputs(List<Input> in) {
        return new ModelSpec(formatVersion, name, in, nodes, edges, output, training, layout);
    }

    /** This spec with another output. */
    public ModelSpec withOutput(String out) {
        return new ModelSpec(formatVersion, name, inputs, nodes, edges, out, training, layout);
    }

    /** This spec with other training settings. */
    public ModelSpec withTraining(Training t) {
        return new ModelSpec(formatVersion, name, inputs, nodes, edges, output, t, layout);
    }

    /** This spec with another name. */
    public ModelSpec withName(String n) {
        return new ModelSpec(formatVersion, n, inputs, nodes, edges, output, training, layout);
    }

    /** This spec with another layout. */
    public ModelSpec withLayout(Map<String, Position> l) {
        return new ModelSpec(formatVersion, name, inputs, nodes, edges, output, training, l);
    }

    /** A copy of {@code list} with {@code item} appended. */
    static <T> List<T> plus(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }
}
