package dev.jasg.nn.train;

import dev.jasg.core.HostTensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Statistics of one node's value after a step, for an inspector: {@code min}, {@code max},
 * {@code mean}, the population standard deviation {@code std = sqrt(mean((x - mean)^2))}, a
 * histogram over {@code [min, max]} and the first few values. Non-finite elements are counted in
 * {@code nonFinite} and left out of the rest.
 *
 * @param node      the node's id
 * @param path      the node's path ({@link dev.jasg.core.Node#path()})
 * @param step      the step after which the value was taken
 * @param count     number of elements
 * @param nonFinite elements that are NaN or infinite
 * @param min       smallest finite element (NaN when there is none)
 * @param max       largest finite element (NaN when there is none)
 * @param mean      mean of the finite elements
 * @param std       their population standard deviation
 * @param histogram counts over {@code [min, max]}
 * @param sample    the first elements in row-major order, at most {@link #SAMPLE} of them
 */
public record NodeStats(int node, String path, long step, long count, long nonFinite, double min, double max, double mean, double std,
                        Histogram histogram, float[] sample) implements ComputeUpdate {
    /** Bins of the histogram {@link #of} makes. */
    public static final int BINS = 24;
    /** Values kept in {@link #sample()}. */
    public static final int SAMPLE = 8;

    /** Copies the sample. */
    public NodeStats {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(histogram, "histogram");
        sample = sample.clone();
    }

    /** A copy of the sample. */
    @Override
    public float[] sample() {
        return sample.clone();
    }

    /**
     * Equal counts over {@code bins} equal bins of {@code [low, high]}; the last bin includes
     * {@code high}. All values equal gives one full bin.
     *
     * @param low    left edge of the first bin
     * @param high   right edge of the last bin
     * @param counts elements per bin
     */
    public record Histogram(double low, double high, long[] counts) {
        /** Copies the counts. */
        public Histogram {
            counts = counts.clone();
        }

        /** A copy of the counts. */
        @Override
        public long[] counts() {
            return counts.clone();
        }

        /** The largest count (0 when empty). */
        public long peak() {
            long m = 0;
            for (long c : counts) m = Math.max(m, c);
            return m;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Histogram h && Double.compare(low, h.low) == 0 && Double.compare(high, h.high) == 0 && Arrays.equals(counts, h.counts);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hash(low, high) + Arrays.hashCode(counts);
        }

        @Override
        public String toString() {
            return "Histogram[" + low + ", " + high + ", " + Arrays.toString(counts) + "]";
        }
    }

    /** The statistics of {@code value}, node {@code node} at {@code path} after step {@code step}. */
    public static NodeStats of(int node, String path, long step, HostTensor value) {
        int n = value.size();
        long finite = 0, nonFinite = 0;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) {
            double x = value.get(i);
            if (!Double.isFinite(x)) { nonFinite++; continue; }
            finite++;
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = finite > 0 ? sum / finite : Double.NaN;
        // Two passes: the textbook one-pass formula loses everything for a large mean and small spread.
        double sq = 0;
        long[] counts = new long[BINS];
        double width = max - min;
        for (int i = 0; i < n; i++) {
            double x = value.get(i);
            if (!Double.isFinite(x)) continue;
            sq += (x - mean) * (x - mean);
            int bin = width > 0 ? (int) Math.min(BINS - 1, Math.floor((x - min) / width * BINS)) : 0;
            counts[bin]++;
        }
        double std = finite > 0 ? Math.sqrt(sq / finite) : Double.NaN;
        if (finite == 0) { min = Double.NaN; max = Double.NaN; }
        float[] sample = new float[Math.min(SAMPLE, n)];
        for (int i = 0; i < sample.length; i++) sample[i] = (float) value.get(i);
        return new NodeStats(node, path, step, n, nonFinite, min, max, mean, std, new Histogram(finite > 0 ? min : 0, finite > 0 ? max : 0, counts), sample);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeStats s && node == s.node && path.equals(s.path) && step == s.step && count == s.count && nonFinite == s.nonFinite
                && Double.compare(min, s.min) == 0 && Double.compare(max, s.max) == 0 && Double.compare(mean, s.mean) == 0
                && Double.compare(std, s.std) == 0 && histogram.equals(s.histogram) && Arrays.equals(sample, s.sample);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, path, step, count, min, max, mean, std, histogram) * 31 + Arrays.hashCode(sample);
    }

    @Override
    public String toString() {
        return "NodeStats[%" + node + " " + path + " step " + step + ": n=" + count + " min=" + min + " max=" + max + " mean=" + mean + " std=" + std
                + (nonFinite > 0 ? " nonFinite=" + nonFinite : "") + "]";
    }
}
