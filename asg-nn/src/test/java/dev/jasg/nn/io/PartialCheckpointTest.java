package dev.jasg.nn.io;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Checkpoint#loadPartial}: load_state_dict(strict=False) with a shape-mismatch report. */
class PartialCheckpointTest {
    @TempDir
    Path tmp;

    /** A store of tensors named by "name:d0xd1", each filled with {@code fill}. */
    static Parameters store(String spec, float fill) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        if (!spec.isEmpty()) {
            for (String e : spec.split(",")) {
                String[] p = e.split(":");
                int[] dims = java.util.Arrays.stream(p[1].split("x")).mapToInt(Integer::parseInt).toArray();
                float[] v = new float[Shape.of(dims).sizeInt()];
                java.util.Arrays.fill(v, fill);
                m.put(p[0], HostTensor.of(v, dims));
            }
        }
        return new CheckpointTest.MapParameters(m);
    }

    /** saved store, target store, loaded, reinitialised, missing, unexpected. */
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("every shape equal", "w:2x3,b:2,exp_avg.w:2x3", "w:2x3,b:2,exp_avg.w:2x3", "w,b,exp_avg.w", "", "", ""),
                Arguments.of("a resized layer and its optimizer state", "w:2x3,b:2,exp_avg.w:2x3,exp_avg.b:2", "w:4x3,b:4,exp_avg.w:4x3,exp_avg.b:4,v:5",
                        "", "w,b,exp_avg.w,exp_avg.b", "v", ""),
                Arguments.of("only the downstream weight changed", "a:3x2,b:3,c:1x3,d:1", "a:3x2,b:3,c:1x5,d:1", "a,b,d", "c", "", ""),
                Arguments.of("a new layer (missing) and a removed one (unexpected)", "a:2,old:7", "a:2,new:3", "a", "", "new", "old"),
                Arguments.of("nothing in common", "x:1", "y:1", "", "", "y", "x"),
                Arguments.of("a scalar counter", "step:1,w:2", "step:1,w:2", "step,w", "", "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void table(String name, String saved, String target, String loaded, String reinit, String missing, String unexpected) throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, store(saved, 7f), CheckpointState.at(2, 40));
        Parameters into = store(target, -1f);
        PartialLoad r = Checkpoint.loadPartial(dir, into);
        assertEquals(list(loaded), r.loaded(), "loaded");
        assertEquals(list(reinit), r.reinitialised().stream().map(PartialLoad.ShapeMismatch::name).toList(), "reinitialised");
        assertEquals(list(missing), r.missing(), "missing");
        assertEquals(list(unexpected), r.unexpected(), "unexpected");
        assertEquals(40, r.state().step());
        assertEquals(r.loaded().size() == into.names().size() && r.unexpected().isEmpty(), r.complete());
        for (String n : into.names()) {
            float want = r.loaded().contains(n) ? 7f : -1f;
            for (double v : into.get(n).toDoubles()) assertEquals(want, v, n);
        }
        for (PartialLoad.ShapeMismatch m : r.reinitialised()) assertEquals(into.get(m.name()).shape(), m.store());
    }

    private static List<String> list(String csv) {
        return csv.isEmpty() ? List.of() : List.of(csv.split(","));
    }

    @Test
    void aCheckpointThatCannotBeReadChangesNothing() throws IOException {
        Path dir = tmp.resolve("bad");
        Checkpoint.save(dir, store("w:2x3,b:2", 7f), CheckpointState.at(1, 1));
        byte[] bytes = Files.readAllBytes(dir.resolve(Checkpoint.MODEL_FILE));
        bytes[bytes.length - 1] ^= 0x55; // a flipped byte: the CRC no longer matches
        Files.write(dir.resolve(Checkpoint.MODEL_FILE), bytes);
        Parameters into = store("w:2x3,b:2", -1f);
        assertThrows(FormatException.class, () -> Checkpoint.loadPartial(dir, into));
        for (String n : into.names()) for (double v : into.get(n).toDoubles()) assertEquals(-1f, v, n);
        assertThrows(IOException.class, () -> Checkpoint.loadPartial(tmp.resolve("absent"), into));
        for (String n : into.names()) for (double v : into.get(n).toDoubles()) assertEquals(-1f, v, n);
    }

    /** A trained MLP saved, the hidden layer widened, and the checkpoint loaded into the new model's trainer. */
    @Test
    void aWiderHiddenLayerKeepsTheOtherWeightsAndTheirAdamState() throws IOException {
        Path dir = tmp.resolve("mlp");
        Map<String, HostTensor> batch = batch();
        try (Backend backend = Backends.create("cpu")) {
            Map<String, double[]> saved = new LinkedHashMap<>();
            try (Trainer t = trainer(backend, 8)) {
                for (int i = 0; i < 3; i++) t.step(batch);
                Checkpoint.save(dir, t.parameters(), CheckpointState.at(0, t.steps()));
                for (String n : t.parameters().names()) saved.put(n, t.parameters().get(n).toDoubles());
            }
            try (Trainer t = trainer(backend, 12)) {
                PartialLoad r = Checkpoint.loadPartial(dir, t.parameters());
                assertFalse(r.complete());
                List<String> mismatched = new ArrayList<>();
                for (PartialLoad.ShapeMismatch m : r.reinitialised()) mismatched.add(m.name());
                assertTrue(mismatched.containsAll(List.of("1.weight", "1.bias", "3.weight")), mismatched.toString());
                assertTrue(r.loaded().contains("3.bias"), r.loaded().toString());
                assertTrue(r.loaded().stream().anyMatch(n -> n.contains("exp_avg") && n.contains("3.bias")), "Adam's state of 3.bias is loaded: " + r.loaded());
                assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty());
                for (String n : r.loaded()) assertArrayEquals(saved.get(n), t.parameters().get(n).toDoubles(), n);
                double loss = t.step(batch);
                assertTrue(Double.isFinite(loss));
            }
        }
    }

    private static Trainer trainer(Backend backend, int hidden) {
        return Trainer.builder(backend, new Sequential(new Flatten(), new Linear(6, hidden), new ReLU(), new Linear(hidden, 3)))
                .input("x", DType.F32, 4, 6).target("y", DType.I32, 4).loss(Losses::crossEntropy).optimizer(new Adam(1e-2)).seed(3).build();
    }

    private static Map<String, HostTensor> batch() {
        Random r = new Random(1);
        float[] x = new float[24];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return Map.of("x", HostTensor.of(x, 4, 6), "y", HostTensor.of(DType.I32, Shape.of(4), new float[] {0, 1, 2, 1}));
    }
}
