package dev.jasg.core;

/** The backend asked for cannot start here: no such backend on the class path, or its device or driver is missing. */
public class BackendUnavailableException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** An error whose message says what is missing and how to install it. */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /** An error with a message and a cause. */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
