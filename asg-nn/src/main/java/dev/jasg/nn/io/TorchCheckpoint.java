package dev.jasg.nn.io;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch checkpoints ({@code .pt}, {@code .pth}, {@code pytorch_model.bin}) in pure Java,
 * without running any of the file's code.
 *
 * <p>The format is the zip archive {@code torch.save} writes since PyTorch 1.6 (1.13 writes the
 * same; every entry stored uncompressed):
 * <pre>
 * &lt;name&gt;/data.pkl        the object, pickled (protocol 2 by default); tensors are
 *                         torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
 *                         and each storage is a persistent id ('storage', torch.FloatStorage, key, location, numel)
 * &lt;name&gt;/data/&lt;key&gt;     the storage's numel elements, little endian, dense
 * &lt;name&gt;/version         the archive version ("3")
 * </pre>
 * A plain pickle (not a zip) is read the same way but can hold no tensors; the legacy format of
 * PyTorch before 1.6 is refused with a message saying so.
 *
 * <p>The pickle is read by a restricted unpickler, like {@code torch.load(weights_only=True)}: it
 * builds only str/int/float/bool/None/bytes, tuples, lists, dicts (and OrderedDict), sets and
 * tensors, and allows only the globals {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor}, {@code _rebuild_tensor_v2}, {@code _rebuild_parameter},
 * {@code _rebuild_parameter_with_state}, the storage types {@code torch.FloatStorage},
 * {@code HalfStorage}, {@code BFloat16Storage}, {@code DoubleStorage}, {@code LongStorage},
 * {@code IntStorage}, {@code ShortStorage}, {@code CharStorage}, {@code ByteStorage},
 * {@code BoolStorage}, the dtypes {@code torch.float32}... (as their names), {@code torch.Size}
 * and {@code torch.device}. Any other global ({@code posix.system}, {@code builtins.eval},
 * {@code subprocess.Popen}...) is an {@link UnsafePickleException} naming it, thrown when its
 * opcode is read, before anything is built from it. A malformed file (truncated, unknown opcode,
 * stack underflow, memo index never stored, lengths past the end, a storage entry smaller than
 * its declared elements, a negative size or stride, a view reaching past its storage) is a
 * {@link FormatException} naming the file, the pickle byte or the storage; sizes are checked
 * before anything is allocated from them.
 *
 * <p>Differences from {@code torch.load}: values are read eagerly into host tensors (the whole
 * checkpoint is in memory once); a tensor must hold fewer than 2^31 elements; integer tensors
 * must hold magnitudes up to 2^24 (JASG's host integer range) or the read fails naming the
 * element; complex, quantized and sparse tensors are refused (their globals are not allowed);
 * a view with more elements than the storage elements it spans (a stride-0 broadcast or overlapping view) is refused; Parameters read
 * as plain tensors.
 *
 * <pre>{@code
 * Map<String, TorchTensor> sd = TorchCheckpoint.load(Path.of("model.pt"));   // the state dict
 * TorchCheckpoint ck = TorchCheckpoint.read(Path.of("checkpoint.pt"));       // {"model": ..., "epoch": 3}
 * long epoch = (Long) ((Map<?, ?>) ck.root()).get("epoch");
 * Map<String, TorchTensor> model = ck.stateDict("model");
 * }</pre>
 */
public final class TorchCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);

    /** Largest data.pkl read (the tensors are in separate entries; a real pickle is kilobytes to a few megabytes). */
    static final int MAX_PICKLE_BYTES = 256 << 20;

    /** The number {@code torch.save} wrote first in its legacy (pre-1.6) format. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    /** Keys under which training scripts conventionally keep the model's state dict, tried in this order. */
    private static final List<String> STATE_DICT_KEYS = List.of("state_dict", "model_state_dict", "model", "module", "net");

    private final Path file;
    private final Object root;

    private TorchCheckpoint(Path file, Object root) {
        this.file = file;
        this.root = root;
    }

    /** The state dict of {@code file} ({@link #stateDict()}), in file order. */
    public static Map<String, TorchTensor> load(Path file) throws IOException {
        return read(file).stateDict();
    }

    /** Reads {@code file} (a torch.save zip or a plain pickle) into its container tree; see the class comment. */
    public static TorchCheckpoint read(Path file) throws IOException {
        byte[] head;
        try (InputStream s = Files.newInputStream(file)) {
            head = s.readNBytes(4);
        }
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K') return readZip(file);
        if (head.length >= 1 && (head[0] & 0xFF) == 0x80) {
            byte[] pickle = Files.readAllBytes(file);
            Object root = RestrictedUnpickler.load(file, "pickle", pickle, new Storages(file, "pickle", null, null));
            if (LEGACY_MAGIC.equals(root)) {
                throw new FormatException(file, "is in the legacy torch.save format of PyTorch before 1.6, which JASG does not read;"
                        + " re-save it with torch.save(torch.load(f), f2) in PyTorch 1.6 or later");
            }
            return new TorchCheckpoint(file, root);
        }
        throw new FormatException(file, "is neither a torch.save zip archive (starts with 'PK') nor a pickle (starts with 0x80)");
    }

    private static TorchCheckpoint readZip(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> pickles = new ArrayList<>();
            zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9).forEach(pickles::add);
            if (pickles.size() != 1) {
                throw new FormatException(file, "a torch.save archive holds exactly one <name>/data.pkl, this one has " + pickles.size() + " " + pickles);
            }
            String pkl = pickles.get(0);
            String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
            byte[] pickle;
            try (InputStream s = zip.getInputStream(zip.getEntry(pkl))) {
                pickle = s.readNBytes(MAX_PICKLE_BYTES + 1);
            }
            if (pickle.length > MAX_PICKLE_BYTES) throw new FormatException(file, pkl + " is larger than " + MAX_PICKLE_BYTES + " bytes");
            Object root = RestrictedUnpickler.load(file, pkl, pickle, new Storages(file, pkl, zip, prefix));
            LOG.debug("{}: read {}", file, pkl);
            return new TorchCheckpoint(file, root);
        } catch (ZipException | EOFException e) {
            throw new FormatException(file, "is not a readable zip archive: " + e.getMessage(), e);
        }
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /**
     * The object the file holds: a {@code Map} (LinkedHashMap, file order) for a dict or OrderedDict,
     * {@link TorchTensor} for a tensor, {@code List} for a list or tuple (tuples unmodifiable),
     * {@code Long} or {@code BigInteger} for an int, {@code Double}, {@code String}, {@code Boolean},
     * {@code byte[]}, {@code Set}, and null for None.
     */
    public Object root() {
        return root;
    }

    /**
     * The model's state dict: the root when it is a dict of tensors with string keys (what
     * {@code torch.save(model.state_dict(), f)} writes); otherwise the first of the root's entries
     * {@code "state_dict"}, {@code "model_state_dict"}, {@code "model"}, {@code "module"}, {@code "net"}
     * that is one; otherwise the only such dict anywhere in the tree. None or several is a
     * {@link FormatException} listing the candidates' paths; {@link #stateDict(String)} picks one.
     */
    public Map<String, TorchTensor> stateDict() {
        Map<String, TorchTensor> sd = asStateDict(root);
        if (sd != null) return sd;
        if (root instanceof Map<?, ?> m) {
            for (String k : STATE_DICT_KEYS) {
                sd = asStateDict(m.get(k));
                if (sd != null) return sd;
            }
        }
        List<String> found = new ArrayList<>();
        List<Map<String, TorchTensor>> dicts = new ArrayList<>();
        walk(root, "", (path, value) -> {
            Map<String, TorchTensor> d = asStateDict(value);
            if (d != null) {
                found.add(path.isEmpty() ? "(root)" : path);
                dicts.add(d);
            }
        });
        if (dicts.size() == 1) return dicts.get(0);
        throw new FormatException(file, dicts.isEmpty() ? "holds no dict of tensors with string keys (no state dict)"
                : "holds " + dicts.size() + " dicts of tensors " + found + "; pick one with stateDict(path)");
    }

    /** The state dict at {@code path} ("model", "optimizer/state/0": keys separated by '/', int keys by their digits). */
    public Map<String, TorchTensor> stateDict(String path) {
        Object node = root;
        for (String part : path.split("/")) {
            Object next = null;
            if (node instanceof Map<?, ?> m) {
                next = m.containsKey(part) ? m.get(part) : intKey(m, part);
            } else if (node instanceof List<?> l && part.matches("\\d{1,9}") && Integer.parseInt(part) < l.size()) {
                next = l.get(Integer.parseInt(part));
            }
            if (next == null) throw new FormatException(file, "has nothing at '" + path + "' (no '" + part + "')");
            node = next;
        }
        Map<String, TorchTensor> sd = asStateDict(node);
        if (sd == null) throw new FormatException(file, "'" + path + "' is a " + RestrictedUnpickler.typeName(node) + ", not a dict of tensors with string keys");
        return sd;
    }

    /** Every tensor in the tree by its path ("model/0.weight", "optimizer/state/0/momentum_buffer"), in file order. */
    public Map<String, TorchTensor> tensors() {
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        walk(root, "", (path, value) -> {
            if (value instanceof TorchTensor t) out.putIfAbsent(path, t);
        });
        return out;
    }

    private static Object intKey(Map<?, ?> m, String part) {
        if (!part.matches("-?\\d{1,18}")) return null;
        return m.get(Long.parseLong(part));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TorchTensor> asStateDict(Object o) {
        if (!(o instanceof Map<?, ?> m) || m.isEmpty()) return null;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof TorchTensor)) return null;
        }
        return Collections.unmodifiableMap((Map<String, TorchTensor>) m);
    }

    private interface Visitor {
        void visit(String path, Object value);
    }

    /** Visits every node once (a pickle may share or even nest a container in itself through its memo), iteratively. */
    private static void walk(Object root, String rootPath, Visitor visitor) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> todo = new ArrayDeque<>();
        todo.push(new Object[] {rootPath, root});
        while (!todo.isEmpty()) {
            Object[] item = todo.pop();
            String path = (String) item[0];
            Object value = item[1];
            visitor.visit(path, value);
            if (!(value instanceof Map<?, ?> || value instanceof List<?>) || !seen.add(value)) continue;
            List<Object[]> children = new ArrayList<>();
            if (value instanceof Map<?, ?> m) {
                m.forEach((k, v) -> children.add(new Object[] {join(path, String.valueOf(k)), v}));
            } else {
                List<?> l = (List<?>) value;
                for (int i = 0; i < l.size(); i++) children.add(new Object[] {join(path, Integer.toString(i)), l.get(i)});
            }
            for (int i = children.size() - 1; i >= 0; i--) todo.push(children.get(i));
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "/" + key;
    }

    /** A storage named by a persistent id, checked against its archive entry. */
    record Storage(SafeTensorsDType dtype, String key, long numel, ZipEntry entry) {}

    /** Resolves persistent ids against the archive and materialises tensor views. */
    static final class Storages implements RestrictedUnpickler.Loader {
        private final Path file;
        private final String pickle;
        private final ZipFile zip;
        private final String prefix;
        private final Map<String, Storage> byKey = new LinkedHashMap<>();

        Storages(Path file, String pickle, ZipFile zip, String prefix) {
            this.file = file;
            this.pickle = pickle;
            this.zip = zip;
            this.prefix = prefix;
        }

        @Override
        public Object storage(SafeTensorsDType dtype, String key, String location, long numel, String where) {
            if (zip == null) {
                throw new FormatException(file, where + ": a storage (persistent id) in a plain pickle; only the zip archive"
                        + " torch.save writes holds tensor data");
            }
            if (!key.matches("[A-Za-z0-9_.]{1,64}") || key.startsWith(".")) throw new FormatException(file, where + ": storage key '" + key + "' is not a plain name");
            Storage known = byKey.get(key);
            if (known != null) {
                if (known.dtype() != dtype || known.numel() != numel) {
                    throw new FormatException(file, where + ": storage '" + key + "' is declared as " + numel + " x " + dtype
                            + " but earlier as " + known.numel() + " x " + known.dtype());
                }
                return known;
            }
            String name = prefix + "data/" + key;
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) throw new FormatException(file, where + ": storage '" + key + "' has no entry " + name);
            long bytes;
            try {
                bytes = Math.multiplyExact(numel, (long) dtype.bytes());
            } catch (ArithmeticException e) {
                throw new FormatException(file, where + ": storage '" + key + "' declares " + numel + " elements, too many for any file");
            }
            if (entry.getSize() != bytes) {
                throw new FormatException(file, where + ": storage '" + key + "' declares " + numel + " x " + dtype + " = " + bytes
                        + " bytes but entry " + name + " holds " + entry.getSize());
            }
            Storage s = new Storage(dtype, key, numel, entry);
            byKey.put(key, s);
            return s;
        }

        @Override
        public boolean isTensor(Object value) {
            return value instanceof TorchTensor;
        }

        @Override
        public Object tensor(Object storageObject, long offset, long[] size, long[] stride, String where) {
            if (!(storageObject instanceof Storage s)) {
                throw new FormatException(file, where + ": a tensor's storage is a " + RestrictedUnpickler.typeName(storageObject) + ", not a storage");
            }
            String what = where + ": tensor over storage '" + s.key() + "'";
            if (size.length != stride.length) throw new FormatException(file, what + " has " + size.length + " sizes but " + stride.length + " strides");
            if (offset < 0) throw new FormatException(file, what + " has storage offset " + offset);
            long n = 1;
            int[] dims = new int[size.length];
            for (int i = 0; i < size.length; i++) {
                if (size[i] < 0 || size[i] > Integer.MAX_VALUE) throw new FormatException(file, what + " has size " + size[i] + " in dimension " + i);
                if (stride[i] < 0) throw new FormatException(file, what + " has stride " + stride[i] + " in dimension " + i);
                dims[i] = (int) size[i];
                n *= size[i]; // both below 2^31 here, so no overflow
                if (n > Integer.MAX_VALUE - 8) throw new FormatException(file, what + " has more than 2^31 elements, more than a host tensor holds");
            }
            long last = offset;
            if (n > 0) {
                for (int i = 0; i < size.length; i++) {
                    // saturate: a view reaching past 2^63 elements reaches past any storage
                    long step = stride[i] == 0 || size[i] - 1 <= Long.MAX_VALUE / stride[i] ? (size[i] - 1) * stride[i] : Long.MAX_VALUE;
                    last = step > Long.MAX_VALUE - last ? Long.MAX_VALUE : last + step;
                }
                if (last >= s.numel()) {
                    throw new FormatException(file, what + " (offset " + offset + ", size " + Arrays.toString(size) + ", stride "
                            + Arrays.toString(stride) + ") reaches element " + last + " but the storage holds " + s.numel());
                }
                // every allocation stays within the bytes actually read: a view may not hold more elements than it spans
                if (n > last - offset + 1) throw new FormatException(file, what + " has " + n + " elements but spans only " + (last - offset + 1)
                        + " of its storage (a stride-0 broadcast or overlapping view); save it with .contiguous()");
            }
            int es = s.dtype().bytes();
            byte[] span = n == 0 ? new byte[0] : readRange(s, offset * es, (last - offset + 1) * es, what);
            ByteBuffer dense = gather(span, dims, stride, es, (int) n);
            HostTensor value = ElementCodec.decode(file, what, s.dtype(), Shape.of(dims), dense);
            return new TorchTensor(s.dtype(), dims, stride, offset, s.key(), value);
        }

        /** Bytes [from, from + length) of the storage's entry; both are within the checked entry size. */
        private byte[] readRange(Storage s, long from, long length, String what) {
            if (length > Integer.MAX_VALUE - 8) throw new FormatException(file, what + " spans " + length + " bytes of its storage, more than 2 GiB");
            try (InputStream in = zip.getInputStream(s.entry())) {
                in.skipNBytes(from);
                byte[] b = in.readNBytes((int) length); // grows with the bytes actually read, never allocates length up front
                if (b.length != length) throw new FormatException(file, what + ": entry " + s.entry().getName() + " ends early");
                return b;
            } catch (EOFException e) {
                throw new FormatException(file, what + ": entry " + s.entry().getName() + " ends early");
            } catch (IOException e) {
                throw new FormatException(file, what + ": entry " + s.entry().getName() + " cannot be read: " + e.getMessage(), e);
            }
        }

        /** The view's elements in row-major order: element [i0, i1...] is span element sum(i_k * stride_k). */
        private static ByteBuffer gather(byte[] span, int[] dims, long[] stride, int es, int n) {
            boolean contiguous = true;
            long expect = 1;
            for (int i = dims.length - 1; i >= 0; i--) {
                if (dims[i] != 1 && stride[i] != expect) contiguous = false;
                expect *= dims[i];
            }
            if (contiguous) return ByteBuffer.wrap(span, 0, n * es).slice();
            byte[] out = new byte[n * es];
            int[] index = new int[dims.length];
            long src = 0;
            for (int k = 0; k < n; k++) {
                System.arraycopy(span, (int) (src * es), out, k * es, es);
                for (int d = dims.length - 1; d >= 0; d--) {
                    if (++index[d] < dims[d]) {
                        src += stride[d];
                        break;
                    }
                    src -= (long) (dims[d] - 1) * stride[d];
                    index[d] = 0;
                }
            }
            return ByteBuffer.wrap(out);
        }
    }
}
