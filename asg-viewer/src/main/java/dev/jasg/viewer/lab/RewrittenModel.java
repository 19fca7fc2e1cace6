package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * Any model with some of its ops replaced: the Model Lab's way to swap an activation or edit a
 * constant without touching the model's classes or the immutable graphs.
 *
 * <p>{@link #forward} builds the wrapped model on a scratch builder, then replays that graph node
 * by node onto the caller's builder, in the same order and scopes, with every edited node's op
 * replaced. Parameters keep their names, so a trainer built on this model over an existing
 * parameter store continues with the same weights. The replay makes exactly one node per scratch
 * node, so the model's nodes keep their ids: an edit is keyed by the node's position in the model
 * (its <em>ordinal</em>, 1 for the first node after the input) and stays valid across rebuilds.
 * With no edits the replayed graph is the one the model would have built.
 */
public final class RewrittenModel extends Layer {
    private final Layer inner;
    private final Map<Integer, Op> edits = new TreeMap<>();
    // Parameters already replayed on a builder: a model applied twice on one graph shares them.
    private final Map<GraphBuilder, Map<String, Tensor>> parameters = new WeakHashMap<>();
    private int trainingStart = -1;
    private int modelSize;

    /** Wraps {@code inner} (an unregistered root module) with no edits. */
    public RewrittenModel(Layer inner) {
        this.inner = inner;
    }

    /** The wrapped model. */
    public Layer inner() {
        return inner;
    }

    @Override
    public <L extends Layer> L train(boolean mode) {
        if (inner != null) inner.train(mode);
        return super.train(mode);
    }

    @Override
    public Tensor forward(Tensor x) {
        GraphBuilder real = x.builder();
        GraphBuilder scratch = new GraphBuilder();
        String inputName = x.node().op() instanceof Op.Input in ? in.name() : "x";
        Tensor sx = scratch.input(inputName, x.dtype(), x.shape());
        Tensor sy = inner.apply(sx);
        Graph g = scratch.build();
        int start = real.size();
        Tensor[] replayed = new Tensor[g.size()];
        replayed[sx.id()] = x;
        Map<String, Tensor> params = parameters.computeIfAbsent(real, b -> new java.util.HashMap<>());
        for (Node n : g.nodes()) {
            if (n.id() == sx.id()) continue;
            Op op = edits.getOrDefault(n.id(), n.op());
            Tensor t;
            if (op instanceof Op.Parameter p) {
                t = params.get(p.name());
                if (t == null) {
                    t = parameterIn(real, n, p);
                    params.put(p.name(), t);
                }
            } else if (op instanceof Op.Input in) {
                t = real.input(in.name(), n.dtype(), n.shape());
            } else {
                Tensor[] inputs = new Tensor[n.arity()];
                for (int i = 0; i < inputs.length; i++) inputs[i] = replayed[n.input(i)];
                t = applyIn(real, n.scope(), op, inputs);
            }
            if (op != n.op() && (!t.shape().equals(n.shape()) || t.dtype() != n.dtype())) {
                throw new ShapeException("Model Lab: " + op.label() + " gives " + t.dtype().label() + t.shape() + " where " + n.path()
                        + " gave " + n.dtype().label() + n.shape() + "; a replacement must keep the shape and dtype");
            }
            replayed[n.id()] = t;
        }
        for (Graph.Assignment a : g.assignments()) real.assign(replayed[a.parameter()], replayed[a.value()]);
        if (isTraining()) {
            trainingStart = start;
            modelSize = g.size() - 1;
        }
        return replayed[sy.id()];
    }

    /** The parameter in its scope, so it is drawn and named as the model made it ({@code 3.weight} in scope {@code 3}). */
    @SuppressWarnings("try") // the scope is entered for its effect on the node's scope and name
    private static Tensor parameterIn(GraphBuilder b, Node n, Op.Parameter p) {
        String prefix = n.scope() + ".";
        if (n.scope().isEmpty() || !p.name().startsWith(prefix)) return b.parameter(p.name(), n.shape(), n.dtype(), p.init(), p.trainable());
        try (var s = b.scope(n.scope())) {
            return b.parameter(p.name().substring(prefix.length()), n.shape(), n.dtype(), p.init(), p.trainable());
        }
    }

    @SuppressWarnings("try")
    private static Tensor applyIn(GraphBuilder b, String scope, Op op, Tensor[] inputs) {
        if (scope.isEmpty()) return b.apply(op, inputs);
        try (var s = b.scope(scope)) {
            return b.apply(op, inputs);
        }
    }

    /**
     * The model position of node {@code id} of the last training graph built from this model; throws
     * when the node is not the model's (an input of the trainer or part of the loss).
     */
    public int ordinalOf(int id) {
        if (trainingStart < 0) throw new IllegalStateException("Model Lab: no training graph has been built from this model yet");
        int ordinal = id - trainingStart + 1;
        if (ordinal < 1 || ordinal > modelSize) {
            throw new IllegalArgumentException("Model Lab: node " + id + " is not part of the model (nodes " + trainingStart + ".."
                    + (trainingStart + modelSize - 1) + "); the inputs and the loss cannot be edited");
        }
        return ordinal;
    }

    /** True when node {@code id} of the last training graph belongs to the model. */
    public boolean contains(int id) {
        return trainingStart >= 0 && id >= trainingStart && id < trainingStart + modelSize;
    }

    /**
     * Replaces the op of node {@code id} of the last training graph by {@code op} from the next
     * build on; returns the edit it overrides, or null.
     */
    public Op edit(int id, Op op) {
        if (op instanceof Op.Input || op instanceof Op.Parameter) throw new IllegalArgumentException("Model Lab: an input or a parameter cannot be put in place of an op");
        return edits.put(ordinalOf(id), op);
    }

    /** Puts back {@code previous} (null: the model's own op) at node {@code id}, undoing an {@link #edit}. */
    public void restore(int id, Op previous) {
        if (previous == null) edits.remove(ordinalOf(id));
        else edits.put(ordinalOf(id), previous);
    }

    /** The edits by ordinal. */
    public Map<Integer, Op> edits() {
        return Collections.unmodifiableMap(new TreeMap<>(edits));
    }

    @Override
    public String toString() {
        return inner + (edits.isEmpty() ? "" : " with edits " + edits);
    }
}
