package dev.jasg.nn.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;
import dev.jasg.nn.Layer;
import dev.jasg.nn.StoredDTypes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A model's weights by name, read from Hugging Face SafeTensors: one {@code .safetensors} file,
 * or the sharded form, a {@value #INDEX_FILE} whose {@code weight_map} maps each tensor name to
 * the shard file (in the index's directory) that holds it. It is an unmodifiable
 * {@code Map<String, HostTensor>} in file order, so it goes straight into
 * {@link Layer#loadStateDict(Map, boolean)}:
 *
 * <pre>{@code
 * model.loadStateDict(StateDict.load(Path.of("model.safetensors")), true);        // one file
 * model.loadStateDict(StateDict.load(Path.of("gpt2/")), true);                    // a directory: index or model.safetensors
 * try (StateDict d = StateDict.open(Path.of("model.safetensors.index.json"))) {   // shards opened on first use
 *     model.loadStateDict(d, false);
 * }
 * StateDict.save(model, trainer.parameters(), Path.of("model.safetensors"));      // weights and buffers only
 * }</pre>
 *
 * <p>{@link #load} reads every tensor and closes the files; {@link #open} only validates the
 * index (and a single file's header) and opens each shard the first time one of its tensors is
 * read, mapping tensors one at a time, so a model can be loaded with one tensor in flight. The
 * loaded form is immutable; the lazy form is for one thread at a time and must be closed.
 *
 * <p>Every dtype of the format is read ({@link SafeTensorsDType}): 8- and 16-bit floats widen
 * exactly to F32, small integers to I32, F64 and I64 keep their type; {@link #storedDType} names
 * the file's type, so a load logs e.g. {@code "fc.weight: BF16 -> F32"} when it converts.
 *
 * <p>Hostile input: the index is at most {@value #MAX_INDEX_BYTES} bytes and read before anything
 * is sized from it; its JSON must be an object with a {@code weight_map} object of string values,
 * without duplicate keys; each shard must be a plain file name in the index's directory that
 * exists; each shard, when opened, must hold every key mapped to it and nothing the index maps
 * elsewhere (a key in two shards) or not at all; each shard's header is validated by
 * {@link SafeTensorsFile#open}. A violation is a {@link FormatException} naming the file and the key.
 */
public final class StateDict extends AbstractMap<String, HostTensor> implements StoredDTypes, AutoCloseable {
    /** The index file of a sharded checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** The single-file checkpoint in a directory. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** Largest index file accepted (as the largest SafeTensors header). */
    public static final long MAX_INDEX_BYTES = SafeTensors.MAX_HEADER_BYTES;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path source;
    /** Key to the shard holding it, in order. */
    private final Map<String, Path> shardOf;
    private final Map<String, String> metadata;
    /** Shards opened so far (lazy form). */
    private final Map<Path, SafeTensorsFile> opened = new LinkedHashMap<>();
    /** All values (eager form), or null. */
    private Map<String, HostTensor> values;
    private final Map<String, SafeTensorsDType> dtypes = new LinkedHashMap<>();
    private boolean closed;

    private StateDict(Path source, Map<String, Path> shardOf, Map<String, String> metadata) {
        this.source = source;
        this.shardOf = shardOf;
        this.metadata = metadata;
    }

    // ---- reading ---------------------------------------------------------------------------------

    /**
     * Reads every tensor of {@code path} (a {@code .safetensors} file, an index {@code .json}, or a
     * directory holding {@value #INDEX_FILE} or {@value #SINGLE_FILE}) and closes the files.
     */
    public static StateDict load(Path path) throws IOException {
        try (StateDict lazy = open(path)) {
            Map<String, HostTensor> all = new LinkedHashMap<>();
            // Shard by shard, so each file is validated as a whole before its tensors are read.
            for (Path shard : lazy.shards()) lazy.shard(shard);
            for (String key : lazy.shardOf.keySet()) all.put(key, lazy.read(key));
            StateDict eager = new StateDict(lazy.source, lazy.shardOf, lazy.metadata);
            eager.dtypes.putAll(lazy.dtypes);
            eager.values = Collections.unmodifiableMap(all);
            return eager;
        }
    }

    /**
     * Opens {@code path} (as {@link #load}) without reading tensors: a single file's header, or
     * the index, is validated now; shards are opened and validated the first time one of their
     * tensors is asked for. Close it to release the files.
     */
    public static StateDict open(Path path) throws IOException {
        Path p = path;
        if (Files.isDirectory(p)) {
            if (Files.isRegularFile(p.resolve(INDEX_FILE))) p = p.resolve(INDEX_FILE);
            else if (Files.isRegularFile(p.resolve(SINGLE_FILE))) p = p.resolve(SINGLE_FILE);
            else throw new NoSuchFileException(path.toString(), null, "the directory holds neither " + INDEX_FILE + " nor " + SINGLE_FILE);
        }
        if (p.getFileName() != null && p.getFileName().toString().endsWith(".json")) return openIndex(p);
        SafeTensorsFile f = SafeTensorsFile.open(p);
        Map<String, Path> shardOf = new LinkedHashMap<>();
        for (String name : f.names()) shardOf.put(name, p);
        StateDict d = new StateDict(p, Collections.unmodifiableMap(shardOf), f.metadata());
        d.opened.put(p, f);
        for (String name : f.names()) d.dtypes.put(name, f.info(name).dtype());
        return d;
    }

    private static StateDict openIndex(Path index) throws IOException {
        long size = Files.size(index);
        if (size > MAX_INDEX_BYTES) throw new FormatException(index, "index is " + size + " bytes, more than the limit of " + MAX_INDEX_BYTES);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (StreamReadException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) throw new FormatException(index, "duplicate key in the index: " + msg, e);
            throw new FormatException(index, "index is not well-formed JSON: " + msg, e);
        } catch (JsonProcessingException e) {
            throw new FormatException(index, "index is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new FormatException(index, "index is not a JSON object");
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) throw new FormatException(index, "index has no 'weight_map' object");
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null) {
            if (!meta.isObject()) throw new FormatException(index, "index 'metadata' is not a JSON object");
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                var m = it.next();
                metadata.put(m.getKey(), m.getValue().isTextual() ? m.getValue().textValue() : m.getValue().toString());
            }
        }
        Path dir = index.toAbsolutePath().normalize().getParent();
        Map<String, Path> shardOf = new LinkedHashMap<>();
        Map<Path, String> firstKey = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            if (!e.getValue().isTextual()) throw new FormatException(index, "weight_map entry '" + key + "' is not a shard file name: " + e.getValue());
            String name = e.getValue().textValue();
            Path shard = dir.resolve(name).normalize();
            if (name.isEmpty() || !dir.equals(shard.getParent()) || !shard.getFileName().toString().equals(name)) {
                throw new FormatException(index, "weight_map maps '" + key + "' to '" + name + "', which is not a file name in the index's directory " + dir);
            }
            shardOf.put(key, shard);
            firstKey.putIfAbsent(shard, key);
        }
        for (var e : firstKey.entrySet()) {
            if (!Files.isRegularFile(e.getKey())) {
                throw new FormatException(index, "shard " + e.getKey().getFileName() + " (holding '" + e.getValue() + "' and "
                        + (count(shardOf, e.getKey()) - 1) + " more) does not exist in " + dir);
            }
        }
        return new StateDict(index, Collections.unmodifiableMap(shardOf), Collections.unmodifiableMap(metadata));
    }

    private static int count(Map<String, Path> shardOf, Path shard) {
        int n = 0;
        for (Path p : shardOf.values()) if (p.equals(shard)) n++;
        return n;
    }

    private Set<Path> shards() {
        return new java.util.LinkedHashSet<>(shardOf.values());
    }

    /** The open shard {@code p}, opened and checked against the index on first use. */
    private SafeTensorsFile shard(Path p) throws IOException {
        if (closed) throw new IllegalStateException(source + " is closed");
        SafeTensorsFile f = opened.get(p);
        if (f != null) return f;
        f = SafeTensorsFile.open(p);
        try {
            for (var e : shardOf.entrySet()) {
                if (e.getValue().equals(p) && !f.contains(e.getKey())) {
                    throw new FormatException(source, "weight_map maps '" + e.getKey() + "' to shard " + p.getFileName() + ", which does not hold it");
                }
            }
            for (String name : f.names()) {
                Path mapped = shardOf.get(name);
                if (mapped == null) {
                    throw new FormatException(source, "shard " + p.getFileName() + " holds '" + name + "', which the weight_map does not list");
                }
                if (!mapped.equals(p)) {
                    throw new FormatException(source, "duplicate key '" + name + "': shard " + p.getFileName() + " holds it, and the weight_map maps it to shard "
                            + mapped.getFileName());
                }
                dtypes.put(name, f.info(name).dtype());
            }
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        opened.put(p, f);
        return f;
    }

    private HostTensor read(String key) throws IOException {
        Path p = shardOf.get(key);
        if (p == null) return null;
        return shard(p).read(key);
    }

    // ---- Map -------------------------------------------------------------------------------------

    /**
     * The tensor named {@code key}, or null when there is none; in the lazy form it is read now
     * (an I/O error is an {@link UncheckedIOException}, a malformed shard a {@link FormatException}).
     */
    @Override
    public HostTensor get(Object key) {
        if (!(key instanceof String k) || !shardOf.containsKey(k)) return null;
        if (values != null) return values.get(k);
        try {
            return read(k);
        } catch (IOException e) {
            throw new UncheckedIOException(shardOf.get(k) + ": cannot read '" + k + "': " + e.getMessage(), e);
        }
    }

    @Override
    public boolean containsKey(Object key) {
        return shardOf.containsKey(key);
    }

    @Override
    public int size() {
        return shardOf.size();
    }

    @Override
    public Set<String> keySet() {
        return shardOf.keySet();
    }

    /** Entries in file order; in the lazy form each value is read when its entry is reached. */
    @Override
    public Set<Map.Entry<String, HostTensor>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, HostTensor>> iterator() {
                Iterator<String> keys = shardOf.keySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return keys.hasNext();
                    }

                    @Override
                    public Map.Entry<String, HostTensor> next() {
                        String k = keys.next();
                        return new AbstractMap.SimpleImmutableEntry<>(k, get(k));
                    }
                };
            }

            @Override
            public int size() {
                return shardOf.size();
            }
        };
    }

    // ---- what the files say ----------------------------------------------------------------------

    /** The file's dtype of {@code key} ({@code BF16} for a tensor read into F32); opens its shard if needed. */
    public SafeTensorsDType dtype(String key) {
        SafeTensorsDType t = dtypes.get(key);
        if (t != null) return t;
        Path p = shardOf.get(key);
        if (p == null) throw new IllegalArgumentException(source + ": no tensor named '" + key + "'");
        try {
            shard(p);
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": " + e.getMessage(), e);
        }
        return dtypes.get(key);
    }

    @Override
    public String storedDType(String key) {
        return dtype(key).name();
    }

    /** The shard file holding {@code key}, or null when there is none. */
    public Path fileOf(String key) {
        return shardOf.get(key);
    }

    /** What was opened: the single file or the index. */
    public Path source() {
        return source;
    }

    /** The single file's {@code __metadata__}, or the index's {@code metadata} (e.g. {@code total_size}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Closes the shards opened so far (a no-op for {@link #load}'s form); later reads of the lazy form fail. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = values == null;
        IOException first = null;
        for (SafeTensorsFile f : opened.values()) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        opened.clear();
        if (first != null) throw first;
    }

    // ---- writing ---------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} to {@code file} as SafeTensors, each as its own dtype, with the
     * metadata {@code {"format":"pt"}} that Hugging Face writes; atomically (temporary file,
     * fsync, rename), so a failed save leaves an old file intact.
     */
    public static void save(Map<String, HostTensor> tensors, Path file) throws IOException {
        SafeTensors.save(file, new TreeMap<>(tensors), Map.of("format", "pt"));
    }

    /**
     * Writes every tensor of {@code store} to {@code file}, as {@link #save(Map, Path)}. A
     * trainer's store also holds the optimizer state; {@link #save(Layer, Parameters, Path)}
     * writes the model's tensors only.
     */
    public static void save(Parameters store, Path file) throws IOException {
        Map<String, HostTensor> all = new TreeMap<>();
        for (String name : store.names()) all.put(name, store.get(name));
        save(all, file);
    }

    /**
     * Writes {@code layer}'s parameters and buffers, valued from {@code store}
     * ({@link Layer#stateDict(Parameters)}), to {@code file}, without optimizer state; load them back
     * with {@code layer.loadStateDict(StateDict.load(file), true)}.
     */
    public static void save(Layer layer, Parameters store, Path file) throws IOException {
        save(layer.stateDict(store), file);
    }

    @Override
    public String toString() {
        return "StateDict(" + source + ", " + shardOf.size() + " tensors" + (values != null ? ")" : ", lazy)");
    }
}
