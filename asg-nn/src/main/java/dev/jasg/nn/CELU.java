package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.CELU}: {@code max(0, x) + min(0, alpha (exp(x / alpha) - 1))}, alpha defaults to 1 ({@link Tensor#celu}). */
public final class CELU extends Layer {
    private final double alpha;

    /** Alpha 1, as PyTorch. */
    public CELU() {
        this(1);
    }

    /** The given {@code alpha} (not 0). */
    public CELU(double alpha) {
        if (alpha == 0) throw new IllegalArgumentException("CELU: alpha must not be 0");
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.celu(alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + Repr.of(alpha);
    }
}
