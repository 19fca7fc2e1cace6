package dev.jasg.nn.data;

import java.util.List;

/**
 * Datasets one after another: indices {@code 0 .. size(d0)-1} are d0's, the next {@code size(d1)}
 * are d1's, and so on.
 *
 * @param <T> example type
 */
public final class ConcatDataset<T> implements Dataset<T> {
    private final List<? extends Dataset<? extends T>> parts;
    private final int[] ends;

    /** The concatenation of {@code parts}. */
    public ConcatDataset(List<? extends Dataset<? extends T>> parts) {
        this.parts = List.copyOf(parts);
        this.ends = new int[parts.size()];
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            total += parts.get(i).size();
            if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("concatenation exceeds 2^31-1 examples");
            ends[i] = (int) total;
        }
    }

    @Override
    public int size() {
        return ends.length == 0 ? 0 : ends[ends.length - 1];
    }

    @Override
    public T get(int index) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("index " + index + " of a dataset of " + size());
        // Lower bound: the first part whose cumulative end lies beyond index (empty parts share an end and are skipped).
        int lo = 0, hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] > index) hi = mid;
            else lo = mid + 1;
        }
        int k = lo;
        int start = k == 0 ? 0 : ends[k - 1];
        return parts.get(k).get(index - start);
    }
}
