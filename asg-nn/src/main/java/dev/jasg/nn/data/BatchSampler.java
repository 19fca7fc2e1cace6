package dev.jasg.nn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Groups a sampler's indices into batches of {@code batchSize}; the last short batch is kept or dropped. */
public final class BatchSampler {
    private final Sampler sampler;
    private final int batchSize;
    private final boolean dropLast;

    /** Batches of {@code sampler}'s order. */
    public BatchSampler(Sampler sampler, int batchSize, boolean dropLast) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        this.sampler = sampler;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** The batches of epoch {@code epoch}, each an array of example indices. */
    public List<int[]> batches(int epoch) {
        int[] idx = sampler.indices(epoch);
        List<int[]> out = new ArrayList<>(idx.length / batchSize + 1);
        for (int at = 0; at < idx.length; at += batchSize) {
            int end = Math.min(idx.length, at + batchSize);
            if (end - at < batchSize && dropLast) break;
            out.add(Arrays.copyOfRange(idx, at, end));
        }
        return out;
    }
}
