package dev.jasg.spark;

import dev.jasg.core.DType;
import dev.jasg.core.Shape;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A fed tensor of a distributed run, per example: its name, dtype and the dimensions of one
 * example; the batch dimension {@code B} is put in front when the graph is built. Immutable and
 * thread-safe.
 *
 * @param name  the graph input's name
 * @param dtype its dtype
 * @param dims  one example's dimensions, each at least 1 (none for a scalar such as a class label)
 */
public record FeedSpec(String name, DType dtype, int[] dims) implements Serializable {
    /** Checks the fields and copies {@code dims}. */
    public FeedSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        dims = dims.clone();
        for (int d : dims) if (d < 1) throw new IllegalArgumentException("FeedSpec '" + name + "': dimensions must be >= 1, got " + Arrays.toString(dims));
    }

    /** Values per example. */
    public int exampleSize() {
        int n = 1;
        for (int d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The graph input's shape, {@code [B, dims...]} with {@code B} symbolic. */
    Shape batchShape() {
        Object[] all = new Object[dims.length + 1];
        all[0] = "B";
        for (int i = 0; i < dims.length; i++) all[i + 1] = dims[i];
        return Shape.symbolic(all);
    }

    /** The shape of a batch of {@code b} examples. */
    Shape shapeOf(int b) {
        int[] all = new int[dims.length + 1];
        all[0] = b;
        System.arraycopy(dims, 0, all, 1, dims.length);
        return Shape.of(all);
    }

    @Override
    public String toString() {
        return name + ":" + dtype.label() + Arrays.toString(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeedSpec f && name.equals(f.name) && dtype == f.dtype && Arrays.equals(dims, f.dims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(dims));
    }
}
