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

    /**
     * {@link Outputs#copyInto} gives exactly what {@code get(name).floats()} gives, for f32, bf16 and i32 outputs of
     * {@code 2^18} elements, whether the output was read by {@code get} before or not; it returns the array it filled, refuses
     * a short array and an unknown name ({@link IllegalArgumentException}); a read after the next run is refused
     * ({@link IllegalStateException}) or gives that run's values, never the next run's. With {@code withoutAllocating}, a {@code copyInto} of an output not read before
     * allocates less than a sixteenth of the output's bytes on the calling thread. {@link Outputs#scalar} of a one-element
     * output reads what {@code get(name).item()} reads and refuses a longer output ({@link IllegalStateException}); with
     * {@code withoutAllocating} it allocates nothing. {@link Executable#runInto} gives what {@code run(feeds).get(name)} gives,
     * returns the array it filled, and refuses a short array and an unknown name (naming it).
     */
    public static void copyIntoReadsWhatGetReads(Backend backend, boolean withoutAllocating) {
        int n = 1 << 18;
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, n);
        g.output("f32", x.mul(3).add(0.25));
        g.output("bf16", x.mul(1.0 / 3).cast(DType.BF16));
        g.output("i32", x.mul(7).cast(DType.I32));
        g.output("total", x.mul(1e-3).sum());
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = (i % 1000) * 0.37f - 50;
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xs, n));
        String b = backend.name();
        try (Executable e = backend.compile(g.build())) {
            Outputs o = e.run(feeds);
            float[] dst = new float[n + 3];
            for (String name : List.of("f32", "bf16", "i32")) {
                Arrays.fill(dst, Float.NaN);
                float[] got = o.copyInto(name, dst);  // before get: read straight from the backend's memory
                assertTrue(got == dst, b + ": returns the array it filled");
                float[] want = o.get(name).floats();
                assertTrue(Arrays.equals(want, 0, n, dst, 0, n), b + ": " + name + " read before get: the same values as get");
                assertTrue(Float.isNaN(dst[n]), b + ": " + name + ": nothing written past the output");
                Arrays.fill(dst, Float.NaN);
                o.copyInto(name, dst);
                assertTrue(Arrays.equals(want, 0, n, dst, 0, n), b + ": " + name + " read after get: the same values as get");
            }
            // scalar: the one value get(name).item() gives; an output of more than one element is refused
            assertTrue(o.scalar("total") == o.get("total").item(), b + ": scalar reads what get(...).item() reads");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> o.scalar("f32"), b + ": scalar of a vector");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> o.copyInto("f32", new float[n - 1]), b + ": a short array");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> o.copyInto("nope", dst), b + ": an unknown name");
            if (withoutAllocating) {
                var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                long tid = Thread.currentThread().threadId();
                Outputs fresh = e.run(feeds);
                fresh.copyInto("bf16", dst);  // the read path warm
                long before = threads.getThreadAllocatedBytes(tid);
                fresh.copyInto("f32", dst);
                long allocated = threads.getThreadAllocatedBytes(tid) - before;
                assertTrue(allocated < 4L * n / 16, b + ": copyInto allocated " + allocated + " bytes for a " + 4L * n + "-byte output");
                fresh.scalar("total");  // the read path warm
                before = threads.getThreadAllocatedBytes(tid);
                double total = fresh.scalar("total");
                allocated = threads.getThreadAllocatedBytes(tid) - before;
                assertTrue(allocated == 0, b + ": scalar allocated " + allocated + " bytes reading " + total);
            }
            // runInto: the run and the read together, the same values as run(...).get(name); a short array or an unknown name refused
            for (String name : List.of("f32", "bf16", "i32")) {
                Arrays.fill(dst, Float.NaN);
                float[] got = e.runInto(feeds, name, dst);
                assertTrue(got == dst, b + ": runInto returns the array it filled");
                float[] want = e.run(feeds).get(name).floats();
                assertTrue(Arrays.equals(want, 0, n, dst, 0, n), b + ": runInto(" + name + ") reads what run(...).get reads");
                assertTrue(Float.isNaN(dst[n]), b + ": runInto(" + name + "): nothing written past the output");
            }
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> e.runInto(feeds, "f32", new float[n - 1]), b + ": runInto, a short array");
            IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> e.runInto(feeds, "nope", dst), b + ": runInto, an unknown name");
            assertTrue(unknown.getMessage().contains("nope"), b + ": the error names the output: " + unknown.getMessage());
            // a read after the next run: refused as stale, or (a backend whose outputs outlive the run) this run's values
            Outputs last = e.run(feeds);
            float[] lastWant = last.get("f32").floats();
            float[] other = xs.clone();
            for (int i = 0; i < n; i++) other[i] += 1;
            e.run(Map.of("x", HostTensor.of(other, n)));
            try {
                last.copyInto("f32", dst);
                assertTrue(Arrays.equals(lastWant, 0, n, dst, 0, n), b + ": a read after the next run gave another run's values");
            } catch (IllegalStateException stale) {
                // refused: allowed
            }
        }
    }

    /**
     * Every run checks its feeds, also the runs that reuse the last run's plan for feeds of the same shapes: after good runs
     * of one batch size, labels outside the range the graph declared ({@code GraphBuilder.requireRange}) are refused by
     * {@code run} and by {@code runInto}, naming the input and the value, and the next good run still gives the right
     * value; a feed of an input no output reads is accepted; another batch size binds and runs, then the first one again; a
     * missing feed, an unknown feed and a feed of the wrong dtype are refused ({@link dev.jasg.core.FeedException}).
     */
    public static void feedsAreCheckedOnEveryRun(Backend backend) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3), labels = g.input("labels", DType.I32, "B");
        g.input("spare", DType.F32, 1);   // an input no output reads (a trainer's target the loss ignores): fed, accepted, unused
        assertTrue(g.requireRange(labels, 0, 3, null, "a test over 3 classes"), "the range is declared on the input");
        g.output("y", x.sum().add(labels.cast(DType.F32).mul(10).sum()));
        String b = backend.name();
        try (Executable e = backend.compile(g.build())) {
            java.util.function.IntFunction<Map<String, HostTensor>> good = n -> {
                float[] xs = new float[n * 3];
                int[] ls = new int[n];
                for (int i = 0; i < xs.length; i++) xs[i] = i * 0.5f;
                for (int i = 0; i < n; i++) ls[i] = i % 3;
                return Map.of("x", HostTensor.of(xs, n, 3), "labels", HostTensor.ofInts(ls, n));
            };
            // sum(x) + 10 sum(labels): n = 4 -> 0.5 (0 + ... + 11) + 10 (0 + 1 + 2 + 0) = 33 + 30; n = 5 -> 52.5 + 40
            float[] y = new float[1];
            for (int i = 0; i < 3; i++) assertEquals(63f, e.run(good.apply(4)).get("y").floats()[0], 1e-4f, b + ": a good run");
            Map<String, HostTensor> spare = new java.util.HashMap<>(good.apply(4));
            spare.put("spare", HostTensor.of(new float[] {5}, 1));
            for (int i = 0; i < 3; i++) assertEquals(63f, e.runInto(spare, "y", y)[0], 1e-4f, b + ": with a feed no output reads");
            Map<String, HostTensor> bad = new java.util.HashMap<>(good.apply(4));
            bad.put("labels", HostTensor.ofInts(new int[] {0, 1, 7, 2}, 4));
            dev.jasg.core.FeedException ex = org.junit.jupiter.api.Assertions.assertThrows(dev.jasg.core.FeedException.class, () -> e.run(bad),
                    b + ": a label out of range after good runs");
            assertTrue(ex.getMessage().contains("'labels'") && ex.getMessage().contains("7"), b + ": the error names the feed and the value: " + ex.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(dev.jasg.core.FeedException.class, () -> e.runInto(bad, "y", y), b + ": the same through runInto");
            assertEquals(63f, e.runInto(good.apply(4), "y", y)[0], 1e-4f, b + ": a good run after the refused ones");
            assertEquals(92.5f, e.run(good.apply(5)).get("y").floats()[0], 1e-4f, b + ": another batch size binds and runs");
            assertEquals(63f, e.runInto(good.apply(4), "y", y)[0], 1e-4f, b + ": and the first one again");
            for (var wrong : List.<Map<String, HostTensor>>of(Map.of("x", good.apply(4).get("x")),
                    Map.of("x", good.apply(4).get("x"), "labels", good.apply(4).get("labels"), "extra", HostTensor.of(new float[] {1}, 1)),
                    Map.of("x", good.apply(4).get("x"), "labels", HostTensor.of(new float[] {0, 1, 2, 0}, 4)))) {
                org.junit.jupiter.api.Assertions.assertThrows(dev.jasg.core.FeedException.class, () -> e.run(wrong), b + ": feeds " + wrong.keySet());
            }
        }
    }
}
