package dev.jasg.nn.io;

import dev.jasg.core.DType;

/**
 * The element types of the SafeTensors format, with their sizes and the order the Hugging
 * Face library sorts tensors by when it writes a file ({@link #alignmentRank()}: the
 * declaration order of its {@code Dtype} enum, written in descending order, then by name).
 *
 * <p>On reading, each is converted exactly to JASG's host storage ({@link #storage()}): F16,
 * BF16, F8_E4M3 and F8_E5M2 widen to F32; I8, U8, I16 and U16 widen to I32; U32 and U64 are
 * read as I64 (integer host tensors hold magnitudes up to 2^24, so a larger value is a
 * {@link FormatException} naming the tensor and the element); F32, F64, I32, I64 and BOOL keep
 * their type. {@link #C64} has no host type: a file holding it opens and its other tensors
 * read, but reading the complex tensor itself is an {@link UnsupportedDTypeException}.
 *
 * <p>Writing supports every type except the 8-bit floats and C64 ({@link #writable()}).
 */
public enum SafeTensorsDType {
    /** One byte, 0 or 1. */
    BOOL(1, 0, DType.BOOL),
    /** Unsigned byte. */
    U8(1, 1, DType.I32),
    /** Signed byte. */
    I8(1, 2, DType.I32),
    /** 8-bit float, 1 sign, 5 exponent (bias 15), 2 mantissa bits, with infinities and NaNs: the top byte of an F16. */
    F8_E5M2(1, 3, DType.F32),
    /** 8-bit float, 1 sign, 4 exponent (bias 7), 3 mantissa bits, no infinities; S.1111.111 is NaN (PyTorch's {@code float8_e4m3fn}). */
    F8_E4M3(1, 4, DType.F32),
    /** 16-bit signed integer. */
    I16(2, 5, DType.I32),
    /** 16-bit unsigned integer. */
    U16(2, 6, DType.I32),
    /** IEEE 754 half precision. */
    F16(2, 7, DType.F32),
    /** bfloat16: the upper half of an F32. */
    BF16(2, 8, DType.F32),
    /** 32-bit signed integer. */
    I32(4, 9, DType.I32),
    /** 32-bit unsigned integer. */
    U32(4, 10, DType.I64),
    /** 32-bit float. */
    F32(4, 11, DType.F32),
    /** 64-bit float. */
    F64(8, 12, DType.F64),
    /** 64-bit signed integer. */
    I64(8, 13, DType.I64),
    /** 64-bit unsigned integer. */
    U64(8, 14, DType.I64),
    /**
     * Complex: two F32 (real, imaginary). JASG has no complex host type; it never writes this
     * type, so its rank only keeps the enum total.
     */
    C64(8, 15, null);

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

    /** The JASG dtype a tensor of this type is read into, or null when it has none ({@link #C64}; see {@link #representable()}). */
    public DType storage() {
        return storage;
    }

    /** True when a tensor of this type can be read into a host tensor (every type but {@link #C64}). */
    public boolean representable() {
        return storage != null;
    }

    /** True when {@link SafeTensors} can write this type: every representable type but the 8-bit floats. */
    public boolean writable() {
        return representable() && this != F8_E4M3 && this != F8_E5M2;
    }

    /** The file type that stores a JASG dtype without conversion. */
    public static SafeTensorsDType of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F64 -> F64;
            case F16 -> F16;
            case BF16 -> BF16;
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
