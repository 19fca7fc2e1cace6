package dev.jasg.nn.train;

import dev.jasg.core.DType;
import dev.jasg.core.Shape;

/**
 * A fed tensor of a training graph: its name, dtype and shape, whose dimensions may be symbols
 * bound when data is fed, e.g. {@code new InputSpec("x", DType.F32, Shape.symbolic("B", 784))}.
 *
 * @param name  feed name
 * @param dtype element type
 * @param shape shape, with the batch usually the symbol {@code "B"}
 */
public record InputSpec(String name, DType dtype, Shape shape) {
    /** A spec whose dimensions are sizes and symbol names: {@code InputSpec.of("x", F32, "B", 784)}. */
    public static InputSpec of(String name, DType dtype, Object... dims) {
        return new InputSpec(name, dtype, Shape.symbolic(dims));
    }
}
