package dev.jasg.core;

/** Elementwise functions of two tensors, with numpy/PyTorch broadcasting. */
public enum BinaryOp {
    /** {@code a + b} */
    ADD("add"),
    /** {@code a - b} */
    SUB("sub"),
    /** {@code a * b} */
    MUL("mul"),
    /** {@code a / b} */
    DIV("div"),
    /** {@code a ^ b} */
    POW("pow"),
    /** {@code max(a, b)}; on ties the gradient is split evenly, as in PyTorch. */
    MAXIMUM("maximum"),
    /** {@code min(a, b)}; on ties the gradient is split evenly, as in PyTorch. */
    MINIMUM("minimum");

    private final String label;

    BinaryOp(String label) {
        this.label = label;
    }

    /** The name printed in listings. */
    public String label() {
        return label;
    }

    /** The function at {@code (a, b)}. */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
        };
    }
}
