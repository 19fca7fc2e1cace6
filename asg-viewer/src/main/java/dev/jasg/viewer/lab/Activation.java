package dev.jasg.viewer.lab;

import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;

import java.util.Optional;

/**
 * The activations the Model Lab offers when replacing one: each is one elementwise
 * {@link Op.Unary} node, so any of them fits where another was (same shape, same dtype), with
 * PyTorch's default parameters.
 */
public enum Activation {
    /** {@code max(x, 0)}. */
    RELU("ReLU", Op.Unary.of(UnaryOp.RELU)),
    /** The exact GELU. */
    GELU("GELU", Op.Unary.of(UnaryOp.GELU)),
    /** {@code x sigmoid(x)}. */
    SILU("SiLU", Op.Unary.of(UnaryOp.SILU)),
    /** The logistic function. */
    SIGMOID("Sigmoid", Op.Unary.of(UnaryOp.SIGMOID)),
    /** Hyperbolic tangent. */
    TANH("Tanh", Op.Unary.of(UnaryOp.TANH)),
    /** Negative slope 0.01. */
    LEAKY_RELU("LeakyReLU", new Op.Unary(UnaryOp.LEAKY_RELU, 0.01, 0)),
    /** Alpha 1. */
    ELU("ELU", new Op.Unary(UnaryOp.ELU, 1, 0));

    private final String title;
    private final Op.Unary op;

    Activation(String title, Op.Unary op) {
        this.title = title;
        this.op = op;
    }

    /** The name PyTorch gives the module, e.g. {@code LeakyReLU}. */
    public String title() {
        return title;
    }

    /** The op that computes it. */
    public Op.Unary op() {
        return op;
    }

    /** The activation {@code op} computes, whatever its parameters; empty for any other op. */
    public static Optional<Activation> of(Op op) {
        if (!(op instanceof Op.Unary u)) return Optional.empty();
        for (Activation a : values()) if (a.op.kind() == u.kind()) return Optional.of(a);
        return Optional.empty();
    }
}
