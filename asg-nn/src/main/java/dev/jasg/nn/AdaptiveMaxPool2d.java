package dev.jasg.nn;

import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.AdaptiveMaxPool2d}: the maximum over {@code outH x outW} windows that
 * cover an NCHW input of any size (window {@code o} of an axis of size {@code n} spans
 * {@code [floor(o n / out), ceil((o+1) n / out))}); {@code (1, 1)} is global max pooling.
 */
public final class AdaptiveMaxPool2d extends Layer {
    private final PoolWindow.Adaptive window;

    /** A square output of {@code size}. */
    public AdaptiveMaxPool2d(int size) {
        this(size, size);
    }

    /** An output of {@code outH x outW}. */
    public AdaptiveMaxPool2d(int outH, int outW) {
        this.window = new PoolWindow.Adaptive(outH, outW);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("AdaptiveMaxPool2d: expected an NCHW input of rank 4, got " + x.shape() + " at node " + x.id());
        return x.maxPool2d(window);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + window.outH() + ", " + window.outW() + ")";
    }
}
