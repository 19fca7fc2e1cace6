package dev.jasg.core;

/** A backend could not compile or run a graph: an unsupported dtype, a missing feed, a device error. */
public class BackendException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** A backend error with a message. */
    public BackendException(String message) {
        super(message);
    }

    /** A backend error with a message and a cause. */
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
