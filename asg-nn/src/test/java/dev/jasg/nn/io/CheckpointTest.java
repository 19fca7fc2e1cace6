package dev.jasg.nn.io;

import dev.jasg.core.DType;
import dev.jasg.core.HostParameters;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path tmp;

    /** A host store holding a weight, a bias and an integer step counter. */
    static Parameters store(float scale) {
        Map<String, HostTensor> values = new java.util.LinkedHashMap<>();
        values.put("fc1.weight", HostTensor.of(new float[] {1 * scale, 2 * scale, 3 * scale, 4 * scale, 5 * scale, 6 * scale}, 2, 3));
        values.put("fc1.bias", HostTensor.of(new float[] {-scale, scale}, 2));
        values.put("optim.step", HostTensor.of(DType.I32, Shape.scalar(), new float[] {Math.round(scale * 10)}));
        return new MapParameters(values);
    }

    /** A minimal in-memory Parameters for tests (HostParameters needs graph nodes to be filled). */
    static class MapParameters implements Parameters {
        final Map<String, HostTensor> values;

        MapParameters(Map<String, HostTensor> values) {
            this.values = values;
        }

        @Override
        public Set<String> names() {
            return values.keySet();
        }

        @Override
        public HostTensor get(String name) {
            return values.get(name);
        }

        @Override
        public void set(String name, HostTensor value) {
            if (!values.get(name).shape().equals(value.shape())) throw new IllegalArgumentException("shape");
            values.put(name, HostTensor.fromDoubles(values.get(name).dtype(), value.shape(), value.toDoubles()));
        }
    }

    static CheckpointState state(long step, double loss) {
        return CheckpointState.at(1, step)
                .withMetrics(Map.of("val_loss", loss))
                .withScheduler(Map.of("last_epoch", 3, "base_lr", 0.1))
                .withRng(Map.of("loader.seed", 42L, "loader.epoch", 2))
                .withModelConfig(Map.of("hidden", List.of(16, 8), "activation", "relu"));
    }

    @Test
    void savesAndLoadsTensorsAndState() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, store(1), state(7, 0.25));
        Parameters into = store(0);
        CheckpointState s = Checkpoint.load(dir, into);
        assertArrayEquals(store(1).get("fc1.weight").floats(), into.get("fc1.weight").floats());
        assertEquals(10, into.get("optim.step").item());
        assertEquals(DType.I32, into.get("optim.step").dtype());
        assertEquals(7, s.step());
        assertEquals(0.25, s.metrics().get("val_loss"));
        assertEquals(3, ((Number) s.scheduler().get("last_epoch")).intValue());
        assertEquals(42L, ((Number) s.rng().get("loader.seed")).longValue());
        assertEquals(List.of(16, 8), s.modelConfig().get("hidden"));
        // The tensor file is a plain SafeTensors file.
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve(Checkpoint.MODEL_FILE))) {
            assertEquals(Set.of("fc1.weight", "fc1.bias", "optim.step"), Set.copyOf(f.names()));
        }
    }

    @Test
    void aSaveThatFailsMidwayLeavesThePreviousCheckpointByteIdentical() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, store(1), state(1, 0.5));
        byte[] model = Files.readAllBytes(dir.resolve(Checkpoint.MODEL_FILE));
        byte[] json = Files.readAllBytes(dir.resolve(Checkpoint.STATE_FILE));

        // 1. A tensor whose conversion throws while the model file is being written.
        Parameters failing = new MapParameters(new java.util.LinkedHashMap<>(((MapParameters) store(2)).values)) {
            @Override
            public HostTensor get(String name) {
                if (name.equals("fc1.weight")) throw new IllegalStateException("device lost while copying " + name);
                return super.get(name);
            }
        };
        assertThrows(IllegalStateException.class, () -> Checkpoint.save(dir, failing, state(2, 0.4)));
        // 2. A value the state JSON cannot hold, after the model temp file is complete.
        CheckpointState unserialisable = state(3, 0.3).withExtra(Map.of("bad", new Object()));
        assertThrows(Exception.class, () -> Checkpoint.save(dir, store(3), unserialisable));
        // 3. A write that fails on the stream (a full disk) in a raw atomic write.
        assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve(Checkpoint.MODEL_FILE), out -> {
            out.write(new byte[100]);
            throw new IOException("No space left on device");
        }));

        assertArrayEquals(model, Files.readAllBytes(dir.resolve(Checkpoint.MODEL_FILE)));
        assertArrayEquals(json, Files.readAllBytes(dir.resolve(Checkpoint.STATE_FILE)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of(Checkpoint.MODEL_FILE, Checkpoint.STATE_FILE), Set.copyOf(files.map(p -> p.getFileName().toString()).toList()),
                    "no temporary files are left behind");
        }
        assertEquals(1, Checkpoint.load(dir, store(0)).step());
    }

    @Test
    void mismatchedPairAndWrongStoreAreRejectedWithoutChangingTheStore() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        Checkpoint.save(a, store(1), state(1, 0.5));
        Checkpoint.save(b, store(2), state(2, 0.5));
        // A crash between the two renames would pair b's tensors with a's state.
        Files.copy(b.resolve(Checkpoint.MODEL_FILE), a.resolve(Checkpoint.MODEL_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.load(a, store(0)));
        assertTrue(e.getMessage().contains("different saves"), e.getMessage());

        Map<String, HostTensor> other = new java.util.LinkedHashMap<>();
        other.put("fc1.weight", HostTensor.of(new float[6], 3, 2));
        other.put("fc1.bias", HostTensor.of(new float[] {9, 9}, 2));
        other.put("optim.step", HostTensor.of(DType.I32, Shape.scalar(), new float[] {0}));
        Parameters wrong = new MapParameters(other);
        FormatException shape = assertThrows(FormatException.class, () -> Checkpoint.load(b, wrong));
        assertTrue(shape.getMessage().contains("fc1.weight"), shape.getMessage());
        assertEquals(9, wrong.get("fc1.bias").get(0), "nothing was set");
    }

    @Test
    void managerKeepsLastNInNumericOrderAndResumesFromLatest() throws IOException {
        CheckpointManager m = new CheckpointManager(tmp.resolve("run"), 2);
        for (long step : new long[] {9, 100, 10}) m.save(store(step), state(step, 1.0 / step));
        assertEquals(List.of("step-10", "step-100"), m.list().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals("step-100", m.latest().orElseThrow().getFileName().toString());
        Parameters into = store(0);
        assertEquals(100, m.restoreLatest(into).orElseThrow().step());
        assertEquals(100f, into.get("fc1.weight").get(0));
        assertTrue(new CheckpointManager(tmp.resolve("empty"), 1).restoreLatest(into).isEmpty());
    }

    @Test
    void managerKeepsTheBestByMetricAndCleansStaleTemporaries() throws IOException {
        Path root = tmp.resolve("run");
        CheckpointManager m = new CheckpointManager(root, 1, "val_loss", CheckpointManager.Mode.MIN, 1);
        m.save(store(1), state(1, 0.5));
        m.save(store(2), state(2, 0.3));
        m.save(store(3), state(3, 0.4));
        assertEquals(List.of("step-2", "step-3"), m.list().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals("step-2", m.best().orElseThrow().getFileName().toString());
        m.save(store(4), state(4, 0.1));
        assertEquals(List.of("step-4"), m.list().stream().map(p -> p.getFileName().toString()).toList());

        CheckpointManager max = new CheckpointManager(tmp.resolve("acc"), 1, "val_loss", CheckpointManager.Mode.MAX, 1);
        max.save(store(1), state(1, 0.5));
        max.save(store(2), state(2, 0.3));
        assertEquals("step-1", max.best().orElseThrow().getFileName().toString());

        Files.createDirectories(root.resolve(".tmp-step-5-abc"));
        Files.writeString(root.resolve(".tmp-step-5-abc").resolve("model.safetensors"), "partial");
        new CheckpointManager(root, 1);
        assertTrue(Files.notExists(root.resolve(".tmp-step-5-abc")));
        // Saving the same step again replaces it.
        m.save(store(7), state(4, 0.05));
        assertEquals(7f, Checkpoint.readTensors(m.directoryOf(4)).get("fc1.weight").get(0));
    }

    @Test
    void failedManagerSaveKeepsOlderCheckpoints() throws IOException {
        CheckpointManager m = new CheckpointManager(tmp.resolve("run"), 1);
        Path first = m.save(store(1), state(1, 0.5));
        byte[] before = Files.readAllBytes(first.resolve(Checkpoint.MODEL_FILE));
        Parameters failing = new MapParameters(((MapParameters) store(2)).values) {
            @Override
            public HostTensor get(String name) {
                throw new IllegalStateException("boom");
            }
        };
        assertThrows(IllegalStateException.class, () -> m.save(failing, state(2, 0.4)));
        assertEquals(List.of(first), m.list());
        assertArrayEquals(before, Files.readAllBytes(first.resolve(Checkpoint.MODEL_FILE)));
        try (Stream<Path> s = Files.list(m.root())) {
            assertEquals(1, s.count(), "the failed save's temporary directory is gone");
        }
    }

    @Test
    void hostParametersStoreRoundTrips() throws IOException {
        // The real core store, filled by a graph, round-trips too.
        dev.jasg.core.GraphBuilder g = new dev.jasg.core.GraphBuilder();
        var w = g.parameter("w", dev.jasg.core.Init.uniform(-1, 1), 3, 2);
        g.output("y", w.sum());
        dev.jasg.core.Graph graph = g.build();
        HostParameters p = new HostParameters(5, DType.F32);
        p.ensure(graph.node(w.id()));
        Checkpoint.save(tmp.resolve("hp"), p, CheckpointState.at(0, 0));
        HostParameters q = new HostParameters(6, DType.F32);
        q.ensure(graph.node(w.id()));
        Checkpoint.load(tmp.resolve("hp"), q);
        assertArrayEquals(p.get("w").floats(), q.get("w").floats());
    }
}
