package dev.jasg.core;

/**
 * A linear-algebra op met a matrix it is not defined for at run time: a singular matrix in
 * {@code solve} or {@code inv}, one that is not positive-definite in {@code cholesky}. The message
 * names the op, the node and the matrix of the batch. Immutable.
 */
public class LinalgException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final int node;
    private final long matrix;

    /** An error at node {@code node}, matrix {@code matrix} of the batch (row-major over the leading axes). */
    public LinalgException(String message, int node, long matrix) {
        super(message);
        this.node = node;
        this.matrix = matrix;
    }

    /** The node's id. */
    public int node() {
        return node;
    }

    /** The flat index of the failing matrix in the batch. */
    public long matrix() {
        return matrix;
    }

    /** The error for {@code op} at {@code n}, matrix {@code matrix}: singular or not positive-definite. */
    public static LinalgException of(Node n, LinalgOp op, long matrix, int[] inDims, String problem) {
        return new LinalgException("linalg." + op.label() + ": " + problem + " (matrix " + matrix + " of input " + Shape.of(inDims)
                + ") at node %" + n.id() + " '" + n.path() + "'", n.id(), matrix);
    }
}
