package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.GLU}: the halves {@code a, b} of axis {@code dim} (default -1, even size) give {@code a sigmoid(b)} ({@link Tensor#glu}). */
public final class GLU extends Layer {
    private final int dim;

    /** Along the last axis, as PyTorch. */
    public GLU() {
        this(-1);
    }

    /** Along axis {@code dim} (negative counts from the end). */
    public GLU(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.glu(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
