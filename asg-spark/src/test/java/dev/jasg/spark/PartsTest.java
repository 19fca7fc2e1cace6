package dev.jasg.spark;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of {@link SparkTrainer} that run without Spark: batches, the allreduce, checkpoints, settings. */
class PartsTest {
    @ParameterizedTest(name = "shard {0}, batch {1}, shuffle {2}")
    @CsvSource({"10, 3, false", "10, 3, true", "7, 7, true", "5, 8, true", "1, 4, false"})
    void everyEpochVisitsTheShardOnceAndTheScheduleIsAFunctionOfTheStep(int shard, int batch, boolean shuffle) {
        BatchSchedule a = new BatchSchedule(shard, batch, 3, 1, shuffle);
        List<Integer> stream = new ArrayList<>();
        for (long s = 1; s <= 6; s++) for (int i : a.indices(s)) stream.add(i);
        for (int e = 0; (e + 1) * shard <= stream.size(); e++) {
            int[] epoch = stream.subList(e * shard, (e + 1) * shard).stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] all = new int[shard];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, epoch, "epoch " + e);
        }
        // a fresh schedule (a resumed run) gives the same batch for step 5 without walking steps 1-4
        assertArrayEquals(a.indices(5), new BatchSchedule(shard, batch, 3, 1, shuffle).indices(5));
    }

    @Test
    void shuffledEpochsDifferAndWorkersDiffer() {
        BatchSchedule w0 = new BatchSchedule(100, 100, 3, 0, true), w1 = new BatchSchedule(100, 100, 3, 1, true);
        assertFalse(Arrays.equals(w0.indices(1), w0.indices(2)), "epochs are new permutations");
        assertFalse(Arrays.equals(w0.indices(1), w1.indices(1)), "workers draw their own permutations");
        assertThrows(IllegalArgumentException.class, () -> new BatchSchedule(0, 4, 0, 2, true), "an empty shard");
        assertThrows(IllegalArgumentException.class, () -> w0.indices(0));
    }

    /** {@code n} threads standing in for barrier tasks, allGather through a shared array. */
    static final class FakeGroup {
        final int n;
        final String[] slots;
        final CyclicBarrier in, out;

        FakeGroup(int n) {
            this.n = n;
            this.slots = new String[n];
            this.in = new CyclicBarrier(n);
            this.out = new CyclicBarrier(n);
        }

        Barrier.Group member(int rank) {
            return new Barrier.Group() {
                public int rank() { return rank; }
                public int size() { return n; }
                public int stageAttempt() { return 0; }
                public String[] allGather(String message) {
                    try {
                        slots[rank] = message;
                        in.await();
                        String[] copy = slots.clone();
                        out.await();
                        return copy;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }
    }

    static List<Allreduce.Reduced> reduce(float[][] values, int chunk) throws Exception {
        int n = values.length;
        FakeGroup g = new FakeGroup(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Allreduce.Reduced>> fs = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                int rank = t;
                fs.add(pool.submit(() -> Allreduce.average(g.member(rank), new double[] {rank, 10 + rank}, values[rank], chunk)));
            }
            List<Allreduce.Reduced> out = new ArrayList<>();
            for (Future<Allreduce.Reduced> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} tasks, chunks of {1}")
    @CsvSource({"1, 4", "2, 1", "2, 3", "3, 1000", "4, 5"})
    void allreduceAveragesInPartitionOrderWhateverTheChunks(int n, int chunk) throws Exception {
        float[][] v = new float[n][11];
        for (int t = 0; t < n; t++) for (int i = 0; i < 11; i++) v[t][i] = (float) Math.sin(1 + 7 * t + i) * (i == 3 ? 1e8f : 1f);
        float[] expected = new float[11];
        for (int i = 0; i < 11; i++) {
            double s = 0;
            for (int t = 0; t < n; t++) s += v[t][i];
            expected[i] = (float) (s / n);
        }
        for (Allreduce.Reduced r : reduce(v, chunk)) {
            assertArrayEquals(expected, r.mean());
            for (int t = 0; t < n; t++) assertArrayEquals(new double[] {t, 10 + t}, r.headers()[t]);
        }
    }

    @Test
    void allreduceRefusesReplicasOfDifferentSizes() {
        Exception e = assertThrows(java.util.concurrent.ExecutionException.class, () -> reduce(new float[][] {new float[4], new float[5]}, 100));
        assertTrue(e.getCause().getMessage().contains("every replica must build the same model"), e.getCause().getMessage());
    }

    @Test
    void checkpointsAreWholeNewestFirstAndCarryTheLossCurve(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("run").toString(), Map.of());
        assertTrue(store.latestStep().isEmpty(), "no directory yet");
        Map<String, HostTensor> t = Map.of("w", HostTensor.of(DType.F32, Shape.of(2, 2), new float[] {1, 2, 3, Float.NaN}), "optim.step", HostTensor.scalar(9));
        store.save(9, t, new double[] {3, 2, 1, 1, 1, 1, 1, 1, 0.5, 99});
        store.save(12, t, new double[12]);
        Files.writeString(dir.resolve("run/.step-000000020.safetensors.x.tmp"), "half a checkpoint");
        Files.writeString(dir.resolve("run/step-000000030.safetensors.bak"), "not a checkpoint");
        assertEquals(12, store.latestStep().getAsLong());
        CheckpointStore.Snapshot s = store.read(9);
        assertEquals(9, s.step());
        assertArrayEquals(new double[] {3, 2, 1, 1, 1, 1, 1, 1, 0.5}, s.losses());
        assertArrayEquals(t.get("w").floats(), s.tensors().get("w").floats());
        assertEquals(9.0, s.tensors().get("optim.step").item());
        store.save(9, Map.of("w", HostTensor.of(new float[] {5}, 1)), new double[9]);
        assertEquals(5.0, store.read(9).tensors().get("w").item(), "a step's checkpoint can be written again (a retried attempt)");
    }

    @Test
    void theTestJvmRunsWithTheOptionsTheReadmeGivesUsers() throws Exception {
        List<String> jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        String documented = Files.readString(Path.of("jvm-options.txt")).trim();
        for (String option : documented.split("\\s+")) assertTrue(jvm.contains(option), option + " (asg-spark/jvm-options.txt) is not in surefire's argLine");
        assertTrue(documented.split("\\s+").length >= 15);
    }

    static SparkTrainer.Builder complete() {
        return SparkTrainer.builder().model(FashionData::mlp).loss(Losses::crossEntropy).optimizer(() -> new SGD(0.1))
                .input("x", DType.F32, 784).target("y", DType.I32).steps(10);
    }

    @Test
    void builderNamesWhatIsMissingOrWrong() {
        List<Supplier<SparkTrainer.Builder>> missing = List.of(
                () -> SparkTrainer.builder().loss(Losses::crossEntropy).optimizer(() -> new SGD(0.1)).input("x", DType.F32, 4).target("y", DType.I32).steps(1),
                () -> SparkTrainer.builder().model(FashionData::mlp).optimizer(() -> new SGD(0.1)).input("x", DType.F32, 4).target("y", DType.I32).steps(1),
                () -> SparkTrainer.builder().model(FashionData::mlp).loss(Losses::crossEntropy).input("x", DType.F32, 4).target("y", DType.I32).steps(1),
                () -> SparkTrainer.builder().model(FashionData::mlp).loss(Losses::crossEntropy).optimizer(() -> new SGD(0.1)).target("y", DType.I32).steps(1),
                () -> SparkTrainer.builder().model(FashionData::mlp).loss(Losses::crossEntropy).optimizer(() -> new SGD(0.1)).input("x", DType.F32, 4).steps(1),
                () -> SparkTrainer.builder().model(FashionData::mlp).loss(Losses::crossEntropy).optimizer(() -> new SGD(0.1)).input("x", DType.F32, 4).target("y", DType.I32));
        List<String> words = List.of("no model", "no loss", "no optimizer", "no input", "no target", "no step count");
        for (int i = 0; i < missing.size(); i++) {
            Exception e = assertThrows(IllegalStateException.class, missing.get(i).get()::build);
            assertTrue(e.getMessage().contains(words.get(i)), e.getMessage());
        }
        Exception e = assertThrows(IllegalArgumentException.class, () -> complete().mode(SyncMode.localSgd(4)).checkpoints("/tmp/x", 10).build());
        assertTrue(e.getMessage().contains("multiple"), e.getMessage());
        complete().mode(SyncMode.localSgd(5)).checkpoints("/tmp/x", 10).build();
        assertThrows(IllegalArgumentException.class, () -> complete().batchSizePerWorker(0));
        assertThrows(IllegalArgumentException.class, () -> complete().steps(0));
        assertThrows(IllegalArgumentException.class, () -> SyncMode.localSgd(0));
        assertThrows(IllegalArgumentException.class, () -> complete().input("x", DType.F32, 0));
        assertThrows(IllegalArgumentException.class, () -> complete().target("x", DType.I32).build(), "input and target share a name");
        assertNotEquals(new FeedSpec("x", DType.F32, new int[] {2}), new FeedSpec("x", DType.F32, new int[] {3}));
    }
}
