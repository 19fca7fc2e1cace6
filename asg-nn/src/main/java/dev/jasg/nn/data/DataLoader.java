package dev.jasg.nn.data;

import dev.jasg.core.JasgException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Iterates a dataset in batches, as {@code torch.utils.data.DataLoader}: a {@link BatchSampler}
 * picks each batch's indices (sequential or seeded shuffle, optional drop_last), the examples
 * are fetched and a collate step turns them into one batch.
 *
 * <p>Each call of {@link #iterator()} runs one epoch; the epoch counter then advances, and the
 * shuffle of epoch {@code e} depends only on (seed, e), so {@link #state()} / {@link #load}
 * resume the exact order. With prefetch ({@code prefetch > 0}) a single daemon worker thread
 * fetches and collates up to {@code prefetch} batches ahead while the caller trains on the
 * current one; the batches are the same, in the same order, as without prefetch (one worker,
 * sequential calls, so random transforms draw in the same order too). A worker's exception
 * is rethrown by the iterator at the batch where it happened. Starting a new epoch abandons
 * the previous epoch's unfinished prefetch; {@link #close()} stops the worker.
 *
 * @param <T> example type
 * @param <B> batch type
 */
public final class DataLoader<T, B> implements Iterable<B>, AutoCloseable {
    private final Dataset<T> dataset;
    private final BatchSampler batches;
    private final Function<? super List<T>, ? extends B> collate;
    private final int prefetch;
    private final long seed;
    private ExecutorService worker;
    private Future<?> running;
    private PrefetchIterator current;
    private int epoch;
    private volatile boolean closed;

    private DataLoader(Builder<T, B> b) {
        this.dataset = b.dataset;
        this.collate = b.collate;
        this.prefetch = b.prefetch;
        this.seed = b.seed;
        Sampler sampler = b.sampler != null ? b.sampler
                : b.shuffle ? new RandomSampler(dataset.size(), b.seed) : new SequentialSampler(dataset.size());
        this.batches = new BatchSampler(sampler, b.batchSize, b.dropLast);
    }

    /** A builder over {@code dataset} whose batches are made by {@code collate}. */
    public static <T, B> Builder<T, B> builder(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate) {
        return new Builder<>(dataset, collate);
    }

    /** Options of a {@link DataLoader}. Defaults: batch size 1, no shuffle, keep the last batch, no prefetch. */
    public static final class Builder<T, B> {
        private final Dataset<T> dataset;
        private final Function<? super List<T>, ? extends B> collate;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int prefetch;
        private Sampler sampler;

        private Builder(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate) {
            this.dataset = Objects.requireNonNull(dataset);
            this.collate = Objects.requireNonNull(collate);
        }

        /** Examples per batch. */
        public Builder<T, B> batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** Reshuffles every epoch from {@code seed}. */
        public Builder<T, B> shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /** Drops the last batch when it is short. */
        public Builder<T, B> dropLast(boolean drop) {
            this.dropLast = drop;
            return this;
        }

        /** Collates up to {@code batches} batches ahead on a background thread (0: none). */
        public Builder<T, B> prefetch(int batches) {
            if (batches < 0) throw new IllegalArgumentException("negative prefetch");
            this.prefetch = batches;
            return this;
        }

        /** Uses {@code sampler} for the order instead of sequential/shuffle (e.g. a {@link WeightedRandomSampler}). */
        public Builder<T, B> sampler(Sampler sampler) {
            this.sampler = sampler;
            return this;
        }

        /** The loader. */
        public DataLoader<T, B> build() {
            return new DataLoader<>(this);
        }
    }

    /** Number of batches per epoch. */
    public int batchesPerEpoch() {
        return batches.batches(epoch).size();
    }

    /** The epoch the next {@link #iterator()} runs. */
    public int epoch() {
        return epoch;
    }

    /** Sets the epoch the next {@link #iterator()} runs (e.g. after resuming). */
    public void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("negative epoch");
        this.epoch = epoch;
    }

    /** The state that makes the order reproducible: the seed and the next epoch. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("epoch", epoch);
        return m;
    }

    /** Restores {@link #state()}; the seed must be the one this loader was built with. */
    public void load(Map<String, Object> state) {
        long s = ((Number) state.get("seed")).longValue();
        if (s != seed) throw new IllegalArgumentException("state was saved with seed " + s + " but this loader shuffles with seed " + seed);
        setEpoch(((Number) state.get("epoch")).intValue());
    }

    /** The batches of the next epoch; advances the epoch counter. */
    @Override
    public synchronized Iterator<B> iterator() {
        if (closed) throw new IllegalStateException("data loader is closed");
        List<int[]> plan = batches.batches(epoch++);
        if (prefetch == 0) return new DirectIterator(plan);
        if (running != null) {
            current.abandoned = true;
            running.cancel(true);
        }
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jasg-data-loader");
                t.setDaemon(true);
                return t;
            });
        }
        PrefetchIterator it = new PrefetchIterator(plan.size(), prefetch);
        current = it;
        running = worker.submit(() -> it.produce(plan));
        return it;
    }

    private B load(int[] idx) {
        List<T> items = new ArrayList<>(idx.length);
        for (int i : idx) items.add(dataset.get(i));
        return collate.apply(items);
    }

    private final class DirectIterator implements Iterator<B> {
        private final List<int[]> plan;
        private int next;

        DirectIterator(List<int[]> plan) {
            this.plan = plan;
        }

        @Override
        public boolean hasNext() {
            return next < plan.size();
        }

        @Override
        public B next() {
            if (!hasNext()) throw new NoSuchElementException();
            return load(plan.get(next++));
        }
    }

    /** What the worker hands over: a batch, or the failure that stopped it. */
    private record Item<B>(B batch, RuntimeException failure) {}

    private final class PrefetchIterator implements Iterator<B> {
        private final int total;
        private final BlockingQueue<Item<B>> queue;
        private int taken;
        private volatile boolean abandoned;

        PrefetchIterator(int total, int depth) {
            this.total = total;
            this.queue = new ArrayBlockingQueue<>(depth);
        }

        void produce(List<int[]> plan) {
            for (int k = 0; k < plan.size(); k++) {
                Item<B> item;
                try {
                    item = new Item<>(load(plan.get(k)), null);
                } catch (RuntimeException e) {
                    item = new Item<>(null, e);
                }
                try {
                    queue.put(item);
                } catch (InterruptedException e) {
                    return; // epoch abandoned or loader closed
                }
                if (item.failure() != null) return;
            }
        }

        @Override
        public boolean hasNext() {
            return taken < total;
        }

        @Override
        public B next() {
            if (!hasNext()) throw new NoSuchElementException();
            Item<B> item;
            try {
                item = queue.poll(1, TimeUnit.SECONDS);
                while (item == null) {
                    if (closed) throw new IllegalStateException("data loader closed while iterating");
                    if (abandoned) throw new IllegalStateException("this epoch's iterator was abandoned when a newer epoch started");
                    item = queue.poll(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JasgException("interrupted while waiting for batch " + taken, e);
            }
            if (item.failure() != null) {
                int failed = taken;
                taken = total;
                throw new JasgException("data loader failed to load batch " + failed + ": " + item.failure().getMessage(), item.failure());
            }
            taken++;
            return item.batch();
        }
    }

    /** Stops the prefetch worker (waiting briefly for it to finish its current batch). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (worker != null) {
            worker.shutdownNow();
            try {
                worker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
