package dev.jasg.nn.data;

import dev.jasg.core.JasgException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prefetch workers never hang the consumer and never outlive their epoch (issue 13 item 9). */
class DataLoaderFailureTest {
    /** Throws {@code t} whatever its type, checked exceptions included, as a careless dataset can. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }

    /** Items 0..5 in batches of 2; example 4 (batch 2) fails in {@code where} ("get" or "collate"). */
    static DataLoader<Integer, List<Integer>> failingLoader(String where, Throwable thrown) {
        Dataset<Integer> ds = new Dataset<>() {
            @Override
            public int size() {
                return 6;
            }

            @Override
            public Integer get(int index) {
                if (where.equals("get") && index == 4) sneakyThrow(thrown);
                return index;
            }
        };
        Function<List<Integer>, List<Integer>> collate = xs -> {
            if (where.equals("collate") && xs.contains(4)) sneakyThrow(thrown);
            return List.copyOf(xs);
        };
        return DataLoader.builder(ds, collate).batchSize(2).prefetch(2).build();
    }

    static Stream<Arguments> failures() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (String where : List.of("get", "collate")) {
            rows.add(Arguments.of(where, new AssertionError("assertion in " + where)));
            rows.add(Arguments.of(where, new OutOfMemoryError("simulated OOM in " + where)));
            rows.add(Arguments.of(where, new IOException("disk gone in " + where)));          // checked, sneaky-thrown
            rows.add(Arguments.of(where, new Exception("plain checked exception in " + where)));
            rows.add(Arguments.of(where, new UncheckedIOException(new IOException("unchecked in " + where))));
        }
        return rows.build();
    }

    @ParameterizedTest(name = "{0} throws {1}")
    @MethodSource("failures")
    void everyThrowableReachesTheConsumerAtItsBatch(String where, Throwable thrown) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (var l = failingLoader(where, thrown)) {
                Iterator<List<Integer>> it = l.iterator();
                assertEquals(List.of(0, 1), it.next());
                assertEquals(List.of(2, 3), it.next());
                Throwable got = assertThrows(Throwable.class, it::next);
                if (thrown instanceof Error) {
                    assertSame(thrown, got, "an Error is rethrown as is");
                    assertTrue(Arrays.stream(got.getSuppressed()).anyMatch(s -> s.getMessage().contains("batch 2")),
                            () -> "a suppressed note names the batch: " + Arrays.toString(got.getSuppressed()));
                } else {
                    assertInstanceOf(JasgException.class, got);
                    assertSame(thrown, got.getCause(), "the original is the cause");
                    assertTrue(got.getMessage().contains("batch 2") && got.getMessage().contains(thrown.getMessage()), got.getMessage());
                }
                assertFalse(it.hasNext(), "a failure ends the epoch");
            }
        }, where + " throwing " + thrown + " must reach the consumer, not hang it");
    }

    static Set<Thread> liveWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("jasg-data-loader") && t.isAlive()).collect(Collectors.toSet());
    }

    /** Starts an epoch, takes one batch (the worker then blocks on a full queue) and drops the iterator; returns the new worker. */
    static Set<Thread> startAndAbandon(DataLoader<Sample, ?> loader) {
        Set<Thread> before = liveWorkers();
        Iterator<?> it = loader.iterator();
        it.next();
        Set<Thread> mine = liveWorkers();
        mine.removeAll(before);
        return mine;
    }

    @Test
    void anAbandonedIteratorsWorkerEnds() throws InterruptedException {
        var kept = DataLoaderTest.loader(200, 2, 1L, false, 1);
        Set<Thread> workers = startAndAbandon(kept);                                   // the loader stays reachable
        workers.addAll(startAndAbandon(DataLoaderTest.loader(200, 2, 1L, false, 1)));  // the loader is dropped too
        assertEquals(2, workers.size(), "each epoch had its own worker: " + workers);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (workers.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(Set.of(), workers.stream().filter(Thread::isAlive).collect(Collectors.toSet()),
                "workers of abandoned iterators are still alive after 10 s of GC");
        assertEquals(1, kept.epoch());
    }

    @Test
    void closingAnIteratorEndsItsWorkerAndTheLoaderGoesOn() throws InterruptedException {
        try (var l = DataLoaderTest.loader(200, 2, 1L, false, 1)) {
            Set<Thread> before = liveWorkers();
            DataLoader.BatchIterator<?> it = l.iterator();
            it.next();
            Set<Thread> mine = liveWorkers();
            mine.removeAll(before);
            assertEquals(1, mine.size());
            it.close();
            Thread worker = mine.iterator().next();
            worker.join(5000);
            assertFalse(worker.isAlive(), "closing the iterator stops its worker");
            assertFalse(it.hasNext());
            assertThrows(IllegalStateException.class, it::next);
            int batches = 0;
            try (var next = l.iterator()) {
                while (next.hasNext()) {
                    next.next();
                    batches++;
                }
            }
            assertEquals(100, batches, "the next epoch runs whole");
        }
    }
}
