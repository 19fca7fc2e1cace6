package dev.jasg.core;

import java.util.List;

/**
 * A shape or dtype rule was broken while a node was added to a graph, or while feeds were
 * bound. The message names the op, the shapes and, where known, the node id and scope:
 * {@code matmul: inner dimensions differ: [32,784] x [128,10] at node 17 (fc2/matmul)}.
 *
 * <p>The message is English. For texts in other languages the exception also carries what it
 * names as data: the {@link Kind} of rule broken, and, when it was thrown while a node was added
 * ({@link GraphBuilder#apply}), the node's id and path, the op and the shapes and dtypes of its
 * inputs. Immutable, so safe to share between threads. The shapes and dtypes are not serialised.
 */
public class ShapeException extends JasgException {
    private static final long serialVersionUID = 2L;

    /** Which rule was broken, for a text in another language; {@link #OTHER} for every rule not named here. */
    public enum Kind {
        /** A matrix product's inner dimensions differ ({@code [m,k] x [k',n]}, k != k'). */
        INNER_DIMENSIONS,
        /** Two shapes do not broadcast against each other. */
        BROADCAST,
        /** A convolution's input channels do not match its weight. */
        CHANNELS,
        /** A reshape to a shape with another element count. */
        ELEMENT_COUNT,
        /** The inputs' dtypes do not fit the op (float needed, or two dtypes differ). */
        DTYPE,
        /** Any other rule: the English message is the only text. */
        OTHER
    }

    private final Kind kind;
    private final int node;
    private final String nodePath;
    private final String op;
    private final transient List<Shape> inputShapes;
    private final transient List<DType> inputDtypes;

    /** A shape error with a complete message, of kind {@link Kind#OTHER}. */
    public ShapeException(String message) {
        this(Kind.OTHER, message);
    }

    /** A shape error of {@code kind} with a complete message. */
    public ShapeException(Kind kind, String message) {
        super(message);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.node = -1;
        this.nodePath = null;
        this.op = null;
        this.inputShapes = List.of();
        this.inputDtypes = List.of();
    }

    /**
     * The error {@code rule} (thrown by a shape rule) at the node that was being added: the message
     * is the rule's followed by {@code " at node <id> (<path>)"}; the kind is the rule's.
     *
     * @param rule        the rule's exception
     * @param node        the id the node would have had
     * @param nodePath    its path, {@code scope/op}
     * @param op          the op's label
     * @param inputShapes the shapes of its inputs
     * @param inputDtypes the dtypes of its inputs
     */
    public ShapeException(ShapeException rule, int node, String nodePath, String op, List<Shape> inputShapes, List<DType> inputDtypes) {
        super(rule.getMessage() + " at node " + node + " (" + nodePath + ")");
        this.kind = rule.kind();
        this.node = node;
        this.nodePath = nodePath;
        this.op = op;
        this.inputShapes = List.copyOf(inputShapes);
        this.inputDtypes = List.copyOf(inputDtypes);
    }

    /** The rule broken; {@link Kind#OTHER} when it has no kind of its own. */
    public Kind kind() {
        return kind;
    }

    /** True when the node being added is known ({@link #nodeId()}, {@link #nodePath()}, {@link #op()}, the input shapes). */
    public boolean hasNode() {
        return node >= 0;
    }

    /** The id the failing node would have had, or -1 when unknown. */
    public int nodeId() {
        return node;
    }

    /** The failing node's path ({@code scope/op}), or null when unknown. */
    public String nodePath() {
        return nodePath;
    }

    /** The failing op's label ({@code matmul}), or null when unknown. */
    public String op() {
        return op;
    }

    /** The shapes of the failing node's inputs; empty when unknown. */
    public List<Shape> inputShapes() {
        return inputShapes == null ? List.of() : inputShapes;
    }

    /** The dtypes of the failing node's inputs; empty when unknown. */
    public List<DType> inputDtypes() {
        return inputDtypes == null ? List.of() : inputDtypes;
    }
}
