package dev.jasg.viewer.lab;

import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;

import java.util.List;

/**
 * A {@link GraphEdit} (or {@link LayerResize}) that does not fit the graph: the node (or inserted
 * layer) that rejects it, the shapes it was given, and why, as a {@link LabText} the viewer shows in
 * its language. Caught by the Model Lab and turned into an {@link EditPreview.Failed}; nothing is
 * applied. Immutable.
 */
public final class GraphEditException extends ShapeException {
    private final String node;
    private final List<Shape> shapes;
    private final LabText text;

    /**
     * @param node   the failing node's path, or the inserted layer's scope and title
     * @param shapes the shapes it was given (its inputs), possibly empty
     * @param text   why it fails
     * @param cause  the shape rule's exception, or null
     */
    public GraphEditException(String node, List<Shape> shapes, LabText text, Throwable cause) {
        super("Model Lab edit: " + node + (shapes.isEmpty() ? "" : " with inputs " + shapes) + ": " + text.english());
        if (cause != null) initCause(cause);
        this.node = node;
        this.shapes = List.copyOf(shapes);
        this.text = text;
    }

    /** The failing node's path (or the inserted layer's scope and title). */
    public String node() {
        return node;
    }

    /** The shapes the failing node was given. */
    public List<Shape> shapes() {
        return shapes;
    }

    /** Why it fails, in English. */
    public String reason() {
        return text.english();
    }

    /** Why it fails, in any language. */
    public LabText text() {
        return text;
    }
}
