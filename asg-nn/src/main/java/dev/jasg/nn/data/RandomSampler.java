package dev.jasg.nn.data;

import java.util.SplittableRandom;

/**
 * A fresh random order every epoch: a permutation of all {@code n} examples, or, with
 * replacement, {@code numSamples} independent uniform draws. Epoch {@code e} is drawn from
 * {@link Sampler#epochSeed}(seed, e), so it is reproducible.
 */
public final class RandomSampler implements Sampler {
    private final int n;
    private final long seed;
    private final boolean replacement;
    private final int numSamples;

    /** A permutation of {@code n} examples per epoch. */
    public RandomSampler(int n, long seed) {
        this(n, seed, false, n);
    }

    /** {@code numSamples} draws per epoch, with or without replacement (without: {@code numSamples <= n}). */
    public RandomSampler(int n, long seed, boolean replacement, int numSamples) {
        if (n < 0 || numSamples < 0) throw new IllegalArgumentException("negative size");
        if (!replacement && numSamples > n) throw new IllegalArgumentException("cannot draw " + numSamples + " of " + n + " without replacement");
        if (replacement && n == 0 && numSamples > 0) throw new IllegalArgumentException("cannot draw from an empty dataset");
        this.n = n;
        this.seed = seed;
        this.replacement = replacement;
        this.numSamples = numSamples;
    }

    @Override
    public int[] indices(int epoch) {
        long s = Sampler.epochSeed(seed, epoch);
        if (!replacement) return java.util.Arrays.copyOf(Splits.permutation(n, s), numSamples);
        SplittableRandom r = new SplittableRandom(s);
        int[] out = new int[numSamples];
        for (int i = 0; i < numSamples; i++) out[i] = r.nextInt(n);
        return out;
    }
}
