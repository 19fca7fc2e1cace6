package dev.jasg.nn.data;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.io.FormatException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed
 * (detected by the gzip magic {@code 1f 8b}).
 *
 * <pre>
 * bytes 0-1  0x00 0x00
 * byte  2    element type: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
 * byte  3    number of dimensions d
 * 4 x d      dimension sizes, big-endian int32
 * rest       the elements, big-endian, row-major
 * </pre>
 *
 * The header is validated before anything is allocated from it: magic, type, dims, and the
 * data size they imply against the file length (for gzip, against the uncompressed size in the
 * gzip trailer, modulo 2^32). Integer types are read into I32 tensors, float into F32 and
 * double into F64. Any violation is a {@link FormatException} naming the file.
 */
public final class Idx {
    private Idx() {}

    /** The element types of the IDX format. */
    public enum ElementType {
        /** Unsigned byte. */
        UBYTE(0x08, 1),
        /** Signed byte. */
        BYTE(0x09, 1),
        /** Big-endian 16-bit integer. */
        SHORT(0x0B, 2),
        /** Big-endian 32-bit integer. */
        INT(0x0C, 4),
        /** Big-endian 32-bit float. */
        FLOAT(0x0D, 4),
        /** Big-endian 64-bit float. */
        DOUBLE(0x0E, 8);

        private final int code;
        private final int bytes;

        ElementType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        /** Size of one element. */
        public int bytes() {
            return bytes;
        }

        static ElementType of(int code) {
            for (ElementType t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /** A validated IDX header: element type, dims, and whether the file is gzip-compressed. */
    public record Header(ElementType type, int[] dims, boolean gzip) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (int d : dims) n *= d;
            return n;
        }

        /** Bytes of header plus data, uncompressed. */
        public long expectedLength() {
            return 4L + 4L * dims.length + elementCount() * type.bytes();
        }
    }

    /** Reads and validates the header of {@code file} without reading its data. */
    public static Header readHeader(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return header(file, new DataInputStream(in));
        }
    }

    /** Reads {@code file} into a tensor of shape {@code dims}. */
    public static HostTensor read(Path file) throws IOException {
        try (InputStream raw = open(file)) {
            DataInputStream in = new DataInputStream(raw);
            Header h = header(file, in);
            long n = h.elementCount();
            if (n > Integer.MAX_VALUE - 8) throw new FormatException(file, "IDX dims " + Arrays.toString(h.dims()) + " hold " + n + " elements, more than a host tensor holds");
            int count = (int) n;
            HostTensor out;
            try {
                out = switch (h.type()) {
                    case DOUBLE -> {
                        double[] d = new double[count];
                        for (int i = 0; i < count; i++) d[i] = in.readDouble();
                        yield HostTensor.ofDoubles(d, h.dims());
                    }
                    case FLOAT -> {
                        float[] f = new float[count];
                        for (int i = 0; i < count; i++) f[i] = in.readFloat();
                        yield HostTensor.of(f, h.dims());
                    }
                    case UBYTE, BYTE, SHORT, INT -> {
                        float[] f = new float[count];
                        for (int i = 0; i < count; i++) {
                            long v = switch (h.type()) {
                                case UBYTE -> in.readUnsignedByte();
                                case BYTE -> in.readByte();
                                case SHORT -> in.readShort();
                                case INT, FLOAT, DOUBLE -> in.readInt();
                            };
                            if (Math.abs(v) > HostTensor.MAX_EXACT_INT) {
                                throw new FormatException(file, "element " + i + " = " + v + " exceeds 2^24, more than an I32 host tensor holds exactly");
                            }
                            f[i] = v;
                        }
                        yield HostTensor.of(DType.I32, Shape.of(h.dims()), f);
                    }
                };
            } catch (EOFException | ZipException e) {
                throw new FormatException(file, "truncated data: the header declares dims " + Arrays.toString(h.dims()) + " but the data ends early", e);
            }
            if (in.read() != -1) throw new FormatException(file, "trailing bytes after the " + n + " elements the header declares");
            return out;
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new FormatException(file, "gzip stream is corrupt: " + e.getMessage(), e);
            }
        }
        return in;
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static Header header(Path file, DataInputStream in) throws IOException {
        boolean gzip = isGzip(file);
        int[] magic = new int[4];
        try {
            for (int i = 0; i < 4; i++) magic[i] = in.readUnsignedByte();
        } catch (EOFException | ZipException e) {
            throw new FormatException(file, "truncated header: shorter than the 4-byte IDX magic", e);
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new FormatException(file, String.format("bad IDX magic %02x %02x %02x %02x (expected 00 00 <type> <dims>)", magic[0], magic[1], magic[2], magic[3]));
        }
        ElementType type = ElementType.of(magic[2]);
        if (type == null) throw new FormatException(file, String.format("unknown IDX element type 0x%02x", magic[2]));
        int nd = magic[3];
        if (nd == 0) throw new FormatException(file, "IDX header declares zero dimensions");
        int[] dims = new int[nd];
        try {
            for (int i = 0; i < nd; i++) dims[i] = in.readInt();
        } catch (EOFException | ZipException e) {
            throw new FormatException(file, "truncated header: " + nd + " dimension sizes declared but the file ends early", e);
        }
        long count = 1;
        for (int d : dims) {
            if (d < 0) throw new FormatException(file, "negative dimension size in " + Arrays.toString(dims));
            count *= d;
            if (count > Long.MAX_VALUE / 16) throw new FormatException(file, "dims " + Arrays.toString(dims) + " overflow");
        }
        Header h = new Header(type, dims, gzip);
        long expected = h.expectedLength();
        if (!gzip) {
            long size = Files.size(file);
            if (size != expected) {
                throw new FormatException(file, "file is " + size + " bytes but the header declares " + type + " dims " + Arrays.toString(dims)
                        + " = " + count + " elements, " + expected + " bytes with the header"
                        + (size < expected ? " (truncated data or dims product mismatch)" : " (trailing bytes or dims product mismatch)"));
            }
        } else {
            long isize = gzipTrailerSize(file);
            if (isize != (expected & 0xFFFFFFFFL)) {
                throw new FormatException(file, "gzip trailer says " + isize + " bytes uncompressed (mod 2^32) but the header declares " + type + " dims "
                        + Arrays.toString(dims) + " = " + expected + " bytes (truncated data or dims product mismatch)");
            }
        }
        return h;
    }

    /** ISIZE, the last four bytes of a gzip member: the uncompressed length modulo 2^32, little endian. */
    private static long gzipTrailerSize(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            if (len < 18) throw new FormatException(file, "gzip file of " + len + " bytes is truncated (a gzip member has at least 18)");
            raf.seek(len - 4);
            int b0 = raf.read(), b1 = raf.read(), b2 = raf.read(), b3 = raf.read();
            return (b0 | (b1 << 8) | (b2 << 16) | ((long) b3 << 24)) & 0xFFFFFFFFL;
        }
    }
}
