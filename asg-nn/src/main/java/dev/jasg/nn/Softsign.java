package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Softsign}: {@code x / (1 + |x|)} ({@link Tensor#softsign}). */
public final class Softsign extends Layer {
    /** The layer; it has no parameters. */
    public Softsign() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.softsign();
    }
}
