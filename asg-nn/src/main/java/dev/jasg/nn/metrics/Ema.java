package dev.jasg.nn.metrics;

/**
 * Exponential moving average with bias correction, for smoothing a noisy loss:
 * {@code m_t = decay m_{t-1} + (1 - decay) x_t}, {@code value = m_t / (1 - decay^t)}, so the
 * first value is {@code x_1} rather than a value pulled towards 0.
 */
public final class Ema {
    private final double decay;
    private double m;
    private double decayPow = 1;
    private long count;

    /** An average with {@code decay} in [0, 1) (0.9: roughly the last 10 values). */
    public Ema(double decay) {
        if (!(decay >= 0 && decay < 1)) throw new IllegalArgumentException("decay must lie in [0, 1), got " + decay);
        this.decay = decay;
    }

    /** Adds a value and returns the new average. */
    public double update(double x) {
        m = decay * m + (1 - decay) * x;
        decayPow *= decay;
        count++;
        return value();
    }

    /** The bias-corrected average (NaN before the first value). */
    public double value() {
        return count == 0 ? Double.NaN : m / (1 - decayPow);
    }

    /** Number of values seen. */
    public long count() {
        return count;
    }
}
