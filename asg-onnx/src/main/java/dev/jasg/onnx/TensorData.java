package dev.jasg.onnx;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A host constant decoded from an ONNX {@code TensorProto} (or folded from other constants):
 * dtype, dims and values as doubles (exact for integers up to 2^53). Sizes are checked against
 * the bytes present before anything is allocated from them.
 */
record TensorData(DType dtype, int[] dims, double[] values) {
    /** At most this many elements in one tensor (2^28: 1 GiB of F32). */
    static final long MAX_ELEMENTS = 1L << 28;

    // ONNX TensorProto.DataType numbers
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12,
            BFLOAT16 = 16;

    /** Whether ONNX data type {@code t} is a 16-bit float that JASG widens to F32 (computing such a model in f32). */
    static boolean widened(int t) {
        return t == FLOAT16 || t == BFLOAT16;
    }

    int size() {
        return values.length;
    }

    /** The JASG dtype of ONNX data type {@code t}, or null when JASG has none. */
    static DType dtypeOf(int t) {
        return switch (t) {
            case FLOAT, FLOAT16, BFLOAT16 -> DType.F32; // 16-bit floats are widened
            case DOUBLE -> DType.F64;
            case INT32, INT16, INT8, UINT8, UINT16 -> DType.I32;
            case INT64, UINT32 -> DType.I64;
            case BOOL -> DType.BOOL;
            default -> null;
        };
    }

    /** The ONNX data type of {@code d}. */
    static int onnxType(DType d) {
        return switch (d) {
            case F32 -> FLOAT;
            case F64 -> DOUBLE;
            case F16 -> FLOAT16;
            case BF16 -> BFLOAT16;
            case I32 -> INT32;
            case I64 -> INT64;
            case BOOL -> BOOL;
        };
    }

    private static int bytesPer(int t) {
        return switch (t) {
            case DOUBLE, INT64 -> 8;
            case FLOAT, INT32, UINT32 -> 4;
            case INT16, UINT16, FLOAT16, BFLOAT16 -> 2;
            default -> 1;
        };
    }

    /** Element count of {@code dims}, checked: no negative size, no overflow, at most {@link #MAX_ELEMENTS}. */
    static long count(String what, java.util.List<Long> dims) {
        long n = 1;
        for (int i = 0; i < dims.size(); i++) {
            long d = dims.get(i);
            if (d < 0 || d > MAX_ELEMENTS) throw new OnnxException(what + ": dimension " + i + " is " + d + " (dims " + dims + ")");
            n *= d;
            if (n > MAX_ELEMENTS) throw new OnnxException(what + ": dims " + dims + " make more than " + MAX_ELEMENTS + " elements");
        }
        return n;
    }

    /**
     * Decodes {@code t}; {@code dir} is the model's folder for external data (null: refused).
     * {@code what} names the tensor in errors.
     */
    static TensorData decode(TensorProto t, Path dir, String what) {
        int type = t.getDataType();
        DType dtype = dtypeOf(type);
        if (dtype == null) throw new OnnxException(what + ": ONNX data type " + type + " is not supported (float, float16 and bfloat16 (widened to f32), double, int8-64, uint8/16/32, bool are)");
        long n = count(what, t.getDimsList());
        int[] dims = new int[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) dims[i] = (int) t.getDims(i);
        int bytes = bytesPer(type);
        ByteBuffer raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, dir, n * bytes, what);
        } else if (t.hasRawData()) {
            if (t.getRawData().size() != n * bytes) {
                throw new OnnxException(what + ": raw_data holds " + t.getRawData().size() + " bytes, dims " + t.getDimsList()
                        + " of data type " + type + " need " + n * bytes);
            }
            raw = t.getRawData().asReadOnlyByteBuffer();
        }
        double[] v;
        if (raw != null) {
            raw.order(ByteOrder.LITTLE_ENDIAN);
            v = new double[(int) n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case FLOAT -> raw.getFloat();
                    case DOUBLE -> raw.getDouble();
                    case INT32 -> raw.getInt();
                    case UINT32 -> Integer.toUnsignedLong(raw.getInt());
                    case INT64 -> raw.getLong();
                    case INT16 -> raw.getShort();
                    case UINT16 -> Short.toUnsignedInt(raw.getShort());
                    case FLOAT16 -> Float.float16ToFloat(raw.getShort());
                    case BFLOAT16 -> Float.intBitsToFloat(Short.toUnsignedInt(raw.getShort()) << 16);
                    case INT8 -> raw.get();
                    case UINT8 -> Byte.toUnsignedInt(raw.get());
                    default -> raw.get() != 0 ? 1 : 0; // BOOL
                };
            }
        } else {
            int have = switch (type) {
                case FLOAT -> t.getFloatDataCount();
                case DOUBLE -> t.getDoubleDataCount();
                case INT64 -> t.getInt64DataCount();
                case UINT32 -> t.getUint64DataCount();
                default -> t.getInt32DataCount();
            };
            if (have != n) throw new OnnxException(what + ": holds " + have + " values, dims " + t.getDimsList() + " need " + n);
            v = new double[(int) n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case FLOAT -> t.getFloatData(i);
                    case DOUBLE -> t.getDoubleData(i);
                    case INT64 -> t.getInt64Data(i);
                    case UINT32 -> t.getUint64Data(i);
                    case BOOL -> t.getInt32Data(i) != 0 ? 1 : 0;
                    case FLOAT16 -> Float.float16ToFloat((short) t.getInt32Data(i)); // the 16 bits in an int32
                    case BFLOAT16 -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
                    default -> t.getInt32Data(i);
                };
            }
        }
        return new TensorData(dtype, dims, v);
    }

    private static ByteBuffer external(TensorProto t, Path dir, long length, String what) {
        String location = null;
        long offset = 0, declared = -1;
        for (var e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), what, "offset");
                case "length" -> declared = parseLong(e.getValue(), what, "length");
                default -> { }
            }
        }
        if (location == null || location.isEmpty()) throw new OnnxException(what + ": external data without a location");
        if (dir == null) throw new OnnxException(what + ": external data '" + location + "' needs the model's folder");
        if (declared >= 0 && declared != length) throw new OnnxException(what + ": external data length " + declared + " but the dims need " + length + " bytes");
        try {
            Path base = dir.toAbsolutePath().normalize();
            Path rel = Path.of(location);
            Path file = base.resolve(rel).normalize();
            if (rel.isAbsolute() || !file.startsWith(base)) {
                throw new OnnxException(what + ": external data location '" + location + "' is outside the model's folder " + base);
            }
            if (!Files.isRegularFile(file)) throw new OnnxException(what + ": external data file " + file + " does not exist");
            Path real = file.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new OnnxException(what + ": external data location '" + location + "' resolves to " + real + ", outside the model's folder " + base);
            }
            long size = Files.size(real);
            if (offset < 0 || offset > size || size - offset < length) {
                throw new OnnxException(what + ": external data " + real + " holds " + size + " bytes; offset " + offset + " + length " + length + " does not fit");
            }
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buf = ByteBuffer.allocate((int) length);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + buf.position()) < 0) throw new OnnxException(what + ": external data " + real + " ended early");
                }
                return buf.flip();
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new OnnxException(what + ": cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }

    private static long parseLong(String s, String what, String key) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new OnnxException(what + ": external data " + key + " '" + s + "' is not a number");
        }
    }

    /** As a JASG host tensor (integers must fit HostTensor's exact range). */
    HostTensor toHost() {
        if (dtype == DType.F32) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            return HostTensor.of(f, dims);
        }
        return HostTensor.fromDoubles(dtype, Shape.of(dims), values);
    }

    /** The values as ints (shape vectors, axes), checked to fit. */
    long[] longs(String what) {
        long[] r = new long[values.length];
        for (int i = 0; i < r.length; i++) {
            double d = values[i];
            if (d != Math.rint(d)) throw new OnnxException(what + ": value " + d + " is not an integer");
            // beyond 2^53 only the int64 extremes (Slice's "to the end") are meaningful: they saturate
            r[i] = Math.abs(d) > 1L << 53 ? (d > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : (long) d;
        }
        return r;
    }
}
