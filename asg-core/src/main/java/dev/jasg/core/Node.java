package dev.jasg.core;

/**
 * One operation in a graph: its op, the ids of its inputs, and the shape and dtype that
 * shape inference gave it when it was added. Nodes are compared by identity; ids are
 * unique along a chain of graphs (a gradient graph continues its forward graph's ids).
 */
public final class Node {
    private final int id;
    private final Op op;
    private final int[] inputs;
    private final Shape shape;
    private final DType dtype;
    private final String scope;

    Node(int id, Op op, int[] inputs, Shape shape, DType dtype, String scope) {
        this.id = id;
        this.op = op;
        this.inputs = inputs;
        this.shape = shape;
        this.dtype = dtype;
        this.scope = scope;
    }

    /** Id, unique along the graph chain. */
    public int id() {
        return id;
    }

    /** The operation. */
    public Op op() {
        return op;
    }

    /** Number of inputs. */
    public int arity() {
        return inputs.length;
    }

    /** Id of input {@code i}. */
    public int input(int i) {
        return inputs[i];
    }

    /** Ids of the inputs (a copy). */
    public int[] inputs() {
        return inputs.clone();
    }

    /** Inferred shape, possibly with symbolic dimensions. */
    public Shape shape() {
        return shape;
    }

    /** Inferred dtype. */
    public DType dtype() {
        return dtype;
    }

    /** Scope path such as {@code fc1} or {@code block0/attn}; empty at the top level. */
    public String scope() {
        return scope;
    }

    /**
     * Scope path and op label, e.g. {@code fc2/matmul}: how errors and the viewer name a node.
     * An input is named by its name; a parameter by its full name, which already holds the
     * scope ({@code fc1.weight}).
     */
    public String path() {
        if (op instanceof Op.Parameter p) return p.name();
        String l = op instanceof Op.Input i ? i.name() : op.label();
        return scope.isEmpty() ? l : scope + "/" + l;
    }

    @Override
    public String toString() {
        return "%" + id + " " + op.label() + " " + dtype.label() + shape + (scope.isEmpty() ? "" : " @" + scope);
    }
}
