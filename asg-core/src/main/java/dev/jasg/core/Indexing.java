package dev.jasg.core;

/**
 * Index arithmetic for dense row-major tensors, shared by backends.
 *
 * <p>For dims {@code d[0..r-1]} the row-major stride of axis {@code i} is
 * {@code s[i] = prod_{j>i} d[j]}, and a multi-index {@code idx} sits at flat offset
 * {@code sum_i idx[i] * s[i]}. A broadcast stride is the input's stride on an axis it
 * shares with the output and {@code 0} on an axis it stretches (size 1, or absent on the
 * left), so {@code sum_i outIdx[i] * bs[i]} is the input element an output element reads.
 */
public final class Indexing {
    private Indexing() {}

    /** Number of elements of a tensor with {@code dims}: {@code prod dims}. */
    public static int size(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("more than 2^31 elements in " + java.util.Arrays.toString(dims));
        return (int) n;
    }

    /** Row-major strides: {@code s[i] = prod_{j>i} dims[j]}. */
    public static int[] strides(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /**
     * Strides for reading a tensor of {@code inDims} broadcast to {@code outDims} (numpy
     * rules: aligned at the right), with one entry per output axis and 0 where the input
     * is stretched. Throws {@link IllegalArgumentException} when the shapes do not broadcast.
     */
    public static int[] broadcastStrides(int[] inDims, int[] outDims) {
        int off = outDims.length - inDims.length;
        if (off < 0) throw new IllegalArgumentException("cannot broadcast rank " + inDims.length + " to rank " + outDims.length);
        int[] inStrides = strides(inDims);
        int[] bs = new int[outDims.length];
        for (int i = 0; i < inDims.length; i++) {
            if (inDims[i] == outDims[i + off]) bs[i + off] = inDims[i] == 1 ? 0 : inStrides[i];
            else if (inDims[i] == 1) bs[i + off] = 0;
            else {
                throw new IllegalArgumentException("cannot broadcast " + java.util.Arrays.toString(inDims)
                        + " to " + java.util.Arrays.toString(outDims));
            }
        }
        return bs;
    }

    /** Writes the multi-index of flat offset {@code flat} in a row-major tensor of {@code dims} into {@code out}. */
    public static int[] unravel(int flat, int[] dims, int[] out) {
        for (int i = dims.length - 1; i >= 0; i--) {
            int d = dims[i];
            out[i] = d == 0 ? 0 : flat % d;
            flat = d == 0 ? 0 : flat / d;
        }
        return out;
    }

    /** The multi-index of flat offset {@code flat} in a row-major tensor of {@code dims}. */
    public static int[] unravel(int flat, int[] dims) {
        return unravel(flat, dims, new int[dims.length]);
    }

    /** The flat offset {@code sum_i index[i] * strides[i]} (strides may be broadcast strides). */
    public static int offset(int[] index, int[] strides) {
        int o = 0;
        for (int i = 0; i < index.length; i++) o += index[i] * strides[i];
        return o;
    }

    /**
     * For each element of the output {@code outDims}, the flat offset of the element of a
     * tensor of {@code inDims} it reads under broadcasting.
     */
    public static int[] broadcastMap(int[] inDims, int[] outDims) {
        int[] bs = broadcastStrides(inDims, outDims);
        int n = size(outDims);
        int[] map = new int[n];
        int[] idx = new int[outDims.length];
        for (int f = 0; f < n; f++) map[f] = offset(unravel(f, outDims, idx), bs);
        return map;
    }
}
