package dev.jasg.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.BatchNorm1d;
import dev.jasg.nn.IncompatibleKeys;
import dev.jasg.nn.IncompatibleKeysException;
import dev.jasg.nn.Layer;
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
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StateDict} and {@link Layer#loadStateDict}: single and sharded SafeTensors, dtype
 * conversions, strict and non-strict key matching, shape errors, model-only save and load, hostile
 * indexes and shards, and a PyTorch-written state dict giving PyTorch's output (issue 15, STATE).
 */
class StateDictTest {
    @TempDir
    Path tmp;

    /** A root layer with one F32 parameter {@code w} of {@code shape}. */
    static final class One extends Layer {
        One(int... shape) {
            registerParameter("w", Shape.of(shape), DType.F32, Init.zeros(), true);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(parameter(x, "w"));
        }
    }

    /** The values a parameter starts from after a load (its Init.Values). */
    static double[] initial(Layer layer, String name) {
        var spec = layer.namedParameters().containsKey(name) ? layer.namedParameters().get(name) : layer.namedBuffers().get(name);
        return assertInstanceOf(Init.Values.class, spec.init(), name + " has no loaded value").value().toDoubles();
    }

    // ---- dtype conversions --------------------------------------------------------------------------

    /** File dtype, values written, F32 values expected after the load (the dtype's rounding, computed by hand). */
    static Stream<Arguments> conversions() {
        return Stream.of(
                // F16: 0.1 -> 0x2E66 = 1638/16384 = 0.0999755859375; 65504 is F16's largest finite value.
                Arguments.of(SafeTensorsDType.F16, new double[] {0.1, -2.5, 65504}, new double[] {0.0999755859375, -2.5, 65504}),
                // BF16: 0.1 -> 0x3DCD = 0.10009765625 (round to nearest even); 3.140625 is exact.
                Arguments.of(SafeTensorsDType.BF16, new double[] {0.1, -3.140625, 1e-3}, new double[] {0.10009765625, -3.140625, 0.00099945068359375}),
                // F64 -> F32 rounds to the nearest float.
                Arguments.of(SafeTensorsDType.F64, new double[] {0.1, 1.0 / 3, -1e10}, new double[] {(float) 0.1, (float) (1.0 / 3), (float) -1e10}),
                // I64 -> F32 is exact up to 2^24.
                Arguments.of(SafeTensorsDType.I64, new double[] {-3, 0, 16777216}, new double[] {-3, 0, 16777216}),
                Arguments.of(SafeTensorsDType.I32, new double[] {7, -8, 9}, new double[] {7, -8, 9}),
                Arguments.of(SafeTensorsDType.U8, new double[] {0, 1, 255}, new double[] {0, 1, 255}));
    }

    @ParameterizedTest(name = "{0} -> F32")
    @MethodSource("conversions")
    void storedDTypesConvertToTheParameterDTypeAndAreNamed(SafeTensorsDType stored, double[] written, double[] expected) throws IOException {
        Path f = tmp.resolve("one.safetensors");
        SafeTensors.save(f, List.of(new SafeTensors.Entry("w", HostTensor.fromDoubles(DType.F64, Shape.of(3), written), stored)), Map.of());
        One layer = new One(3);
        IncompatibleKeys k = layer.loadStateDict(StateDict.load(f), true);
        assertTrue(k.isEmpty(), k.toString());
        assertEquals(List.of("w: " + stored + " -> F32"), k.conversions());
        assertArrayEquals(expected, initial(layer, "w"), 0);
    }

    @Test
    void aFloatIntoAnIntegerBufferMustBeExact() throws IOException {
        Layer bn = new Sequential(new BatchNorm1d(2));
        Map<String, HostTensor> d = new LinkedHashMap<>();
        d.put("0.num_batches_tracked", HostTensor.ofDoubles(new double[] {2.5}));
        var e = assertThrows(dev.jasg.core.JasgException.class, () -> bn.loadStateDict(d, false));
        assertTrue(e.getMessage().contains("0.num_batches_tracked") && e.getMessage().contains("F64 to I64"), e.getMessage());
        d.put("0.num_batches_tracked", HostTensor.ofDoubles(new double[] {4}));
        assertEquals(List.of("0.num_batches_tracked: F64 -> I64"), bn.loadStateDict(d, false).conversions());
    }

    @Test
    void aDropoutSeedIsNotPartOfTheStateDict() {
        // torchvision's MobileNetV2 classifier is Sequential(Dropout, Linear): its checkpoint has no dropout seed
        Layer m = new Sequential(new dev.jasg.nn.Dropout(0.2), new dev.jasg.nn.Linear(2, 3));
        Map<String, HostTensor> d = new LinkedHashMap<>();
        d.put("1.weight", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        d.put("1.bias", HostTensor.of(new float[] {7, 8, 9}, 3));
        assertTrue(m.loadStateDict(d, true).isEmpty(), "a strict load needs no 0.seed");
        assertTrue(m.namedBuffers().containsKey("0.seed"), "the graph still has its seed buffer");
        assertFalse(m.namedPersistentBuffers().containsKey("0.seed"));
    }

    // ---- keys and shapes ----------------------------------------------------------------------------

    static Map<String, HostTensor> linearDict(String... keys) {
        Map<String, HostTensor> d = new LinkedHashMap<>();
        for (String k : keys) {
            d.put(k, switch (k) {
                case "0.weight" -> HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
                case "0.bias" -> HostTensor.of(new float[] {7, 8, 9}, 3);
                default -> HostTensor.of(new float[] {0}, 1);
            });
        }
        return d;
    }

    /** Keys given, strict, missing expected, unexpected expected (null: strict must throw). */
    static Stream<Arguments> keyCases() {
        return Stream.of(
                Arguments.of(List.of("0.weight", "0.bias"), true, List.of(), List.of()),
                Arguments.of(List.of("0.weight", "0.bias"), false, List.of(), List.of()),
                Arguments.of(List.of("0.weight", "extra"), false, List.of("0.bias"), List.of("extra")),
                Arguments.of(List.of("0.bias", "1.weight", "extra"), false, List.of("0.weight"), List.of("1.weight", "extra")),
                Arguments.of(List.of(), false, List.of("0.weight", "0.bias"), List.of()),
                Arguments.of(List.of("0.weight", "extra"), true, List.of("0.bias"), List.of("extra")),
                Arguments.of(List.of("0.weight"), true, List.of("0.bias"), List.of()));
    }

    @ParameterizedTest(name = "{0} strict={1}")
    @MethodSource("keyCases")
    void missingAndUnexpectedKeysAsPyTorch(List<String> keys, boolean strict, List<String> missing, List<String> unexpected) {
        Layer model = new Sequential(new Linear(2, 3));
        Map<String, HostTensor> d = linearDict(keys.toArray(String[]::new));
        boolean mismatch = !missing.isEmpty() || !unexpected.isEmpty();
        if (strict && mismatch) {
            var e = assertThrows(IncompatibleKeysException.class, () -> model.loadStateDict(d, true));
            assertEquals(missing, e.keys().missingKeys());
            assertEquals(unexpected, e.keys().unexpectedKeys());
            for (String k : missing) assertTrue(e.getMessage().contains(k), e.getMessage());
            for (String k : unexpected) assertTrue(e.getMessage().contains(k), e.getMessage());
            assertTrue(e.getMessage().contains("Sequential"), e.getMessage());
            // Nothing was loaded.
            assertTrue(model.namedParameters().values().stream().noneMatch(p -> p.init() instanceof Init.Values));
            return;
        }
        IncompatibleKeys k = model.loadStateDict(d, strict);
        assertEquals(missing, k.missingKeys());
        assertEquals(unexpected, k.unexpectedKeys());
        if (keys.contains("0.weight")) assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, initial(model, "0.weight"), 0);
        if (keys.contains("0.bias")) assertArrayEquals(new double[] {7, 8, 9}, initial(model, "0.bias"), 0);
    }

    @ParameterizedTest(name = "strict={0}")
    @MethodSource("bools")
    void aShapeMismatchNamesTheKeyAndBothShapesAndLoadsNothing(boolean strict) {
        Layer model = new Sequential(new Linear(2, 3));
        Map<String, HostTensor> d = new LinkedHashMap<>();
        d.put("0.bias", HostTensor.of(new float[] {7, 8, 9}, 3));
        d.put("0.weight", HostTensor.of(new float[6], 2, 3));
        var e = assertThrows(ShapeException.class, () -> model.loadStateDict(d, strict));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("[2,3]") && e.getMessage().contains("[3,2]"), e.getMessage());
        assertTrue(model.namedParameters().values().stream().noneMatch(p -> p.init() instanceof Init.Values), "0.bias must not be half-loaded");
    }

    static Stream<Boolean> bools() {
        return Stream.of(true, false);
    }

    // ---- values reach the backend; model-only save and load ----------------------------------------

    static Layer mlp() {
        return new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    }

    static final HostTensor X = HostTensor.of(new float[] {0.5f, -1, 2, 1, 0.25f, -0.75f}, 2, 3);

    static HostTensor run(Backend b, Parameters store, Layer model) {
        GraphBuilder g = new GraphBuilder();
        g.output("y", model.apply(g.input("x", DType.F32, 2, 3)));
        try (Executable e = b.compile(store, g.build())) {
            return e.run(Map.of("x", X)).get("y");
        }
    }

    @Test
    void modelOnlySaveAndLoadRoundTripWithoutOptimizerState() throws IOException {
        Path f = tmp.resolve("sub/model.safetensors");
        try (Backend cpu = Backends.create("cpu")) {
            Layer trained = mlp();
            HostTensor before;
            try (Trainer t = Trainer.builder(cpu, trained).input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 2)
                    .loss(Losses::mseLoss).optimizer(new Adam(0.1)).seed(3).build()) {
                t.step(Map.of("x", X, "y", HostTensor.of(new float[] {1, 0, 0, 1}, 2, 2)));
                assertTrue(t.parameters().names().size() > 4, "the store also holds Adam's state: " + t.parameters().names());
                StateDict.save(trained, t.parameters(), f);
                before = run(cpu, t.parameters(), trained);
            }
            StateDict d = StateDict.load(f);
            assertEquals(Set.of("0.weight", "0.bias", "2.weight", "2.bias"), d.keySet(), "model-only: no optimizer state");
            assertEquals("pt", d.metadata().get("format"));
            Layer fresh = mlp();
            assertTrue(fresh.loadStateDict(d, true).isEmpty());
            HostTensor after = run(cpu, cpu.newParameters(99), fresh);
            assertArrayEquals(before.floats(), after.floats(), 0f);

            // A store that already holds the parameters is updated by the three-argument form.
            Layer other = mlp();
            Parameters store = cpu.newParameters(5);
            HostTensor random = run(cpu, store, other);
            assertTrue(Math.abs(random.floats()[0] - before.floats()[0]) > 1e-6);
            other.loadStateDict(d, true, store);
            assertArrayEquals(before.floats(), run(cpu, store, other).floats(), 0f);
            assertArrayEquals(d.get("2.weight").floats(), other.stateDict(store).get("2.weight").floats(), 0f);
        }
    }

    @Test
    void saveIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path f = tmp.resolve("w.safetensors");
        StateDict.save(Map.of("a", HostTensor.of(new float[] {1}, 1)), f);
        StateDict.save(Map.of("a", HostTensor.of(new float[] {2}, 1)), f);
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("w.safetensors"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(2.0, StateDict.load(f).get("a").item());
    }

    // ---- sharded -------------------------------------------------------------------------------------

    static final String S1 = "model-00001-of-00002.safetensors", S2 = "model-00002-of-00002.safetensors";

    /** Writes a two-shard checkpoint of a Linear(2, 3) under "0." plus a BF16 "1.weight" into {@code dir}. */
    static Path sharded(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafeTensors.save(dir.resolve(S1), List.of(
                SafeTensors.Entry.of("0.weight", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2))), Map.of("format", "pt"));
        SafeTensors.save(dir.resolve(S2), List.of(
                SafeTensors.Entry.of("0.bias", HostTensor.of(new float[] {7, 8, 9}, 3)),
                new SafeTensors.Entry("1.weight", HostTensor.of(new float[] {0.5f, -0.25f}, 1, 2), SafeTensorsDType.BF16)), Map.of());
        return index(dir, "{\"metadata\":{\"total_size\":40},\"weight_map\":{\"0.weight\":\"" + S1 + "\",\"0.bias\":\"" + S2
                + "\",\"1.weight\":\"" + S2 + "\"}}");
    }

    static Path index(Path dir, String json) throws IOException {
        return Files.writeString(dir.resolve(StateDict.INDEX_FILE), json);
    }

    static Layer twoLinears() {
        return new Sequential(new Linear(2, 3), new Linear(2, 1, false));
    }

    @Test
    void shardedCheckpointsLoadTogetherOrLazily() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Path idx = sharded(dir);
        for (Path p : List.of(dir, idx)) {
            StateDict d = StateDict.load(p);
            assertEquals(List.of("0.weight", "0.bias", "1.weight"), List.copyOf(d.keySet()));
            assertEquals("40", d.metadata().get("total_size"));
            Layer m = twoLinears();
            IncompatibleKeys k = m.loadStateDict(d, true);
            assertEquals(List.of("1.weight: BF16 -> F32"), k.conversions());
            assertArrayEquals(new double[] {7, 8, 9}, initial(m, "0.bias"), 0);
            assertArrayEquals(new double[] {0.5, -0.25}, initial(m, "1.weight"), 0);
        }
        // Lazily: shard 2 is not opened until one of its tensors is asked for.
        try (StateDict lazy = StateDict.open(dir)) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, lazy.get("0.weight").floats());
            Files.write(dir.resolve(S2), new byte[] {1, 2, 3});
            var e = assertThrows(FormatException.class, () -> lazy.get("0.bias"));
            assertTrue(e.getMessage().contains(S2), e.getMessage());
        }
    }

    /** A mutation of the sharded checkpoint, and what the error must name. */
    static Stream<Arguments> hostile() {
        return Stream.<Arguments>of(
                Arguments.of("missing shard file", (Consumer<Path>) d -> delete(d.resolve(S2)), List.of(StateDict.INDEX_FILE, S2, "0.bias", "does not exist")),
                Arguments.of("key mapped to a shard that lacks it", (Consumer<Path>) d -> write(d, "{\"weight_map\":{\"0.weight\":\"" + S1 + "\",\"0.bias\":\"" + S1
                        + "\",\"1.weight\":\"" + S2 + "\"}}"), List.of(StateDict.INDEX_FILE, "'0.bias'", S1, "does not hold it")),
                Arguments.of("duplicate key across shards", (Consumer<Path>) d -> {
                    save(d.resolve(S1), "0.weight", "0.bias");
                }, List.of(StateDict.INDEX_FILE, "duplicate key '0.bias'", S1, S2)),
                Arguments.of("shard holds an unlisted key", (Consumer<Path>) d -> save(d.resolve(S1), "0.weight", "stray"),
                        List.of(StateDict.INDEX_FILE, "'stray'", S1, "does not list")),
                Arguments.of("duplicate key in the index JSON", (Consumer<Path>) d -> write(d, "{\"weight_map\":{\"0.weight\":\"" + S1 + "\",\"0.weight\":\"" + S2 + "\"}}"),
                        List.of(StateDict.INDEX_FILE, "duplicate key", "0.weight")),
                Arguments.of("no weight_map", (Consumer<Path>) d -> write(d, "{\"metadata\":{}}"), List.of(StateDict.INDEX_FILE, "weight_map")),
                Arguments.of("weight_map value not a string", (Consumer<Path>) d -> write(d, "{\"weight_map\":{\"0.weight\":3}}"),
                        List.of(StateDict.INDEX_FILE, "'0.weight'", "not a shard file name")),
                Arguments.of("shard outside the directory", (Consumer<Path>) d -> write(d, "{\"weight_map\":{\"0.weight\":\"../" + S1 + "\"}}"),
                        List.of(StateDict.INDEX_FILE, "'0.weight'", "not a file name in the index's directory")),
                Arguments.of("index not JSON", (Consumer<Path>) d -> write(d, "{\"weight_map\":"), List.of(StateDict.INDEX_FILE, "not well-formed JSON")),
                Arguments.of("index too large (sparse, never read)", (Consumer<Path>) d -> {
                    try (RandomAccessFile r = new RandomAccessFile(d.resolve(StateDict.INDEX_FILE).toFile(), "rw")) {
                        r.setLength(StateDict.MAX_INDEX_BYTES + 1);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, List.of(StateDict.INDEX_FILE, "more than the limit")),
                Arguments.of("shard header length beyond the file", (Consumer<Path>) d -> {
                    try (RandomAccessFile r = new RandomAccessFile(d.resolve(S2).toFile(), "rw")) {
                        r.seek(0);
                        r.write(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0});
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, List.of(S2, "header length")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void malformedShardedCheckpointsAreFormatExceptionsNamingFileAndKey(String what, Consumer<Path> mutate, List<String> named) throws IOException {
        Path dir = tmp.resolve("bad");
        sharded(dir);
        mutate.accept(dir);
        var e = assertThrows(FormatException.class, () -> StateDict.load(dir));
        for (String n : named) assertTrue(e.getMessage().contains(n), what + ": '" + n + "' not in: " + e.getMessage());
    }

    static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void write(Path dir, String json) {
        try {
            index(dir, json);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void save(Path file, String... names) {
        try {
            Map<String, HostTensor> m = new LinkedHashMap<>();
            for (String n : names) m.put(n, n.equals("0.weight") ? HostTensor.of(new float[6], 3, 2) : HostTensor.of(new float[3], 3));
            SafeTensors.save(file, m, Map.of());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    // ---- PyTorch cross-check ---------------------------------------------------------------------------

    /**
     * make_statedict_fixtures.py wrote a torch.nn.Sequential's state_dict (BF16, F16, F64, F32 and I64
     * tensors) and its eval output; the same JASG model loads it strictly and gives that output.
     */
    @Test
    void aPyTorchStateDictGivesPyTorchsOutput() throws IOException, java.net.URISyntaxException {
        Path file = Path.of(getClass().getResource("statedict/tiny_mlp.safetensors").toURI());
        JsonNode fx;
        try (InputStream in = getClass().getResourceAsStream("statedict/statedict_fixtures.json")) {
            fx = new ObjectMapper().readTree(in);
        }
        Layer model = new Sequential(new Linear(4, 6), new BatchNorm1d(6), new ReLU(), new Linear(6, 3)).eval();
        IncompatibleKeys k = model.loadStateDict(StateDict.load(file), true);
        assertEquals(List.of("0.weight: BF16 -> F32", "0.bias: F16 -> F32", "3.weight: F64 -> F32"),
                k.conversions());
        assertArrayEquals(new double[] {fx.get("num_batches_tracked").asDouble()}, initial(model, "1.num_batches_tracked"), 0);
        float[] x = floats(fx.get("input").get("data"));
        float[] expected = floats(fx.get("output").get("data"));
        try (Backend cpu = Backends.create("cpu")) {
            GraphBuilder g = new GraphBuilder();
            g.output("y", model.apply(g.input("x", DType.F32, 2, 4)));
            Parameters store = cpu.newParameters(0);
            try (Executable e = cpu.compile(store, g.build())) {
                float[] y = e.run(Map.of("x", HostTensor.of(x, 2, 4))).get("y").floats();
                for (int i = 0; i < y.length; i++) assertEquals(expected[i], y[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "output " + i);
            }
            // An eval graph never reads num_batches_tracked, so the store does not hold it; stateDict gives its loaded value.
            assertEquals(fx.get("num_batches_tracked").asDouble(), model.stateDict(store).get("1.num_batches_tracked").item());
        }
    }

    static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }
}
