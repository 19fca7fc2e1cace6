package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.LogSigmoid}: {@code log sigmoid(x) = -softplus(-x)}, stable for large {@code |x|} ({@link Tensor#logSigmoid}). */
public final class LogSigmoid extends Layer {
    /** The layer; it has no parameters. */
    public LogSigmoid() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.logSigmoid();
    }
}
