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
    MINIMUM("minimum"),
    /**
     * {@code atan2(a, b)}, the angle of the point (b, a) in (-pi, pi], as {@code torch.atan2(input=a, other=b)} and
     * C's {@code atan2}: quadrant from both signs, signed zeros respected ({@code atan2(0, -0) = pi},
     * {@code atan2(-0, 1) = -0}), infinities handled. Float tensors only.
     */
    ATAN2("atan2"),
    /**
     * {@code fmod(a, b) = a - trunc(a / b) b}, computed exactly (C's {@code fmod}, Java's {@code %}): the result
     * has the sign of the dividend a, as {@code torch.fmod}. NaN where b = 0 (PyTorch raises for integer
     * tensors; an integer result reads 0 there).
     */
    FMOD("fmod");

    private final String label;

    BinaryOp(String label) {
        this.label = label;
    }

    /** The name printed in listings. */
    public String label() {
        return label;
    }

    /** True for ops defined on integer tensors too. */
    public boolean acceptsIntegers() {
        return this != ATAN2;
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
            case ATAN2 -> Math.atan2(a, b);
            case FMOD -> a % b;
        };
    }
}
