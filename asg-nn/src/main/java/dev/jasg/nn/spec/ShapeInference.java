package dev.jasg.nn.spec;

import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes of a spec's nodes without running anything: the graph is built on a fresh
 * {@link GraphBuilder}, whose shape rules infer every node's shape and dtype as it is added, with
 * symbolic dimensions (the batch {@code "B"}) kept symbolic.
 *
 * <p>For the viewer's drag-and-drop, {@link #partial} works on an incomplete graph (unfed ports,
 * no output) and {@link #checkConnection} says whether a candidate edge would fit and why not.
 *
 * <p>Stateless: every method works on its arguments alone, so it may be called from any thread.
 */
public final class ShapeInference {
    private ShapeInference() {}

    /**
     * The result for one node of a partial graph: its output shape and dtype when it could be
     * inferred, else why not.
     *
     * @param shape   the output shape, or null
     * @param dtype   the output dtype, or null
     * @param problem why there is no shape (an unfed port, an upstream problem, a shape error), or null
     */
    public record NodeShape(Shape shape, dev.jasg.core.DType dtype, String problem) {
        /** True when the shape is known. */
        public boolean known() {
            return shape != null;
        }
    }

    /**
     * Whether a candidate edge fits.
     *
     * @param compatible true when the edge may be added
     * @param reason     why not, or a short note on what it gives ("gives [B, 10]")
     * @param result     the target node's output shape with the edge, when it could be inferred
     */
    public record Compatibility(boolean compatible, String reason, Shape result) {}

    /** Shapes of every node of a complete spec; the first node that does not fit throws {@link SpecException} ({@code SHAPE}) naming it. */
    public static Map<String, Shape> inferAll(ModelSpec spec) {
        SpecGraph g = SpecGraph.of(spec, true);
        Map<String, Tensor> values = GraphModel.run(g, layers(g), inputs(spec, new GraphBuilder()), null);
        Map<String, Shape> out = new LinkedHashMap<>();
        for (ModelSpec.Node n : spec.nodes()) out.put(n.id(), values.get(n.id()).shape());
        return out;
    }

    /**
     * Shapes of whatever can be inferred in a possibly incomplete spec: every node gets a
     * {@link NodeShape}, known, or with the reason it is not. Structural errors (unknown types, bad
     * hyper-parameters, dangling edges, cycles) still throw {@link SpecException}.
     */
    public static Map<String, NodeShape> partial(ModelSpec spec) {
        SpecGraph g = SpecGraph.of(spec, false);
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, Tensor> values = GraphModel.run(g, layers(g), inputs(spec, new GraphBuilder()), problems);
        Map<String, NodeShape> out = new LinkedHashMap<>();
        for (ModelSpec.Node n : spec.nodes()) {
            Tensor t = values.get(n.id());
            out.put(n.id(), t != null ? new NodeShape(t.shape(), t.dtype(), null) : new NodeShape(null, null, problems.get(n.id())));
        }
        return out;
    }

    /**
     * Whether the edge {@code from -> to:port} may be added to {@code spec} (which may be partial):
     * both ends must exist, the port be in range and free, the edge must not close a cycle, and
     * shape inference of {@code to} with it must succeed. When {@code to}'s other ports are not
     * fed yet, the shapes cannot be checked and the edge is allowed, saying so.
     */
    public static Compatibility checkConnection(ModelSpec spec, String from, String to, int port) {
        ModelSpec.Edge edge = new ModelSpec.Edge(from, to, port);
        ModelSpec with = spec.withEdges(ModelSpec.plus(spec.edges(), edge));
        SpecGraph g;
        try {
            g = SpecGraph.of(with, false);
        } catch (SpecException e) {
            return new Compatibility(false, e.getMessage(), null);
        }
        Map<String, NodeShape> before;
        try {
            before = partial(spec);
        } catch (SpecException e) {
            return new Compatibility(false, "the graph has an error elsewhere: " + e.getMessage(), null);
        }
        NodeShape src = before.get(from);
        if (src != null && !src.known()) return new Compatibility(false, "'" + from + "' has no shape yet: " + src.problem(), null);
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, Tensor> values = GraphModel.run(g, layers(g), inputs(with, new GraphBuilder()), problems);
        Tensor t = values.get(to);
        if (t != null) return new Compatibility(true, "gives " + t.shape(), t.shape());
        String problem = problems.get(to);
        if (problem != null && problem.contains("is not connected")) return new Compatibility(true, "fits so far; " + problem + " yet", null);
        return new Compatibility(false, problem, null);
    }

    private static java.util.function.IntFunction<Layer> layers(SpecGraph g) {
        Layer[] made = new Layer[g.types.length];
        return i -> {
            if (g.types[i].isOp()) return null;
            if (made[i] == null) made[i] = g.types[i].create(g.params.get(i), "/nodes/" + i + "/params");
            return made[i];
        };
    }

    private static Map<String, Tensor> inputs(ModelSpec spec, GraphBuilder b) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (ModelSpec.Input i : spec.inputs()) in.put(i.name(), b.input(i.name(), i.dtype(), i.toShape()));
        return in;
    }
}
