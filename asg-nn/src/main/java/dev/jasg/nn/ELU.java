package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.ELU}: {@code x} for {@code x > 0}, else {@code alpha (e^x - 1)}; alpha defaults to 1. */
public final class ELU extends Layer {
    private final double alpha;

    /** Alpha 1, as PyTorch. */
    public ELU() {
        this(1);
    }

    /** The given {@code alpha}. */
    public ELU(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.elu(alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + Repr.of(alpha);
    }
}
