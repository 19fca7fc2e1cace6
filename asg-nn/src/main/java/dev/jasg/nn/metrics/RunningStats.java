package dev.jasg.nn.metrics;

/**
 * Streaming count, mean, variance, min and max of a series (Welford's update, stable in
 * one pass): {@code mean += (x - mean) / n; m2 += (x - mean_old) (x - mean_new)};
 * population variance m2 / n, sample variance m2 / (n - 1).
 */
public final class RunningStats {
    private long count;
    private double mean;
    private double m2;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /** Adds one value. */
    public void add(double x) {
        count++;
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
        min = Math.min(min, x);
        max = Math.max(max, x);
    }

    /** Adds every value. */
    public void addAll(double... xs) {
        for (double x : xs) add(x);
    }

    /** Forgets everything. */
    public void reset() {
        count = 0;
        mean = m2 = 0;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
    }

    /** Number of values. */
    public long count() {
        return count;
    }

    /** Mean (NaN before the first value). */
    public double mean() {
        return count == 0 ? Double.NaN : mean;
    }

    /** Population variance. */
    public double variance() {
        return count == 0 ? Double.NaN : m2 / count;
    }

    /** Sample variance (Bessel-corrected). */
    public double sampleVariance() {
        return count < 2 ? Double.NaN : m2 / (count - 1);
    }

    /** Population standard deviation. */
    public double std() {
        return Math.sqrt(variance());
    }

    /** Sample standard deviation. */
    public double sampleStd() {
        return Math.sqrt(sampleVariance());
    }

    /** Smallest value (+infinity before the first value). */
    public double min() {
        return min;
    }

    /** Largest value (-infinity before the first value). */
    public double max() {
        return max;
    }
}
