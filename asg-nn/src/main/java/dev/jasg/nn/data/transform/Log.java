package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * Natural logarithm with an offset, {@code out = ln(x + offset)}; {@link #log1p()} is the
 * accurate {@code ln(1 + x)} for counts and other heavy-tailed non-negative features.
 */
public final class Log implements Transform {
    private final double offset;

    /** {@code ln(x + offset)}. */
    public Log(double offset) {
        this.offset = offset;
    }

    /** {@code ln(x)}. */
    public static Log natural() {
        return new Log(0);
    }

    /** {@code ln(1 + x)}, computed with {@link Math#log1p}. */
    public static Log log1p() {
        return new Log(1);
    }

    @Override
    public HostTensor apply(HostTensor x) {
        return Elementwise.map(x, i -> offset == 1 ? Math.log1p(x.get(i)) : Math.log(x.get(i) + offset));
    }
}
