package dev.jasg.nn.data;

import dev.jasg.core.JasgException;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Iterates a dataset in batches, as {@code torch.utils.data.DataLoader}: a {@link BatchSampler}
 * picks each batch's indices (sequential or seeded shuffle, optional drop_last), the examples
 * are fetched and a collate step turns them into one batch.
 *
 * <p>Each call of {@link #iterator()} runs one epoch; the epoch counter then advances, and the
 * shuffle of epoch {@code e} depends only on (seed, e), so {@link #state()} / {@link #load}
 * resume the exact order. With prefetch ({@code prefetch > 0}) a daemon worker thread
 * ({@value #WORKER_NAME}) fetches and collates up to {@code prefetch} batches ahead while the
 * caller trains on the current one; the batches are the same, in the same order, as without
 * prefetch (one worker, sequential calls, so random transforms draw in the same order too).
 *
 * <p>Failures: anything the worker's {@code Dataset.get} or collate throws reaches the
 * consumer at the batch where it happened, never a hang. An exception (checked or not) is
 * wrapped in a {@link JasgException} naming the batch, with the original as its cause; an
 * {@link Error} is rethrown as is, with a suppressed {@link JasgException} naming the batch.
 * Either ends the epoch.
 *
 * <p>Lifetime: each epoch's worker ends when its epoch is delivered, when the epoch's
 * {@link BatchIterator} is closed, when a newer epoch starts, when the loader is
 * {@linkplain #close() closed}, or, for an iterator abandoned half-way without being closed,
 * when the garbage collector finds it unreachable (a {@link Cleaner} stops its worker). The
 * worker never holds a reference to the iterator, so an abandoned one can be collected.
 *
 * <p>Thread safety: a loader runs one epoch at a time and its methods are synchronized, so
 * {@link #iterator()}, {@link #setEpoch}, {@link #load} and {@link #close()} may be called from
 * any thread; an iterator is consumed by one thread at a time (it is not synchronized), but its
 * {@code close()} may come from any thread. With prefetch, {@code Dataset.get} and collate run
 * on the worker thread, one call at a time (a new epoch's worker waits for the previous one to
 * end), so they need to be safe to call from another thread but not concurrently.
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
    /** The name of the prefetch worker threads. */
    public static final String WORKER_NAME = "jasg-data-loader";
    /** Stops the workers of iterators abandoned without close(); its own thread is a daemon. */
    private static final Cleaner CLEANER = Cleaner.create();

    /** The worker of the latest epoch (null before the first prefetching epoch). */
    private Producer<T, B> running;
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

    /**
     * An epoch's batches: an {@link Iterator} that is also {@link AutoCloseable}, so a loop that
     * stops early can end the epoch's prefetch worker at once ({@code try (var it =
     * loader.iterator()) {...}}); closing is optional, since an abandoned iterator's worker is
     * also stopped once the iterator is collected.
     *
     * @param <B> batch type
     */
    public interface BatchIterator<B> extends Iterator<B>, AutoCloseable {
        /** Ends this epoch: stops its worker; {@link #next()} then throws. Idempotent. */
        @Override
        void close();
    }

    /** The batches of the next epoch; advances the epoch counter. */
    @Override
    public synchronized BatchIterator<B> iterator() {
        if (closed) throw new IllegalStateException("data loader is closed");
        List<int[]> plan = batches.batches(epoch++);
        if (prefetch == 0) return new DirectIterator(plan);
        Producer<T, B> previous = running;
        if (previous != null) previous.stop("this epoch's iterator was abandoned when a newer epoch started");
        Producer<T, B> p = new Producer<>(dataset, collate, plan, prefetch, previous);
        running = p;
        PrefetchIterator<B> it = new PrefetchIterator<>(p, plan.size());
        it.cleanable = CLEANER.register(it, stopOnCollect(p));
        p.thread.start();
        return it;
    }

    /** The cleaning action: static, so it captures the worker and never the iterator it cleans for. */
    private static Runnable stopOnCollect(Producer<?, ?> p) {
        return () -> p.stop("this epoch's iterator was closed, or abandoned without close()");
    }

    private B load(int[] idx) {
        return load(dataset, collate, idx);
    }

    private static <T, B> B load(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate, int[] idx) {
        List<T> items = new ArrayList<>(idx.length);
        for (int i : idx) items.add(dataset.get(i));
        return collate.apply(items);
    }

    private final class DirectIterator implements BatchIterator<B> {
        private final List<int[]> plan;
        private int next;
        private boolean closedEarly;

        DirectIterator(List<int[]> plan) {
            this.plan = plan;
        }

        @Override
        public boolean hasNext() {
            return !closedEarly && next < plan.size();
        }

        @Override
        public B next() {
            if (closedEarly) throw new IllegalStateException("this epoch's iterator is closed");
            if (!hasNext()) throw new NoSuchElementException();
            return load(plan.get(next++));
        }

        @Override
        public void close() {
            closedEarly = true;
        }
    }

    /** What the worker hands over: a batch, or whatever was thrown while making it. */
    private record Item<B>(B batch, Throwable failure) {}

    /**
     * One epoch's worker: fetches and collates the plan's batches into a bounded queue. It
     * references the dataset, the collate step and the queue, never the iterator, so the
     * iterator's reachability decides when an abandoned epoch is cleaned up.
     */
    private static final class Producer<T, B> implements Runnable {
        private final Dataset<T> dataset;
        private final Function<? super List<T>, ? extends B> collate;
        private final List<int[]> plan;
        final BlockingQueue<Item<B>> queue;
        final Thread thread;
        /** The previous epoch's worker, joined first so dataset and collate never run concurrently. */
        private Producer<T, B> previous;
        /** Why the worker was stopped (null while it may run). */
        volatile String stopped;
        /** True once {@link #run} has returned. */
        volatile boolean finished;

        Producer(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate, List<int[]> plan, int depth, Producer<T, B> previous) {
            this.dataset = dataset;
            this.collate = collate;
            this.plan = plan;
            this.queue = new ArrayBlockingQueue<>(depth);
            this.previous = previous;
            this.thread = new Thread(this, WORKER_NAME);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                if (previous != null) {
                    previous.thread.join();
                    previous = null; // no chain of finished epochs kept alive
                }
                for (int k = 0; k < plan.size() && stopped == null; k++) {
                    Item<B> item;
                    try {
                        item = new Item<>(load(dataset, collate, plan.get(k)), null);
                    } catch (Throwable t) {
                        // Everything, Errors and sneaky checked exceptions included: the consumer must never wait for a batch that will not come.
                        item = new Item<>(null, t);
                    }
                    queue.put(item);
                    if (item.failure() != null) return;
                }
            } catch (InterruptedException e) {
                // stopped: the epoch was abandoned or closed
            } finally {
                finished = true;
            }
        }

        void stop(String reason) {
            if (stopped == null) stopped = reason;
            thread.interrupt();
        }
    }

    private static final class PrefetchIterator<B> implements BatchIterator<B> {
        private final Producer<?, B> producer;
        private final int total;
        private int taken;
        private volatile boolean closedHere;
        Cleaner.Cleanable cleanable;

        PrefetchIterator(Producer<?, B> producer, int total) {
            this.producer = producer;
            this.total = total;
        }

        @Override
        public boolean hasNext() {
            return !closedHere && taken < total;
        }

        @Override
        public B next() {
            if (closedHere) throw new IllegalStateException("this epoch's iterator is closed");
            if (taken >= total) throw new NoSuchElementException();
            Item<B> item;
            try {
                item = producer.queue.poll(100, TimeUnit.MILLISECONDS);
                while (item == null) {
                    String stopped = producer.stopped;
                    if (stopped != null) throw new IllegalStateException(stopped);
                    if (producer.finished) {
                        item = producer.queue.poll();
                        if (item == null) throw new JasgException("the data loader's worker ended without delivering batch " + taken);
                        break;
                    }
                    item = producer.queue.poll(100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JasgException("interrupted while waiting for batch " + taken, e);
            }
            if (item.failure() != null) {
                int failed = taken;
                taken = total;
                close();
                Throwable t = item.failure();
                if (t instanceof Error err) {
                    err.addSuppressed(new JasgException("data loader failed to load batch " + failed + " (thrown on its prefetch worker)"));
                    throw err;
                }
                throw new JasgException("data loader failed to load batch " + failed + ": " + t, t);
            }
            taken++;
            return item.batch();
        }

        @Override
        public void close() {
            closedHere = true;
            cleanable.clean();
        }
    }

    /** Stops the prefetch worker (waiting briefly for it to finish its current batch); later {@link #iterator()} calls throw. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (running != null) {
            running.stop("data loader closed while iterating");
            try {
                running.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
