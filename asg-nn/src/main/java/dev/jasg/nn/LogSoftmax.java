package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.LogSoftmax(dim)}: {@code x_i - log sum_j exp(x_j)} along {@code dim}, computed stably. */
public final class LogSoftmax extends Layer {
    private final int dim;

    /** Log-softmax along {@code dim} (negative counts from the end). */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
