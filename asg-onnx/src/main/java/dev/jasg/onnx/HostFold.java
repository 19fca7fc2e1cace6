package dev.jasg.onnx;

import dev.jasg.core.DType;
import java.util.Arrays;

/**
 * Evaluation on the host of the small elementwise ops that exporters use for shape arithmetic
 * ({@code Add}, {@code Sub}, {@code Mul}, {@code Div}, {@code Equal}, the comparisons, {@code Where}) over
 * constants, with numpy broadcasting. An element may be a symbolic size ({@code sym[i]} names it, its
 * value is then meaningless): the few identities that keep it exact are applied ({@code T + 0}, {@code T - 0},
 * {@code T - T = 0}, {@code T * 1}, {@code T / 1}, {@code T == T}, a size is never negative, so {@code T == -1} is
 * false); any other arithmetic on a symbol is refused by the caller. Integer division truncates toward zero (ONNX
 * Runtime's semantics); integers are exact up to 2^53.
 *
 * <p>Stateless; thread-safe.
 */
final class HostFold {
    /** Largest constant folded on the host; larger ones run as graph nodes. */
    static final int MAX_ELEMENTS = 4096;

    /** Ops folded by {@link #binary}. */
    static final java.util.Set<String> BINARY = java.util.Set.of("Add", "Sub", "Mul", "Div", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual");

    private static final java.util.Set<String> ARITH = java.util.Set.of("Add", "Sub", "Mul", "Div");

    private HostFold() {}

    /** A folded value: {@code c} with {@code sym} naming the elements that are symbolic sizes (null: none). */
    record Folded(TensorData c, String[] sym) {}

    /** Thrown when a symbolic size meets arithmetic that cannot keep it exact. */
    static final class SymbolicArithmetic extends RuntimeException {
        SymbolicArithmetic(String message) {
            super(message);
        }
    }

    static boolean integral(DType d) {
        return d == DType.I32 || d == DType.I64 || d == DType.BOOL;
    }

    /** The broadcast dims of {@code a} and {@code b} (numpy rules). */
    static int[] broadcast(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] o = new int[r];
        for (int i = 0; i < r; i++) {
            int x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1, y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (x != y && x != 1 && y != 1) throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            o[i] = x == 1 ? y : x;
        }
        return o;
    }

    /** The flat index into a tensor of {@code dims} that broadcasts to {@code out}, for output position {@code flat}. */
    static int source(int[] dims, int[] out, int flat) {
        int idx = 0, stride = 1;
        for (int i = out.length - 1, j = dims.length - 1; i >= 0; i--, j--) {
            int coord = flat % out[i];
            flat /= out[i];
            if (j >= 0) {
                if (dims[j] != 1) idx += coord * stride;
                stride *= dims[j];
            }
        }
        return idx;
    }

    static long count(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** {@code op} over {@code a} and {@code b}. */
    static Folded binary(String op, TensorData a, String[] sa, TensorData b, String[] sb) {
        int[] out = broadcast(a.dims(), b.dims());
        int n = (int) count(out);
        double[] v = new double[n];
        String[] sym = new String[n];
        boolean anySym = false;
        boolean cmp = !ARITH.contains(op);
        boolean intDiv = integral(a.dtype()) && integral(b.dtype());
        for (int i = 0; i < n; i++) {
            int ia = source(a.dims(), out, i), ib = source(b.dims(), out, i);
            double x = a.values()[ia], y = b.values()[ib];
            String s = sa == null ? null : sa[ia], t = sb == null ? null : sb[ib];
            if (s == null && t == null) {
                v[i] = numeric(op, x, y, intDiv);
                continue;
            }
            String what = (s != null ? s : fmt(x)) + " " + op + " " + (t != null ? t : fmt(y));
            switch (op) {
                case "Add" -> {
                    if (s != null && t == null && y == 0) sym[i] = s;
                    else if (t != null && s == null && x == 0) sym[i] = t;
                    else throw new SymbolicArithmetic(what);
                }
                case "Sub" -> {
                    if (s != null && t == null && y == 0) sym[i] = s;
                    else if (s != null && s.equals(t)) v[i] = 0;
                    else throw new SymbolicArithmetic(what);
                }
                case "Mul" -> {
                    if (s != null && t == null && y == 1) sym[i] = s;
                    else if (t != null && s == null && x == 1) sym[i] = t;
                    else if ((s == null && x == 0) || (t == null && y == 0)) v[i] = 0;
                    else throw new SymbolicArithmetic(what);
                }
                case "Div" -> {
                    if (s != null && t == null && y == 1) sym[i] = s;
                    else if (s != null && s.equals(t)) v[i] = 1;
                    else throw new SymbolicArithmetic(what);
                }
                default -> v[i] = compareSymbolic(op, s, x, t, y, what) ? 1 : 0;
            }
            anySym |= sym[i] != null;
        }
        DType dt = cmp ? DType.BOOL : a.dtype();
        return new Folded(new TensorData(dt, out, v), anySym ? sym : null);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    /** A comparison with a symbolic size on one side (or the same symbol on both): sizes are never negative. */
    private static boolean compareSymbolic(String op, String s, double x, String t, double y, String what) {
        if (s != null && s.equals(t)) return op.equals("Equal") || op.equals("LessOrEqual") || op.equals("GreaterOrEqual");
        if (s != null && t == null && y < 0) return switch (op) {
            case "Equal", "Less", "LessOrEqual" -> false;
            default -> true; // T > negative
        };
        if (t != null && s == null && x < 0) return switch (op) {
            case "Equal", "Greater", "GreaterOrEqual" -> false;
            default -> true; // negative < T
        };
        throw new SymbolicArithmetic(what);
    }

    static double numeric(String op, double x, double y, boolean intDiv) {
        return switch (op) {
            case "Add" -> x + y;
            case "Sub" -> x - y;
            case "Mul" -> x * y;
            case "Div" -> intDiv ? (y == 0 ? 0 : (double) ((long) x / (long) y)) : x / y;
            case "Equal" -> x == y ? 1 : 0;
            case "Less" -> x < y ? 1 : 0;
            case "LessOrEqual" -> x <= y ? 1 : 0;
            case "Greater" -> x > y ? 1 : 0;
            case "GreaterOrEqual" -> x >= y ? 1 : 0;
            default -> throw new IllegalArgumentException("not a foldable op: " + op);
        };
    }

    /** {@code Where(cond, a, b)}; the condition holds no symbols. */
    static Folded where(TensorData cond, TensorData a, String[] sa, TensorData b, String[] sb) {
        int[] out = broadcast(broadcast(cond.dims(), a.dims()), b.dims());
        int n = (int) count(out);
        double[] v = new double[n];
        String[] sym = new String[n];
        boolean anySym = false;
        for (int i = 0; i < n; i++) {
            boolean c = cond.values()[source(cond.dims(), out, i)] != 0;
            int k = source(c ? a.dims() : b.dims(), out, i);
            v[i] = (c ? a : b).values()[k];
            String[] ss = c ? sa : sb;
            sym[i] = ss == null ? null : ss[k];
            anySym |= sym[i] != null;
        }
        return new Folded(new TensorData(a.dtype(), out, v), anySym ? sym : null);
    }

    /**
     * The positions ONNX's Slice takes on an axis of size {@code n} from {@code start} toward {@code end} by {@code step}
     * (negative start and end count from the end; both are clamped as the operator specifies).
     */
    static int[] sliceIndices(int n, long start, long end, long step) {
        if (step == 0) throw new IllegalArgumentException("Slice: step 0");
        long s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
        if (step > 0) {
            s = Math.max(0, Math.min(n, s));
            e = Math.max(0, Math.min(n, e));
        } else {
            s = Math.max(-1, Math.min(n - 1, s));
            e = Math.max(-1, Math.min(n - 1, e));
        }
        long len = step > 0 ? Math.max(0, (e - s + step - 1) / step) : Math.max(0, (s - e + (-step) - 1) / (-step));
        int[] r = new int[(int) len];
        for (int i = 0; i < r.length; i++) r[i] = (int) (s + i * step);
        return r;
    }

    /** {@code c} (and its symbols) with axis {@code axis} reduced to the positions {@code idx}. */
    static Folded take(TensorData c, String[] sym, int axis, int[] idx) {
        int[] dims = c.dims().clone();
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= dims[i];
        for (int i = axis + 1; i < dims.length; i++) inner *= dims[i];
        int n = dims[axis];
        dims[axis] = idx.length;
        double[] v = new double[outer * idx.length * inner];
        String[] s = sym == null ? null : new String[v.length];
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (int j : idx) {
                for (int i = 0; i < inner; i++, k++) {
                    int from = (o * n + j) * inner + i;
                    v[k] = c.values()[from];
                    if (s != null) s[k] = sym[from];
                }
            }
        }
        return new Folded(new TensorData(c.dtype(), dims, v), s);
    }
}
