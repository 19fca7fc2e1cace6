package dev.jasg.nn.io;

import dev.jasg.core.DType;

/**
 * The element types of the SafeTensors format that JASG reads and writes, with their sizes
 * and the order the Hugging Face library sorts tensors by when it writes a file
 * ({@link #alignmentRank()}: the declaration order of its {@code Dtype} enum, written in
 * descending order, then by name).
 *
 * <p>On reading, each is converted to JASG's host storage ({@link #storage()}): F16 and BF16
 * widen to F32, I8 and U8 widen to I32; the others keep their type.
 */
public enum SafeTensorsDType {
    /** One byte, 0 or 1. */
    BOOL(1, 0, DType.BOOL),
    /** Unsigned byte. */
    U8(1, 1, DType.I32),
    /** Signed byte. */
    I8(1, 2, DType.I32),
    /** IEEE 754 half precision. */
    F16(2, 7, DType.F32),
    /** bfloat16: the upper half of an F32. */
    BF16(2, 8, DType.F32),
    /** 32-bit signed integer. */
    I32(4, 9, DType.I32),
    /** 32-bit float. */
    F32(4, 11, DType.F32),
    /** 64-bit float. */
    F64(8, 12, DType.F64),
    /** 64-bit signed integer. */
    I64(8, 13, DType.I64);

    private final int bytes;
    private final int alignmentRank;
    private final DType storage;

    SafeTensorsDType(int bytes, int alignmentRank, DType storage) {
        this.bytes = bytes;
        this.alignmentRank = alignmentRank;
        this.storage = storage;
    }

    /** Size of one element in the file. */
    public int bytes() {
        return bytes;
    }

    /** Position in the reference library's dtype enum; files list larger ranks first. */
    public int alignmentRank() {
        return alignmentRank;
    }

    /** The JASG dtype a tensor of this type is read into. */
    public DType storage() {
        return storage;
    }

    /** The file type that stores a JASG dtype without conversion. */
    public static SafeTensorsDType of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F64 -> F64;
            case I32 -> I32;
            case I64 -> I64;
            case BOOL -> BOOL;
        };
    }

    /** The type named {@code label} in a header, or null when JASG does not know it. */
    static SafeTensorsDType parse(String label) {
        for (SafeTensorsDType t : values()) {
            if (t.name().equals(label)) return t;
        }
        return null;
    }
}
