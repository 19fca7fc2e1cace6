package dev.jasg.nn;

import dev.jasg.core.Tensor;

/**
 * {@code torch.nn.Flatten}: merges axes {@code startDim..endDim} (inclusive) into one; the
 * defaults (1, -1) keep the batch axis and flatten the rest, {@code [B,1,28,28] -> [B,784]}.
 */
public final class Flatten extends Layer {
    private final int startDim;
    private final int endDim;

    /** Flattens every axis after the first. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens axes {@code startDim..endDim}. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
