package dev.jasg.spark;

import java.util.SplittableRandom;

/**
 * Which examples of a worker's shard make up its batch at each step: a pure function of
 * (shard size, batch size, seed, worker, step), so a run resumed from a checkpoint at step
 * {@code s} reads exactly the batches an uninterrupted run reads after {@code s}, and a
 * single-process run can rebuild the combined batch of any step.
 *
 * <p>The shard is walked epoch by epoch: position {@code (step - 1) * batch + i} of the stream
 * is example {@code perm_e[pos mod n]} of epoch {@code e = pos / n}, where {@code perm_e} is the
 * identity without shuffling, or a permutation drawn from (seed, worker, epoch). A batch may span
 * the end of an epoch. Not thread-safe (it caches the last epoch's permutation).
 */
public final class BatchSchedule {
    private final int shardSize;
    private final int batchSize;
    private final long seed;
    private final int worker;
    private final boolean shuffle;
    private long cachedEpoch = -1;
    private int[] cached;

    /**
     * @param shardSize examples in the worker's shard, at least 1
     * @param batchSize examples per batch, at least 1
     * @param seed      the run's seed
     * @param worker    the worker's partition index
     * @param shuffle   whether each epoch is a new permutation of the shard
     */
    public BatchSchedule(int shardSize, int batchSize, long seed, int worker, boolean shuffle) {
        if (shardSize < 1) throw new IllegalArgumentException("BatchSchedule: worker " + worker + " has an empty shard; every partition needs at least one example");
        if (batchSize < 1) throw new IllegalArgumentException("BatchSchedule: batch size must be >= 1, got " + batchSize);
        this.shardSize = shardSize;
        this.batchSize = batchSize;
        this.seed = seed;
        this.worker = worker;
        this.shuffle = shuffle;
    }

    /** The shard indices of the batch of step {@code step} (1-based). */
    public int[] indices(long step) {
        if (step < 1) throw new IllegalArgumentException("BatchSchedule: steps count from 1, got " + step);
        int[] out = new int[batchSize];
        long pos = (step - 1) * batchSize;
        for (int i = 0; i < batchSize; i++, pos++) {
            long epoch = pos / shardSize;
            int k = (int) (pos % shardSize);
            out[i] = shuffle ? permutation(epoch)[k] : k;
        }
        return out;
    }

    private int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[shardSize];
            for (int i = 0; i < p.length; i++) p[i] = i;
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + worker * 0xC2B2AE3D27D4EB4FL + epoch);
            for (int i = p.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            cached = p;
            cachedEpoch = epoch;
        }
        return cached;
    }
}
