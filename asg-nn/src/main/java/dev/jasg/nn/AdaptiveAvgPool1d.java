package dev.jasg.nn;

import dev.jasg.core.Pooling;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AdaptiveAvgPool1d}: the mean over {@code out} windows covering an NCL input of
 * any length (window {@code o} of a length {@code n} spans
 * {@code [floor(o n / out), ceil((o+1) n / out))}). {@link Pooling#adaptiveAvgPool2d} on {@code [N, C, 1, L]}.
 */
public final class AdaptiveAvgPool1d extends Layer {
    private final int outputSize;

    /** An output of {@code outputSize} positions. */
    public AdaptiveAvgPool1d(int outputSize) {
        if (outputSize < 1) throw new IllegalArgumentException("AdaptiveAvgPool1d: output_size must be >= 1, got " + outputSize);
        this.outputSize = outputSize;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3) throw new IllegalArgumentException("AdaptiveAvgPool1d: expected an NCL input of rank 3, got " + x.shape() + " at node " + x.id());
        return Pooling.adaptiveAvgPool2d(x.unsqueeze(2), 1, outputSize).squeeze(2);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + outputSize;
    }
}
