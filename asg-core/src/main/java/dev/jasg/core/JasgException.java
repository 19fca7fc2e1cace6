package dev.jasg.core;

/** Base of every exception JASG throws on purpose; the message names what was wrong and where. */
public class JasgException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message. */
    public JasgException(String message) {
        super(message);
    }

    /** An exception with a message and a cause. */
    public JasgException(String message, Throwable cause) {
        super(message, cause);
    }
}
