package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Tanh}: {@code tanh x}. */
public final class Tanh extends Layer {

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
