package dev.jasg.nn.data;

import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    /** Example i has features [i, 10 i] and label i. */
    static InMemoryDataset ds(int n) {
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i;
        }
        return new InMemoryDataset(HostTensor.of(x, n, 2), HostTensor.ofInts(y, n));
    }

    static List<List<Integer>> epoch(DataLoader<Sample, Map<String, HostTensor>> loader) {
        List<List<Integer>> out = new ArrayList<>();
        for (Map<String, HostTensor> b : loader) {
            List<Integer> labels = new ArrayList<>();
            for (float v : b.get("y").floats()) labels.add((int) v);
            // Features travel with their labels.
            for (int i = 0; i < labels.size(); i++) assertEquals(10f * labels.get(i), b.get("x").at(i, 1));
            out.add(labels);
        }
        return out;
    }

    static DataLoader<Sample, Map<String, HostTensor>> loader(int n, int batch, Long seed, boolean dropLast, int prefetch) {
        var b = DataLoader.builder(ds(n), Collate.stack("x", "y")).batchSize(batch).dropLast(dropLast).prefetch(prefetch);
        if (seed != null) b.shuffle(seed);
        return b.build();
    }

    @Test
    void sequentialBatchesAndDropLast() {
        try (var l = loader(10, 4, null, false, 0)) {
            assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9)), epoch(l));
            assertEquals(3, l.batchesPerEpoch());
        }
        try (var l = loader(10, 4, null, true, 0)) {
            assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), epoch(l));
        }
    }

    @Test
    void shuffleIsReproducibleForASeedAndDiffersAcrossEpochs() {
        List<List<Integer>> a1, a2, b1;
        try (var a = loader(50, 8, 42L, false, 0)) {
            a1 = epoch(a);
            a2 = epoch(a);
        }
        try (var b = loader(50, 8, 42L, false, 0)) {
            b1 = epoch(b);
            assertEquals(a2, epoch(b));
        }
        assertEquals(a1, b1);
        assertNotEquals(a1, a2);
        Set<Integer> seen = new HashSet<>();
        a1.forEach(seen::addAll);
        assertEquals(50, seen.size(), "an epoch visits every example once");
        try (var c = loader(50, 8, 43L, false, 0)) {
            assertNotEquals(a1, epoch(c));
        }
        try (var d = loader(50, 8, 42L, false, 0)) {
            d.load(Map.of("seed", 42L, "epoch", 1));
            assertEquals(a2, epoch(d), "state() / load() replays an epoch");
        }
    }

    @Test
    void prefetchDeliversTheSameBatchesAsWithout() {
        try (var plain = loader(37, 5, 7L, false, 0); var pre = loader(37, 5, 7L, false, 3)) {
            for (int e = 0; e < 3; e++) assertEquals(epoch(plain), epoch(pre));
            // An abandoned epoch does not disturb the next.
            var it = pre.iterator();
            it.next();
            var ref = loader(37, 5, 7L, false, 0);
            ref.setEpoch(4);
            assertEquals(epoch(ref), epoch(pre));
        }
    }

    @Test
    void prefetchWorkerIsADaemonStoppedOnClose() throws InterruptedException {
        var l = loader(20, 2, 1L, false, 2);
        l.iterator().next();
        Thread worker = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("jasg-data-loader") && t.isAlive())
                .findFirst().orElseThrow();
        assertTrue(worker.isDaemon());
        l.close();
        worker.join(5000);
        assertFalse(worker.isAlive());
        assertThrows(IllegalStateException.class, l::iterator);
    }

    @Test
    void workerFailuresSurfaceAtTheBatch() {
        Dataset<Integer> failing = new Dataset<>() {
            @Override
            public int size() {
                return 6;
            }

            @Override
            public Integer get(int index) {
                if (index == 4) throw new IllegalStateException("corrupt record 4");
                return index;
            }
        };
        try (var l = DataLoader.builder(failing, (List<Integer> xs) -> xs).batchSize(2).prefetch(2).build()) {
            var it = l.iterator();
            assertEquals(List.of(0, 1), it.next());
            assertEquals(List.of(2, 3), it.next());
            JasgException e = assertThrows(JasgException.class, it::next);
            assertTrue(e.getMessage().contains("batch 2") && e.getMessage().contains("corrupt record 4"), e.getMessage());
        }
    }

    @Test
    void samplers() {
        assertArrayEquals(new int[] {0, 1, 2}, new SequentialSampler(3).indices(5));
        RandomSampler r = new RandomSampler(10, 3);
        assertArrayEquals(r.indices(2), new RandomSampler(10, 3).indices(2));
        int[] sorted = r.indices(0).clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
        assertEquals(25, new RandomSampler(4, 1, true, 25).indices(0).length);

        // Zero weight is never drawn; weight 3 vs 1 is drawn about 3x as often.
        WeightedRandomSampler w = new WeightedRandomSampler(new double[] {1, 0, 3}, 20000, true, 9);
        int[] counts = new int[3];
        for (int i : w.indices(0)) counts[i]++;
        assertEquals(0, counts[1]);
        assertEquals(3.0, (double) counts[2] / counts[0], 0.15);
        int[] noRep = new WeightedRandomSampler(new double[] {1, 0, 3, 2}, 3, false, 9).indices(0);
        Arrays.sort(noRep);
        assertArrayEquals(new int[] {0, 2, 3}, noRep);
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {1, 0}, 2, false, 1));

        BatchSampler bs = new BatchSampler(new SequentialSampler(7), 3, false);
        assertEquals(3, bs.batches(0).size());
        assertArrayEquals(new int[] {6}, bs.batches(0).get(2));
        assertEquals(2, new BatchSampler(new SequentialSampler(7), 3, true).batches(0).size());
    }

    @Test
    void datasetsAndSplits() {
        InMemoryDataset d = ds(10);
        assertEquals(7f, d.get(7).label().item());
        MapDataset<Sample, Integer> labels = new MapDataset<>(d, s -> (int) s.label().item());
        ConcatDataset<Integer> cat = new ConcatDataset<>(List.of(labels, new SubsetDataset<>(labels, new int[0]), new SubsetDataset<>(labels, new int[] {9, 8})));
        assertEquals(12, cat.size());
        assertEquals(9, cat.get(9));
        assertEquals(9, cat.get(10));
        assertEquals(8, cat.get(11));
        assertThrows(IndexOutOfBoundsException.class, () -> cat.get(12));

        List<SubsetDataset<Sample>> parts = Splits.randomSplit(d, 5L, 0.7, 0.3);
        assertEquals(7, parts.get(0).size());
        assertEquals(3, parts.get(1).size());
        Set<Integer> all = new HashSet<>();
        for (var p : parts) for (int i : p.indices()) assertTrue(all.add(i), "disjoint");
        assertEquals(10, all.size());
        assertArrayEquals(parts.get(1).indices(), Splits.randomSplit(d, 5L, 0.7, 0.3).get(1).indices());
        assertEquals(List.of(3, 3, 3), Splits.randomSplit(ds(9), 1L, 1.0 / 3, 1.0 / 3, 1.0 / 3).stream().map(SubsetDataset::size).toList());
        Splits.Split<Sample> tt = Splits.trainTestSplit(d, 0.25, 1);
        assertEquals(3, tt.test().size()); // ceil(2.5)
        assertEquals(7, tt.train().size());
        assertThrows(IllegalArgumentException.class, () -> Splits.randomSplit(d, 1L, 3, 3));
    }
}
