package dev.jasg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks of the thread-safety contract every backend's {@link Executable} keeps (see its
 * Javadoc): runs from several threads are serialised and a run's {@link Outputs} return that
 * run's values or refuse with {@link IllegalStateException}, never another run's values.
 */
public final class ExecutableContract {
    private ExecutableContract() {}

    /**
     * Compiles {@code y = 2x} over {@code x: f32[size]} on {@code backend}; {@code threads} threads
     * each run it {@code iterations} times with feeds that encode the thread and the iteration
     * ({@code x = thread * 2^20 + iteration}, exact in f32) and read {@code y} right after their run.
     * Fails when any read returns a value other than its own run's (a read refused as stale because
     * another thread ran in between is allowed), or when every read was refused.
     */
    public static void concurrentRunsReadTheirOwnOutputs(Backend backend, int threads, int iterations, int size) throws Exception {
        if (iterations >= 1 << 20) throw new IllegalArgumentException("iterations must stay below 2^20 to be exact in f32: " + iterations);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, size);
        g.output("y", x.mul(2));
        AtomicInteger wrong = new AtomicInteger(), stale = new AtomicInteger(), read = new AtomicInteger();
        AtomicReference<String> firstWrong = new AtomicReference<>();
        try (Executable exe = backend.compile(g.build())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(threads);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.countDown();
                        start.await();
                        for (int i = 0; i < iterations; i++) {
                            float tag = thread * (1 << 20) + i;
                            float[] feed = new float[size];
                            Arrays.fill(feed, tag);
                            Outputs out = exe.run(Map.of("x", HostTensor.of(feed, size)));
                            HostTensor y;
                            try {
                                y = out.get("y");
                            } catch (IllegalStateException e) {
                                stale.incrementAndGet();
                                continue;
                            }
                            read.incrementAndGet();
                            for (int k = 0; k < size; k++) {
                                if (y.get(k) != 2 * tag) {
                                    wrong.incrementAndGet();
                                    firstWrong.compareAndSet(null, "thread " + thread + " iteration " + i + " read y[" + k + "] = " + y.get(k)
                                            + " instead of " + 2 * tag);
                                    break;
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(0, wrong.get(), backend.name() + ": " + wrong.get() + " of " + threads * iterations + " runs read another run's output ("
                + stale.get() + " stale reads refused); first: " + firstWrong.get());
        assertTrue(read.get() > 0, backend.name() + ": every one of " + threads * iterations + " reads was refused as stale");
    }
}
