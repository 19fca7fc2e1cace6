package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Softmax(dim)}: {@code exp(x_i) / sum_j exp(x_j)} along {@code dim}, computed stably. */
public final class Softmax extends Layer {
    private final int dim;

    /** Softmax along {@code dim} (negative counts from the end). */
    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
