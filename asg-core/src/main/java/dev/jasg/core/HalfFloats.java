package dev.jasg.core;

/**
 * Rounding to the 16-bit float types and their bit patterns, as PyTorch's
 * {@code tensor.half()} and {@code tensor.bfloat16()} do: round to nearest, ties to even, in one
 * step (never through an intermediate f32 when the value is a double); NaN stays NaN,
 * infinities stay infinite, signed zeros keep their sign; an F16 value of magnitude
 * {@code >= 65520} (the midpoint between 65504 and 2^16) becomes infinite, values below
 * {@code 2^-14} round to F16's subnormal grid {@code k 2^-24}; BF16 keeps f32's exponent range
 * (its subnormals on the grid {@code k 2^-133}).
 *
 * <p>Stateless; safe to use from any thread.
 */
public final class HalfFloats {
    /** Largest finite F16 value. */
    public static final double F16_MAX = 65504;
    /** Largest finite BF16 value, {@code (2 - 2^-7) 2^127}. */
    public static final double BF16_MAX = 0x1.FEp127;

    private HalfFloats() {}

    /** {@code v} rounded to the nearest F16 value (ties to even). */
    public static double roundF16(double v) {
        return round(v, 10, -14, F16_MAX);
    }

    /** {@code v} rounded to the nearest BF16 value (ties to even). */
    public static double roundBf16(double v) {
        return round(v, 7, -126, BF16_MAX);
    }

    /** {@code v} rounded to F16 and back to float (exact: every F16 value is a float). */
    public static float roundF16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /** {@code v} rounded to BF16 and back to float. */
    public static float roundBf16(float v) {
        return fromBf16Bits(toBf16Bits(v));
    }

    /**
     * Rounds to a binary format with {@code fraction} stored fraction bits, smallest normal
     * exponent {@code minExp} and largest finite value {@code max}: the quantum of {@code |v|} is
     * {@code 2^(max(e, minExp) - fraction)} with {@code e = floor(log2 |v|)}; scaling by a power of
     * two is exact, so {@link Math#rint} (ties to even) does the one rounding.
     */
    private static double round(double v, int fraction, int minExp, double max) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) return v;
        double a = Math.abs(v);
        int q = Math.max(Math.getExponent(a), minExp) - fraction;
        double r = Math.scalb(Math.rint(Math.scalb(a, -q)), q);
        if (r > max) r = Double.POSITIVE_INFINITY;
        return Math.copySign(r, v);
    }

    /** The IEEE binary16 bits of {@code v} rounded to nearest even (NaN gives a quiet NaN). */
    public static short toF16Bits(float v) {
        return Float.floatToFloat16(v);
    }

    /** The float an IEEE binary16 bit pattern stands for (exact). */
    public static float fromF16Bits(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** The bfloat16 bits of {@code v} rounded to nearest even (NaN gives a quiet NaN with its sign). */
    public static short toBf16Bits(float v) {
        int b = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((b >>> 16) | 0x0040);
        b += 0x7FFF + ((b >>> 16) & 1);
        return (short) (b >>> 16);
    }

    /** The float a bfloat16 bit pattern stands for (exact: the pattern is f32's upper half). */
    public static float fromBf16Bits(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The 16-bit patterns of {@code values} in {@code dtype} ({@link DType#F16} or {@link DType#BF16}). */
    public static short[] toBits(DType dtype, float[] values) {
        requireHalf(dtype);
        short[] out = new short[values.length];
        for (int i = 0; i < out.length; i++) out[i] = dtype == DType.F16 ? toF16Bits(values[i]) : toBf16Bits(values[i]);
        return out;
    }

    /** The floats that the 16-bit patterns {@code bits} of {@code dtype} stand for. */
    public static float[] fromBits(DType dtype, short[] bits) {
        requireHalf(dtype);
        float[] out = new float[bits.length];
        for (int i = 0; i < out.length; i++) out[i] = dtype == DType.F16 ? fromF16Bits(bits[i]) : fromBf16Bits(bits[i]);
        return out;
    }

    /** Rounds {@code values} to {@code dtype} in place when it is a half type; other types are left alone. */
    public static void roundInPlace(DType dtype, float[] values, int from, int to) {
        if (dtype == DType.F16) for (int i = from; i < to; i++) values[i] = roundF16(values[i]);
        else if (dtype == DType.BF16) for (int i = from; i < to; i++) values[i] = roundBf16(values[i]);
    }

    private static void requireHalf(DType dtype) {
        if (!dtype.isHalf()) throw new IllegalArgumentException("half bits: " + dtype.label() + " is not f16 or bf16");
    }
}
