package dev.jasg.nn;

import dev.jasg.core.DType;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;

/**
 * What a module declares about one of its parameters before any graph exists: its dotted
 * name ({@code fc1.weight}), concrete shape, dtype, first value and whether the optimiser
 * trains it (a weight) or not (a buffer such as a running statistic).
 *
 * @param name      the dotted path from the module it was listed from, e.g. {@code 0.weight}
 * @param shape     concrete shape
 * @param dtype     element type
 * @param init      the parameter store's initialiser for it
 * @param trainable true for weights, false for buffers
 */
public record ParameterSpec(String name, Shape shape, DType dtype, Init init, boolean trainable) {
    /** Checks that the shape is concrete. */
    public ParameterSpec {
        if (!shape.isConcrete()) throw new IllegalArgumentException("parameter '" + name + "': shape " + shape + " must be concrete");
    }

    /** The same spec under {@code prefix.name}. */
    ParameterSpec prefixed(String prefix) {
        return new ParameterSpec(prefix + "." + name, shape, dtype, init, trainable);
    }
}
