package dev.jasg.viewer.graph;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the canvas shows of a training graph, before layout: a box per node plus a marker per named
 * output, the edges between them (labelled with the shape that flows along), and the scope tree.
 *
 * <p>The forward view shows the forward graph (model and loss). The gradient view shows the gradient
 * graph's own nodes (scope {@code grad...}) in the gradient colour with a stripe of their op's
 * category, and, in each scope that reads one, a dashed stand-in for every forward value the
 * backward pass uses (a ReLU's input, a layer's activations): edges stay short, so the layout stays
 * fast and readable, and one still sees which forward values each gradient needs.
 */
public final class GraphModel {
    /** Which graph is shown. */
    public enum Mode {
        /** The forward graph. */
        FORWARD,
        /** The forward and the gradient graph. */
        GRADIENT
    }

    /**
     * An edge from box {@code from} to box {@code to}.
     *
     * @param from  source box index
     * @param to    target box index
     * @param label the shape carried, e.g. {@code [B,128]}
     */
    public record Edge(int from, int to, String label) {}

    private final Mode mode;
    private final Graph shown;
    private final int forwardSize;
    private final List<ViewNode> nodes;
    private final List<Edge> edges;
    private final Map<Integer, Integer> byId;
    private final Map<String, List<Integer>> scopeMembers;
    private final Map<String, String> layerClasses;

    private GraphModel(Mode mode, Graph shown, int forwardSize, List<ViewNode> nodes, List<Edge> edges, Map<Integer, Integer> byId,
                       Map<String, String> layerClasses) {
        this.layerClasses = Map.copyOf(layerClasses);
        this.mode = mode;
        this.shown = shown;
        this.forwardSize = forwardSize;
        this.nodes = List.copyOf(nodes);
        this.edges = List.copyOf(edges);
        this.byId = Map.copyOf(byId);
        Map<String, List<Integer>> members = new TreeMap<>();
        for (ViewNode v : nodes) {
            for (String s : ancestors(v.scope())) members.computeIfAbsent(s, k -> new ArrayList<>()).add(v.index());
        }
        members.replaceAll((k, v) -> List.copyOf(v));
        this.scopeMembers = Collections.unmodifiableMap(members);
    }

    /** The model of {@code forward} ({@link Mode#FORWARD}) or of {@code gradients} ({@link Mode#GRADIENT}). */
    public static GraphModel of(Graph forward, Graph gradients, Mode mode) {
        return of(forward, gradients, mode, Map.of());
    }

    /**
     * {@link #of(Graph, Graph, Mode)} with the class of the layer that opened each scope
     * ({@code "1" -> "Linear"}, see {@link #layerClasses(dev.jasg.nn.Layer)}), for scope titles such
     * as {@code 1: Linear}.
     */
    public static GraphModel of(Graph forward, Graph gradients, Mode mode, Map<String, String> layerClasses) {
        Graph shown = mode == Mode.FORWARD ? forward : gradients;
        int forwardSize = forward.size();
        List<ViewNode> nodes = new ArrayList<>();
        Map<Integer, Integer> byId = new HashMap<>();
        List<Node> own = mode == Mode.FORWARD ? forward.allNodes() : gradients.nodes();
        for (Node n : own) {
            boolean grad = n.id() >= forwardSize;
            Category c = Categories.of(n.op());
            byId.put(n.id(), nodes.size());
            nodes.add(new ViewNode(nodes.size(), n, null, n.scope(), grad ? Category.GRADIENT : c, c, title(n), detail(n), grad, false));
        }
        // In the gradient view a forward value gets a stand-in in each scope that reads it, so no
        // edge runs from the far end of the forward graph into the backward pass.
        Map<String, Integer> proxies = new HashMap<>();
        List<Edge> edges = new ArrayList<>();
        for (Node n : own) {
            int to = byId.get(n.id());
            for (int i = 0; i < n.arity(); i++) {
                Node src = shown.node(n.input(i));
                Integer from = byId.get(src.id());
                if (from == null) {
                    String key = src.id() + "@" + n.scope();
                    from = proxies.get(key);
                    if (from == null) {
                        from = nodes.size();
                        Category c = Categories.of(src.op());
                        nodes.add(new ViewNode(from, src, null, n.scope(), c, c, title(src), "%" + src.id() + " " + shapeLabel(src), false, true));
                        proxies.put(key, from);
                        byId.putIfAbsent(src.id(), from);
                    }
                }
                edges.add(new Edge(from, to, shapeLabel(src)));
            }
        }
        for (var e : shown.outputs().entrySet()) {
            Node src = shown.node(e.getValue());
            int index = nodes.size();
            nodes.add(new ViewNode(index, src, e.getKey(), src.scope(), Category.OUTPUT, Category.OUTPUT, e.getKey(), shapeLabel(src), src.id() >= forwardSize, false));
            Integer from = byId.get(src.id());
            if (from != null) edges.add(new Edge(from, index, shapeLabel(src)));
        }
        return new GraphModel(mode, shown, forwardSize, nodes, edges, byId, layerClasses);
    }

    private static String title(Node n) {
        return switch (n.op()) {
            case Op.Input in -> in.name();
            case Op.Parameter p -> {
                String name = p.name();
                String prefix = n.scope().isEmpty() ? "" : n.scope() + ".";
                yield name.startsWith(prefix) ? name.substring(prefix.length()) : name;
            }
            case Op.Constant c -> c.value().size() == 1 ? trimNumber(c.value().get(0)) : "constant";
            default -> n.op().label();
        };
    }

    private static String detail(Node n) {
        String attrs = n.op() instanceof Op.Parameter || n.op() instanceof Op.Input || n.op() instanceof Op.Constant ? "" : n.op().attributes();
        String s = attrs.isEmpty() ? n.dtype().label() + n.shape() : attrs;
        return s.length() > 30 ? s.substring(0, 29) + "…" : s;
    }

    /** The shape label of the value of {@code n}: {@code [B,128]}, with the dtype when it is not f32. */
    public static String shapeLabel(Node n) {
        return (n.dtype() == DType.F32 ? "" : n.dtype().label()) + n.shape();
    }

    private static String trimNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        String s = String.format(java.util.Locale.ROOT, "%.4g", v);
        return s.contains("e") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** The scope and its ancestors, outermost first: {@code a.b.c} gives {@code a}, {@code a.b}, {@code a.b.c}. */
    public static List<String> ancestors(String scope) {
        if (scope.isEmpty()) return List.of();
        List<String> out = new ArrayList<>();
        int i = -1;
        while ((i = scope.indexOf('.', i + 1)) >= 0) out.add(scope.substring(0, i));
        out.add(scope);
        return out;
    }

    /**
     * The scope paths of {@code model}'s layers to their class names, {@code "1" -> "Linear"},
     * {@code "block.attn" -> "MultiHeadAttention"}; the root opens no scope and is not listed.
     */
    public static Map<String, String> layerClasses(dev.jasg.nn.Layer model) {
        Map<String, String> out = new HashMap<>();
        java.util.Set<dev.jasg.nn.Layer> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collect(model, "", out, seen);
        return out;
    }

    private static void collect(dev.jasg.nn.Layer layer, String path, Map<String, String> out, java.util.Set<dev.jasg.nn.Layer> seen) {
        if (!seen.add(layer)) return;
        for (var e : layer.namedChildren().entrySet()) {
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            String name = e.getValue().getClass().getSimpleName();
            if (!name.isEmpty()) out.put(p, name);
            collect(e.getValue(), p, out, seen);
        }
    }

    /**
     * The title of scope {@code scope}: its last segment, with its layer's class when the segment
     * is a number (a {@code Sequential}'s or list's child, {@code 1: Linear}) and the class is known.
     * Gradient scopes ({@code grad.1}) are titled like the layer they belong to.
     */
    public String scopeTitle(String scope) {
        String leaf = leaf(scope);
        String layer = scope.startsWith("grad.") ? scope.substring(5) : scope;
        String cls = layerClasses.get(layer);
        if (cls == null || leaf.isEmpty() || !Character.isDigit(leaf.charAt(0))) return leaf;
        return leaf + ": " + cls;
    }

    /** The last segment of a scope path. */
    public static String leaf(String scope) {
        return scope.substring(scope.lastIndexOf('.') + 1);
    }

    /** Which graph is shown. */
    public Mode mode() {
        return mode;
    }

    /** The last graph of the chain shown. */
    public Graph graph() {
        return shown;
    }

    /** Nodes with ids below this belong to the forward graph. */
    public int forwardSize() {
        return forwardSize;
    }

    /** Every box, nodes first in id order, then output markers. */
    public List<ViewNode> nodes() {
        return nodes;
    }

    /** Every edge. */
    public List<Edge> edges() {
        return edges;
    }

    /** The box of graph node {@code id}, or -1 when it is not shown. */
    public int indexOf(int id) {
        return byId.getOrDefault(id, -1);
    }

    /** Every scope path that holds a box, with the boxes inside it (at any depth). */
    public Map<String, List<Integer>> scopes() {
        return scopeMembers;
    }
}
