package dev.jasg.core.reference;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Reference kernels of the scans and the sort ({@code cumsum}, {@code cumprod}, {@code argsort}):
 * plain loops over each lane of {@code [outer, len, inner]}, in double precision.
 */
final class ScanReference {
    private ScanReference() {}

    /** {@code y_i = sum_{j <= i} x_j} along {@code axis}, or {@code sum_{j >= i}} when {@code reverse}. */
    static double[] cumsum(int axis, boolean reverse, double[] x, int[] dims) {
        int outer = outer(dims, axis), len = dims[axis], inner = inner(dims, axis);
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double acc = 0;
                for (int k = 0; k < len; k++) {
                    int at = base + (reverse ? len - 1 - k : k) * inner;
                    acc += x[at];
                    out[at] = acc;
                }
            }
        }
        return out;
    }

    /** {@code y_i = prod_{j <= i} x_j} along {@code axis}. */
    static double[] cumprod(int axis, double[] x, int[] dims) {
        int outer = outer(dims, axis), len = dims[axis], inner = inner(dims, axis);
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double acc = 1;
                for (int k = 0; k < len; k++) {
                    acc *= x[base + k * inner];
                    out[base + k * inner] = acc;
                }
            }
        }
        return out;
    }

    /** Stable argsort of each lane along {@code axis}; NaN is the largest value, {@code -0 == 0}. */
    static double[] argsort(int axis, boolean descending, double[] x, int[] dims) {
        int outer = outer(dims, axis), len = dims[axis], inner = inner(dims, axis);
        double[] out = new double[x.length];
        Integer[] order = new Integer[len];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                for (int k = 0; k < len; k++) order[k] = k;
                Comparator<Integer> up = (p, q) -> compare(x[base + p * inner], x[base + q * inner]);
                // Arrays.sort on objects is a stable merge sort, so ties keep their order both ways
                Arrays.sort(order, descending ? (p, q) -> up.compare(q, p) : up);
                for (int k = 0; k < len; k++) out[base + k * inner] = order[k];
            }
        }
        return out;
    }

    /** Ascending order with NaN above everything and the two zeros equal (PyTorch's sort order). */
    static int compare(double a, double b) {
        boolean na = Double.isNaN(a), nb = Double.isNaN(b);
        if (na || nb) return na == nb ? 0 : na ? 1 : -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }

    private static int outer(int[] dims, int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) n *= dims[i];
        return n;
    }

    private static int inner(int[] dims, int axis) {
        int n = 1;
        for (int i = axis + 1; i < dims.length; i++) n *= dims[i];
        return n;
    }
}
