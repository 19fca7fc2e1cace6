package dev.jasg.nn.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that builds plain values and tensors only, for the pickles {@code torch.save}
 * writes (protocols 2 to 5). It calls nothing: a global is resolved against a fixed allow-list
 * ({@link Allowed}) when its opcode is read, and any other global is an
 * {@link UnsafePickleException} at that byte. Every length read from the pickle is checked
 * against the bytes that remain before anything is allocated from it, so a hostile or truncated
 * pickle ends in a {@link FormatException} naming the byte and the opcode.
 *
 * <p>Python values map to: None to null, bool to Boolean, int to Long (BigInteger past 64 bits),
 * float to Double, str to String, bytes to byte[], tuple to an unmodifiable List, list to an
 * ArrayList, dict and OrderedDict to a LinkedHashMap (insertion order), set to a LinkedHashSet,
 * torch dtypes to their name ("torch.float16"), torch.device to its string ("cuda:0"); tensors
 * and storages come from the {@link Loader}.
 */
final class RestrictedUnpickler {
    /** What the unpickler asks of the container: storages by persistent id and tensors over them. */
    interface Loader {
        /** Persistent id ('storage', type, key, location, numel): a storage of {@code numel} elements of {@code dtype}. */
        Object storage(SafeTensorsDType dtype, String key, String location, long numel, String where);

        /** {@code torch._utils._rebuild_tensor(_v2)(storage, offset, size, stride, ...)}. */
        Object tensor(Object storage, long offset, long[] size, long[] stride, String where);

        /** True when {@code value} is something {@link #tensor} returned. */
        boolean isTensor(Object value);
    }

    /** The globals the reader resolves; any other is refused. */
    enum Allowed { ORDERED_DICT, REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, STORAGE, SIZE, DEVICE }

    /** A resolved global on the stack. */
    record Global(Allowed kind, String name, SafeTensorsDType storage) {}

    private static final Map<String, SafeTensorsDType> STORAGES = Map.of(
            "FloatStorage", SafeTensorsDType.F32, "HalfStorage", SafeTensorsDType.F16,
            "BFloat16Storage", SafeTensorsDType.BF16, "DoubleStorage", SafeTensorsDType.F64,
            "LongStorage", SafeTensorsDType.I64, "IntStorage", SafeTensorsDType.I32,
            "ShortStorage", SafeTensorsDType.I16, "CharStorage", SafeTensorsDType.I8,
            "ByteStorage", SafeTensorsDType.U8, "BoolStorage", SafeTensorsDType.BOOL);

    private static final Set<String> DTYPES = Set.of("float16", "half", "float32", "float", "float64", "double", "bfloat16",
            "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "bool");

    private static final Object MARK_GUARD = new Object();

    private final Path file;
    private final String label;
    private final byte[] in;
    private final Loader loader;
    private int pos;
    private int opAt;
    private final ArrayList<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markDepth;
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(Path file, String label, byte[] in, Loader loader) {
        this.file = file;
        this.label = label;
        this.in = in;
        this.loader = loader;
    }

    /** Reads the object {@code pickle} (named {@code label} in errors) holds, up to its STOP; bytes after it are ignored. */
    static Object load(Path file, String label, byte[] pickle, Loader loader) {
        return new RestrictedUnpickler(file, label, pickle, loader).run();
    }

    private Object run() {
        while (true) {
            opAt = pos;
            if (pos >= in.length) throw error("the pickle ends without a STOP opcode (truncated)");
            int op = in[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) throw error("pickle protocol " + v + " is not supported (torch.save writes 2 to 5)");
                }
                case 0x95 -> { // FRAME: a length hint only; the frame's bytes are read as ordinary opcodes
                    long n = u64();
                    if (n < 0 || n > in.length - pos) throw error("FRAME of " + Long.toUnsignedString(n) + " bytes but " + (in.length - pos) + " remain");
                }
                case '.' -> { // STOP
                    Object top = pop();
                    if (markDepth != 0 || !stack.isEmpty()) throw error("STOP with " + stack.size() + " values and " + markDepth + " marks left");
                    return top;
                }
                case '(' -> { // MARK
                    if (markDepth == marks.length) marks = Arrays.copyOf(marks, marks.length * 2);
                    marks[markDepth++] = stack.size();
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) s32()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) u16()); // BININT2
                case 0x8a -> push(longOf(bytes(u8()))); // LONG1
                case 0x8b -> push(longOf(bytes(length(s32())))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(be64())); // BINFLOAT: big endian
                case 'X' -> push(utf8(bytes(length(u32())))); // BINUNICODE
                case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(bytes(length(u64())))); // BINUNICODE8
                case 'T' -> push(latin1(bytes(length(s32())))); // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(bytes(u8()))); // SHORT_BINSTRING
                case 'B' -> push(bytes(length(u32()))); // BINBYTES
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 0x8e -> push(bytes(length(u64()))); // BINBYTES8
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'a' -> { Object v = pop(); list(peek(), "APPEND").add(v); }
                case 'e' -> { List<Object> items = popMark(); list(peek(), "APPENDS").addAll(items); }
                case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(tuple(popMark())); // TUPLE
                case 0x85 -> push(tuple(popN(1)));
                case 0x86 -> push(tuple(popN(2)));
                case 0x87 -> push(tuple(popN(3)));
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> { Map<Object, Object> m = new LinkedHashMap<>(); putAll(m, popMark()); push(m); } // DICT
                case 's' -> { Object v = pop(); Object k = pop(); dict(peek(), "SETITEM").put(key(k), v); }
                case 'u' -> { List<Object> items = popMark(); putAll(dict(peek(), "SETITEMS"), items); }
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case 0x90 -> { List<Object> items = popMark(); Set<Object> s = set(peek()); for (Object o : items) s.add(key(o)); } // ADDITEMS
                case 0x91 -> { Set<Object> s = new LinkedHashSet<>(); for (Object o : popMark()) s.add(key(o)); push(Collections.unmodifiableSet(s)); } // FROZENSET
                case 'c' -> push(resolve(line(), line())); // GLOBAL
                case 0x93 -> { Object name = pop(); Object module = pop(); push(resolve(string(module, "STACK_GLOBAL module"), string(name, "STACK_GLOBAL name"))); }
                case 'R' -> { Object args = pop(); Object f = pop(); push(call(f, args, "REDUCE")); } // REDUCE
                case 0x81 -> { Object args = pop(); Object cls = pop(); push(call(cls, args, "NEWOBJ")); } // NEWOBJ
                case 'b' -> build(); // BUILD
                case 'Q' -> push(persistent(pop())); // BINPERSID
                case 'h' -> push(get(u8())); // BINGET
                case 'j' -> push(get(u32())); // LONG_BINGET
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                default -> throw error("opcode 0x" + Integer.toHexString(op) + " ('" + printable(op) + "') is not supported"
                        + " (the restricted unpickler reads the binary opcodes torch.save writes; INST, OBJ, EXT*, PERSID and the"
                        + " text forms of protocol 0/1 are refused)");
            }
        }
    }

    private FormatException error(String problem) {
        return new FormatException(file, label + " byte " + opAt + ": " + problem);
    }

    private String where() {
        return label + " byte " + opAt;
    }

    private static String printable(int op) {
        return op >= 0x20 && op < 0x7f ? String.valueOf((char) op) : "\\x" + Integer.toHexString(op);
    }

    // ---- stack

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        int floor = markDepth == 0 ? 0 : marks[markDepth - 1];
        if (stack.size() <= floor) throw error("stack underflow (an opcode needs a value the pickle never pushed)");
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = markDepth == 0 ? 0 : marks[markDepth - 1];
        if (stack.size() <= floor) throw error("stack underflow (an opcode needs a value the pickle never pushed)");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) items[i] = pop();
        return Arrays.asList(items);
    }

    private List<Object> popMark() {
        if (markDepth == 0) throw error("no MARK for an opcode that collects items up to one");
        int from = marks[--markDepth];
        List<Object> sub = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(sub);
        sub.clear();
        return items;
    }

    private Object get(long index) {
        if (!memo.containsKey(index)) throw error("memo index " + index + " was never stored (" + memo.size() + " entries)");
        return memo.get(index);
    }

    // ---- raw reads, each checked against what remains

    private void need(long n) {
        if (n > in.length - pos) throw error("needs " + n + " more bytes but only " + (in.length - pos) + " remain (truncated)");
    }

    private int u8() {
        need(1);
        return in[pos++] & 0xFF;
    }

    private int u16() {
        need(2);
        int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    private int s32() {
        need(4);
        int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8 | (in[pos + 2] & 0xFF) << 16 | (in[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return s32() & 0xFFFF_FFFFL;
    }

    private long u64() {
        long lo = u32(), hi = u32();
        return lo | hi << 32;
    }

    private long be64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (in[pos++] & 0xFF);
        return v;
    }

    /** A length read from the pickle, checked against the bytes that remain before anything is allocated. */
    private int length(long n) {
        if (n < 0 || n > in.length - pos) {
            throw error("declares a length of " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes but only " + (in.length - pos) + " remain");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        need(n);
        byte[] b = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') pos++;
        if (pos >= in.length) throw error("GLOBAL name is not terminated by a newline (truncated)");
        String s = new String(in, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error("a string of " + b.length + " bytes is not valid UTF-8");
        }
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static Object longOf(byte[] littleEndian) {
        if (littleEndian.length == 0) return 0L;
        byte[] be = new byte[littleEndian.length];
        for (int i = 0; i < be.length; i++) be[i] = littleEndian[be.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    // ---- containers

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw error(op + " on a " + typeName(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) {
        if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
        throw error(op + " on a " + typeName(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object o) {
        if (o instanceof LinkedHashSet<?> s) return (Set<Object>) s;
        throw error("ADDITEMS on a " + typeName(o) + ", not a set");
    }

    private void putAll(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) throw error("a dict needs key/value pairs but the mark holds " + items.size() + " items");
        for (int i = 0; i < items.size(); i += 2) m.put(key(items.get(i)), items.get(i + 1));
    }

    /**
     * Keys are scalars or tuples of scalars, as in a state dict; a container key could hold
     * itself through the memo and its hash would never end.
     */
    private Object key(Object k) {
        if (isScalar(k)) return k;
        if (k instanceof List<?> t && !(t instanceof ArrayList<?>) && t.stream().allMatch(RestrictedUnpickler::isScalar)) return k;
        throw error("a dict or set key of type " + typeName(k) + " is not supported (only str, int, float, bool, None and tuples of them)");
    }

    private static boolean isScalar(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof BigInteger || o instanceof Double || o instanceof Boolean;
    }

    /** A type name for messages; never prints the value (it may be huge or hold itself). */
    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Global g) return "global " + g.name();
        if (o instanceof List<?> l) return (l instanceof ArrayList<?> ? "list" : "tuple") + " of " + l.size();
        if (o instanceof Map<?, ?> m) return "dict of " + m.size();
        if (o instanceof byte[] b) return "bytes of " + b.length;
        return o.getClass().getSimpleName();
    }

    private String string(Object o, String what) {
        if (o instanceof String s) return s;
        throw error(what + " is a " + typeName(o) + ", not a str");
    }

    // ---- globals and calls

    private Object resolve(String module, String name) {
        String full = module + "." + name;
        switch (module) {
            case "collections" -> {
                if (name.equals("OrderedDict")) return new Global(Allowed.ORDERED_DICT, full, null);
            }
            case "torch._utils" -> {
                switch (name) {
                    case "_rebuild_tensor" -> { return new Global(Allowed.REBUILD_TENSOR, full, null); }
                    case "_rebuild_tensor_v2" -> { return new Global(Allowed.REBUILD_TENSOR_V2, full, null); }
                    case "_rebuild_parameter" -> { return new Global(Allowed.REBUILD_PARAMETER, full, null); }
                    case "_rebuild_parameter_with_state" -> { return new Global(Allowed.REBUILD_PARAMETER_WITH_STATE, full, null); }
                    default -> { }
                }
            }
            case "torch" -> {
                SafeTensorsDType storage = STORAGES.get(name);
                if (storage != null) return new Global(Allowed.STORAGE, full, storage);
                if (name.equals("Size")) return new Global(Allowed.SIZE, full, null);
                if (name.equals("device")) return new Global(Allowed.DEVICE, full, null);
                if (DTYPES.contains(name)) return full; // a dtype is a value, never called
            }
            default -> { }
        }
        throw new UnsafePickleException(file, label, opAt, full);
    }

    private Object call(Object f, Object argsObject, String op) {
        if (!(f instanceof Global g)) throw error(op + " calls a " + typeName(f) + ", not an allowed global");
        if (!(argsObject instanceof List<?> a) || argsObject instanceof ArrayList<?>) {
            throw error(op + " of " + g.name() + " takes a tuple of arguments, got a " + typeName(argsObject));
        }
        List<?> args = a;
        return switch (g.kind()) {
            case ORDERED_DICT -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof List<?> kv) || kv.size() != 2) throw error("OrderedDict(items) needs (key, value) pairs");
                        m.put(key(kv.get(0)), kv.get(1));
                    }
                } else if (!args.isEmpty()) {
                    throw error("OrderedDict takes no arguments or a list of pairs, got " + args.size() + " arguments");
                }
                yield m;
            }
            case REBUILD_TENSOR, REBUILD_TENSOR_V2 -> {
                // _rebuild_tensor(storage, storage_offset, size, stride); _v2 adds requires_grad, backward_hooks[, metadata]
                int min = g.kind() == Allowed.REBUILD_TENSOR ? 4 : 6;
                if (args.size() < min || args.size() > min + 1) throw error(g.name() + " takes " + min + " arguments, got " + args.size());
                long offset = integer(args.get(1), g.name() + " storage_offset");
                long[] size = ints(args.get(2), g.name() + " size");
                long[] stride = ints(args.get(3), g.name() + " stride");
                yield loader.tensor(args.get(0), offset, size, stride, where());
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                if (args.isEmpty() || !loader.isTensor(args.get(0))) throw error(g.name() + " needs a tensor as its first argument");
                yield args.get(0);
            }
            case SIZE -> {
                if (args.size() != 1) throw error("torch.Size takes one tuple");
                ints(args.get(0), "torch.Size");
                yield args.get(0);
            }
            case DEVICE -> {
                if (args.isEmpty() || args.size() > 2 || !(args.get(0) instanceof String type)) throw error("torch.device takes (type[, index])");
                yield args.size() == 2 && args.get(1) != null ? type + ":" + integer(args.get(1), "torch.device index") : type;
            }
            case STORAGE -> throw error(op + " calls " + g.name() + ": storages are only loaded by persistent id");
        };
    }

    private long integer(Object o, String what) {
        if (o instanceof Long l) return l;
        throw error(what + " is a " + typeName(o) + ", not an int in 64 bits");
    }

    private long[] ints(Object o, String what) {
        if (!(o instanceof List<?> l)) throw error(what + " is a " + typeName(o) + ", not a tuple of ints");
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = integer(l.get(i), what + "[" + i + "]");
        return out;
    }

    /** BUILD sets an object's state: allowed on a dict (OrderedDict's _metadata) and a tensor (Parameter state), and ignored. */
    private void build() {
        Object state = pop();
        Object inst = peek();
        if (inst instanceof LinkedHashMap<?, ?> || loader.isTensor(inst)) return;
        throw error("BUILD on a " + typeName(inst) + " (state " + typeName(state) + "); only dicts and tensors accept state");
    }

    private Object persistent(Object pid) {
        if (!(pid instanceof List<?> t) || pid instanceof ArrayList<?> || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw error("persistent id must be ('storage', type, key, location, numel), got a " + typeName(pid));
        }
        if (!(t.get(1) instanceof Global g) || g.kind() != Allowed.STORAGE) throw error("persistent id names a " + typeName(t.get(1)) + ", not a torch storage type");
        String key = string(t.get(2), "storage key");
        String location = string(t.get(3), "storage location");
        long numel = integer(t.get(4), "storage numel");
        if (numel < 0) throw error("storage '" + key + "' declares " + numel + " elements");
        return loader.storage(g.storage(), key, location, numel, where());
    }

}
