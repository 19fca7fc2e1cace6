package dev.jasg.core;

/**
 * Element type of a tensor.
 *
 * <p>{@link #F32} is the type of data and parameters. {@link #F64} exists for the
 * reference path and for users who want doubles on the reference backend. {@link #I32}
 * and {@link #I64} hold indices (class labels, token ids, arg-max results) and
 * {@link #BOOL} holds masks produced by comparisons.
 */
public enum DType {
    /** 32-bit IEEE float. */
    F32(4),
    /** 64-bit IEEE float. */
    F64(8),
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

    /** True for {@link #F32} and {@link #F64}: the types gradients flow through. */
    public boolean isFloat() {
        return this == F32 || this == F64;
    }

    /** True for {@link #I32} and {@link #I64}. */
    public boolean isInteger() {
        return this == I32 || this == I64;
    }

    /** Rounds {@code v} to what an element of this type can hold (truncation toward zero for integers). */
    public double round(double v) {
        return switch (this) {
            case F32 -> (float) v;
            case F64 -> v;
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
