package dev.jasg.core;

import java.util.List;

/**
 * Anomaly mode ({@link Anomaly}) found a NaN or an infinity: names the node where it first
 * appeared (id, path, op and attributes, scope, shape, how many elements were NaN or infinite)
 * and, for each of its inputs, the id, path, op, shape and statistics of its value. The run's
 * assignments were not applied.
 */
public final class AnomalyException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** One input of the anomalous node: its id, path, op label, dtype, concrete shape and value statistics. */
    public record Operand(int id, String path, String op, DType dtype, Shape shape, Anomaly.Stats stats) {
        @Override
        public String toString() {
            return "%" + id + " '" + path + "' (" + op + ", " + dtype.label() + shape + "): " + stats;
        }
    }

    private final int nodeId;
    private final String path;
    private final String op;
    private final String attributes;
    private final String scope;
    private final transient Shape shape;
    private final transient Anomaly.Stats stats;
    private final transient List<Operand> inputs;
    private final boolean leaf;

    AnomalyException(Node n, Shape shape, Anomaly.Stats stats, List<Operand> inputs) {
        super(message(n, shape, stats, inputs));
        this.nodeId = n.id();
        this.path = n.path();
        this.op = n.op().label();
        this.attributes = n.op().attributes();
        this.scope = n.scope();
        this.shape = shape;
        this.stats = stats;
        this.inputs = List.copyOf(inputs);
        this.leaf = isLeaf(n);
    }

    private static boolean isLeaf(Node n) {
        return n.op() instanceof Op.Input || n.op() instanceof Op.Parameter || n.op() instanceof Op.Constant;
    }

    private static String message(Node n, Shape shape, Anomaly.Stats s, List<Operand> inputs) {
        String counts = s.nan() + " NaN and " + s.inf() + " Inf of " + s.count() + " elements";
        String what = "node %" + n.id() + " '" + n.path() + "' (" + n.op().label()
                + (n.op().attributes().isEmpty() ? "" : " " + n.op().attributes()) + ", " + n.dtype().label() + shape
                + (n.scope().isEmpty() ? "" : ", scope " + n.scope()) + ")";
        StringBuilder sb = new StringBuilder("anomaly: ");
        if (n.op() instanceof Op.Input i) {
            sb.append("input '").append(i.name()).append("' was fed ").append(counts).append(" (").append(what).append(")");
        } else if (n.op() instanceof Op.Parameter p) {
            sb.append("parameter '").append(p.name()).append("' already holds ").append(counts).append(" (").append(what).append(")");
        } else if (n.op() instanceof Op.Constant) {
            sb.append("constant ").append(what).append(" holds ").append(counts);
        } else {
            sb.append(what).append(" produced ").append(counts).append(" from finite inputs");
        }
        sb.append("; value: ").append(s);
        for (int i = 0; i < inputs.size(); i++) sb.append("; input ").append(i).append(": ").append(inputs.get(i));
        return sb.append(". No assignment of this run was applied (anomaly mode: ").append(Anomaly.PROPERTY).append(")").toString();
    }

    /** Id of the node whose value first held a NaN or an infinity. */
    public int nodeId() {
        return nodeId;
    }

    /** The node's path, as errors name nodes: scope and op label ({@code block/log}), or an input's or parameter's name. */
    public String path() {
        return path;
    }

    /** The node's op label, e.g. {@code log}. */
    public String op() {
        return op;
    }

    /** The node's op attributes as listings print them; empty when none. */
    public String attributes() {
        return attributes;
    }

    /** The node's scope path; empty at the top level. */
    public String scope() {
        return scope;
    }

    /** The node's concrete shape in the run. */
    public Shape shape() {
        return shape;
    }

    /** Statistics of the node's value (its NaN and infinity counts among them). */
    public Anomaly.Stats stats() {
        return stats;
    }

    /** Elements of the node's value that were NaN. */
    public long nanCount() {
        return stats.nan();
    }

    /** Elements of the node's value that were infinite (either sign). */
    public long infCount() {
        return stats.inf();
    }

    /** The node's inputs, in order, with their values' statistics (all finite unless the node is a leaf). */
    public List<Operand> inputs() {
        return inputs;
    }

    /** True when the node is a leaf: an input fed a non-finite value, a parameter already non-finite, or a constant. */
    public boolean fedIn() {
        return leaf;
    }
}
