package dev.jasg.core;

/** Elementwise comparisons producing a {@link DType#BOOL} mask; they have no gradient. */
public enum CompareOp {
    /** {@code a == b} */
    EQ("eq"),
    /** {@code a != b} */
    NE("ne"),
    /** {@code a < b} */
    LT("lt"),
    /** {@code a <= b} */
    LE("le"),
    /** {@code a > b} */
    GT("gt"),
    /** {@code a >= b} */
    GE("ge");

    private final String label;

    CompareOp(String label) {
        this.label = label;
    }

    /** The name printed in listings. */
    public String label() {
        return label;
    }

    /** The comparison at {@code (a, b)}. */
    public boolean test(double a, double b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}
