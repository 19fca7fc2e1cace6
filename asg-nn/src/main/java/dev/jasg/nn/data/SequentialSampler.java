package dev.jasg.nn.data;

/** Visits {@code 0, 1, ..., n-1} every epoch. */
public final class SequentialSampler implements Sampler {
    private final int n;

    /** A sampler over {@code n} examples. */
    public SequentialSampler(int n) {
        if (n < 0) throw new IllegalArgumentException("negative dataset size " + n);
        this.n = n;
    }

    @Override
    public int[] indices(int epoch) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
