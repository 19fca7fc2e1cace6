package dev.jasg.viewer.lab;

import java.util.Objects;

/**
 * A topology edit of a model being trained in the Model Lab (phase C), the public form of what
 * the viewer's "Insert here..." and "Delete" do. Node ids are those of the forward graph of the
 * session's last {@link dev.jasg.nn.train.ComputeUpdate.GraphReady} (or
 * {@code Trainer.forwardGraph()}).
 *
 * <p>{@link LabSession#preview(GraphEdit)} checks an edit without applying it: the edited model is
 * replayed (shape inference on every node), the loss and the gradient graph are rebuilt, and the
 * result is an {@link EditPreview.Ready} with the new graphs, or an {@link EditPreview.Failed}
 * naming the failing node and its shapes. {@link LabSession#apply(GraphEdit)} does the same and,
 * when it succeeds, continues training on the edited model with every untouched parameter and its
 * optimizer state kept; a new layer's parameters get that layer's default initialiser.
 *
 * <pre>{@code
 * EditPreview p = lab.apply(GraphEdit.insertBetween(relu, fc2Matmul, Insert.dropout(0.3))).get();
 * if (p instanceof EditPreview.Failed f) System.err.println(f.node() + " " + f.shapes() + ": " + f.reason());
 * }</pre>
 */
public sealed interface GraphEdit {
    /** A short description for logs. */
    String describe();

    /**
     * Puts {@code what} on the edge from node {@code producer} to node {@code consumer} (which must
     * read it): only that reader sees the new layer's output. The layer's scope is the producer's
     * and consumer's common scope plus {@code ins<k>_<Kind>}, e.g. {@code ins1_Dropout}.
     */
    static GraphEdit insertBetween(int producer, int consumer, Insert what) {
        return new InsertBetween(producer, consumer, what);
    }

    /**
     * Puts {@code what} on the one edge from a node of layer scope {@code producerScope} to a node of
     * layer scope {@code consumerScope} (sub-scopes included), e.g. {@code insertBetween("2", "3",
     * Insert.dropout(0.3))} after the ReLU of a {@code Sequential}. The edit fails when there is no
     * such edge or more than one (then give node ids).
     */
    static GraphEdit insertBetween(String producerScope, String consumerScope, Insert what) {
        return new InsertBetweenScopes(producerScope, consumerScope, what);
    }

    /**
     * Splices out node {@code node}: its one data input (parameters and constants aside) feeds its
     * readers instead. Refused (an {@link EditPreview.Failed}) unless the node keeps its input's
     * shape and dtype and is not a projection (MatMul, convolution, lookup). A node of an inserted
     * layer deletes that whole layer.
     */
    static GraphEdit deletePassthrough(int node) {
        return new DeletePassthrough(node, null);
    }

    /**
     * Splices out every model node in {@code scope} (a layer such as {@code 1} or
     * {@code block.norm}): allowed when they form a passthrough, one data input, one output of the
     * same shape and dtype, no projection (activations, dropout, norms, identities).
     */
    static GraphEdit deletePassthrough(String scope) {
        return new DeletePassthrough(-1, Objects.requireNonNull(scope, "scope"));
    }

    /**
     * Deletes node {@code node} and, when it alone is not a passthrough, the innermost layer around
     * it that is: the node's scope, then that scope's parent, and so on ({@code 3/MatMul} of a
     * {@code Linear(16, 16)} takes the whole layer {@code 3} with its weight and bias). A layer
     * that keeps its input's shape and dtype may be a projection here (a square Linear); the
     * preview's description lists every node that goes. A node of an inserted layer deletes that
     * layer. Refused (an {@link EditPreview.Failed}) when no enclosing layer keeps the shape.
     */
    static GraphEdit deleteCascade(int node) {
        return new DeleteCascade(node);
    }

    /** See {@link #insertBetween}. */
    record InsertBetween(int producer, int consumer, Insert what) implements GraphEdit {
        /** Checks the arguments. */
        public InsertBetween {
            Objects.requireNonNull(what, "what");
        }

        @Override
        public String describe() {
            return "insert " + what.title() + " between " + producer + " and " + consumer;
        }
    }

    /** See {@link #insertBetween(String, String, Insert)}. */
    record InsertBetweenScopes(String producer, String consumer, Insert what) implements GraphEdit {
        /** Checks the arguments. */
        public InsertBetweenScopes {
            Objects.requireNonNull(producer, "producer");
            Objects.requireNonNull(consumer, "consumer");
            Objects.requireNonNull(what, "what");
        }

        @Override
        public String describe() {
            return "insert " + what.title() + " between scopes " + producer + " and " + consumer;
        }
    }

    /** See {@link #deleteCascade(int)}. */
    record DeleteCascade(int node) implements GraphEdit {
        @Override
        public String describe() {
            return "delete node " + node + " with its layer";
        }
    }

    /** See {@link #deletePassthrough(int)} (scope null) and {@link #deletePassthrough(String)}. */
    record DeletePassthrough(int node, String scope) implements GraphEdit {
        @Override
        public String describe() {
            return "delete " + (scope == null ? "node " + node : "scope " + scope);
        }
    }
}
