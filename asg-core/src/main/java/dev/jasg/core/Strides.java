package dev.jasg.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Index arithmetic for the strided kernels: merges adjacent axes that every operand walks
 * contiguously ({@code s[i] == s[i+1] * d[i+1]} for all operands) and drops size-1 axes, so
 * most tensors reach the kernels with rank 1 or 2 and the push-constant arrays stay small.
 * Shared by the device backends (Vulkan, OpenCL), which may not depend on each other.
 *
 * <p>Stateless; thread-safe.
 */
public final class Strides {
    private Strides() {}

    /** The merged problem: {@code dims} and one stride array per operand, all of the same rank. */
    public record Merged(int[] dims, int[][] strides) {
        /** Number of merged axes. */
        public int rank() {
            return dims.length;
        }
    }

    /** Row-major strides of {@code dims}. */
    public static int[] contiguous(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    public static long size(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Merges {@code dims} walked by every stride array of {@code strides}. */
    public static Merged merge(int[] dims, int[]... strides) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) if (dims[i] != 1) keep.add(i);
        int k = strides.length;
        List<int[]> out = new ArrayList<>();
        List<Integer> outDims = new ArrayList<>();
        for (int idx : keep) {
            if (!outDims.isEmpty()) {
                int[] last = out.get(out.size() - 1);
                boolean mergeable = true;
                for (int j = 0; j < k && mergeable; j++) mergeable = last[j] == strides[j][idx] * dims[idx];
                if (mergeable) {
                    int at = outDims.size() - 1;
                    outDims.set(at, outDims.get(at) * dims[idx]);
                    for (int j = 0; j < k; j++) last[j] = strides[j][idx];
                    continue;
                }
            }
            int[] col = new int[k];
            for (int j = 0; j < k; j++) col[j] = strides[j][idx];
            out.add(col);
            outDims.add(dims[idx]);
        }
        int r = outDims.size();
        int[] d = new int[r];
        int[][] s = new int[k][r];
        for (int i = 0; i < r; i++) {
            d[i] = outDims.get(i);
            for (int j = 0; j < k; j++) s[j][i] = out.get(i)[j];
        }
        return new Merged(d, s);
    }

    /**
     * Broadcast strides of an input of {@code inDims} read as {@code outDims} (numpy rules:
     * aligned right, 0 where the input is stretched).
     */
    public static int[] broadcast(int[] inDims, int[] outDims) {
        int off = outDims.length - inDims.length;
        int[] in = contiguous(inDims);
        int[] bs = new int[outDims.length];
        for (int i = 0; i < inDims.length; i++) bs[i + off] = inDims[i] == 1 ? 0 : in[i];
        return bs;
    }
}
