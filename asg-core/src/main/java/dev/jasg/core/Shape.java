package dev.jasg.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The dimensions of a tensor. A dimension is either a concrete size ({@code >= 0}) or a
 * named symbol such as {@code "B"} for a batch size that is bound when data is fed.
 *
 * <p>Shapes are immutable values: two shapes are equal when they have the same rank and
 * each dimension is the same size or the same symbol. A 0-d shape ({@code []}) is a scalar.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0], new String[0]);

    /** Marker in {@link #dimsOrSymbolic()} for a symbolic dimension. */
    public static final int SYMBOLIC = -1;

    private final int[] dims;
    private final String[] symbols;

    private Shape(int[] dims, String[] symbols) {
        this.dims = dims;
        this.symbols = symbols;
    }

    /** A shape of concrete sizes. */
    public static Shape of(int... dims) {
        if (dims.length == 0) return SCALAR;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        }
        return new Shape(dims.clone(), new String[dims.length]);
    }

    /**
     * A shape from a mix of sizes ({@link Integer}) and symbols ({@link String}), e.g.
     * {@code Shape.symbolic("B", 784)}.
     */
    public static Shape symbolic(Object... dims) {
        int[] d = new int[dims.length];
        String[] s = new String[dims.length];
        for (int i = 0; i < dims.length; i++) {
            Object o = dims[i];
            if (o instanceof Integer n) {
                if (n < 0) throw new IllegalArgumentException("negative dimension " + n + " at axis " + i);
                d[i] = n;
            } else if (o instanceof String name) {
                if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
                    throw new IllegalArgumentException("a symbolic dimension needs a name like \"B\", got \"" + name + "\"");
                }
                d[i] = SYMBOLIC;
                s[i] = name;
            } else {
                throw new IllegalArgumentException("a dimension is an int or a symbol name, got " + o);
            }
        }
        return dims.length == 0 ? SCALAR : new Shape(d, s);
    }

    /** The 0-d shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** Size of axis {@code i} (negative {@code i} counts from the end); {@link #SYMBOLIC} when symbolic. */
    public int dim(int i) {
        return dims[axis(i)];
    }

    /** The symbol of axis {@code i}, or null when the axis has a concrete size. */
    public String symbol(int i) {
        return symbols[axis(i)];
    }

    /** True when axis {@code i} is symbolic. */
    public boolean isSymbolic(int i) {
        return symbols[axis(i)] != null;
    }

    /** True when every dimension is a concrete size. */
    public boolean isConcrete() {
        for (String s : symbols) if (s != null) return false;
        return true;
    }

    /** Normalises a possibly negative axis against this rank; throws if out of range. */
    public int axis(int i) {
        int r = dims.length;
        int a = i < 0 ? i + r : i;
        if (a < 0 || a >= r) throw new IndexOutOfBoundsException("axis " + i + " out of range for rank " + r + " shape " + this);
        return a;
    }

    /** Concrete sizes; throws {@link IllegalStateException} when a dimension is symbolic. */
    public int[] dims() {
        requireConcrete();
        return dims.clone();
    }

    /** Sizes with {@link #SYMBOLIC} in place of symbols. */
    public int[] dimsOrSymbolic() {
        return dims.clone();
    }

    /** Number of elements; throws {@link IllegalStateException} when a dimension is symbolic. */
    public long size() {
        requireConcrete();
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Number of elements as an int, for buffers; throws if it does not fit. */
    public int sizeInt() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("tensor of shape " + this + " has more than 2^31 elements");
        return (int) n;
    }

    private void requireConcrete() {
        if (!isConcrete()) throw new IllegalStateException("shape " + this + " has symbolic dimensions; bind them first");
    }

    /** The symbols used by this shape, in axis order, without repeats. */
    public List<String> symbols() {
        List<String> out = new ArrayList<>();
        for (String s : symbols) if (s != null && !out.contains(s)) out.add(s);
        return out;
    }

    /** True when axis {@code i} of this shape and axis {@code j} of {@code other} are the same size or the same symbol. */
    public boolean sameDim(int i, Shape other, int j) {
        int a = axis(i), b = other.axis(j);
        if (symbols[a] != null || other.symbols[b] != null) return Objects.equals(symbols[a], other.symbols[b]);
        return dims[a] == other.dims[b];
    }

    /** True when axis {@code i} is the concrete size 1. */
    public boolean isOne(int i) {
        int a = axis(i);
        return symbols[a] == null && dims[a] == 1;
    }

    /** Replaces each symbol by its bound size; throws {@link ShapeException} if a symbol is unbound. */
    public Shape bind(Map<String, Integer> bindings) {
        if (isConcrete()) return this;
        int[] d = dims.clone();
        for (int i = 0; i < d.length; i++) {
            if (symbols[i] != null) {
                Integer v = bindings.get(symbols[i]);
                if (v == null) throw new ShapeException("symbolic dimension '" + symbols[i] + "' of shape " + this + " is not bound by any feed");
                d[i] = v;
            }
        }
        return of(d);
    }

    /** Returns a copy with axis {@code i} removed. */
    public Shape remove(int i) {
        int a = axis(i);
        List<Object> l = parts();
        l.remove(a);
        return symbolic(l.toArray());
    }

    /** Returns a copy with axis {@code i} replaced by the dimension {@code j} of {@code src}. */
    public Shape with(int i, Shape src, int j) {
        int a = axis(i);
        List<Object> l = parts();
        l.set(a, src.part(src.axis(j)));
        return symbolic(l.toArray());
    }

    /** Returns a copy with axis {@code i} set to the concrete size {@code size}. */
    public Shape with(int i, int size) {
        List<Object> l = parts();
        l.set(axis(i), size);
        return symbolic(l.toArray());
    }

    /** Returns a copy with a new axis of the concrete size {@code size} inserted at position {@code at} (0..rank). */
    public Shape insert(int at, int size) {
        List<Object> l = parts();
        l.add(at, size);
        return symbolic(l.toArray());
    }

    /** The dimensions as a list of Integer sizes and String symbols. */
    public List<Object> parts() {
        List<Object> l = new ArrayList<>(dims.length);
        for (int i = 0; i < dims.length; i++) l.add(part(i));
        return l;
    }

    private Object part(int i) {
        return symbols[i] != null ? symbols[i] : (Object) dims[i];
    }

    /** A shape made of axes {@code from..to-1} of this one. */
    public Shape sub(int from, int to) {
        return symbolic(parts().subList(from, to).toArray());
    }

    /**
     * The element count as a symbolic product: a concrete coefficient and the multiset of
     * symbols, e.g. {@code [B,3,B]} is {@code 3*B^2}. Used by reshape to infer a -1 axis.
     */
    public SymbolicSize symbolicSize() {
        long c = 1;
        TreeMap<String, Integer> pow = new TreeMap<>();
        for (int i = 0; i < dims.length; i++) {
            if (symbols[i] != null) pow.merge(symbols[i], 1, Integer::sum);
            else c *= dims[i];
        }
        return new SymbolicSize(c, pow);
    }

    /** An element count {@code coefficient * prod(symbol^power)}. */
    public record SymbolicSize(long coefficient, TreeMap<String, Integer> powers) {
        /** This size divided by {@code other}, or null when that is not a whole product. */
        public SymbolicSize divide(SymbolicSize other) {
            if (other.coefficient == 0 || coefficient % other.coefficient != 0) return null;
            TreeMap<String, Integer> p = new TreeMap<>(powers);
            for (var e : other.powers.entrySet()) {
                int have = p.getOrDefault(e.getKey(), 0);
                if (have < e.getValue()) return null;
                if (have == e.getValue()) p.remove(e.getKey());
                else p.put(e.getKey(), have - e.getValue());
            }
            return new SymbolicSize(coefficient / other.coefficient, p);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append(coefficient);
            powers.forEach((k, v) -> sb.append('*').append(k).append(v > 1 ? "^" + v : ""));
            return sb.toString();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims) && Arrays.equals(symbols, s.symbols);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(symbols);
    }

    /** {@code [B,784]}, {@code []} for a scalar. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(symbols[i] != null ? symbols[i] : String.valueOf(dims[i]));
        }
        return sb.append(']').toString();
    }
}
