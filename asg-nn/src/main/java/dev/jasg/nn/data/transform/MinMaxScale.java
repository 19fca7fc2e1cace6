package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * Per-feature rescaling to {@code [lo, hi]}, as scikit-learn's {@code MinMaxScaler}:
 * {@code out = (x - min) / (max - min) * (hi - lo) + lo}, where a constant feature
 * (max == min) uses a range of 1. Applied to an example of F features, or to a batch
 * [N, F] row by row (any input whose size is a multiple of F, features cycling fastest).
 */
public final class MinMaxScale implements Transform {
    private final double[] min;
    private final double[] range;
    private final double lo;
    private final double hi;

    /** A scaler with known per-feature {@code min} and {@code max}. */
    public MinMaxScale(double[] min, double[] max, double lo, double hi) {
        if (min.length != max.length || min.length == 0) throw new IllegalArgumentException("min and max need the same non-zero length");
        if (!(hi > lo)) throw new IllegalArgumentException("target range [" + lo + ", " + hi + "] is empty");
        this.min = min.clone();
        this.range = new double[min.length];
        for (int i = 0; i < min.length; i++) range[i] = max[i] - min[i] == 0 ? 1 : max[i] - min[i];
        this.lo = lo;
        this.hi = hi;
    }

    /** Fits min and max per feature on {@code data} [N, ...] (features are the trailing axes flattened). */
    public static MinMaxScale fit(HostTensor data, double lo, double hi) {
        int n = data.shape().dim(0), f = data.size() / Math.max(1, n);
        if (n == 0) throw new IllegalArgumentException("cannot fit on zero examples");
        double[] mn = new double[f], mx = new double[f];
        java.util.Arrays.fill(mn, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(mx, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < data.size(); i++) {
            double v = data.get(i);
            mn[i % f] = Math.min(mn[i % f], v);
            mx[i % f] = Math.max(mx[i % f], v);
        }
        return new MinMaxScale(mn, mx, lo, hi);
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int f = min.length;
        if (x.size() % f != 0) throw new IllegalArgumentException("MinMaxScale over " + f + " features got a tensor of shape " + x.shape());
        return Elementwise.map(x, i -> (x.get(i) - min[i % f]) / range[i % f] * (hi - lo) + lo);
    }
}
