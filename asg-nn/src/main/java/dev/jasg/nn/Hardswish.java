package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Hardswish}: {@code x relu6(x + 3) / 6} ({@link Tensor#hardswish}). */
public final class Hardswish extends Layer {
    /** The layer; it has no parameters. */
    public Hardswish() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.hardswish();
    }
}
