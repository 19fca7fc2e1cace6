package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HalfFloats}, {@link DType#round} and the half host tensors against what PyTorch 1.13 rounds
 * the same f32 values to ({@code half/half_torch.txt}, written by {@code make_half_fixture.py}):
 * zeros, ties of both parities, subnormals, overflow edges, infinities, NaN and random magnitudes.
 */
class HalfFloatsTest {
    /** One fixture line: the f32 value and PyTorch's f16 and bf16 bits. */
    record Row(float x, short f16, short bf16) {}

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(HalfFloatsTest.class.getResourceAsStream("half/half_torch.txt"), StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] p = line.trim().split(" ");
                rows.add(new Row(Float.intBitsToFloat(Integer.parseUnsignedInt(p[0], 16)), (short) Integer.parseInt(p[1], 16), (short) Integer.parseInt(p[2], 16)));
            }
        }
        return rows;
    }

    @Test
    void fixtureCoversTheEdges() throws IOException {
        List<Row> rows = rows();
        assertTrue(rows.size() > 100, "fixture rows: " + rows.size());
        assertTrue(rows.stream().anyMatch(r -> Float.isNaN(r.x())));
        assertTrue(rows.stream().anyMatch(r -> r.f16() == 0x7C00 && Float.isFinite(r.x())), "an f16 overflow");
        assertTrue(rows.stream().anyMatch(r -> (r.f16() & 0x7C00) == 0 && (r.f16() & 0x3FF) != 0), "an f16 subnormal");
    }

    @Test
    void bitsMatchPyTorch() throws IOException {
        for (Row r : rows()) {
            String at = "x = " + r.x() + " (0x" + Integer.toHexString(Float.floatToRawIntBits(r.x())) + ")";
            float h = Float.float16ToFloat(r.f16()), b = Float.intBitsToFloat((r.bf16() & 0xFFFF) << 16);
            if (Float.isNaN(r.x())) {
                // NaN stays NaN; its payload is the library's (torch 1.13 writes bf16 NaN as 0xFFFF)
                assertTrue(Float.isNaN(h) && Float.isNaN(b), at);
                assertTrue(Float.isNaN(HalfFloats.fromF16Bits(HalfFloats.toF16Bits(r.x()))), at);
                assertTrue(Float.isNaN(HalfFloats.fromBf16Bits(HalfFloats.toBf16Bits(r.x()))), at);
                assertTrue(Double.isNaN(DType.F16.round(r.x())) && Double.isNaN(DType.BF16.round(r.x())), at);
                continue;
            }
            assertEquals(r.f16(), HalfFloats.toF16Bits(r.x()), "f16 bits of " + at);
            assertEquals(r.bf16(), HalfFloats.toBf16Bits(r.x()), "bf16 bits of " + at);
            // the float path, the double path (DType.round) and the bits agree exactly, signed zeros included
            assertEquals(Float.floatToRawIntBits(h), Float.floatToRawIntBits(HalfFloats.roundF16(r.x())), "f16 value of " + at);
            assertEquals(Float.floatToRawIntBits(b), Float.floatToRawIntBits(HalfFloats.roundBf16(r.x())), "bf16 value of " + at);
            assertEquals(Float.floatToRawIntBits(h), Float.floatToRawIntBits((float) DType.F16.round(r.x())), "F16.round of " + at);
            assertEquals(Float.floatToRawIntBits(b), Float.floatToRawIntBits((float) DType.BF16.round(r.x())), "BF16.round of " + at);
        }
    }

    @Test
    void hostTensorsRoundTripThroughBits() throws IOException {
        List<Row> rows = rows();
        float[] x = new float[rows.size()];
        short[] h = new short[x.length], b = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.isNaN(rows.get(i).x()) ? 0 : rows.get(i).x();
            h[i] = Float.isNaN(rows.get(i).x()) ? 0 : rows.get(i).f16();
            b[i] = Float.isNaN(rows.get(i).x()) ? 0 : rows.get(i).bf16();
        }
        HostTensor t16 = HostTensor.of(DType.F16, Shape.of(x.length), x);
        assertArrayEquals(h, t16.toHalfBits(DType.F16));
        assertArrayEquals(b, HostTensor.of(DType.BF16, Shape.of(x.length), x).toHalfBits(DType.BF16));
        // fromHalfBits gives the exact values back, and rounding them again changes nothing
        HostTensor back = HostTensor.fromHalfBits(DType.F16, h, x.length);
        assertArrayEquals(t16.floats(), back.floats());
        assertArrayEquals(h, back.toHalfBits(DType.F16));
        assertArrayEquals(b, HostTensor.fromHalfBits(DType.BF16, b, x.length).toHalfBits(DType.BF16));
        // an f32 tensor converts with to(...)
        assertArrayEquals(t16.floats(), HostTensor.of(DType.F32, Shape.of(x.length), x).to(DType.F16).floats());
        assertThrows(IllegalArgumentException.class, () -> t16.toHalfBits(DType.F32));
    }

    /** Rounding a double goes to the type in one step: through f32 first, these values would round the other way. */
    @Test
    void doublesRoundOnceNotTwice() {
        double[][] cases = {
                // {value, f16, bf16}: just above a tie of the target type that f32 would turn into the tie itself
                {1 + 0x1p-11 + 0x1p-40, 1 + 0x1p-10, 1},
                {1 + 0x1p-8 + 0x1p-40, 1 + 0x1p-8, 1 + 0x1p-7},
                {-(1 + 0x1p-11 + 0x1p-40), -(1 + 0x1p-10), -1},
                {65519.99999999, 65504, 65536},
                {65520, Double.POSITIVE_INFINITY, 65536},
                {1e300, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY},
                {0x1p-25 + 0x1p-60, 0x1p-24, 0x1p-25},  // an f16 subnormal tie nudged up
        };
        for (double[] c : cases) {
            assertEquals(c[1], DType.F16.round(c[0]), "F16.round(" + c[0] + ")");
            assertEquals(c[2], DType.BF16.round(c[0]), "BF16.round(" + c[0] + ")");
        }
        assertTrue(DType.F16.isHalf() && DType.BF16.isHalf() && DType.F16.isFloat() && !DType.F32.isHalf());
        assertEquals(2, DType.F16.bytes());
    }
}
