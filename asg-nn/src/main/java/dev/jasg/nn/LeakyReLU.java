package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.LeakyReLU}: {@code x} for {@code x > 0}, else {@code negative_slope * x}; the slope defaults to 0.01. */
public final class LeakyReLU extends Layer {
    private final double negativeSlope;

    /** Slope 0.01, as PyTorch. */
    public LeakyReLU() {
        this(0.01);
    }

    /** Slope {@code negativeSlope} for negative inputs. */
    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + Repr.of(negativeSlope);
    }
}
