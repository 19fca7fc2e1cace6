package dev.jasg.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mutable thing in JASG: collects nodes, checking each with {@link ShapeRules}
 * as it is added, and {@link #build() builds} an immutable {@link Graph}.
 *
 * <pre>{@code
 * GraphBuilder g = new GraphBuilder();
 * Tensor x = g.input("x", DType.F32, "B", 784);
 * Tensor w;
 * try (var s = g.scope("fc1")) { w = g.parameter("weight", Init.normal(0, 0.01), 784, 10); }
 * g.output("logits", x.matmul(w));
 * Graph graph = g.build();
 * }</pre>
 *
 * A builder made with a parent graph continues it: its tensors may read the parent's
 * nodes through {@link #tensor(int)}, and ids run on from the parent's.
 */
public final class GraphBuilder {
    private final Graph parent;
    private final int base;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();
    private final List<Graph.Assignment> assignments = new ArrayList<>();
    private final List<FeedRange> feedRanges = new ArrayList<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private final Map<String, Integer> inputs = new HashMap<>();
    private final Map<String, Integer> parameters = new HashMap<>();

    /** A builder for a new root graph. */
    public GraphBuilder() {
        this(null);
    }

    /** A builder for a graph that continues {@code parent} (null for a root graph). */
    public GraphBuilder(Graph parent) {
        this.parent = parent;
        this.base = parent == null ? 0 : parent.size();
        if (parent != null) {
            parent.inputs().forEach((k, v) -> inputs.put(k, v.id()));
            parent.parameters().forEach((k, v) -> parameters.put(k, v.id()));
        }
    }

    /** The graph this builder continues, or null. */
    public Graph parent() {
        return parent;
    }

    /** A fed input of {@code dtype} with dimensions given as sizes and symbol names, e.g. {@code ("x", F32, "B", 784)}. */
    public Tensor input(String name, DType dtype, Object... dims) {
        return input(name, dtype, Shape.symbolic(dims));
    }

    /** A fed input of {@code dtype} and {@code shape}. */
    public Tensor input(String name, DType dtype, Shape shape) {
        if (inputs.containsKey(name)) throw new IllegalArgumentException("an input named '" + name + "' already exists (node " + inputs.get(name) + ")");
        Tensor t = leaf(new Op.Input(name), shape, dtype);
        inputs.put(name, t.id());
        return t;
    }

    /** A trainable F32 parameter; its name is prefixed by the current scope, e.g. {@code fc1.weight}. */
    public Tensor parameter(String name, Init init, int... dims) {
        return parameter(name, Shape.of(dims), DType.F32, init, true);
    }

    /**
     * A persistent value named {@code scope.name}: a weight when {@code trainable}, optimiser
     * state (moments, running statistics) otherwise.
     */
    public Tensor parameter(String name, Shape shape, DType dtype, Init init, boolean trainable) {
        if (!shape.isConcrete()) throw new ShapeException("parameter '" + name + "': shape " + shape + " must be concrete");
        String full = scopes.isEmpty() ? name : String.join(".", scopes) + "." + name;
        if (parameters.containsKey(full)) {
            throw new IllegalArgumentException("a parameter named '" + full + "' already exists (node " + parameters.get(full) + "); reuse its Tensor to share it");
        }
        Tensor t = leaf(new Op.Parameter(full, init, trainable), shape, dtype);
        parameters.put(full, t.id());
        return t;
    }

    /** A constant holding {@code value}. */
    public Tensor constant(HostTensor value) {
        return apply(new Op.Constant(value));
    }

    /** An F32 scalar constant. */
    public Tensor scalar(double value) {
        return scalar(value, DType.F32);
    }

    /** A scalar constant of {@code dtype}. */
    public Tensor scalar(double value, DType dtype) {
        return constant(HostTensor.fromDoubles(dtype, Shape.scalar(), new double[] {value}));
    }

    /** A handle on node {@code id} of this builder or of the parent chain. */
    public Tensor tensor(int id) {
        node(id);
        return new Tensor(this, id);
    }

    /** The node with {@code id}, in this builder or along the parent chain. */
    public Node node(int id) {
        if (id >= base && id < base + nodes.size()) return nodes.get(id - base);
        if (id < base && id >= 0) return parent.node(id);
        throw new IndexOutOfBoundsException("no node " + id + " in this builder");
    }

    /** Number of nodes along the chain so far. */
    public int size() {
        return base + nodes.size();
    }

    /** Opens a named scope; nodes and parameters made inside carry it. Close it (try-with-resources) to leave. */
    public Scope scope(String name) {
        if (name.isEmpty() || name.contains("/")) throw new IllegalArgumentException("a scope name must be non-empty and free of '/': '" + name + "'");
        scopes.addLast(name);
        return new Scope(name);
    }

    /** The current scope path, e.g. {@code block0.attn}; empty at the top level. */
    public String scopePath() {
        return String.join(".", scopes);
    }

    /** An open scope; closing it returns to the enclosing one. */
    public final class Scope implements AutoCloseable {
        private final String name;
        private final int depth;

        private Scope(String name) {
            this.name = name;
            this.depth = scopes.size();
        }

        @Override
        public void close() {
            if (scopes.size() != depth || !scopes.peekLast().equals(name)) {
                throw new IllegalStateException("scope '" + name + "' closed out of order");
            }
            scopes.removeLast();
        }
    }

    /** Declares {@code t} an output named {@code name}. */
    public void output(String name, Tensor t) {
        own(t);
        if (outputs.containsKey(name)) throw new IllegalArgumentException("an output named '" + name + "' already exists");
        outputs.put(name, t.id());
    }

    /** After each run, parameter {@code parameter} takes {@code value} (assignments apply together, after all reads). */
    public void assign(Tensor parameter, Tensor value) {
        own(parameter);
        own(value);
        Node p = parameter.node(), v = value.node();
        if (!(p.op() instanceof Op.Parameter)) throw new IllegalArgumentException("assign: target node " + p + " is not a parameter");
        if (!p.shape().equals(v.shape()) || p.dtype() != v.dtype()) {
            throw new ShapeException("assign: " + p.path() + " is " + p.dtype().label() + p.shape() + " but the new value is "
                    + v.dtype().label() + v.shape() + " at node " + v.id());
        }
        for (Graph.Assignment a : assignments) {
            if (a.parameter() == p.id()) throw new IllegalArgumentException("assign: " + p.path() + " is already assigned in this graph");
        }
        assignments.add(new Graph.Assignment(p.id(), v.id()));
    }

    /** Adds a node applying {@code op} to {@code in}, inferring its shape and dtype. */
    public Tensor apply(Op op, Tensor... in) {
        Shape[] shapes = new Shape[in.length];
        DType[] dtypes = new DType[in.length];
        int[] ids = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            own(in[i]);
            Node n = node(in[i].id());
            shapes[i] = n.shape();
            dtypes[i] = n.dtype();
            ids[i] = n.id();
        }
        int id = size();
        ShapeRules.Result r;
        try {
            r = ShapeRules.infer(op, shapes, dtypes);
        } catch (ShapeException e) {
            String scope = scopePath();
            throw new ShapeException(e, id, (scope.isEmpty() ? "" : scope + "/") + op.label(), op.label(), List.of(shapes), List.of(dtypes));
        }
        return add(op, ids, r.shape(), r.dtype());
    }

    private Tensor leaf(Op op, Shape shape, DType dtype) {
        return add(op, new int[0], shape, dtype);
    }

    private Tensor add(Op op, int[] inputs, Shape shape, DType dtype) {
        Node n = new Node(size(), op, inputs, shape, dtype, scopePath());
        nodes.add(n);
        return new Tensor(this, n.id());
    }

    private void own(Tensor t) {
        if (t.builder() != this) {
            throw new IllegalArgumentException("tensor %" + t.id() + " belongs to another graph builder; use tensor(id) to read a parent graph's node");
        }
    }

    /**
     * Declares that the values fed to the input {@code t} reads must lie in {@code [lo, hi)} or equal
     * {@code ignored} (null for none); every backend then checks each batch on the host and raises a
     * {@link FeedException} naming the input, the element and the value ({@link FeedRange}). {@code t}
     * is the input itself or a reshape of it; for any other tensor nothing can be checked when a batch is
     * fed, and this returns false.
     */
    public boolean requireRange(Tensor t, long lo, long hi, Long ignored, String what) {
        Node n = t.node();
        while (n.op() instanceof Op.Reshape) n = node(n.input(0));
        if (!(n.op() instanceof Op.Input in)) return false;
        feedRanges.add(new FeedRange(in.name(), lo, hi, ignored, what));
        return true;
    }

    /** An immutable snapshot of the graph built so far. The builder stays usable. */
    public Graph build() {
        return new Graph(parent, nodes, outputs, assignments, feedRanges);
    }
}
