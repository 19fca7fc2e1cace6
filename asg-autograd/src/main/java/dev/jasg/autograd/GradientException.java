package dev.jasg.autograd;

import dev.jasg.core.JasgException;

/**
 * A gradient was asked for that does not exist: the loss depends on a {@code wrt} tensor
 * only through non-differentiable ops (comparisons, arg-max/arg-min, casts to integer or
 * bool types), the loss is not a float scalar, or a {@code wrt} is not a float tensor.
 * The message names the wrt, the loss and, where there is one, the blocking node
 * ({@code %id op path}).
 */
public class GradientException extends JasgException {
    private static final long serialVersionUID = 1L;

    /** A gradient error with a complete message. */
    public GradientException(String message) {
        super(message);
    }
}
