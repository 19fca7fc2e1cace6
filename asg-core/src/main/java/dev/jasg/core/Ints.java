package dev.jasg.core;

import java.util.Arrays;

/**
 * An immutable list of ints with value equality, for op attributes such as reduction axes
 * and permutations (a record compares arrays by reference, this compares contents).
 */
public final class Ints {
    private final int[] v;

    private Ints(int[] v) {
        this.v = v;
    }

    /** A list holding a copy of {@code values}. */
    public static Ints of(int... values) {
        return new Ints(values.clone());
    }

    /** Number of values. */
    public int size() {
        return v.length;
    }

    /** Value at {@code i}. */
    public int get(int i) {
        return v[i];
    }

    /** True when {@code x} is one of the values. */
    public boolean contains(int x) {
        for (int a : v) if (a == x) return true;
        return false;
    }

    /** A copy of the values. */
    public int[] toArray() {
        return v.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ints i && Arrays.equals(v, i.v);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(v);
    }

    @Override
    public String toString() {
        return Arrays.toString(v).replace(" ", "");
    }
}
