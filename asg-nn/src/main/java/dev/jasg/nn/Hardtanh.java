package dev.jasg.nn;

import dev.jasg.core.Tensor;

/** {@code torch.nn.Hardtanh}: {@code clamp(x, min_val, max_val)}, defaults -1 and 1 ({@link Tensor#hardtanh}). */
public final class Hardtanh extends Layer {
    private final double minVal, maxVal;

    /** {@code min_val=-1, max_val=1}. */
    public Hardtanh() {
        this(-1, 1);
    }

    /** The given bounds ({@code minVal <= maxVal}). */
    public Hardtanh(double minVal, double maxVal) {
        if (minVal > maxVal) throw new IllegalArgumentException("Hardtanh: min_val " + minVal + " must not exceed max_val " + maxVal);
        this.minVal = minVal;
        this.maxVal = maxVal;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.hardtanh(minVal, maxVal);
    }

    @Override
    protected String extraRepr() {
        return "min_val=" + Repr.of(minVal) + ", max_val=" + Repr.of(maxVal);
    }
}
