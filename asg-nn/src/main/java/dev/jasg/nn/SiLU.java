package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.SiLU} (swish): {@code x sigmoid(x)}. */
public final class SiLU extends Layer {

    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}
