package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Softplus}: {@code log(1 + e^(beta x)) / beta}, reverting to {@code x} where
 * {@code beta x > threshold} for numerical stability; defaults beta = 1, threshold = 20.
 */
public final class Softplus extends Layer {
    private final double beta;
    private final double threshold;

    /** Beta 1, threshold 20, as PyTorch. */
    public Softplus() {
        this(1, 20);
    }

    /** The given {@code beta} and {@code threshold}. */
    public Softplus(double beta, double threshold) {
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softplus(beta, threshold);
    }

    @Override
    protected String extraRepr() {
        return "beta=" + Repr.of(beta) + ", threshold=" + Repr.of(threshold);
    }
}
