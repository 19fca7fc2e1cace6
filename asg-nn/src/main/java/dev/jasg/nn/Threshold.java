package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Threshold}: {@code value} where {@code x <= threshold}, else {@code x} ({@link Tensor#threshold}); NaN stays NaN. */
public final class Threshold extends Layer {
    private final double threshold, value;

    /** PyTorch's {@code Threshold(threshold, value)}; both are required there too. */
    public Threshold(double threshold, double value) {
        this.threshold = threshold;
        this.value = value;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.threshold(threshold, value);
    }

    @Override
    protected String extraRepr() {
        return "threshold=" + Repr.of(threshold) + ", value=" + Repr.of(value);
    }
}
