package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Identity}: returns its input; a placeholder where a layer is optional. */
public final class Identity extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }
}
