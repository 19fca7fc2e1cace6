package dev.jasg.testkit;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/** What a warm call allocates on the calling thread, for tests that hold a path to allocating nothing. Stateless and thread-safe. */
public final class Allocations {
    private Allocations() {}

    /**
     * Runs {@code call} in rounds, {@code warm} calls then {@code measured} calls counted by the calling thread's
     * allocation counter, until a round's bytes per call are at most {@code bound} or {@code limit} has passed, and
     * returns the fewest bytes per call a round gave. Rounds go on because Vector API code allocates (boxed) until the
     * JIT has compiled it.
     */
    public static long warmBytesPerCall(Runnable call, int warm, int measured, long bound, Duration limit) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE, deadline = System.nanoTime() + limit.toNanos();
        while (best > bound && System.nanoTime() < deadline) {
            for (int i = 0; i < warm; i++) call.run();
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < measured; i++) call.run();
            best = Math.min(best, (threads.getThreadAllocatedBytes(tid) - before) / measured);
        }
        return best;
    }
}
