package dev.jasg.nn.train;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A queue of {@link ComputeUpdate}s between the training thread (which offers, never waiting) and
 * one consumer such as the viewer (which drains). The frequent, replaceable updates
 * ({@link ComputeUpdate.StepDone}, {@link NodeStats}) are dropped while {@code capacity} of them are
 * waiting, so a stalled consumer never slows training nor fills the heap; the rare ones (graphs,
 * epochs, the end) are always kept. {@link #dropped()} counts what was left out.
 *
 * <pre>{@code
 * ComputeUpdateQueue updates = new ComputeUpdateQueue(10_000);
 * trainer.addUpdateListener(updates);          // GraphReady now, StepDone every step
 * ... on another thread: updates.drain(u -> show(u), 1000);
 * }</pre>
 */
public final class ComputeUpdateQueue implements ComputeUpdateListener {
    private final LinkedBlockingQueue<ComputeUpdate> queue = new LinkedBlockingQueue<>();
    private final int capacity;
    private final AtomicLong lossyWaiting = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** A queue keeping at most {@code capacity} step and statistics updates waiting. */
    public ComputeUpdateQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("ComputeUpdateQueue: capacity must be positive, got " + capacity);
        this.capacity = capacity;
    }

    /** A queue keeping at most 100,000 step updates waiting. */
    public ComputeUpdateQueue() {
        this(100_000);
    }

    @Override
    public void onUpdate(ComputeUpdate update) {
        if (lossy(update)) {
            if (lossyWaiting.incrementAndGet() > capacity) {
                lossyWaiting.decrementAndGet();
                dropped.incrementAndGet();
                return;
            }
        }
        queue.add(update);
    }

    private static boolean lossy(ComputeUpdate u) {
        return u instanceof ComputeUpdate.StepDone || u instanceof NodeStats;
    }

    /** The next update, or null when none is waiting. */
    public ComputeUpdate poll() {
        return taken(queue.poll());
    }

    /** The next update, waiting up to {@code timeout}; null when none came. */
    public ComputeUpdate poll(long timeout, TimeUnit unit) throws InterruptedException {
        return taken(queue.poll(timeout, unit));
    }

    /** Hands up to {@code max} waiting updates to {@code sink}, in order; returns how many. */
    public int drain(Consumer<? super ComputeUpdate> sink, int max) {
        int n = 0;
        ComputeUpdate u;
        while (n < max && (u = poll()) != null) {
            sink.accept(u);
            n++;
        }
        return n;
    }

    private ComputeUpdate taken(ComputeUpdate u) {
        if (u != null && lossy(u)) lossyWaiting.decrementAndGet();
        return u;
    }

    /** Updates waiting. */
    public int size() {
        return queue.size();
    }

    /** Step and statistics updates dropped because the consumer fell behind. */
    public long dropped() {
        return dropped.get();
    }
}
