package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Mish}: {@code x tanh(softplus(x))} ({@link Tensor#mish}). */
public final class Mish extends Layer {
    /** The layer; it has no parameters. */
    public Mish() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.mish();
    }
}
