package dev.jasg.nn.io;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Little-endian element conversion between JASG host tensors and SafeTensors byte layouts. */
final class ElementCodec {
    private static final int CHUNK = 1 << 14;

    private ElementCodec() {}

    /** Writes {@code t}'s elements as {@code dtype}, in chunks so a large tensor needs no second full-size copy. */
    static void encode(String name, HostTensor t, SafeTensorsDType dtype, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        int n = t.size();
        for (int i = 0; i < n; i++) {
            double v = t.get(i);
            switch (dtype) {
                case F32 -> buf.putFloat((float) v);
                case F64 -> buf.putDouble(v);
                case F16 -> buf.putShort(Float.floatToFloat16((float) v));
                case BF16 -> buf.putShort(toBf16((float) v));
                case I32 -> buf.putInt((int) integral(name, i, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case I64 -> buf.putLong(integral(name, i, v, Long.MIN_VALUE, Long.MAX_VALUE));
                case I8 -> buf.put((byte) integral(name, i, v, -128, 127));
                case U8 -> buf.put((byte) integral(name, i, v, 0, 255));
                case I16 -> buf.putShort((short) integral(name, i, v, Short.MIN_VALUE, Short.MAX_VALUE));
                case U16 -> buf.putShort((short) integral(name, i, v, 0, 0xFFFF));
                case U32 -> buf.putInt((int) integral(name, i, v, 0, 0xFFFF_FFFFL));
                case U64 -> buf.putLong(integral(name, i, v, 0, Long.MAX_VALUE));
                case BOOL -> buf.put((byte) (v != 0 ? 1 : 0));
                case F8_E4M3, F8_E5M2, C64 -> throw new IllegalArgumentException("tensor '" + name + "': JASG does not write " + dtype);
            }
            if (buf.position() >= CHUNK * 8 - 8) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    private static long integral(String name, int i, double v, long min, long max) {
        if (v != Math.rint(v) || v < min || v > max) {
            throw new IllegalArgumentException("tensor '" + name + "' element " + i + " = " + v + " does not fit an integer in [" + min + ", " + max + "]");
        }
        return (long) v;
    }

    /** F32 to bfloat16 with round-to-nearest-even, as PyTorch converts; NaN stays a (quiet) NaN. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** bfloat16 to F32: the 16 bits become the upper half. */
    static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /** Decodes {@code buf} (exactly the tensor's bytes) into a host tensor of {@code dtype.storage()}. */
    static HostTensor decode(Path file, String name, SafeTensorsDType dtype, Shape shape, ByteBuffer buf) {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        int n = shape.sizeInt();
        if (dtype == SafeTensorsDType.F64) {
            double[] d = new double[n];
            buf.asDoubleBuffer().get(d);
            return HostTensor.ofDoubles(d, shape.dims());
        }
        float[] f = new float[n];
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().get(f);
            case F16 -> { for (int i = 0; i < n; i++) f[i] = Float.float16ToFloat(buf.getShort()); }
            case BF16 -> { for (int i = 0; i < n; i++) f[i] = fromBf16(buf.getShort()); }
            case I32 -> { for (int i = 0; i < n; i++) f[i] = exact(file, name, i, buf.getInt()); }
            case I64 -> { for (int i = 0; i < n; i++) f[i] = exact(file, name, i, buf.getLong()); }
            case U32 -> { for (int i = 0; i < n; i++) f[i] = exact(file, name, i, buf.getInt() & 0xFFFF_FFFFL); }
            case U64 -> { for (int i = 0; i < n; i++) f[i] = exactUnsigned(file, name, i, buf.getLong()); }
            case I8 -> { for (int i = 0; i < n; i++) f[i] = buf.get(); }
            case U8 -> { for (int i = 0; i < n; i++) f[i] = buf.get() & 0xFF; }
            case I16 -> { for (int i = 0; i < n; i++) f[i] = buf.getShort(); }
            case U16 -> { for (int i = 0; i < n; i++) f[i] = buf.getShort() & 0xFFFF; }
            case F8_E5M2 -> { for (int i = 0; i < n; i++) f[i] = Float.float16ToFloat((short) (buf.get() << 8)); }
            case F8_E4M3 -> { for (int i = 0; i < n; i++) f[i] = fromE4m3(buf.get()); }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    int b = buf.get() & 0xFF;
                    if (b > 1) throw new FormatException(file, "tensor '" + name + "' is BOOL but element " + i + " is byte " + b + ", not 0 or 1");
                    f[i] = b;
                }
            }
            case F64 -> throw new IllegalStateException("F64 handled above");
            case C64 -> throw new UnsupportedDTypeException(file, name, dtype);
        }
        DType storage = dtype.storage();
        return HostTensor.of(storage, shape, f);
    }

    private static float exact(Path file, String name, int i, long v) {
        // Not Math.abs: it leaves Long.MIN_VALUE negative, which would slip through.
        if (v < -HostTensor.MAX_EXACT_INT || v > HostTensor.MAX_EXACT_INT) throw tooLarge(file, name, i, Long.toString(v));
        return v;
    }

    /** {@code v} read as an unsigned 64-bit integer. */
    private static float exactUnsigned(Path file, String name, int i, long v) {
        if (v < 0 || v > HostTensor.MAX_EXACT_INT) throw tooLarge(file, name, i, Long.toUnsignedString(v));
        return v;
    }

    private static FormatException tooLarge(Path file, String name, int i, String value) {
        return new FormatException(file, "tensor '" + name + "' element " + i + " = " + value
                + " exceeds 2^24 in magnitude, more than a JASG integer host tensor holds exactly");
    }

    /**
     * F8_E4M3 (PyTorch's float8_e4m3fn) to F32, exactly: value = (-1)^s 2^(e-7) (1 + m/8), or
     * 2^-6 (m/8) when e = 0; no infinities, S.1111.111 is NaN.
     */
    static float fromE4m3(byte b) {
        int e = (b >> 3) & 0xF, m = b & 7;
        if (e == 15 && m == 7) return Float.NaN;
        float magnitude = e == 0 ? Math.scalb((float) m, -9) : Math.scalb((float) (8 + m), e - 10);
        return b < 0 ? -magnitude : magnitude;
    }
}
