package dev.jasg.core;

/** Index of the largest or smallest element along one axis ({@link DType#I32}; first index on ties; no gradient). */
public enum ArgReduceOp {
    /** index of the maximum */
    ARGMAX("argmax"),
    /** index of the minimum */
    ARGMIN("argmin");

    private final String label;

    ArgReduceOp(String label) {
        this.label = label;
    }

    /** The name printed in listings. */
    public String label() {
        return label;
    }

    /** True when {@code x} should replace the current best {@code best}. */
    public boolean better(double x, double best) {
        return this == ARGMAX ? x > best : x < best;
    }
}
