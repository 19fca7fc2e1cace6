package dev.jasg.core;

/** The feeds of a run do not match the graph's inputs: a missing or unknown name, a wrong shape or dtype. */
public class FeedException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** A feed error with a message naming the input and what was wrong. */
    public FeedException(String message) {
        super(message);
    }
}
