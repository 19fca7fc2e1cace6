package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/** Clamps every element to {@code [min, max]}. */
public final class Clip implements Transform {
    private final double min;
    private final double max;

    /** Clamping to {@code [min, max]}. */
    public Clip(double min, double max) {
        if (min > max) throw new IllegalArgumentException("min " + min + " > max " + max);
        this.min = min;
        this.max = max;
    }

    @Override
    public HostTensor apply(HostTensor x) {
        return Elementwise.map(x, i -> Math.min(max, Math.max(min, x.get(i))));
    }
}
