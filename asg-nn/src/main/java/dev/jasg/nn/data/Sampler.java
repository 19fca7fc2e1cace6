package dev.jasg.nn.data;

/**
 * Chooses which examples an epoch visits and in which order. The order is a pure function
 * of the sampler's seed and the epoch number, so an epoch can be replayed exactly, for
 * instance after resuming from a checkpoint.
 */
public interface Sampler {
    /** The example indices of epoch {@code epoch}, in visiting order. */
    int[] indices(int epoch);

    /** Mixes a seed and an epoch into the seed of that epoch's generator. */
    static long epochSeed(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
