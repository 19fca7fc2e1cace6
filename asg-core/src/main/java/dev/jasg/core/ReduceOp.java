package dev.jasg.core;

/** Reductions over chosen axes. */
public enum ReduceOp {
    /** {@code sum x} */
    SUM("sum"),
    /** {@code sum x / n} */
    MEAN("mean"),
    /** {@code max x}; the gradient is shared evenly among tied maxima (as torch.amax). */
    MAX("max"),
    /** {@code min x}; the gradient is shared evenly among tied minima (as torch.amin). */
    MIN("min");

    private final String label;

    ReduceOp(String label) {
        this.label = label;
    }

    /** The name printed in listings. */
    public String label() {
        return label;
    }

    /** The value an empty reduction starts from. */
    public double identity() {
        return switch (this) {
            case SUM, MEAN -> 0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    /** Folds one more element {@code x} into the accumulator. */
    public double combine(double acc, double x) {
        return switch (this) {
            case SUM, MEAN -> acc + x;
            case MAX -> Double.isNaN(acc) || x > acc || Double.isNaN(x) ? (Double.isNaN(acc) ? acc : x) : acc;
            case MIN -> Double.isNaN(acc) || x < acc || Double.isNaN(x) ? (Double.isNaN(acc) ? acc : x) : acc;
        };
    }

    /** The result from the accumulator after {@code n} elements. */
    public double finish(double acc, long n) {
        return this == MEAN ? acc / n : acc;
    }
}
