package dev.jasg.nn;

import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AdaptiveMaxPool1d}: the maximum over {@code out} windows covering an NCL input
 * of any length (window {@code o} of a length {@code n} spans
 * {@code [floor(o n / out), ceil((o+1) n / out))}). {@link Tensor#maxPool2d} on {@code [N, C, 1, L]}.
 */
public final class AdaptiveMaxPool1d extends Layer {
    private final PoolWindow.Adaptive window;

    /** An output of {@code outputSize} positions. */
    public AdaptiveMaxPool1d(int outputSize) {
        this.window = new PoolWindow.Adaptive(1, outputSize);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3) throw new IllegalArgumentException("AdaptiveMaxPool1d: expected an NCL input of rank 3, got " + x.shape() + " at node " + x.id());
        return x.unsqueeze(2).maxPool2d(window).squeeze(2);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + window.outW();
    }
}
