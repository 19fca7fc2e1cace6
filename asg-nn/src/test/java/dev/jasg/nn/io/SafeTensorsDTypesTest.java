package dev.jasg.nn.io;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every dtype of the SafeTensors format, in files built byte by byte: the representable ones
 * read exactly, the others (C64) are refused by name only when asked for, and the header
 * checks stay strict for all of them (issue 13 item 14).
 */
class SafeTensorsDTypesTest {
    @TempDir
    Path tmp;

    /** A file from a header (without padding) and the data region as hex. */
    Path file(String header, String dataHex) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] data = HexFormat.of().parseHex(dataHex);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        Path f = Files.createTempFile(tmp, "dt", ".safetensors");
        Files.write(f, out.toByteArray());
        return f;
    }

    static String t(String name, String dtype, String shape, long b, long e) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + b + "," + e + "]}";
    }

    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /** dtype, element count, little-endian data, host dtype read into, values expected (exact). */
    static Stream<Arguments> representable() {
        return Stream.of(
                Arguments.of("I16", 3, "feff" + "0080" + "ff7f", DType.I32, new double[] {-2, -32768, 32767}),
                Arguments.of("U16", 2, "ffff" + "0100", DType.I32, new double[] {65535, 1}),
                Arguments.of("U32", 3, "ffffff00" + "00000001" + "07000000", DType.I64, new double[] {16777215, 16777216, 7}),
                Arguments.of("U64", 2, "0500000000000000" + "0000000100000000", DType.I64, new double[] {5, 16777216}),
                Arguments.of("I64", 2, "0000000100000000" + "000000ffffffffff", DType.I64, new double[] {16777216, -16777216}),
                // E4M3 (the "fn" variant: no infinities, S.1111.111 is NaN): 1, -2, 448 (max), 2^-9 (smallest subnormal), -0, NaN.
                Arguments.of("F8_E4M3", 6, "38" + "c0" + "7e" + "01" + "80" + "7f", DType.F32,
                        new double[] {1, -2, 448, Math.scalb(1.0, -9), -0.0, NAN}),
                // E5M2 (the top byte of an IEEE half): 1, -57344 (max), 2^-16 (smallest subnormal), +inf, NaN.
                Arguments.of("F8_E5M2", 5, "3c" + "fb" + "01" + "7c" + "7e", DType.F32,
                        new double[] {1, -57344, Math.scalb(1.0, -16), INF, NAN}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("representable")
    void representableDtypesReadExactly(String dtype, int n, String hex, DType storage, double[] expected) throws IOException {
        Path f = file("{" + t("x", dtype, "[" + n + "]", 0, hex.length() / 2) + "}", hex);
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            assertEquals(SafeTensorsDType.valueOf(dtype), st.info("x").dtype());
            HostTensor v = st.read("x");
            assertEquals(storage, v.dtype());
            double[] got = v.toDoubles();
            assertEquals(expected.length, got.length);
            for (int i = 0; i < expected.length; i++) {
                // Bit-exact, so -0.0 and NaN are checked too.
                assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(got[i]),
                        dtype + " element " + i + ": expected " + expected[i] + " got " + got[i]);
            }
        }
    }

    @Test
    void everyF8ValueConvertsExactly() throws IOException {
        StringBuilder hex = new StringBuilder();
        for (int b = 0; b < 256; b++) hex.append(String.format("%02x", b));
        Path f = file("{" + t("e4", "F8_E4M3", "[256]", 0, 256) + "," + t("e5", "F8_E5M2", "[256]", 256, 512) + "}", hex.toString() + hex);
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            float[] e4 = st.read("e4").floats(), e5 = st.read("e5").floats();
            for (int b = 0; b < 256; b++) {
                // E5M2 is an IEEE half without its low byte.
                assertEquals(Float.floatToIntBits(Float.float16ToFloat((short) (b << 8))), Float.floatToIntBits(e5[b]), "E5M2 byte " + b);
                int sign = (b & 0x80) != 0 ? -1 : 1, exp = (b >> 3) & 0xF, man = b & 7;
                double want = (exp == 15 && man == 7) ? NAN
                        : sign * (exp == 0 ? man / 8.0 * Math.scalb(1.0, -6) : (1 + man / 8.0) * Math.scalb(1.0, exp - 7));
                assertEquals(Float.floatToIntBits((float) want), Float.floatToIntBits(e4[b]), "E4M3 byte " + b);
            }
        }
    }

    /** Values a host tensor cannot hold exactly: typed errors that name the tensor, the element and the value. */
    static Stream<Arguments> unrepresentableValues() {
        return Stream.of(
                Arguments.of("I64", "0000000000000080", "-9223372036854775808"),   // Long.MIN_VALUE
                Arguments.of("I64", "0100000000000080", "-9223372036854775807"),
                Arguments.of("I64", "0100000100000000", "16777217"),
                Arguments.of("U64", "ffffffffffffffff", "18446744073709551615"),    // as unsigned, not -1
                Arguments.of("U64", "0000000000000080", "9223372036854775808"),
                Arguments.of("U32", "ffffffff", "4294967295"),
                Arguments.of("I32", "00000080", "-2147483648"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("unrepresentableValues")
    void valuesBeyondTheHostRangeAreFormatErrors(String dtype, String hex, String value) throws IOException {
        Path f = file("{" + t("big", dtype, "[1]", 0, hex.length() / 2) + "}", hex);
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            FormatException e = assertThrows(FormatException.class, () -> st.read("big"));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains(value) && e.getMessage().contains("element 0"), e.getMessage());
        }
    }

    @Test
    void aComplexTensorIsRefusedByNameOnlyWhenAskedFor() throws IOException {
        // a: F32 [1] = 1.0; z: C64 [2] (8 bytes each); c: U16 [2] = 7, 65535.
        Path f = file("{" + t("a", "F32", "[1]", 0, 4) + "," + t("z", "C64", "[2]", 4, 20) + "," + t("c", "U16", "[2]", 20, 24) + "}",
                "0000803f" + "0000803f00000000" + "0000000000000040" + "0700" + "ffff");
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            assertEquals(List.of("a", "z", "c"), st.names());
            assertEquals(SafeTensorsDType.C64, st.info("z").dtype());
            assertArrayEquals(new float[] {1}, st.read("a").floats());
            assertArrayEquals(new float[] {7, 65535}, st.read("c").floats());
            UnsupportedDTypeException e = assertThrows(UnsupportedDTypeException.class, () -> st.read("z"));
            assertEquals("z", e.tensor());
            assertEquals(SafeTensorsDType.C64, e.dtype());
            assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("C64") && e.getMessage().contains(f.toString()), e.getMessage());
        }
        UnsupportedDTypeException all = assertThrows(UnsupportedDTypeException.class, () -> SafeTensors.load(f));
        assertEquals("z", all.tensor());
    }

    /** Header checks stay strict for the newly read dtypes: sizes, overlap, range. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("{" + t("a", "I16", "[3]", 0, 4) + "}", 4, "span 4"),
                Arguments.of("{" + t("a", "C64", "[1]", 0, 4) + "}", 4, "span 4"),
                Arguments.of("{" + t("a", "U64", "[1]", 0, 8) + "," + t("b", "F8_E4M3", "[4]", 4, 8) + "}", 8, "overlaps"),
                Arguments.of("{" + t("a", "C64", "[2]", 0, 16) + "}", 8, "run past the data region"),
                Arguments.of("{" + t("a", "F8_E5M2", "[2]", 0, 2) + "}", 3, "cover 2 bytes"),
                Arguments.of("{" + t("a", "U32", "[1]", 4, 8) + "}", 8, "the first tensor must start at 0"),
                Arguments.of("{" + t("a", "F4", "[2]", 0, 1) + "}", 1, "unknown or unsupported dtype 'F4'"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("malformed")
    void headerChecksStayStrictForEveryDtype(String header, int dataBytes, String expected) throws IOException {
        Path f = file(header, "00".repeat(dataBytes));
        FormatException e = assertThrows(FormatException.class, () -> SafeTensorsFile.open(f).close());
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void theNewIntegerTypesAlsoWriteAndRoundTrip() throws IOException {
        List<SafeTensors.Entry> entries = List.of(
                new SafeTensors.Entry("i16", HostTensor.ofInts(new int[] {-32768, 5}, 2), SafeTensorsDType.I16),
                new SafeTensors.Entry("u16", HostTensor.ofInts(new int[] {65535, 0}, 2), SafeTensorsDType.U16),
                new SafeTensors.Entry("u32", HostTensor.ofInts(new int[] {16777216, 3}, 2), SafeTensorsDType.U32),
                new SafeTensors.Entry("u64", HostTensor.ofInts(new int[] {9, 0}, 2), SafeTensorsDType.U64));
        Path f = tmp.resolve("ints.safetensors");
        SafeTensors.save(f, entries, null);
        var back = SafeTensors.load(f);
        assertArrayEquals(new float[] {-32768, 5}, back.get("i16").floats());
        assertArrayEquals(new float[] {65535, 0}, back.get("u16").floats());
        assertArrayEquals(new float[] {16777216, 3}, back.get("u32").floats());
        assertArrayEquals(new float[] {9, 0}, back.get("u64").floats());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(
                List.of(new SafeTensors.Entry("neg", HostTensor.ofInts(new int[] {-1}, 1), SafeTensorsDType.U16)), null));
        IllegalArgumentException c64 = assertThrows(IllegalArgumentException.class,
                () -> new SafeTensors.Entry("z", HostTensor.scalar(1), SafeTensorsDType.C64));
        assertTrue(c64.getMessage().contains("C64"), c64.getMessage());
    }
}
