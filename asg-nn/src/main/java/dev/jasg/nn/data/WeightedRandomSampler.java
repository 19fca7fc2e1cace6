package dev.jasg.nn.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws {@code numSamples} indices with probability proportional to {@code weights[i]}, as
 * {@code torch.utils.data.WeightedRandomSampler} (e.g. to rebalance classes). With
 * replacement each draw is independent (inverse CDF over the cumulative weights); without,
 * it is weighted sampling without replacement by the Efraimidis-Spirakis keys
 * {@code u^(1/w)}, keeping the largest.
 */
public final class WeightedRandomSampler implements Sampler {
    private final double[] cumulative;
    private final double[] weights;
    private final int numSamples;
    private final boolean replacement;
    private final long seed;

    /** A sampler over {@code weights.length} examples. */
    public WeightedRandomSampler(double[] weights, int numSamples, boolean replacement, long seed) {
        double total = 0;
        int positive = 0;
        cumulative = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            double w = weights[i];
            if (!(w >= 0) || Double.isInfinite(w)) throw new IllegalArgumentException("weight " + i + " = " + w + " is not a finite non-negative number");
            if (w > 0) positive++;
            total += w;
            cumulative[i] = total;
        }
        if (numSamples < 0) throw new IllegalArgumentException("negative numSamples");
        if (numSamples > 0 && total == 0) throw new IllegalArgumentException("all weights are zero");
        if (!replacement && numSamples > positive) {
            throw new IllegalArgumentException("cannot draw " + numSamples + " without replacement from " + positive + " examples of positive weight");
        }
        this.weights = weights.clone();
        this.numSamples = numSamples;
        this.replacement = replacement;
        this.seed = seed;
    }

    @Override
    public int[] indices(int epoch) {
        SplittableRandom r = new SplittableRandom(Sampler.epochSeed(seed, epoch));
        int[] out = new int[numSamples];
        if (replacement) {
            double total = cumulative[cumulative.length - 1];
            for (int k = 0; k < numSamples; k++) {
                double u = r.nextDouble() * total;
                // First i with cumulative[i] > u; a zero weight never qualifies since its cumulative equals its predecessor's.
                int lo = 0, hi = cumulative.length - 1;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (cumulative[mid] > u) hi = mid;
                    else lo = mid + 1;
                }
                out[k] = lo;
            }
            return out;
        }
        Integer[] order = new Integer[weights.length];
        double[] keys = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            order[i] = i;
            keys[i] = weights[i] > 0 ? Math.log(r.nextDouble()) / weights[i] : Double.NEGATIVE_INFINITY;
        }
        Arrays.sort(order, (a, b) -> Double.compare(keys[b], keys[a]));
        for (int k = 0; k < numSamples; k++) out[k] = order[k];
        return out;
    }
}
