package dev.jasg.nn.spec;

/**
 * A model spec that cannot be read, built or trained: what is wrong ({@link #kind()}) and where, as
 * a JSON Pointer into the document ({@link #pointer()}, RFC 6901, e.g. {@code /nodes/3/params/out_features};
 * empty for the whole document). The message starts with the pointer.
 *
 * <p>Immutable, so safe to share between threads.
 */
public class SpecException extends RuntimeException {
    /** The classes of error. */
    public enum Kind {
        /** The file is not JSON, or a field has the wrong JSON type or is missing. */
        SYNTAX,
        /** The document's {@code format_version} is newer than this library reads (or not a positive integer). */
        VERSION,
        /** A node's, optimizer's, scheduler's, loss's or dataset's type is not in the closed registry. */
        UNKNOWN_TYPE,
        /** A hyper-parameter is unknown, missing, of the wrong type or out of range. */
        BAD_PARAMETER,
        /** An edge or the output names a node or input that does not exist, or a port out of range. */
        DANGLING_EDGE,
        /** A node's input port has no edge, or two. */
        UNCONNECTED,
        /** The edges make a cycle. */
        CYCLE,
        /** Two ids are the same, or an id is not a valid name. */
        DUPLICATE_OR_BAD_ID,
        /** Shape inference fails at a node: the message names the node and the shapes. */
        SHAPE,
        /** The training settings cannot be carried out (a dataset that does not match the input, say). */
        TRAINING
    }

    private final Kind kind;
    private final String pointer;

    /** An error of {@code kind} at JSON Pointer {@code pointer}. */
    public SpecException(Kind kind, String pointer, String message) {
        this(kind, pointer, message, null);
    }

    /** An error of {@code kind} at {@code pointer}, caused by {@code cause}. */
    public SpecException(Kind kind, String pointer, String message, Throwable cause) {
        super((pointer == null || pointer.isEmpty() ? "(document)" : pointer) + ": " + message, cause);
        this.kind = kind;
        this.pointer = pointer == null ? "" : pointer;
    }

    /** What is wrong. */
    public Kind kind() {
        return kind;
    }

    /** Where, as a JSON Pointer into the spec document ("" for the whole document). */
    public String pointer() {
        return pointer;
    }
}
