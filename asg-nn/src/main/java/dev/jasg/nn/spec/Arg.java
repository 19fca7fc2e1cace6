package dev.jasg.nn.spec;

import dev.jasg.nn.ConvOptions;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One constructor argument of a registered class, computed from resolved hyper-parameters twice,
 * from one description: as a value (to call the constructor when a spec is built) and as Java
 * source (for {@link JavaExport}), so a built model and its exported source call the same
 * constructor with the same values. Immutable.
 *
 * @param type  the constructor's parameter type
 * @param value the argument's value
 * @param java  the argument as a Java expression
 */
record Arg(Class<?> type, Function<Map<String, Object>, Object> value, Function<Map<String, Object>, String> java) {

    static Arg i(String name) {
        return new Arg(int.class, p -> p.get(name), p -> Integer.toString((Integer) p.get(name)));
    }

    /** An int that defaults to another parameter when null (a pooling stride defaulting to the kernel size). */
    static Arg iOr(String name, String fallback) {
        Function<Map<String, Object>, Object> v = p -> p.get(name) != null ? p.get(name) : p.get(fallback);
        return new Arg(int.class, v, p -> v.apply(p).toString());
    }

    static Arg boxedI(String name) {
        return new Arg(Integer.class, p -> p.get(name), p -> p.get(name) == null ? "(Integer) null" : "Integer.valueOf(" + p.get(name) + ")");
    }

    static Arg d(String name) {
        return new Arg(double.class, p -> p.get(name), p -> literal((Double) p.get(name)));
    }

    static Arg boxedD(String name) {
        return new Arg(Double.class, p -> p.get(name), p -> p.get(name) == null ? "(Double) null" : "Double.valueOf(" + literal((Double) p.get(name)) + ")");
    }

    static Arg b(String name) {
        return new Arg(boolean.class, p -> p.get(name), p -> p.get(name).toString());
    }

    static Arg s(String name) {
        return new Arg(String.class, p -> p.get(name), p -> string((String) p.get(name)));
    }

    static Arg ints(String name) {
        return new Arg(int[].class, p -> toInts(p.get(name)), p -> {
            StringBuilder sb = new StringBuilder("new int[] {");
            int[] a = toInts(p.get(name));
            for (int k = 0; k < a.length; k++) sb.append(k == 0 ? "" : ", ").append(a[k]);
            return sb.append('}').toString();
        });
    }

    /** A {@code double[]} of one element from a FLOAT parameter. */
    static Arg doubles1(String name) {
        return new Arg(double[].class, p -> new double[] {(Double) p.get(name)}, p -> "new double[] {" + literal((Double) p.get(name)) + "}");
    }

    /** {@link ConvOptions} from stride, padding, dilation, groups, bias (and output_padding when {@code transposed}). */
    static Arg conv(boolean transposed) {
        return new Arg(ConvOptions.class, p -> {
            ConvOptions o = ConvOptions.defaults().stride((Integer) p.get("stride")).padding((Integer) p.get("padding"))
                    .dilation((Integer) p.get("dilation")).groups((Integer) p.get("groups")).bias((Boolean) p.get("bias"));
            return transposed ? o.outputPadding((Integer) p.get("output_padding")) : o;
        }, p -> "ConvOptions.defaults().stride(" + p.get("stride") + ").padding(" + p.get("padding") + ").dilation(" + p.get("dilation")
                + ").groups(" + p.get("groups") + ").bias(" + p.get("bias") + ")" + (transposed ? ".outputPadding(" + p.get("output_padding") + ")" : ""));
    }

    static int[] toInts(Object v) {
        @SuppressWarnings("unchecked") List<Integer> l = (List<Integer>) v;
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A Java literal for a finite double that reads back to the same value. */
    static String literal(double d) {
        return Double.toString(d);
    }

    /** A Java string literal. */
    static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
