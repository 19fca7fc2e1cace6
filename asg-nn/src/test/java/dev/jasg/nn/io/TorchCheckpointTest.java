package dev.jasg.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * PyTorch checkpoints read in pure Java (issue 15): tiny files written by torch.save
 * ({@code make_torch_checkpoints.py}, values in {@code torch_checkpoints.json}) read to the same
 * dtypes, shapes, strides and values; pickles that would run code are refused naming the global;
 * malformed files, hand-made and fuzzed, end in a {@link FormatException} and nothing else.
 */
class TorchCheckpointTest {
    @TempDir
    Path tmp;

    static final JsonNode FIXTURES = fixtures();

    static JsonNode fixtures() {
        try (InputStream in = TorchCheckpointTest.class.getResourceAsStream("torch_checkpoints.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource("torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new RuntimeException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    static Stream<String> goodFiles() {
        List<String> names = new ArrayList<>();
        FIXTURES.fieldNames().forEachRemaining(n -> { if (n.endsWith(".pt")) names.add(n); });
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("goodFiles")
    void readsEveryTensorAsTorchSavedIt(String name) throws IOException {
        JsonNode expected = FIXTURES.get(name).get("tensors");
        Map<String, TorchTensor> tensors = TorchCheckpoint.read(resource(name)).tensors();
        List<String> expectedNames = new ArrayList<>();
        expected.fieldNames().forEachRemaining(expectedNames::add);
        assertEquals(expectedNames.stream().sorted().toList(), tensors.keySet().stream().sorted().toList(), name);
        for (String path : expectedNames) {
            JsonNode e = expected.get(path);
            TorchTensor t = tensors.get(path);
            String where = name + " " + path;
            assertEquals(e.get("dtype").asText(), t.dtype().name(), where);
            assertArrayEquals(ints(e.get("shape")), t.shape(), where);
            assertArrayEquals(longs(e.get("stride")), t.stride(), where);
            assertEquals(e.get("offset").asLong(), t.storageOffset(), where);
            assertArrayEquals(ints(e.get("shape")), t.value().shape().dims(), where);
            assertEquals(t.dtype().storage(), t.value().dtype(), where);
            JsonNode values = e.get("values");
            assertEquals(values.size(), t.value().size(), where);
            for (int i = 0; i < values.size(); i++) assertEquals(values.get(i).asDouble(), t.value().get(i), 0.0, where + " element " + i);
        }
    }

    @Test
    void stateDictIsTheRootOfAPlainStateDictInFileOrder() throws IOException {
        for (String name : List.of("sequential.pt", "sequential_p4.pt")) {
            Map<String, TorchTensor> sd = TorchCheckpoint.load(resource(name));
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(sd.keySet()), name);
        }
    }

    @Test
    void nestedCheckpointKeepsItsTreeAndFindsTheModel() throws IOException {
        TorchCheckpoint ck = TorchCheckpoint.read(resource("nested.pt"));
        Map<?, ?> root = assertInstanceOf(Map.class, ck.root());
        JsonNode e = FIXTURES.get("nested.pt");
        assertEquals(3L, root.get("epoch"));
        assertEquals(0.1, root.get("lr"));
        assertEquals("tiny", root.get("name"));
        assertEquals(new BigInteger(e.get("big").asText()), root.get("big"));
        assertEquals(List.of(1L, 2L, "x"), root.get("tags"));
        assertEquals(Boolean.TRUE, root.get("flag"));
        assertTrue(root.containsKey("nothing"));
        assertNull(root.get("nothing"));
        assertEquals(List.of(4L, -5L), root.get("pair"));
        assertInstanceOf(TorchTensor.class, root.get("param"));
        Map<?, ?> groups = (Map<?, ?>) ((List<?>) ((Map<?, ?>) root.get("optimizer")).get("param_groups")).get(0);
        assertEquals(e.get("optimizer_lr").asDouble(), groups.get("lr"));
        List<String> keys = new ArrayList<>();
        e.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
        assertEquals(keys, List.copyOf(ck.stateDict().keySet()));
        assertEquals(keys, List.copyOf(ck.stateDict("model").keySet()));
        assertEquals(List.of("momentum_buffer"), List.copyOf(ck.stateDict("optimizer/state/0").keySet()));
        assertTrue(assertThrows(FormatException.class, () -> ck.stateDict("optimizer/nope")).getMessage().contains("'optimizer/nope'"));
        assertTrue(assertThrows(FormatException.class, () -> ck.stateDict("epoch")).getMessage().contains("not a dict of tensors"));
    }

    @Test
    void severalStateDictsAndNoConventionalKeyIsAmbiguous() throws IOException {
        TorchCheckpoint ck = TorchCheckpoint.read(resource("two_models.pt"));
        FormatException e = assertThrows(FormatException.class, ck::stateDict);
        assertTrue(e.getMessage().contains("[a, b]"), e.getMessage());
        assertEquals(List.of("w"), List.copyOf(ck.stateDict("b").keySet()));
        assertEquals(0.0, ck.stateDict("b").get("w").value().get(0));
    }

    @Test
    void viewsShareTheirStorage() throws IOException {
        Map<String, TorchTensor> t = TorchCheckpoint.read(resource("views.pt")).tensors();
        assertEquals(6, t.size());
        assertTrue(t.values().stream().allMatch(v -> v.storageKey().equals(t.get("base").storageKey())));
    }

    static Stream<Arguments> hostileFiles() {
        List<Arguments> rows = new ArrayList<>();
        FIXTURES.get("hostile").fields().forEachRemaining(e -> rows.add(Arguments.of(e.getKey(), e.getValue().asText())));
        return rows.stream();
    }

    @ParameterizedTest
    @MethodSource("hostileFiles")
    void aPickleThatWouldRunCodeIsRefusedNamingTheGlobal(String name, String global) {
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> TorchCheckpoint.read(resource(name)));
        assertEquals(global, e.global());
        assertTrue(e.getMessage().contains("'" + global + "'") && e.getMessage().contains(name), e.getMessage());
        assertFalse(Files.exists(Path.of("/tmp/jasg-pwned")), "the hostile pickle ran");
    }

    // ---- hand-made malformed files

    /** A pickle assembled opcode by opcode. */
    static final class P {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        P op(int... bytes) { for (int x : bytes) b.write(x); return this; }
        P str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            op('X').le(u.length, 4);
            b.writeBytes(u);
            return this;
        }
        P global(String module, String name) { op('c'); b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8)); return this; }
        P integer(long v) { return v == (int) v ? op('J').le(v, 4) : op(0x8a, 8).le(v, 8); } // BININT or LONG1
        P le(long v, int n) { for (int i = 0; i < n; i++) b.write((int) (v >>> (8 * i))); return this; }
        P tuple(long... v) { op('('); for (long x : v) integer(x); return op('t'); }
        byte[] bytes() { return b.toByteArray(); }

        /** {"w": _rebuild_tensor_v2(storage(type, key, numel), offset, size, stride, False, OrderedDict())}. */
        static byte[] tensor(String type, String key, long numel, long offset, long[] size, long[] stride) {
            P p = new P().op(0x80, 2, '}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').str("storage").global("torch", type).str(key).str("cpu").integer(numel).op('t', 'Q');
            p.integer(offset).tuple(size).tuple(stride).op(0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R', 's', '.');
            return p.bytes();
        }
    }

    static byte[] floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(i);
        return b.array();
    }

    /** A torch.save-like archive "archive/..." holding the given entries, stored uncompressed. */
    Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path f = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return f;
    }

    Path tensorZip(String name, String type, String key, long numel, long offset, long[] size, long[] stride, byte[] data) throws IOException {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("archive/data.pkl", P.tensor(type, key, numel, offset, size, stride));
        e.put("archive/data/0", data);
        e.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(name, e);
    }

    Path plain(String name, byte[] bytes) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    interface FileMaker {
        Path make(TorchCheckpointTest t) throws IOException;
    }

    static long[] l(long... v) {
        return v;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("truncated after PROTO", (FileMaker) t -> t.plain("a.pkl", new byte[] {(byte) 0x80, 2}), "without a STOP"),
                Arguments.of("unknown opcode", (FileMaker) t -> t.plain("a.pkl", new byte[] {(byte) 0x80, 2, (byte) 0xff}), "opcode 0xff"),
                Arguments.of("INST runs a class", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, '(', 'i').bytes()), "opcode 0x69"),
                Arguments.of("stack underflow", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'R').bytes()), "stack underflow"),
                Arguments.of("pop through a mark", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'N', '(', 0x85).bytes()), "stack underflow"),
                Arguments.of("memo index never stored", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'h', 5).bytes()), "memo index 5"),
                Arguments.of("long memo index", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'j', 0xff, 0xff, 0xff, 0xff).bytes()), "memo index 4294967295"),
                Arguments.of("huge string length", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f, 'a').bytes()), "declares a length of 2147483647"),
                Arguments.of("huge unicode8 length", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 4, 0x8d).le(-1L, 8).bytes()), "declares a length of 18446744073709551615"),
                Arguments.of("huge LONG4 length", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 0x8b, 0, 0, 0, 0x40).bytes()), "declares a length of 1073741824"),
                Arguments.of("huge FRAME", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 4, 0x95).le(1L << 40, 8).bytes()), "FRAME of 1099511627776"),
                Arguments.of("protocol 0 text opcode", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'I', '1', '\n', '.').bytes()), "opcode 0x49"),
                Arguments.of("SETITEM on a list", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, ']', 'N', 'N', 's', '.').bytes()), "SETITEM on a list"),
                Arguments.of("list as a dict key", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, '}', ']', 'N', 's', '.').bytes()), "key of type list"),
                Arguments.of("calling a str", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2).str("f").op(')', 'R', '.').bytes()), "REDUCE calls a String"),
                Arguments.of("BUILD on a list", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, ']', '}', 'b', '.').bytes()), "BUILD on a list"),
                Arguments.of("values left at STOP", (FileMaker) t -> t.plain("a.pkl", new P().op(0x80, 2, 'N', 'N', '.').bytes()), "STOP with 1 values"),
                Arguments.of("storage in a plain pickle", (FileMaker) t -> t.plain("a.pkl", P.tensor("FloatStorage", "0", 4, 0, l(4), l(1))), "plain pickle"),
                Arguments.of("legacy format", (FileMaker) t -> t.plain("a.pt", new P().op(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.').bytes()), "legacy"),
                Arguments.of("neither zip nor pickle", (FileMaker) t -> t.plain("a.pt", "hello".getBytes(StandardCharsets.US_ASCII)), "neither"),
                Arguments.of("empty file", (FileMaker) t -> t.plain("a.pt", new byte[0]), "neither"),
                Arguments.of("zip without data.pkl", (FileMaker) t -> t.zip("a.pt", Map.of("archive/version", new byte[] {'3'})), "has 0"),
                Arguments.of("truncated zip", (FileMaker) t -> {
                    byte[] good = Files.readAllBytes(resource("sequential.pt"));
                    return t.plain("a.pt", java.util.Arrays.copyOf(good, good.length / 2));
                }, "not a readable zip"),
                Arguments.of("storage larger than its entry", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 100, 0, l(4), l(1), floats(4)), "declares 100 x F32 = 400 bytes but entry archive/data/0 holds 16"),
                Arguments.of("storage of 2^62 elements", (FileMaker) t -> t.tensorZip("a.pt", "DoubleStorage", "0", 1L << 62, 0, l(4), l(1), floats(4)), "too many"),
                Arguments.of("missing storage entry", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "7", 4, 0, l(4), l(1), floats(4)), "no entry archive/data/7"),
                Arguments.of("storage key with a path", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "../0", 4, 0, l(4), l(1), floats(4)), "not a plain name"),
                Arguments.of("negative size", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(-1), l(1), floats(4)), "size -1 in dimension 0"),
                Arguments.of("negative stride", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(2), l(-1), floats(4)), "stride -1 in dimension 0"),
                Arguments.of("negative offset", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, -1, l(2), l(1), floats(4)), "storage offset -1"),
                Arguments.of("offset + size past the storage", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 2, l(4), l(1), floats(4)), "reaches element 5 but the storage holds 4"),
                Arguments.of("strides past the storage", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(2, 2), l(1, 3), floats(4)), "reaches element 4"),
                Arguments.of("huge stride", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(3), l(Long.MAX_VALUE), floats(4)), "reaches element 9223372036854775807"),
                Arguments.of("2^60 elements", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(1 << 20, 1 << 20, 1 << 20), l(0, 0, 0), floats(4)), "more than 2^31 elements"),
                Arguments.of("stride-0 broadcast", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(1000), l(0), floats(4)), "spans only 1"),
                Arguments.of("rank mismatch", (FileMaker) t -> t.tensorZip("a.pt", "FloatStorage", "0", 4, 0, l(2, 2), l(1), floats(4)), "2 sizes but 1 strides"),
                Arguments.of("bool storage byte 7", (FileMaker) t -> t.tensorZip("a.pt", "BoolStorage", "0", 4, 0, l(4), l(1), new byte[] {0, 1, 7, 0}), "not 0 or 1"),
                Arguments.of("int64 past 2^24", (FileMaker) t -> t.tensorZip("a.pt", "LongStorage", "0", 1, 0, l(1), l(1), new byte[] {0, 0, 0, 0, 0, 0, 0, 1}), "exceeds 2^24"),
                Arguments.of("complex storage", (FileMaker) t -> t.tensorZip("a.pt", "ComplexFloatStorage", "0", 2, 0, l(2), l(1), floats(4)), "'torch.ComplexFloatStorage' is not allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesAreRefusedNamingTheProblem(String name, FileMaker maker, String fragment) throws IOException {
        Path f = maker.make(this);
        FormatException e = assertThrows(FormatException.class, () -> TorchCheckpoint.read(f), name);
        assertTrue(e.getMessage().contains(fragment), name + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), name + ": " + e.getMessage());
    }

    @Test
    void theGoodTemplateReads() throws IOException {
        // the malformed rows above differ from this file in one value each
        Path f = tensorZip("a.pt", "FloatStorage", "0", 4, 1, l(3), l(1), floats(4));
        assertArrayEquals(new float[] {1, 2, 3}, TorchCheckpoint.load(f).get("w").value().floats());
    }

    // ---- fuzz: every truncation and many mutations of data.pkl, and truncations of the whole archive

    @ParameterizedTest
    @ValueSource(strings = {"sequential.pt", "sequential_p4.pt", "nested.pt", "views.pt", "dtypes.pt"})
    void truncatedOrMutatedPicklesFailOnlyWithAFormatException(String name) throws IOException {
        Path file = resource(name);
        java.util.Random random = new java.util.Random(15);
        int[] outcomes = new int[2];
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pklEntry = zip.stream().filter(z -> z.getName().endsWith("/data.pkl")).findFirst().orElseThrow();
            String prefix = pklEntry.getName().substring(0, pklEntry.getName().length() - "data.pkl".length());
            byte[] pkl;
            try (InputStream in = zip.getInputStream(pklEntry)) {
                pkl = in.readAllBytes();
            }
            List<byte[]> cases = new ArrayList<>();
            for (int n = 0; n < pkl.length; n++) cases.add(java.util.Arrays.copyOf(pkl, n));
            for (int i = 0; i < pkl.length; i++) {
                for (int v : new int[] {0x00, 0xff, 0x7f, 0x80, pkl[i] ^ 1, random.nextInt(256)}) {
                    byte[] m = pkl.clone();
                    m[i] = (byte) v;
                    cases.add(m);
                }
            }
            for (byte[] c : cases) {
                try {
                    RestrictedUnpickler.load(file, pklEntry.getName(), c, new TorchCheckpoint.Storages(file, pklEntry.getName(), zip, prefix));
                    outcomes[0]++;
                } catch (FormatException e) {
                    outcomes[1]++;
                } catch (Throwable e) {
                    fail(name + ": a mutated pickle threw " + e + " instead of a FormatException", e);
                }
            }
        }
        assertTrue(outcomes[1] > 0 && outcomes[0] + outcomes[1] > 1000, java.util.Arrays.toString(outcomes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sequential.pt", "dtypes.pt"})
    void truncatedArchivesFailOnlyWithAFormatException(String name) throws IOException {
        byte[] good = Files.readAllBytes(resource(name));
        Path f = tmp.resolve("cut.pt");
        for (int n = 0; n < good.length; n += 7) {
            Files.write(f, java.util.Arrays.copyOf(good, n));
            try {
                TorchCheckpoint.read(f);
                fail(name + " cut to " + n + " bytes read without an error");
            } catch (FormatException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            } catch (Throwable e) {
                fail(name + " cut to " + n + " bytes threw " + e + " instead of a FormatException", e);
            }
        }
    }

}
