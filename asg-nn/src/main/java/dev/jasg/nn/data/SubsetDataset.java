package dev.jasg.nn.data;

/**
 * The examples of another dataset at given indices, in the given order.
 *
 * @param <T> example type
 */
public final class SubsetDataset<T> implements Dataset<T> {
    private final Dataset<T> source;
    private final int[] indices;

    /** The examples of {@code source} at {@code indices} (copied; each must be in range). */
    public SubsetDataset(Dataset<T> source, int[] indices) {
        int n = source.size();
        for (int i : indices) {
            if (i < 0 || i >= n) throw new IndexOutOfBoundsException("subset index " + i + " outside a dataset of " + n);
        }
        this.source = source;
        this.indices = indices.clone();
    }

    /** The indices into the source, copied. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public T get(int index) {
        return source.get(indices[index]);
    }
}
