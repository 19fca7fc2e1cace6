package dev.jasg.nn.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One hyper-parameter of a registered layer, op, optimizer, scheduler, loss or dataset: its JSON
 * name (PyTorch's argument name, snake_case), its type, whether it is required, its default, and
 * its range.
 *
 * <p>Values are held normalised: {@link Kind#INT} as {@link Integer}, {@link Kind#FLOAT} as
 * {@link Double}, {@link Kind#BOOL} as {@link Boolean}, {@link Kind#STRING} as {@link String},
 * {@link Kind#INTS} as an unmodifiable {@code List<Integer>}; a nullable parameter may be null.
 * Immutable, so safe to share between threads.
 *
 * @param name         JSON name
 * @param kind         value type
 * @param required     whether the spec must give it
 * @param defaultValue value when not given (ignored when required; may be null when nullable)
 * @param nullable     whether JSON {@code null} is allowed (PyTorch's {@code None})
 * @param min          least allowed number (INT, FLOAT, each element of INTS), or null for none
 * @param choices      allowed strings (STRING), empty for any
 */
public record Param(String name, Kind kind, boolean required, Object defaultValue, boolean nullable, Double min, List<String> choices) {
    /** The JSON types a hyper-parameter can have. */
    public enum Kind {
        /** A whole number. */
        INT,
        /** A number. */
        FLOAT,
        /** true or false. */
        BOOL,
        /** A string. */
        STRING,
        /** An array of whole numbers. */
        INTS
    }

    /** A required whole number at least {@code min}. */
    public static Param reqInt(String name, int min) {
        return new Param(name, Kind.INT, true, null, false, (double) min, List.of());
    }

    /** An optional whole number at least {@code min}. */
    public static Param optInt(String name, int def, Integer min) {
        return new Param(name, Kind.INT, false, def, false, min == null ? null : (double) min, List.of());
    }

    /** An optional whole number that may be null (PyTorch's None), null by default. */
    public static Param nullableInt(String name, Integer min) {
        return new Param(name, Kind.INT, false, null, true, min == null ? null : (double) min, List.of());
    }

    /** An optional number at least {@code min} (null: any). */
    public static Param optFloat(String name, double def, Double min) {
        return new Param(name, Kind.FLOAT, false, def, false, min, List.of());
    }

    /** A required number at least {@code min}. */
    public static Param reqFloat(String name, double min) {
        return new Param(name, Kind.FLOAT, true, null, false, min, List.of());
    }

    /** An optional boolean. */
    public static Param optBool(String name, boolean def) {
        return new Param(name, Kind.BOOL, false, def, false, null, List.of());
    }

    /** An optional string, one of {@code choices} (any when none given). */
    public static Param optString(String name, String def, String... choices) {
        return new Param(name, Kind.STRING, false, def, false, null, List.of(choices));
    }

    /** A required string. */
    public static Param reqString(String name) {
        return new Param(name, Kind.STRING, true, null, false, null, List.of());
    }

    /** A required array of whole numbers, each at least {@code min} (null: any). */
    public static Param reqInts(String name, Integer min) {
        return new Param(name, Kind.INTS, true, null, false, min == null ? null : (double) min, List.of());
    }

    /**
     * Checks a JSON value (as Jackson maps it: Integer/Long/Double/BigDecimal, Boolean, String, List)
     * and returns it normalised; throws {@link SpecException} ({@link SpecException.Kind#BAD_PARAMETER})
     * at {@code pointer} otherwise.
     */
    public Object check(Object v, String pointer) {
        if (v == null) {
            if (nullable) return null;
            throw bad(pointer, "must not be null");
        }
        return switch (kind) {
            case INT -> checkMin(integer(v, pointer), pointer);
            case FLOAT -> {
                if (!(v instanceof Number n)) throw bad(pointer, "must be a number, got " + describe(v));
                double d = n.doubleValue();
                if (!Double.isFinite(d)) throw bad(pointer, "must be finite, got " + d);
                if (min != null && d < min) throw bad(pointer, "must be at least " + min + ", got " + d);
                yield d;
            }
            case BOOL -> {
                if (!(v instanceof Boolean b)) throw bad(pointer, "must be true or false, got " + describe(v));
                yield b;
            }
            case STRING -> {
                if (!(v instanceof String s)) throw bad(pointer, "must be a string, got " + describe(v));
                if (!choices.isEmpty() && !choices.contains(s)) throw bad(pointer, "must be one of " + choices + ", got \"" + s + "\"");
                yield s;
            }
            case INTS -> {
                if (!(v instanceof List<?> list)) throw bad(pointer, "must be an array of integers, got " + describe(v));
                if (list.isEmpty()) throw bad(pointer, "must not be empty");
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) out.add(checkMin(integer(list.get(i), pointer + "/" + i), pointer + "/" + i));
                yield List.copyOf(out);
            }
        };
    }

    private int integer(Object v, String pointer) {
        if (v instanceof Integer i) return i;
        if (v instanceof Long l && l == (int) (long) l) return (int) (long) l;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE
                && !(v instanceof Double) && !(v instanceof Float)) return n.intValue();
        throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, "'" + name + "' must be an integer, got " + describe(v));
    }

    private int checkMin(int i, String pointer) {
        if (min != null && i < min) throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, "'" + name + "' must be at least " + min.intValue() + ", got " + i);
        return i;
    }

    private SpecException bad(String pointer, String what) {
        return new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, "'" + name + "' " + what);
    }

    static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return "the string \"" + s + "\"";
        if (v instanceof List<?>) return "an array";
        if (v instanceof Map<?, ?>) return "an object";
        return v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + v;
    }

    /**
     * Checks {@code given} against {@code params} and returns every parameter's value, defaults
     * filled in, in {@code params} order; {@code pointer} is the JSON Pointer of the params object.
     */
    static Map<String, Object> resolve(List<Param> params, Map<String, Object> given, String what, String pointer) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (String k : given.keySet()) {
            if (params.stream().noneMatch(p -> p.name().equals(k))) {
                throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer + "/" + SpecJson.escape(k), what + " has no hyper-parameter '" + k + "'; it has "
                        + params.stream().map(Param::name).toList());
            }
        }
        for (Param p : params) {
            if (given.containsKey(p.name())) out.put(p.name(), p.check(given.get(p.name()), pointer + "/" + SpecJson.escape(p.name())));
            else if (p.required()) throw new SpecException(SpecException.Kind.BAD_PARAMETER, pointer, what + " needs hyper-parameter '" + p.name() + "' (" + p.kind().name().toLowerCase(java.util.Locale.ROOT) + ")");
            else out.put(p.name(), p.defaultValue());
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
