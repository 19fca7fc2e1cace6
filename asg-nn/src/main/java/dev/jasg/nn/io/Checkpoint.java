package dev.jasg.nn.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * A training checkpoint in a directory: {@value #MODEL_FILE} holds every tensor of a core
 * {@link Parameters} store (weights and optimizer state alike, since optimizers keep their
 * moments and step counters as non-trainable parameters) and {@value #STATE_FILE} holds the
 * {@link CheckpointState} as JSON together with the size and CRC-32 of the tensor file.
 *
 * <p>Saving is crash-safe file by file: each file is written to a temporary sibling, forced
 * to disk and renamed over the old one atomically, so a failed save (an exception, a full
 * disk, a crash) leaves the previous files byte-identical. Both temporaries are complete
 * before either rename; should the process die between the two renames, the CRC recorded in
 * the state file no longer matches and {@link #load} refuses the pair instead of resuming from
 * mixed checkpoints. {@link CheckpointManager} avoids even that window by writing each
 * checkpoint into a fresh directory that appears with one atomic rename.
 *
 * <p>Completeness: in a fresh directory the tensor file is committed (renamed and its directory
 * entry forced) before the state file, so a directory holding the state file, and a tensor file
 * of the size that state records, is a complete checkpoint ({@link #isComplete}); a save or a
 * deletion cut short leaves a directory that check rejects.
 */
public final class Checkpoint {
    /** The tensor file of a checkpoint directory. */
    public static final String MODEL_FILE = "model.safetensors";
    /** The JSON state file of a checkpoint directory. */
    public static final String STATE_FILE = "trainer_state.json";

    static final String FORMAT = "jasg-checkpoint";
    static final int VERSION = 1;
    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Checkpoint() {}

    /**
     * Saves every tensor of {@code parameters} and {@code state} into directory {@code dir}
     * (created if missing), replacing a checkpoint already there only once the new one is
     * completely on disk.
     */
    public static void save(Path dir, Parameters parameters, CheckpointState state) throws IOException {
        Files.createDirectories(dir);
        Path model = dir.resolve(MODEL_FILE), stateFile = dir.resolve(STATE_FILE);
        CRC32 crc = new CRC32();
        List<String> names = new ArrayList<>(new TreeSet<>(parameters.names()));
        Path modelTmp = AtomicFiles.writeTemp(model, out -> {
            List<SafeTensors.Entry> entries = new ArrayList<>(names.size());
            for (String name : names) entries.add(SafeTensors.Entry.of(name, parameters.get(name)));
            SafeTensors.write(new CheckedOutputStream(out, crc), entries, Map.of("format", "pt"));
        });
        Path stateTmp;
        try {
            long modelBytes = Files.size(modelTmp);
            byte[] json = JSON.writeValueAsBytes(toJson(state, modelBytes, crc.getValue()));
            stateTmp = AtomicFiles.writeTemp(stateFile, out -> out.write(json));
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteQuietly(modelTmp, e);
            throw e;
        }
        try {
            AtomicFiles.commit(modelTmp, model);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteQuietly(stateTmp, e);
            throw e;
        }
        AtomicFiles.commit(stateTmp, stateFile);
    }

    private static Map<String, Object> toJson(CheckpointState s, long modelBytes, long crc) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("epoch", s.epoch());
        m.put("step", s.step());
        m.put("metrics", s.metrics());
        m.put("scheduler", s.scheduler());
        m.put("rng", s.rng());
        m.put("model_config", s.modelConfig());
        m.put("extra", s.extra());
        m.put("model_file", MODEL_FILE);
        m.put("model_bytes", modelBytes);
        m.put("model_crc32", crc);
        return m;
    }

    /**
     * True when {@code dir} holds a complete checkpoint: its state file exists, its tensor file
     * exists, and the tensor file has the size the state file records. Cheap (no CRC: {@link #load}
     * checks that); never throws. A state file that cannot be parsed (for instance one written by
     * a newer version) still counts as complete when the tensor file exists, so such a checkpoint
     * is never taken for the debris of a crash.
     */
    public static boolean isComplete(Path dir) {
        Path stateFile = dir.resolve(STATE_FILE), model = dir.resolve(MODEL_FILE);
        if (!Files.isRegularFile(stateFile) || !Files.isRegularFile(model)) return false;
        try {
            JsonNode bytes = JSON.readTree(Files.readAllBytes(stateFile)).path("model_bytes");
            return !bytes.isIntegralNumber() || bytes.longValue() == Files.size(model);
        } catch (JsonProcessingException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the state of the checkpoint in {@code dir} without touching its tensors. */
    public static CheckpointState readState(Path dir) throws IOException {
        return parseState(dir.resolve(STATE_FILE)).state;
    }

    private record StateFile(CheckpointState state, long modelBytes, long crc) {}

    private static StateFile parseState(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new FormatException(file, "not a JASG checkpoint state (expected \"format\": \"" + FORMAT + "\")");
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new FormatException(file, "checkpoint version " + root.path("version") + " is not supported (this build reads " + VERSION + ")");
        }
        for (String f : List.of("epoch", "step", "model_bytes", "model_crc32")) {
            if (!root.path(f).isIntegralNumber()) throw new FormatException(file, "field '" + f + "' is missing or not an integer");
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        root.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(),
                e.getValue().isNumber() ? e.getValue().doubleValue() : Double.parseDouble(e.getValue().asText())));
        CheckpointState state = new CheckpointState(root.get("epoch").intValue(), root.get("step").longValue(), metrics,
                map(root, "scheduler"), map(root, "rng"), map(root, "model_config"), map(root, "extra"));
        return new StateFile(state, root.get("model_bytes").longValue(), root.get("model_crc32").longValue());
    }

    private static Map<String, Object> map(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return Map.of();
        return JSON.convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** Reads every tensor of the checkpoint in {@code dir}, after checking it belongs to the state file. */
    public static Map<String, HostTensor> readTensors(Path dir) throws IOException {
        StateFile s = parseState(dir.resolve(STATE_FILE));
        Path model = dir.resolve(MODEL_FILE);
        verify(model, s);
        return SafeTensors.load(model);
    }

    private static void verify(Path model, StateFile s) throws IOException {
        long size = Files.size(model);
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(model)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) crc.update(buf, 0, r);
        }
        if (size != s.modelBytes() || crc.getValue() != s.crc()) {
            throw new FormatException(model, "does not match " + STATE_FILE + " (size " + size + " vs " + s.modelBytes() + ", crc32 "
                    + Long.toHexString(crc.getValue()) + " vs " + Long.toHexString(s.crc()) + "); the files come from different saves");
        }
    }

    /**
     * Loads the checkpoint in {@code dir} into {@code parameters} and returns its state. The
     * store must already hold every tensor of the checkpoint with the same shape, and the
     * checkpoint must hold every tensor of the store; everything is read and checked before
     * the first value is set, so a bad checkpoint changes nothing.
     */
    public static CheckpointState load(Path dir, Parameters parameters) throws IOException {
        StateFile s = parseState(dir.resolve(STATE_FILE));
        Path model = dir.resolve(MODEL_FILE);
        verify(model, s);
        Map<String, HostTensor> tensors = SafeTensors.load(model);
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(parameters.names())) {
            if (!tensors.containsKey(name)) problems.add("missing '" + name + "'");
        }
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (!parameters.contains(e.getKey())) {
                problems.add("unexpected '" + e.getKey() + "' (not in the parameter store)");
                continue;
            }
            HostTensor have = parameters.get(e.getKey());
            if (!have.shape().equals(e.getValue().shape())) {
                problems.add("'" + e.getKey() + "' is " + e.getValue().shape() + " in the checkpoint but " + have.shape() + " in the store");
            }
        }
        if (!problems.isEmpty()) throw new FormatException(model, "does not fit the parameter store: " + String.join("; ", problems));
        tensors.forEach(parameters::set);
        return s.state();
    }

    /**
     * Loads what fits of the checkpoint in {@code dir} into {@code parameters}, as PyTorch's
     * {@code load_state_dict(strict=False)} with shape mismatches reported instead of raised: every
     * tensor the store holds with the same shape takes the checkpoint's value (weights and
     * optimizer state alike); a tensor of another shape (a layer resized since the save), a name
     * the checkpoint lacks and a checkpoint tensor the store does not hold leave the store as it
     * is and are listed in the result. The checkpoint is read and verified (size, CRC-32) before
     * the first value is set, so a checkpoint that cannot be read changes nothing. The trainer
     * state is returned in the result, not applied.
     */
    public static PartialLoad loadPartial(Path dir, Parameters parameters) throws IOException {
        StateFile s = parseState(dir.resolve(STATE_FILE));
        Path model = dir.resolve(MODEL_FILE);
        verify(model, s);
        Map<String, HostTensor> tensors = SafeTensors.load(model);
        List<String> loaded = new ArrayList<>();
        List<PartialLoad.ShapeMismatch> mismatched = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        Map<String, HostTensor> toSet = new LinkedHashMap<>();
        for (String name : parameters.names()) {
            HostTensor t = tensors.get(name);
            if (t == null) {
                missing.add(name);
                continue;
            }
            dev.jasg.core.Shape have = parameters.get(name).shape();
            if (have.equals(t.shape())) {
                loaded.add(name);
                toSet.put(name, t);
            } else {
                mismatched.add(new PartialLoad.ShapeMismatch(name, t.shape(), have));
            }
        }
        for (String name : tensors.keySet()) if (!parameters.contains(name)) unexpected.add(name);
        toSet.forEach(parameters::set);
        return new PartialLoad(loaded, mismatched, missing, unexpected, s.state());
    }
}
