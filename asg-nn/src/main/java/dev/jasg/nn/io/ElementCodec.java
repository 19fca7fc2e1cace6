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
                case BOOL -> buf.put((byte) (v != 0 ? 1 : 0));
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
            case I8 -> { for (int i = 0; i < n; i++) f[i] = buf.get(); }
            case U8 -> { for (int i = 0; i < n; i++) f[i] = buf.get() & 0xFF; }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    int b = buf.get() & 0xFF;
                    if (b > 1) throw new FormatException(file, "tensor '" + name + "' is BOOL but element " + i + " is byte " + b + ", not 0 or 1");
                    f[i] = b;
                }
            }
            case F64 -> throw new IllegalStateException("F64 handled above");
        }
        DType storage = dtype.storage();
        return HostTensor.of(storage, shape, f);
    }

    private static float exact(Path file, String name, int i, long v) {
        if (Math.abs(v) > HostTensor.MAX_EXACT_INT) {
            throw new FormatException(file, "tensor '" + name + "' element " + i + " = " + v
                    + " exceeds 2^24 in magnitude, more than a JASG integer host tensor holds exactly");
        }
        return v;
    }
}
