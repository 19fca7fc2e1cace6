package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.GELU}: {@code x Phi(x)} exactly ({@code approximate = "none"}, the default) or
 * with the tanh approximation {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} ({@code "tanh"}).
 */
public final class GELU extends Layer {
    private final String approximate;

    /** The exact GELU. */
    public GELU() {
        this("none");
    }

    /** {@code approximate} is {@code "none"} or {@code "tanh"}. */
    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("GELU: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        }
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu(approximate);
    }

    @Override
    protected String extraRepr() {
        return "approximate=" + Repr.of(approximate);
    }
}
