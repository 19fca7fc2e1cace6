package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Sigmoid}: {@code 1 / (1 + e^-x)}. */
public final class Sigmoid extends Layer {

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
