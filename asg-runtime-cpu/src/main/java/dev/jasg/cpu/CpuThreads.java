package dev.jasg.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread pool the CPU kernels share: a fixed pool of daemon threads, one per
 * available processor, created on first use and never shut down (daemon threads do not keep
 * the JVM alive, and executables of every backend instance share it, so no backend may
 * close it). Kernels split large work with {@link #parallelFor}; small work runs inline.
 */
final class CpuThreads {
    /** Number of workers (and the most chunks one loop is split into). */
    static final int PARALLELISM = Math.max(1, Runtime.getRuntime().availableProcessors());

    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private CpuThreads() {}

    /** A range body: processes indices {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private static final class Pool {
        static final ExecutorService EXECUTOR = create();

        private static ExecutorService create() {
            AtomicInteger n = new AtomicInteger();
            return Executors.newFixedThreadPool(PARALLELISM, r -> {
                Thread t = new Thread(() -> {
                    IN_POOL.set(Boolean.TRUE);
                    r.run();
                }, "jasg-cpu-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #PARALLELISM} chunks of
     * at least {@code minChunk} indices; the calling thread runs the first chunk itself. Runs
     * inline when there is one chunk or when called from a pool thread (no nested waits,
     * so no deadlock).
     */
    static void parallelFor(int n, int minChunk, Range body) {
        int chunks = (int) Math.min(PARALLELISM, n / (long) Math.max(1, minChunk));
        if (chunks <= 1 || IN_POOL.get()) {
            if (n > 0) body.run(0, n);
            return;
        }
        Future<?>[] futures = new Future<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            futures[c - 1] = Pool.EXECUTOR.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / chunks));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a CPU kernel", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error er) throw er;
                throw new IllegalStateException("CPU kernel failed", c);
            }
        }
    }
}
