package dev.jasg.nn.data;

import java.util.function.Function;

/**
 * A dataset whose examples are another's passed through a function, applied lazily on each
 * {@link #get} (so random transforms draw anew every epoch).
 *
 * @param <S> source example type
 * @param <T> mapped example type
 */
public final class MapDataset<S, T> implements Dataset<T> {
    private final Dataset<S> source;
    private final Function<? super S, ? extends T> fn;

    /** {@code source} mapped through {@code fn}. */
    public MapDataset(Dataset<S> source, Function<? super S, ? extends T> fn) {
        this.source = source;
        this.fn = fn;
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public T get(int index) {
        return fn.apply(source.get(index));
    }
}
