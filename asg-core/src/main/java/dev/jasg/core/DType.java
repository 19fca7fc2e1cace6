package dev.jasg.core;

/**
 * Element type of a tensor.
 *
 * <p>{@link #F32} is the type of data and parameters. {@link #F64} exists for the
 * reference path and for users who want doubles on the reference backend. {@link #F16}
 * (IEEE binary16) and {@link #BF16} (bfloat16: f32's exponent, 8 significant bits) are the
 * storage types of mixed precision: a value of either type is a float that has been rounded
 * to it (round to nearest, ties to even; NaN stays NaN, infinities stay infinite, an F16 value
 * beyond the largest finite half rounds to infinity), and arithmetic on them is done in f32
 * (or double on the reference) and rounded again on store. Matrix products and convolutions
 * of two half operands accumulate and give F32 ({@link Op.MatMul}). {@link #I32} and
 * {@link #I64} hold indices (class labels, token ids, arg-max results) and {@link #BOOL}
 * holds masks produced by comparisons.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum DType {
    /** 32-bit IEEE float. */
    F32(4),
    /** 64-bit IEEE float. */
    F64(8),
    /** 16-bit IEEE float (binary16): 1 sign, 5 exponent, 10 fraction bits; largest finite 65504. */
    F16(2),
    /** bfloat16: 1 sign, 8 exponent, 7 fraction bits (the upper half of an f32). */
    BF16(2),
    /** 32-bit signed integer. */
    I32(4),
    /** 64-bit signed integer. */
    I64(8),
    /** Boolean mask, stored as 0 or 1. */
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes when stored densely. */
    public int bytes() {
        return bytes;
    }

    /** True for the floating types ({@link #F32}, {@link #F64}, {@link #F16}, {@link #BF16}): the types gradients flow through. */
    public boolean isFloat() {
        return this == F32 || this == F64 || this == F16 || this == BF16;
    }

    /** True for {@link #F16} and {@link #BF16}, the 16-bit storage types of mixed precision. */
    public boolean isHalf() {
        return this == F16 || this == BF16;
    }

    /** True for {@link #I32} and {@link #I64}. */
    public boolean isInteger() {
        return this == I32 || this == I64;
    }

    /**
     * Rounds {@code v} to what an element of this type can hold: to nearest (ties to even) for the
     * float types, in one step from the double (no double rounding through f32), truncation toward
     * zero for integers, {@code v != 0} for BOOL.
     */
    public double round(double v) {
        return switch (this) {
            case F32 -> (float) v;
            case F64 -> v;
            case F16 -> HalfFloats.roundF16(v);
            case BF16 -> HalfFloats.roundBf16(v);
            case I32 -> (double) (int) v;
            case I64 -> (double) (long) v;
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    /** Lower-case name as printed in graph listings, e.g. {@code f32}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
