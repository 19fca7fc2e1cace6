package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.SELU}: {@code scale elu(x, alpha)}, {@code alpha = 1.6732632423543772}, {@code scale = 1.0507009873554805} ({@link Tensor#selu}). */
public final class SELU extends Layer {
    /** The layer; it has no parameters. */
    public SELU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.selu();
    }
}
