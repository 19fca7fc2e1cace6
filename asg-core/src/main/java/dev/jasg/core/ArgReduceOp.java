package dev.jasg.core;

/**
 * Index of the largest or smallest element along one axis ({@link DType#I32}; first index on ties; no gradient).
 * As in PyTorch, NaN counts as both the largest and the smallest value: the first NaN wins.
 */
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

    /** True when {@code x} should replace the current best {@code best} (a NaN replaces any number, never a NaN). */
    public boolean better(double x, double best) {
        if (Double.isNaN(best)) return false;
        if (Double.isNaN(x)) return true;
        return this == ARGMAX ? x > best : x < best;
    }
}
