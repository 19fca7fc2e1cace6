package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.ReLU6}: {@code min(max(x, 0), 6)} ({@link Tensor#relu6}). */
public final class ReLU6 extends Layer {
    /** The layer; it has no parameters. */
    public ReLU6() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.relu6();
    }
}
