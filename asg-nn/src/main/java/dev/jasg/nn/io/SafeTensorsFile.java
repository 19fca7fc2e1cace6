package dev.jasg.nn.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.core.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open SafeTensors file: the header is read and validated on {@link #open}, and each
 * tensor's bytes are memory-mapped ({@link FileChannel#map}) only when it is
 * {@linkplain #read read}, so a large checkpoint can be inspected or loaded piecewise.
 *
 * <p>{@link #open} validates everything before it allocates from the file's values: the
 * header length (at most {@value SafeTensors#MAX_HEADER_BYTES} bytes and at most the file size
 * minus 8), UTF-8 and well-formed JSON starting with '{', no duplicate names, dtypes of the
 * format (every {@link SafeTensorsDType}, including those JASG cannot represent),
 * shapes of non-negative integers, offsets with begin &lt;= end inside the data region, sizes
 * equal to product(shape) x dtype size, and, sorted by offset, tensors that tile the data
 * region exactly (no overlap, no gap, nothing left over). Any violation is a
 * {@link FormatException} naming the file and the problem.
 */
public final class SafeTensorsFile implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    /** Where one tensor lies in the file: dtype, shape and its byte range within the data region. */
    public record TensorInfo(String name, SafeTensorsDType dtype, long[] shape, long begin, long end) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;
    private boolean closed;

    private SafeTensorsFile(Path file, FileChannel channel, long dataStart, Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Opens and validates {@code file}; a malformed file is a {@link FormatException} and leaves nothing open. */
    public static SafeTensorsFile open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) throw new FormatException(file, "file is " + size + " bytes, too short for the 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 0 || n > SafeTensors.MAX_HEADER_BYTES) {
                throw new FormatException(file, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + SafeTensors.MAX_HEADER_BYTES + " bytes");
            }
            if (n > size - 8) {
                throw new FormatException(file, "header length " + n + " runs past the end of the file (" + (size - 8) + " bytes after the length field)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8);
            long dataSize = size - 8 - n;
            Parsed parsed = parseHeader(file, headerBuf.array(), dataSize);
            return new SafeTensorsFile(file, ch, 8 + n, parsed.metadata, parsed.tensors);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    private record Parsed(Map<String, String> metadata, Map<String, TensorInfo> tensors) {}

    /** Parses and validates a header; {@code dataSize} is the length of the byte buffer after it. */
    static Parsed parseHeader(Path file, byte[] header, long dataSize) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "header is not valid UTF-8", e);
        }
        if (!text.startsWith("{")) throw new FormatException(file, "header does not start with '{'");
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (StreamReadException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) {
                throw new FormatException(file, "duplicate name in header: " + msg, e);
            }
            throw new FormatException(file, "header is not well-formed JSON: " + msg, e);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "header is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new FormatException(file, "header is not a JSON object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> infos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new FormatException(file, "__metadata__ is not a JSON object");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) throw new FormatException(file, "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    metadata.put(kv.getKey(), kv.getValue().textValue());
                }
                continue;
            }
            infos.add(tensorInfo(file, name, v, dataSize));
        }

        // Tiling: sorted by offset, each tensor starts where the previous ended and the last ends at the data end.
        List<TensorInfo> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        String previous = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < expected) {
                throw new FormatException(file, "tensor '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlaps tensor '" + previous + "' ending at " + expected);
            }
            if (t.begin() > expected) {
                throw new FormatException(file, "gap of " + (t.begin() - expected) + " bytes before tensor '" + t.name() + "' at offset " + t.begin()
                        + (previous == null ? " (the first tensor must start at 0)" : " (after '" + previous + "' ending at " + expected + ")"));
            }
            expected = t.end();
            previous = t.name();
        }
        if (expected != dataSize) {
            throw new FormatException(file, "the tensors cover " + expected + " bytes but the data region after the header is " + dataSize + " bytes");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (TensorInfo t : byOffset) tensors.put(t.name(), t);
        return new Parsed(Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode v, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw new FormatException(file, where + " is not a JSON object");
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new FormatException(file, where + " has no string 'dtype'");
        SafeTensorsDType dtype = SafeTensorsDType.parse(dt.textValue());
        if (dtype == null) {
            throw new FormatException(file, where + " has unknown or unsupported dtype '" + dt.textValue() + "' (supported: "
                    + java.util.Arrays.toString(SafeTensorsDType.values()) + ")");
        }
        if (sh == null || !sh.isArray()) throw new FormatException(file, where + " has no 'shape' array");
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, where + " shape[" + i + "]", sh.get(i));
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw new FormatException(file, where + " shape " + sh + " overflows 64 bits");
            }
        }
        if (off == null || !off.isArray() || off.size() != 2) throw new FormatException(file, where + " has no 'data_offsets' pair");
        long begin = nonNegativeLong(file, where + " data_offsets[0]", off.get(0));
        long end = nonNegativeLong(file, where + " data_offsets[1]", off.get(1));
        if (end < begin) throw new FormatException(file, where + " data_offsets [" + begin + ", " + end + "] are not ascending");
        if (end > dataSize) {
            throw new FormatException(file, where + " data_offsets [" + begin + ", " + end + "] run past the data region of " + dataSize + " bytes");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException e) {
            throw new FormatException(file, where + " size overflows 64 bits");
        }
        if (end - begin != bytes) {
            throw new FormatException(file, where + " is " + dtype + sh + " = " + bytes + " bytes but its data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(Path file, String what, JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new FormatException(file, what + " is not a non-negative integer: " + n);
        }
        return n.longValue();
    }

    /** The file this was opened from. */
    public Path file() {
        return file;
    }

    /** Tensor names in file (offset) order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** True when the file holds {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Where tensor {@code name} lies. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new JasgException(file + ": no tensor named '" + name + "'; the file holds " + tensors.keySet());
        return t;
    }

    /**
     * Maps tensor {@code name}'s bytes and converts them exactly to a host tensor of
     * {@link SafeTensorsDType#storage()}: the 8- and 16-bit floats become F32, the 8- and 16-bit
     * integers I32, U32 and U64 I64, the rest keep their type. Integer values beyond 2^24 in
     * magnitude and BOOL bytes other than 0/1 are {@link FormatException}s; a tensor of a type
     * with no host representation (C64) is an {@link UnsupportedDTypeException} naming it.
     */
    public HostTensor read(String name) throws IOException {
        if (closed) throw new IllegalStateException(file + " is closed");
        TensorInfo t = info(name);
        if (!t.dtype().representable()) throw new UnsupportedDTypeException(file, name, t.dtype());
        int[] dims = new int[t.shape().length];
        for (int i = 0; i < dims.length; i++) {
            if (t.shape()[i] > Integer.MAX_VALUE) throw new FormatException(file, "tensor '" + name + "' dim " + t.shape()[i] + " exceeds a host tensor's int range");
            dims[i] = (int) t.shape()[i];
        }
        if (t.elementCount() > Integer.MAX_VALUE - 8) {
            throw new FormatException(file, "tensor '" + name + "' has " + t.elementCount() + " elements, more than a host tensor holds");
        }
        long len = t.end() - t.begin();
        ByteBuffer bytes = len == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), len);
        return ElementCodec.decode(file, name, t.dtype(), Shape.of(dims), bytes);
    }

    /** Closes the file; mappings already made stay readable until collected. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "SafeTensorsFile(" + file + ", " + tensors.size() + " tensors)";
    }
}
