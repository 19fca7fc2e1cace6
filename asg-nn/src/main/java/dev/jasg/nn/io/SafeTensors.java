package dev.jasg.nn.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jasg.core.HostTensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the Hugging Face SafeTensors format, byte for byte as the reference
 * library ({@code safetensors}, Rust and Python) writes it:
 *
 * <pre>
 * [8 bytes]  N, the header length, unsigned 64-bit little endian
 * [N bytes]  UTF-8 JSON: {"__metadata__":{...},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]},...}
 *            compact, padded with spaces to a multiple of 8 so the data is 8-byte aligned
 * [rest]     the byte buffer; offsets are relative to its start; little endian, row-major
 * </pre>
 *
 * Tensors are laid out as the reference library lays them out: by descending dtype
 * ({@link SafeTensorsDType#alignmentRank()}), then by name (byte order of the UTF-8 names),
 * with {@code __metadata__} first when present. Metadata entries are written in the map's
 * iteration order (the reference library uses a hash map, so only a single entry is
 * reproducible byte for byte; any order reads back the same).
 *
 * <p>Reading is done by {@link SafeTensorsFile}, which memory-maps tensors one at a time.
 */
public final class SafeTensors {
    /** Largest header the reference library accepts (100 MB); larger ones are rejected as malformed. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final JsonFactory JSON = new JsonFactory();

    private SafeTensors() {}

    /** A tensor to write: its name, value and the file dtype it is stored as. */
    public record Entry(String name, HostTensor value, SafeTensorsDType dtype) {
        /** Checks the name is usable. */
        public Entry {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("a tensor needs a non-empty name");
            if (name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved for the metadata map");
            if (!dtype.writable()) {
                throw new IllegalArgumentException("tensor '" + name + "': JASG reads but does not write " + dtype + "; store it as F32, F16 or BF16");
            }
        }

        /** An entry stored as its own dtype (F32 as F32, I64 as I64, ...). */
        public static Entry of(String name, HostTensor value) {
            return new Entry(name, value, SafeTensorsDType.of(value.dtype()));
        }

        long byteLength() {
            return value.shape().size() * dtype.bytes();
        }
    }

    /** Entries for {@code tensors}, each stored as its own dtype. */
    public static List<Entry> entries(Map<String, HostTensor> tensors) {
        List<Entry> out = new ArrayList<>(tensors.size());
        tensors.forEach((k, v) -> out.add(Entry.of(k, v)));
        return out;
    }

    /** The order the reference library writes tensors in: descending dtype rank, then name bytes. */
    static final Comparator<Entry> FILE_ORDER = Comparator
            .comparingInt((Entry e) -> -e.dtype().alignmentRank())
            .thenComparing(e -> e.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    /** Writes {@code entries} and {@code metadata} (may be empty or null) to {@code out} in the SafeTensors layout. */
    public static void write(OutputStream out, Collection<Entry> entries, Map<String, String> metadata) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        Set<String> seen = new HashSet<>();
        for (Entry e : sorted) {
            if (!seen.add(e.name())) throw new IllegalArgumentException("duplicate tensor name '" + e.name() + "'");
        }
        sorted.sort(FILE_ORDER);
        byte[] header = header(sorted, metadata);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(len.array());
        out.write(header);
        for (Entry e : sorted) ElementCodec.encode(e.name(), e.value(), e.dtype(), out);
        out.flush();
    }

    /** The whole file as bytes. */
    public static byte[] toBytes(Collection<Entry> entries, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(bytes, entries, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code entries} to {@code file} atomically (temporary file, fsync, rename): a failure leaves an old file intact. */
    public static void save(Path file, Collection<Entry> entries, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> write(out, entries, metadata));
    }

    /** Writes {@code tensors}, each as its own dtype, to {@code file} atomically. */
    public static void save(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        save(file, entries(tensors), metadata);
    }

    /** Reads every tensor of {@code file}, in file order; validation as {@link SafeTensorsFile#open}. */
    public static Map<String, HostTensor> load(Path file) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (String name : f.names()) out.put(name, f.read(name));
            return out;
        }
    }

    /** The JSON header of {@code sorted} (already in file order), padded with spaces to a multiple of 8. */
    static byte[] header(List<Entry> sorted, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> m : metadata.entrySet()) g.writeStringField(m.getKey(), m.getValue());
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : sorted) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype().name());
                g.writeArrayFieldStart("shape");
                for (int d : e.value().shape().dims()) g.writeNumber(d);
                g.writeEndArray();
                long end = offset + e.byteLength();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        int pad = (8 - json.size() % 8) % 8;
        for (int i = 0; i < pad; i++) json.write(' ');
        return json.toByteArray();
    }
}
