package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Hardsigmoid}: {@code relu6(x + 3) / 6} ({@link Tensor#hardsigmoid}). */
public final class Hardsigmoid extends Layer {
    /** The layer; it has no parameters. */
    public Hardsigmoid() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.hardsigmoid();
    }
}
