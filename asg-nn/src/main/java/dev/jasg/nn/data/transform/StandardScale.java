package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

/**
 * Per-feature standardisation, as scikit-learn's {@code StandardScaler}:
 * {@code out = (x - mean) / std} with the population standard deviation, where a constant
 * feature (std == 0) uses 1. Applied to an example of F features or a batch [N, F].
 */
public final class StandardScale implements Transform {
    private final double[] mean;
    private final double[] std;

    /** A scaler with known per-feature {@code mean} and {@code std}. */
    public StandardScale(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) throw new IllegalArgumentException("mean and std need the same non-zero length");
        this.mean = mean.clone();
        this.std = new double[std.length];
        for (int i = 0; i < std.length; i++) this.std[i] = std[i] == 0 ? 1 : std[i];
    }

    /** Fits mean and population std per feature on {@code data} [N, ...] (two passes, in double). */
    public static StandardScale fit(HostTensor data) {
        int n = data.shape().dim(0);
        if (n == 0) throw new IllegalArgumentException("cannot fit on zero examples");
        int f = data.size() / n;
        double[] mean = new double[f], var = new double[f];
        for (int i = 0; i < data.size(); i++) mean[i % f] += data.get(i);
        for (int j = 0; j < f; j++) mean[j] /= n;
        for (int i = 0; i < data.size(); i++) {
            double d = data.get(i) - mean[i % f];
            var[i % f] += d * d;
        }
        double[] std = new double[f];
        for (int j = 0; j < f; j++) std[j] = Math.sqrt(var[j] / n);
        return new StandardScale(mean, std);
    }

    /** The per-feature means. */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-feature standard deviations (zeros replaced by 1). */
    public double[] std() {
        return std.clone();
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int f = mean.length;
        if (x.size() % f != 0) throw new IllegalArgumentException("StandardScale over " + f + " features got a tensor of shape " + x.shape());
        return Elementwise.map(x, i -> (x.get(i) - mean[i % f]) / std[i % f]);
    }
}
