package dev.jasg.nn.spec;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Layer} that runs a {@link ModelSpec}'s graph: each layer node's layer is a child
 * registered under the node's id, in the spec's node order (so {@code conv1.weight},
 * {@code block_bn1.running_mean}), and {@link #forward} applies the nodes in the spec's
 * topological order (ties by node position) and returns the output node's value. Tensor ops
 * (Add, Concat, ...) are applied inline and own nothing.
 *
 * <p>Made by {@link ModelSpec#build()}. Thread safety as any {@link Layer}: build graphs from one
 * thread at a time.
 */
public final class GraphModel extends Layer {
    private final SpecGraph graph;
    private final Layer[] layers;

    /** The model of a validated, complete spec (use {@link ModelSpec#build()}, which also checks shapes). */
    GraphModel(ModelSpec spec) {
        this.graph = SpecGraph.of(spec, true);
        this.layers = new Layer[spec.nodes().size()];
        for (int i = 0; i < layers.length; i++) {
            if (!graph.types[i].isOp()) layers[i] = register(spec.nodes().get(i).id(), graph.types[i].create(graph.params.get(i), "/nodes/" + i + "/params"));
        }
    }

    /** The spec this model runs. */
    public ModelSpec spec() {
        return graph.spec;
    }

    /** The layer of node {@code id}, or null for an op or an unknown id. */
    public Layer layer(String id) {
        int i = graph.index(id);
        return i < 0 ? null : layers[i];
    }

    /** The model on its one input {@code x}; a spec with several inputs takes {@link #forward(Map)}. */
    @Override
    public Tensor forward(Tensor x) {
        List<ModelSpec.Input> in = graph.spec.inputs();
        if (in.size() != 1) throw new IllegalArgumentException("GraphModel: the spec has " + in.size() + " inputs " + in.stream().map(ModelSpec.Input::name).toList() + "; call forward(Map)");
        return forward(Map.of(in.get(0).name(), x));
    }

    /** The model on its inputs by name; a missing input is an {@link IllegalArgumentException}. */
    public Tensor forward(Map<String, Tensor> inputs) {
        for (ModelSpec.Input i : graph.spec.inputs()) {
            if (!inputs.containsKey(i.name())) throw new IllegalArgumentException("GraphModel: no tensor for input '" + i.name() + "'");
        }
        Map<String, Tensor> values = run(graph, i -> layers[i], inputs, null);
        return values.get(graph.spec.output());
    }

    /**
     * Evaluates {@code g}'s nodes in order on {@code inputs}. With {@code problems} null, the first
     * failing node throws a {@link SpecException} ({@link SpecException.Kind#SHAPE}) naming it and
     * its input shapes; otherwise each node that cannot be evaluated (an unfed port, a failed
     * source, a shape error) gets a line in {@code problems} and the others go on.
     */
    static Map<String, Tensor> run(SpecGraph g, java.util.function.IntFunction<Layer> layerOf, Map<String, Tensor> inputs, Map<String, String> problems) {
        Map<String, Tensor> values = new HashMap<>(inputs);
        for (int i : g.order) {
            ModelSpec.Node node = g.spec.nodes().get(i);
            String[] src = g.sources[i];
            Tensor[] args = new Tensor[src.length];
            String missing = null;
            for (int k = 0; k < src.length; k++) {
                if (src[k] == null) missing = "input port " + k + " is not connected";
                else if ((args[k] = values.get(src[k])) == null) missing = "its input '" + src[k] + "' has no shape";
                if (missing != null) break;
            }
            if (missing != null) {
                if (problems == null) throw new SpecException(SpecException.Kind.UNCONNECTED, "/nodes/" + i, "node '" + node.id() + "': " + missing);
                problems.put(node.id(), missing);
                continue;
            }
            try {
                values.put(node.id(), apply(node.id(), g.types[i], g.params.get(i), layerOf.apply(i), args));
            } catch (SpecException e) {
                throw e;
            } catch (RuntimeException e) {
                String msg = "node '" + node.id() + "' (" + node.type() + ") on input shape" + (args.length > 1 ? "s " : " ") + shapes(args) + ": " + e.getMessage();
                if (problems == null) throw new SpecException(SpecException.Kind.SHAPE, "/nodes/" + i, msg, e);
                problems.put(node.id(), msg);
            }
        }
        return values;
    }

    static String shapes(Tensor[] args) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < args.length; k++) sb.append(k == 0 ? "" : ", ").append(args[k].shape());
        return sb.toString();
    }

    // One case per op; a layer is applied in its registered scope (an unregistered one, as shape
    // inference makes, in a scope named after the node, so parameter names do not collide).
    @SuppressWarnings("try")
    private static Tensor apply(String id, LayerType t, Map<String, Object> p, Layer layer, Tensor[] a) {
        return switch (t) {
            case ADD -> a[0].add(a[1]);
            case MUL -> a[0].mul(a[1]);
            case CONCAT -> Tensor.concat((Integer) p.get("dim"), a);
            case RESHAPE -> a[0].reshape(reshapeSpec(p));
            case TRANSPOSE -> a[0].transpose((Integer) p.get("dim0"), (Integer) p.get("dim1"));
            case MEAN -> a[0].mean((Integer) p.get("dim"), (Boolean) p.get("keepdim"));
            default -> {
                if (layer.name() != null) yield layer.apply(a[0]);
                try (var scope = a[0].builder().scope(id)) {
                    yield layer.apply(a[0]);
                }
            }
        };
    }

    /** Reshape's argument: the batch axis (-1) and then the per-example shape. */
    static int[] reshapeSpec(Map<String, Object> p) {
        int[] s = Arg.toInts(p.get("shape"));
        int[] out = new int[s.length + 1];
        out[0] = -1;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /** Node ids in evaluation order (for tests and the exporter). */
    List<String> order() {
        return graph.order.stream().map(i -> graph.spec.nodes().get(i).id()).toList();
    }

    @Override
    protected String extraRepr() {
        return "name=" + graph.spec.name();
    }
}
