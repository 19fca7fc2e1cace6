package dev.jasg.core;

/**
 * A shape or dtype rule was broken while a node was added to a graph, or while feeds were
 * bound. The message names the op, the shapes and, where known, the node id and scope:
 * {@code matmul: inner dimensions differ: [32,784] x [128,10] at node 17 (fc2/matmul)}.
 */
public class ShapeException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** A shape error with a complete message. */
    public ShapeException(String message) {
        super(message);
    }
}
