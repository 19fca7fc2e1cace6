package dev.jasg.nn.spec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Undo and redo over immutable {@link ModelSpec} snapshots: each {@link #apply} of an {@link Edit}
 * makes a new spec, pushes the old one on the undo stack and clears the redo stack, as editors do.
 * The viewer binds its canvas to {@link #current()}.
 *
 * <pre>{@code
 * EditHistory h = new EditHistory(Templates.load("MLP"));
 * h.apply(new EditHistory.SetParam("fc1", "out_features", 256));
 * h.undo();   // back to 128
 * h.redo();
 * }</pre>
 *
 * <p>Not thread-safe: confine to one thread (the Swing event thread).
 */
public final class EditHistory {
    /** One edit of a spec; {@link #applyTo} returns the edited copy. */
    public sealed interface Edit {
        /** The spec with this edit made; a structural mistake (an unknown node) is an {@link IllegalArgumentException}. */
        ModelSpec applyTo(ModelSpec s);
    }

    /** Adds {@code node} (its id must be new), optionally at a canvas position. */
    public record AddNode(ModelSpec.Node node, ModelSpec.Position at) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            if (s.node(node.id()) != null || s.inputs().stream().anyMatch(i -> i.name().equals(node.id()))) {
                throw new IllegalArgumentException("AddNode: the id '" + node.id() + "' is taken");
            }
            ModelSpec out = s.withNodes(ModelSpec.plus(s.nodes(), node));
            if (at != null) {
                var l = new java.util.LinkedHashMap<>(s.layout());
                l.put(node.id(), at);
                out = out.withLayout(l);
            }
            return out;
        }
    }

    /** Removes node {@code id}, the edges to and from it, its position, and the output when it was the output. */
    public record RemoveNode(String id) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            if (s.node(id) == null) throw new IllegalArgumentException("RemoveNode: no node '" + id + "'");
            List<ModelSpec.Node> nodes = s.nodes().stream().filter(n -> !n.id().equals(id)).toList();
            List<ModelSpec.Edge> edges = s.edges().stream().filter(e -> !e.from().equals(id) && !e.to().equals(id)).toList();
            var l = new java.util.LinkedHashMap<>(s.layout());
            l.remove(id);
            return s.withNodes(nodes).withEdges(edges).withLayout(l).withOutput(id.equals(s.output()) ? null : s.output());
        }
    }

    /** Adds {@code edge}, replacing whatever fed that port before. */
    public record Connect(ModelSpec.Edge edge) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            if (s.node(edge.to()) == null) throw new IllegalArgumentException("Connect: no node '" + edge.to() + "'");
            List<ModelSpec.Edge> edges = new ArrayList<>(s.edges().stream().filter(e -> !(e.to().equals(edge.to()) && e.port() == edge.port())).toList());
            edges.add(edge);
            return s.withEdges(edges);
        }
    }

    /** Removes the edge feeding port {@code port} of node {@code to}. */
    public record Disconnect(String to, int port) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            List<ModelSpec.Edge> edges = s.edges().stream().filter(e -> !(e.to().equals(to) && e.port() == port)).toList();
            if (edges.size() == s.edges().size()) throw new IllegalArgumentException("Disconnect: port " + port + " of '" + to + "' is not connected");
            return s.withEdges(edges);
        }
    }

    /** Sets hyper-parameter {@code name} of node {@code id} to {@code value}; a null value with {@code reset} returns it to its default. */
    public record SetParam(String id, String name, Object value, boolean reset) implements Edit {
        /** Sets {@code name} to {@code value}. */
        public SetParam(String id, String name, Object value) {
            this(id, name, value, false);
        }

        @Override
        public ModelSpec applyTo(ModelSpec s) {
            int i = s.nodeIndex(id);
            if (i < 0) throw new IllegalArgumentException("SetParam: no node '" + id + "'");
            List<ModelSpec.Node> nodes = new ArrayList<>(s.nodes());
            nodes.set(i, nodes.get(i).withParam(name, value, reset));
            return s.withNodes(nodes);
        }
    }

    /** Sets the output node. */
    public record SetOutput(String id) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            return s.withOutput(id);
        }
    }

    /** Replaces the training settings. */
    public record SetTraining(ModelSpec.Training training) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            return s.withTraining(training);
        }
    }

    /** Replaces the graph's inputs (their names, dtypes and shapes); edges from a removed input name are dropped. */
    public record SetInputs(List<ModelSpec.Input> inputs) implements Edit {
        /** Copies the list. */
        public SetInputs {
            inputs = List.copyOf(inputs);
        }

        @Override
        public ModelSpec applyTo(ModelSpec s) {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (ModelSpec.Input i : inputs) {
                if (!names.add(i.name()) || s.node(i.name()) != null) throw new IllegalArgumentException("SetInputs: the name '" + i.name() + "' is taken");
            }
            java.util.Set<String> old = new java.util.HashSet<>();
            for (ModelSpec.Input i : s.inputs()) old.add(i.name());
            old.removeAll(names);
            List<ModelSpec.Edge> edges = s.edges().stream().filter(e -> !old.contains(e.from())).toList();
            var l = new java.util.LinkedHashMap<>(s.layout());
            old.forEach(l::remove);
            return s.withInputs(inputs).withEdges(edges).withLayout(l).withOutput(old.contains(s.output()) ? null : s.output());
        }
    }

    /** Moves a node or input on the canvas. */
    public record Move(String id, ModelSpec.Position to) implements Edit {
        @Override
        public ModelSpec applyTo(ModelSpec s) {
            var l = new java.util.LinkedHashMap<>(s.layout());
            l.put(id, to);
            return s.withLayout(l);
        }
    }

    private final Deque<ModelSpec> undo = new ArrayDeque<>();
    private final Deque<ModelSpec> redo = new ArrayDeque<>();
    private ModelSpec current;

    /** A history starting at {@code initial}. */
    public EditHistory(ModelSpec initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    /** The spec as edited so far. */
    public ModelSpec current() {
        return current;
    }

    /** Makes {@code edit}; a failing edit changes nothing. Returns the new spec. */
    public ModelSpec apply(Edit edit) {
        ModelSpec next = edit.applyTo(current);
        undo.push(current);
        redo.clear();
        current = next;
        return current;
    }

    /** Whether there is an edit to undo. */
    public boolean canUndo() {
        return !undo.isEmpty();
    }

    /** Whether there is an undone edit to redo. */
    public boolean canRedo() {
        return !redo.isEmpty();
    }

    /** Undoes the last edit; returns the spec. {@link IllegalStateException} when there is none. */
    public ModelSpec undo() {
        if (undo.isEmpty()) throw new IllegalStateException("nothing to undo");
        redo.push(current);
        current = undo.pop();
        return current;
    }

    /** Redoes the last undone edit; returns the spec. {@link IllegalStateException} when there is none. */
    public ModelSpec redo() {
        if (redo.isEmpty()) throw new IllegalStateException("nothing to redo");
        undo.push(current);
        current = redo.pop();
        return current;
    }
}
