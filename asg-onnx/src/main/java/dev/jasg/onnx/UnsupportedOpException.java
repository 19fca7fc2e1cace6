package dev.jasg.onnx;

/**
 * A node whose operator (or one of its attributes) JASG cannot express. Thrown while the model is
 * read, before any graph is built or run; {@link #op()} and {@link #node()} name it.
 */
public final class UnsupportedOpException extends OnnxException {
    private static final long serialVersionUID = 1L;
    private final String op;
    private final String node;

    /** Node {@code node} (its name, or its index when unnamed) of operator {@code op} cannot be imported: {@code why}. */
    public UnsupportedOpException(String op, String node, String why) {
        super("ONNX op '" + op + "' (node '" + node + "') is not supported: " + why);
        this.op = op;
        this.node = node;
    }

    /** The ONNX operator type, e.g. {@code LSTM}. */
    public String op() {
        return op;
    }

    /** The node's name (or {@code #index} when the node is unnamed). */
    public String node() {
        return node;
    }
}
