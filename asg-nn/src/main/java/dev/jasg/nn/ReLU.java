package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.ReLU}: {@code max(x, 0)}. */
public final class ReLU extends Layer {

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
