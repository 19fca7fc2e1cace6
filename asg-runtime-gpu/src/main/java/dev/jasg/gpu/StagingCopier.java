package dev.jasg.gpu;

import java.nio.FloatBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies a run's feeds into the mapped staging buffer, a large feed on several threads at once. One thread copies into
 * host memory at that thread's memory bandwidth, so a GPT-2-sized batch ({@code [8, 1024, 768]}, 25 MB) took a
 * millisecond or more of every training step before its upload to the device could start.
 *
 * <p>The helper threads are daemons of one process-wide pool, started by the first large copy, ending after a second
 * idle; they hold no device resource. {@code -Djasg.vulkan.feedThreads=N} sets how many threads share a large copy (the
 * caller included), {@code 1} for none; the default is half the processors, at most 4.
 *
 * <p>Thread-safe: copies into disjoint staging ranges may run from several threads at once.
 */
final class StagingCopier {
    /** System property: the threads a large feed's copy is shared by, the calling thread included ({@code 1}: no helpers). */
    static final String THREADS_PROPERTY = "jasg.vulkan.feedThreads";
    /** Feeds of fewer floats are copied by the calling thread alone (4 MiB: below it a hand-over costs more than it saves). */
    static final int PARALLEL_FLOATS = 1 << 20;
    /** Floats a part of a shared copy holds at least. */
    private static final int MIN_PART_FLOATS = 1 << 18;
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
    private static volatile ThreadPoolExecutor pool;

    private StagingCopier() {}

    /** The threads a large copy is shared by: the property's, read at each large copy, else the default. */
    static int threads() {
        String p = System.getProperty(THREADS_PROPERTY);
        if (p == null) return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        try {
            int t = Integer.parseInt(p.trim());
            if (t >= 1 && t <= 64) return t;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(THREADS_PROPERTY + " must be a whole number from 1 to 64, got '" + p + "'");
    }

    /** How many parts a copy of {@code floats} floats is split into with {@code threads} threads. */
    static int parts(int floats, int threads) {
        if (threads <= 1 || floats < PARALLEL_FLOATS) return 1;
        return Math.max(1, Math.min(threads, floats / MIN_PART_FLOATS));
    }

    /** Copies {@code src} into {@code staging} from float {@code at} on; returns when every part is there. */
    static void copy(FloatBuffer staging, int at, float[] src) {
        copy(staging, at, src, src.length < PARALLEL_FLOATS ? 1 : threads());
    }

    /** {@link #copy(FloatBuffer, int, float[])} shared by {@code threads} threads (the pool's, when fewer, take turns). */
    static void copy(FloatBuffer staging, int at, float[] src, int threads) {
        int parts = parts(src.length, threads);
        if (parts == 1) {
            staging.clear().position(at);
            staging.put(src);
            return;
        }
        ThreadPoolExecutor helpers = pool(parts - 1);
        CountDownLatch done = new CountDownLatch(parts - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 1; p < parts; p++) {
            int lo = bound(src.length, parts, p), hi = bound(src.length, parts, p + 1);
            // a view of its own, made here before this thread moves the buffer's position for its own part
            FloatBuffer view = staging.duplicate();
            helpers.execute(() -> {
                try {
                    view.clear().position(at + lo).put(src, lo, hi - lo);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        staging.clear().position(at);
        staging.put(src, 0, bound(src.length, parts, 1));
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the helpers write into the staging buffer: wait for them whatever happens
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable t = failure.get();
        if (t != null) throw new IllegalStateException("copying a feed of " + src.length + " floats into the staging buffer failed", t);
    }

    /** The first float of part {@code p} of {@code parts} over {@code n}, a multiple of 16 floats (a cache line) but the end. */
    static int bound(int n, int parts, int p) {
        if (p >= parts) return n;
        return (int) ((long) n * p / parts) & ~15;
    }

    /** The helpers' pool, grown to at least {@code helpers} threads. */
    private static ThreadPoolExecutor pool(int helpers) {
        ThreadPoolExecutor p = pool;
        if (p == null || p.getMaximumPoolSize() < helpers) {
            synchronized (StagingCopier.class) {
                p = pool;
                if (p != null && p.getMaximumPoolSize() < helpers) {
                    p.setMaximumPoolSize(helpers);
                    p.setCorePoolSize(helpers);
                } else if (p == null) {
                    int size = Math.max(1, helpers);
                    p = new ThreadPoolExecutor(size, size, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "jasg-vulkan-feed-" + THREAD_NUMBER.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    p.allowCoreThreadTimeOut(true);
                    pool = p;
                }
            }
        }
        return p;
    }
}
