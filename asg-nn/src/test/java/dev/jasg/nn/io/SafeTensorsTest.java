package dev.jasg.nn.io;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path tmp;

    /** The committed resource, built by make_sample.py. */
    static byte[] resource() throws IOException {
        try (InputStream in = SafeTensorsTest.class.getResourceAsStream("sample.safetensors")) {
            return in.readAllBytes();
        }
    }

    /** The same file assembled here by hand, independently of both the script and the writer. */
    static byte[] handBuilt() {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"idx\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"dbl\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[24,32]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[32,48]},"
                + "\"count\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[48,52]},"
                + "\"scale\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[52,56]},"
                + "\"bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[56,60]},"
                + "\"small\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[60,62]},"
                + "\"bytes\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[62,64]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[64,67]}}";
        assertEquals(558, header.length());
        String data = "0000000000000000" + "0500000000000000" + "f9ffffffffffffff" // idx
                + "000000000000d03f"                                                 // dbl
                + "0000803f" + "000000c0" + "0000003f" + "00004040"                  // weight
                + "2a000000"                                                         // count
                + "803f00c0" + "003c00b8" + "807f" + "00ff" + "010001";             // scale bias small bytes mask
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HexFormat.of().parseHex("3002000000000000")); // 560
        out.writeBytes((header + "  ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(HexFormat.of().parseHex(data));
        return out.toByteArray();
    }

    static List<SafeTensors.Entry> sampleEntries() {
        // Deliberately not in file order: the writer must sort as the reference library does.
        List<SafeTensors.Entry> e = new ArrayList<>();
        e.add(new SafeTensors.Entry("mask", HostTensor.of(DType.BOOL, Shape.of(3), new float[] {1, 0, 1}), SafeTensorsDType.BOOL));
        e.add(SafeTensors.Entry.of("weight", HostTensor.of(new float[] {1, -2, 0.5f, 3}, 2, 2)));
        e.add(new SafeTensors.Entry("bias", HostTensor.of(new float[] {1, -0.5f}, 2), SafeTensorsDType.F16));
        e.add(new SafeTensors.Entry("bytes", HostTensor.ofInts(new int[] {0, 255}, 2), SafeTensorsDType.U8));
        e.add(SafeTensors.Entry.of("count", HostTensor.of(DType.I32, Shape.scalar(), new float[] {42})));
        e.add(SafeTensors.Entry.of("dbl", HostTensor.ofDoubles(new double[] {0.25}, 1)));
        e.add(SafeTensors.Entry.of("idx", HostTensor.of(DType.I64, Shape.of(3), new float[] {0, 5, -7})));
        e.add(new SafeTensors.Entry("scale", HostTensor.of(new float[] {1, -2}, 2), SafeTensorsDType.BF16));
        e.add(new SafeTensors.Entry("small", HostTensor.ofInts(new int[] {-128, 127}, 2), SafeTensorsDType.I8));
        return e;
    }

    @Test
    void committedResourceIsTheHandBuiltLayout() throws IOException {
        assertArrayEquals(handBuilt(), resource());
    }

    @Test
    void writerProducesExactlyTheHandBuiltBytes() {
        byte[] ours = SafeTensors.toBytes(sampleEntries(), Map.of("format", "pt"));
        assertEquals(HexFormat.of().formatHex(handBuilt()), HexFormat.of().formatHex(ours));
    }

    @Test
    void readerReadsTheHandBuiltFile() throws IOException {
        Path f = tmp.resolve("sample.safetensors");
        Files.write(f, resource());
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            assertEquals(List.of("idx", "dbl", "weight", "count", "scale", "bias", "small", "bytes", "mask"), st.names());
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertEquals(SafeTensorsDType.BF16, st.info("scale").dtype());
            assertEquals(52, st.info("scale").begin());
            check(st.read("idx"), DType.I64, new int[] {3}, 0, 5, -7);
            check(st.read("dbl"), DType.F64, new int[] {1}, 0.25);
            check(st.read("weight"), DType.F32, new int[] {2, 2}, 1, -2, 0.5, 3);
            check(st.read("count"), DType.I32, new int[] {}, 42);
            check(st.read("scale"), DType.F32, new int[] {2}, 1, -2);
            check(st.read("bias"), DType.F32, new int[] {2}, 1, -0.5);
            check(st.read("small"), DType.I32, new int[] {2}, -128, 127);
            check(st.read("bytes"), DType.I32, new int[] {2}, 0, 255);
            check(st.read("mask"), DType.BOOL, new int[] {3}, 1, 0, 1);
        }
    }

    private static void check(HostTensor t, DType dtype, int[] dims, double... values) {
        assertEquals(dtype, t.dtype());
        assertEquals(Shape.of(dims), t.shape());
        assertArrayEquals(values, t.toDoubles());
    }

    @Test
    void matchesTheReferenceCratesOwnSerializationVector() {
        // The Rust crate's test_serialization: one F32 [1,2,3] tensor "attn.0" = 0..5, no metadata.
        byte[] ours = SafeTensors.toBytes(List.of(SafeTensors.Entry.of("attn.0", HostTensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3))), null);
        int[] expected = {64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};
        byte[] exp = new byte[expected.length];
        for (int i = 0; i < exp.length; i++) exp[i] = (byte) expected[i];
        assertArrayEquals(exp, ours);
        // And the empty file with metadata {"framework": "pt"}.
        byte[] empty = SafeTensors.toBytes(List.of(), Map.of("framework", "pt"));
        assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new String(empty, 8, empty.length - 8, StandardCharsets.UTF_8));
        assertEquals(40, empty[0]);
    }

    @Test
    void roundTripsThroughAFileAndConvertsHalfPrecision() throws IOException {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.of(new float[] {1.5f, -3.25f, 1e-3f}, 3));
        t.put("b", HostTensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("empty", HostTensor.of(new float[0], 0, 4));
        Path f = tmp.resolve("rt.safetensors");
        SafeTensors.save(f, t, Map.of());
        Map<String, HostTensor> back = SafeTensors.load(f);
        assertEquals(t.keySet(), new java.util.HashSet<>(back.keySet()));
        assertArrayEquals(t.get("a").floats(), back.get("a").floats());
        assertArrayEquals(t.get("b").floats(), back.get("b").floats());
        assertEquals(Shape.of(0, 4), back.get("empty").shape());

        // BF16 rounds to nearest even; F16 as IEEE half.
        assertEquals((short) 0x3F80, ElementCodec.toBf16(1.0f));
        assertEquals((short) 0x3F80, ElementCodec.toBf16(Float.intBitsToFloat(0x3F808000))); // tie -> even
        assertEquals((short) 0x3F82, ElementCodec.toBf16(Float.intBitsToFloat(0x3F818000))); // tie -> even (up)
        assertEquals(1.0f, ElementCodec.fromBf16((short) 0x3F80));
        byte[] half = SafeTensors.toBytes(List.of(new SafeTensors.Entry("h", HostTensor.of(new float[] {65504f, 1f / 3}, 2), SafeTensorsDType.F16)), null);
        Files.write(f, half);
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            float[] v = st.read("h").floats();
            assertEquals(65504f, v[0]);
            assertEquals(0.33325195f, v[1]);
        }
    }

    @Test
    void writerRejectsValuesOutsideTheTargetType() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(
                List.of(new SafeTensors.Entry("u", HostTensor.ofInts(new int[] {256}, 1), SafeTensorsDType.U8)), null));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(
                List.of(SafeTensors.Entry.of("x", HostTensor.scalar(1)), SafeTensors.Entry.of("x", HostTensor.scalar(2))), null));
    }

    // ---- malformed files ----

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes, null);
    }

    private Path file(byte[] header, int dataBytes, Long declaredLength) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength != null ? declaredLength : header.length).put(header);
        Path f = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void bad(Path f, String expected) {
        FormatException e = assertThrows(FormatException.class, () -> SafeTensorsFile.open(f).close());
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
        assertTrue(e.getMessage().contains(f.toString()), "message names the file");
    }

    private static String t(String name, String dtype, String shape, long b, long e) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + b + "," + e + "]}";
    }

    @Test
    void truncatedHeader() throws IOException {
        Path f = tmp.resolve("short.safetensors");
        Files.write(f, new byte[] {8, 0, 0});
        bad(f, "too short");
        bad(file("{\"a\":1}".getBytes(StandardCharsets.UTF_8), 0, 64L), "runs past the end");
    }

    @Test
    void headerLengthTooLarge() throws IOException {
        bad(file(new byte[] {'{', '}'}, 0, 200_000_000L), "exceeds the limit");
        bad(file(new byte[] {'{', '}'}, 0, -1L), "exceeds the limit");
    }

    @Test
    void badJson() throws IOException {
        bad(file("{\"a\":{\"dtype\":\"F32\",", 0), "not well-formed JSON");
        bad(file("[1,2]   ", 0), "does not start with '{'");
        bad(file("{} trailing", 0), "not well-formed JSON");
        bad(file(new byte[] {'{', '"', (byte) 0xC3, '"', '}'}, 0, null), "not valid UTF-8");
        bad(file("{\"__metadata__\":{\"k\":1}}", 0), "is not a string");
    }

    @Test
    void unknownDtype() throws IOException {
        bad(file("{" + t("a", "Q7", "[1]", 0, 1) + "}", 1), "unknown or unsupported dtype 'Q7'");
    }

    @Test
    void offsetsOutOfRangeOverlappingNotAscendingOrWithGaps() throws IOException {
        bad(file("{" + t("a", "F32", "[2]", 0, 8) + "}", 4), "run past the data region");
        bad(file("{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[1]", 4, 8) + "}", 8), "overlaps");
        bad(file("{" + t("a", "F32", "[1]", 4, 0) + "}", 4), "not ascending");
        bad(file("{" + t("a", "F32", "[1]", 0, 4) + "," + t("b", "F32", "[1]", 8, 12) + "}", 12), "gap of 4 bytes");
        bad(file("{" + t("a", "F32", "[1]", 4, 8) + "}", 8), "the first tensor must start at 0");
        bad(file("{" + t("a", "F32", "[1]", 0, 4) + "}", 6), "cover 4 bytes but the data region");
        bad(file("{" + t("a", "F32", "[1]", -4, 0) + "}", 0), "not a non-negative integer");
    }

    @Test
    void offsetsInAnyHeaderOrderAreAcceptedWhenTheyTile() throws IOException {
        // The reference reader sorts entries by offset; JSON object order carries no meaning.
        Path f = file("{" + t("b", "F32", "[1]", 4, 8) + "," + t("a", "F32", "[1]", 0, 4) + "}", 8);
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            assertEquals(List.of("a", "b"), st.names());
        }
    }

    @Test
    void sizeMismatch() throws IOException {
        bad(file("{" + t("a", "F32", "[3]", 0, 8) + "}", 8), "span 8");
        bad(file("{" + t("a", "F32", "[4611686018427387904,4]", 0, 8) + "}", 8), "overflows");
    }

    @Test
    void duplicateNames() throws IOException {
        bad(file("{" + t("a", "F32", "[1]", 0, 4) + "," + t("a", "F32", "[1]", 4, 8) + "}", 8), "duplicate name");
    }

    @Test
    void badBoolByteAndHugeIntegerFailOnRead() throws IOException {
        Path f = file("{" + t("m", "BOOL", "[1]", 0, 1) + "}", 1);
        byte[] all = Files.readAllBytes(f);
        all[all.length - 1] = 7;
        Files.write(f, all);
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            FormatException e = assertThrows(FormatException.class, () -> st.read("m"));
            assertTrue(e.getMessage().contains("not 0 or 1"));
        }
    }
}
