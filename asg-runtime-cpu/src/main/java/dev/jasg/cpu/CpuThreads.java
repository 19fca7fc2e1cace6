package dev.jasg.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread pool the CPU kernels share: {@code PARALLELISM - 1} daemon workers, which with
 * the calling thread make one thread per available processor, created on first use and never shut
 * down (daemon threads do not keep the JVM alive, and executables of every backend instance share
 * them, so no backend may close it). Kernels split large work with {@link #parallelFor}; small work
 * runs inline.
 *
 * <p>{@code PARALLELISM} is {@link KernelChoice}'s: one thread per processor the JVM may use, or
 * {@code -Djasg.cpu.threads}.
 *
 * <p>A training step is a few hundred kernels of a few tens of microseconds each, so what matters is
 * how fast an idle worker picks up the next one: a worker that finished a loop spins for
 * {@link #SPIN_NANOS} (property {@code jasg.cpu.spinMicros}, default 200) before it parks, the way
 * OpenMP runtimes wait, and the caller only unparks the workers that did park. The chunks of a loop
 * are claimed from a counter by whichever thread is free, the caller included, so a core shared with
 * another process holds up a loop by at most one chunk. The caller, out of chunks, waits for the
 * last ones the same way: it spins for at most {@link #SPIN_NANOS}, then parks until the thread that
 * finishes the last chunk unparks it. It used to spin on (100,000 pauses, then {@code yield}): where
 * the chunk it waits for was held by a worker the OS had descheduled for another process, the spinning
 * caller burnt its core for up to a scheduler time slice, the core that worker could have run on
 * (measured as 4-14% of the process's CPU time in GEMMs on a 2-vCPU machine with one core busy
 * elsewhere). One loop runs on the pool at a time; a second
 * thread that calls {@link #parallelFor} meanwhile runs its loop inline.
 */
final class CpuThreads {
    /**
     * Number of threads a loop is split over, the caller's included (and the most chunks one loop is split
     * into): {@link KernelChoice}'s, property {@code jasg.cpu.threads}, default one per available processor (like
     * {@code torch.set_num_threads}; e.g. 1 when several replicas share a machine, as Spark's local[n] does).
     */
    static final int PARALLELISM = KernelChoice.CHOSEN.threads();
    /** How long an idle worker spins before it parks. */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("jasg.cpu.spinMicros", 200)) * 1000;

    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private CpuThreads() {}

    /** A range body: processes indices {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** True inside a loop body (on a worker, or on the caller running its chunks), where {@link #parallelFor} runs inline. */
    static boolean inLoop() {
        return IN_POOL.get() || Pool.LOCK.isHeldByCurrentThread();
    }

    /**
     * Most items {@link #forEachClaimed} hands out one at a time (a longer loop of small items is better
     * cut into ranges by {@link #parallelFor}); beyond it the loop runs inline.
     */
    static final int MAX_CHUNKS = 4095;

    /**
     * The pool and the one loop it runs at a time. A loop is published in static fields, not an
     * object, so handing one out allocates nothing: its body and length are written first, then the
     * claim word, {@code chunks << 32 | next}, is set with {@code next = 0}. A thread claims chunk
     * {@code next} by incrementing the word; the claim is valid when {@code next < chunks} of the word
     * it incremented, and then the body it reads is that loop's, since the loop cannot end (nor the
     * fields change) before the claimed chunk is done. A late increment of a finished loop's word
     * finds {@code next >= chunks} and does nothing.
     */
    private static final class Pool {
        static final ReentrantLock LOCK = new ReentrantLock();
        static final Thread[] WORKERS = new Thread[PARALLELISM - 1];
        static final AtomicInteger PARKED = new AtomicInteger();
        static final AtomicLong CLAIM = new AtomicLong();
        /** Chunks of the current loop not finished yet. */
        static final AtomicInteger LEFT = new AtomicInteger();
        static Range body;
        static int length;
        static volatile Throwable failure;
        /** The caller of the current loop while it is parked waiting for the last chunks, else null. */
        static volatile Thread waiter;
        /** Bumped for every loop; idle workers watch it. */
        static volatile long generation;

        static {
            for (int i = 0; i < WORKERS.length; i++) {
                Thread t = new Thread(Pool::workerLoop, "jasg-cpu-" + (i + 1));
                t.setDaemon(true);
                WORKERS[i] = t;
                t.start();
            }
        }

        private static void workerLoop() {
            IN_POOL.set(Boolean.TRUE);
            long seen = 0;
            while (true) {
                long g = generation;
                if (g == seen) {
                    long start = System.nanoTime();
                    while ((g = generation) == seen && System.nanoTime() - start < SPIN_NANOS) {
                        for (int i = 0; i < 64 && generation == seen; i++) Thread.onSpinWait();
                    }
                    while ((g = generation) == seen) {
                        PARKED.incrementAndGet();
                        if (generation == seen) LockSupport.park(Pool.class);
                        PARKED.decrementAndGet();
                    }
                }
                seen = g;
                work();
            }
        }

        /** Runs chunks of the current loop until none is left to claim. */
        static void work() {
            while (true) {
                long w = CLAIM.getAndIncrement();
                int c = (int) w, chunks = (int) (w >>> 32);
                if (c >= chunks) return;
                try {
                    int n = length;
                    if (failure == null) body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    // the last chunk wakes a caller that stopped spinning; a caller that has not parked yet
                    // reads LEFT after publishing itself, so one of the two sees the other
                    if (LEFT.decrementAndGet() == 0) {
                        Thread caller = waiter;
                        if (caller != null) LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Runs one loop with the caller working on it too; the caller holds {@link #LOCK}. */
        static void run(Range r, int n, int chunks) {
            body = r;
            length = n;
            failure = null;
            LEFT.set(chunks);
            CLAIM.set((long) chunks << 32);
            generation++;
            if (PARKED.get() > 0) for (Thread w : WORKERS) LockSupport.unpark(w);
            work();
            // the caller ran out of chunks to claim: the others are running the last ones; spin a while, then park
            if (LEFT.get() > 0) {
                long start = System.nanoTime();
                while (LEFT.get() > 0 && System.nanoTime() - start < SPIN_NANOS) {
                    for (int i = 0; i < 64 && LEFT.get() > 0; i++) Thread.onSpinWait();
                }
                if (LEFT.get() > 0) {
                    waiter = Thread.currentThread();
                    while (LEFT.get() > 0) LockSupport.park(Pool.class);
                    waiter = null;
                }
            }
            body = null;
        }
    }

    /**
     * Runs {@code body.run(i, i + 1)} for every {@code i < items}, each item claimed by whichever
     * thread is free (the caller included): for a few large items of uneven cost, where fixed
     * chunks would leave a thread idle. Runs inline where {@link #parallelFor} does.
     */
    static void forEachClaimed(int items, Range body) {
        if (items <= 1 || PARALLELISM == 1 || items > MAX_CHUNKS || inLoop() || !Pool.LOCK.tryLock()) {
            if (items > 0) body.run(0, items);
            return;
        }
        runLocked(body, items, items);
    }

    /** Runs a loop on the pool; the caller holds the lock, which this releases. */
    private static void runLocked(Range body, int n, int chunks) {
        Throwable t;
        try {
            Pool.run(body, n, chunks);
            t = Pool.failure;
            Pool.failure = null;
        } finally {
            Pool.LOCK.unlock();
        }
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException("CPU kernel failed", t);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #PARALLELISM} chunks of
     * at least {@code minChunk} indices, the calling thread working on them too. Runs inline when
     * there is one chunk, when called inside another loop's body (no nested waits, so no deadlock), or while
     * another thread's loop has the pool. The first exception a chunk throws is rethrown here, after
     * every chunk has finished or been skipped.
     */
    static void parallelFor(int n, int minChunk, Range body) {
        int chunks = (int) Math.min(PARALLELISM, n / (long) Math.max(1, minChunk));
        if (chunks <= 1 || inLoop() || !Pool.LOCK.tryLock()) {
            if (n > 0) body.run(0, n);
            return;
        }
        runLocked(body, n, chunks);
    }
}
