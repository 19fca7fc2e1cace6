package dev.jasg.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable graph: nodes in topological order, named outputs, and assignments that
 * write new values into parameters after a run.
 *
 * <p>A graph may continue a parent graph (a gradient graph continues its forward graph,
 * an update graph its gradient graph). Ids then run on from the parent's, and a node
 * reads a parent's value simply by naming its id: those are the explicit references
 * from a gradient graph into the forward graph. Compiling the child runs the whole chain.
 */
public final class Graph {
    private final Graph parent;
    private final int base;
    private final List<Node> nodes;
    private final Map<String, Integer> outputs;
    private final List<Assignment> assignments;
    private final List<FeedRange> feedRanges;

    /** After a run, parameter {@code parameter} takes the value of node {@code value}. */
    public record Assignment(int parameter, int value) {}

    Graph(Graph parent, List<Node> nodes, Map<String, Integer> outputs, List<Assignment> assignments, List<FeedRange> feedRanges) {
        this.parent = parent;
        this.base = parent == null ? 0 : parent.size();
        this.nodes = List.copyOf(nodes);
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.assignments = List.copyOf(assignments);
        this.feedRanges = List.copyOf(feedRanges);
    }

    /** The ranges declared on inputs along the chain ({@link GraphBuilder#requireRange}), checked whenever a batch is fed. */
    public List<FeedRange> feedRanges() {
        List<FeedRange> all = new ArrayList<>();
        for (Graph g : chain()) all.addAll(g.feedRanges);
        return all;
    }

    /** The graph this one continues, or null. */
    public Graph parent() {
        return parent;
    }

    /** The chain from the root graph down to this one. */
    public List<Graph> chain() {
        List<Graph> c = new ArrayList<>();
        for (Graph g = this; g != null; g = g.parent) c.add(0, g);
        return c;
    }

    /** True when {@code other} is this graph or one of its ancestors. */
    public boolean extendsGraph(Graph other) {
        for (Graph g = this; g != null; g = g.parent) if (g == other) return true;
        return false;
    }

    /** Id of this graph's first node (the parent's size). */
    public int base() {
        return base;
    }

    /** Number of nodes along the chain up to and including this graph. */
    public int size() {
        return base + nodes.size();
    }

    /** This graph's own nodes, in topological order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The node with {@code id}, looked up along the chain. */
    public Node node(int id) {
        if (id >= base && id < size()) return nodes.get(id - base);
        if (id < base) return parent.node(id);
        throw new IndexOutOfBoundsException("no node " + id + " in a graph of " + size() + " nodes");
    }

    /** All nodes of the chain, root first. */
    public List<Node> allNodes() {
        List<Node> all = new ArrayList<>(size());
        for (Graph g : chain()) all.addAll(g.nodes);
        return all;
    }

    /** This graph's named outputs (name to node id), in declaration order. */
    public Map<String, Integer> outputs() {
        return outputs;
    }

    /** The node of output {@code name}. */
    public Node output(String name) {
        Integer id = outputs.get(name);
        if (id == null) throw new IllegalArgumentException("graph has no output '" + name + "'; outputs: " + outputs.keySet());
        return node(id);
    }

    /** This graph's parameter assignments. */
    public List<Assignment> assignments() {
        return assignments;
    }

    /** Input nodes along the chain by name. */
    public Map<String, Node> inputs() {
        Map<String, Node> m = new LinkedHashMap<>();
        for (Node n : allNodes()) if (n.op() instanceof Op.Input in) m.put(in.name(), n);
        return m;
    }

    /** Parameter nodes along the chain by name. */
    public Map<String, Node> parameters() {
        Map<String, Node> m = new LinkedHashMap<>();
        for (Node n : allNodes()) if (n.op() instanceof Op.Parameter p) m.put(p.name(), n);
        return m;
    }

    /** Ids of the nodes along the chain that read node {@code id}. */
    public List<Integer> consumers(int id) {
        List<Integer> out = new ArrayList<>();
        for (Node n : allNodes()) for (int i : n.inputs()) if (i == id) { out.add(n.id()); break; }
        return out;
    }

    /**
     * A stable listing, one line per own node:
     * {@code %3 = matmul(%0, %1) : f32[B,10]  @fc1} with attributes after the op, then
     * outputs and assignments. Ids below {@link #base()} refer to the parent graph.
     */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        if (parent != null) sb.append("# continues a graph of ").append(base).append(" nodes\n");
        for (Node n : nodes) {
            sb.append('%').append(n.id()).append(" = ").append(n.op().label());
            String attrs = n.op().attributes();
            sb.append('(');
            for (int i = 0; i < n.arity(); i++) {
                if (i > 0) sb.append(", ");
                sb.append('%').append(n.input(i));
            }
            if (!attrs.isEmpty()) sb.append(n.arity() > 0 ? "; " : "").append(attrs);
            sb.append(") : ").append(n.dtype().label()).append(n.shape());
            if (!n.scope().isEmpty()) sb.append("  @").append(n.scope());
            sb.append('\n');
        }
        outputs.forEach((k, v) -> sb.append("output ").append(k).append(" = %").append(v).append('\n'));
        for (Assignment a : assignments) {
            sb.append("assign ").append(((Op.Parameter) node(a.parameter()).op()).name())
              .append(" := %").append(a.value()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Graph(" + nodes.size() + " nodes" + (parent == null ? "" : " after " + base) + ", outputs " + outputs.keySet() + ")";
    }

}
