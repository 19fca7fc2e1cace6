package dev.jasg.nn;

import dev.jasg.core.Pooling;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AdaptiveAvgPool2d}: averages an NCHW input down to {@code outH x outW} for
 * any input size; {@code (1, 1)} is global average pooling. See {@link Pooling#adaptiveAvgPool2d}.
 */
public final class AdaptiveAvgPool2d extends Layer {
    private final int outH, outW;

    /** A square output of {@code size}. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /** An output of {@code outH x outW}. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + outH + ", " + outW + ")";
    }
}
