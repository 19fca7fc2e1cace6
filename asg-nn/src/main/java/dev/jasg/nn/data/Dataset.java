package dev.jasg.nn.data;

/**
 * A finite, indexable collection of examples, as {@code torch.utils.data.Dataset}: items
 * {@code 0 .. size()-1}, each fetched on demand. Implementations must allow {@link #get} from
 * a background thread (the {@link DataLoader}'s prefetch worker).
 *
 * @param <T> the type of one example
 */
public interface Dataset<T> {
    /** Number of examples. */
    int size();

    /** Example {@code index}, {@code 0 <= index < size()}. */
    T get(int index);
}
