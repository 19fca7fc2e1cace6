package dev.jasg.viewer.lab;

import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;

import java.util.List;

/**
 * A {@link GraphEdit} that does not fit the graph: the node (or inserted layer) that rejects it,
 * the shapes it was given, and why. Caught by the Model Lab and turned into an
 * {@link EditPreview.Failed}; nothing is applied.
 */
public final class GraphEditException extends ShapeException {
    private final String node;
    private final List<Shape> shapes;
    private final String reason;

    /**
     * @param node   the failing node's path, or the inserted layer's scope and title
     * @param shapes the shapes it was given (its inputs), possibly empty
     * @param reason why it fails
     * @param cause  the shape rule's exception, or null
     */
    public GraphEditException(String node, List<Shape> shapes, String reason, Throwable cause) {
        super("Model Lab edit: " + node + (shapes.isEmpty() ? "" : " with inputs " + shapes) + ": " + reason);
        if (cause != null) initCause(cause);
        this.node = node;
        this.shapes = List.copyOf(shapes);
        this.reason = reason;
    }

    /** The failing node's path (or the inserted layer's scope and title). */
    public String node() {
        return node;
    }

    /** The shapes the failing node was given. */
    public List<Shape> shapes() {
        return shapes;
    }

    /** Why it fails. */
    public String reason() {
        return reason;
    }
}
