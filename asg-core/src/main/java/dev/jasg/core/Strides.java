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

    /**
     * Writes a merged problem into a kernel's argument array the way both device backends lay it out: the dims at
     * {@code at}, then operand {@code i}'s strides at {@code at + maxRank * (1 + i)}, each in a slot of
     * {@code maxRank} entries.
     */
    public static void pack(Merged m, int[] args, int at, int maxRank) {
        System.arraycopy(m.dims(), 0, args, at, m.rank());
        for (int i = 0; i < m.strides().length; i++) System.arraycopy(m.strides()[i], 0, args, at + maxRank * (1 + i), m.rank());
    }

    /**
     * The geometry of a reduction of a contiguous tensor of {@code dims} over {@code axes}: {@code nOut} kept
     * elements, {@code count} reduced per kept element, and the kept and the reduced axes each merged into runs of
     * {@code {size, stride}} (size-1 axes dropped).
     */
    public record ReduceRuns(long nOut, long count, List<int[]> kept, List<int[]> reduced) {
        /** The larger of the two run counts: what a kernel's group slots must hold. */
        public int width() {
            return Math.max(kept.size(), reduced.size());
        }

        /**
         * The kernels' layout, {@code 4 + 4 * maxGroups} ints: nOut, count, kept runs, reduced runs, then the kept
         * sizes, kept strides, reduced sizes and reduced strides, each in {@code maxGroups} slots.
         */
        public int[] pack(int maxGroups) {
            if (width() > maxGroups) throw new IllegalArgumentException(width() + " runs do not fit " + maxGroups + " slots");
            int[] a = new int[4 + 4 * maxGroups];
            a[0] = (int) nOut;
            a[1] = (int) count;
            a[2] = kept.size();
            a[3] = reduced.size();
            for (int i = 0; i < kept.size(); i++) {
                a[4 + i] = kept.get(i)[0];
                a[4 + maxGroups + i] = kept.get(i)[1];
            }
            for (int i = 0; i < reduced.size(); i++) {
                a[4 + 2 * maxGroups + i] = reduced.get(i)[0];
                a[4 + 3 * maxGroups + i] = reduced.get(i)[1];
            }
            return a;
        }
    }

    /** The {@link ReduceRuns} of a contiguous tensor of {@code dims} reduced over {@code axes}. */
    public static ReduceRuns reduceRuns(int[] dims, Ints axes) {
        int[] s = contiguous(dims);
        List<int[]> kept = new ArrayList<>(), red = new ArrayList<>();
        long nOut = 1, count = 1;
        for (int i = 0; i < dims.length; i++) {
            boolean reduced = axes.contains(i);
            if (reduced) count *= dims[i];
            else nOut *= dims[i];
            if (dims[i] == 1) continue;
            List<int[]> group = reduced ? red : kept;
            int[] last = group.isEmpty() ? null : group.get(group.size() - 1);
            if (last != null && last[1] == s[i] * dims[i]) {
                last[0] *= dims[i];
                last[1] = s[i];
            } else {
                group.add(new int[] {dims[i], s[i]});
            }
        }
        return new ReduceRuns(nOut, count, kept, red);
    }

    /**
     * One walk per lane of {@code [outer, len, inner]} along {@code axis} of {@code dims}: the number of lanes, the
     * axis length and the stride between its elements (at least 1).
     */
    public record Lanes(long lanes, int len, int inner) {}

    /** The {@link Lanes} of {@code dims} along {@code axis}. */
    public static Lanes lanes(int[] dims, int axis) {
        int inner = 1;
        long lanes = 1;
        for (int i = 0; i < dims.length; i++) {
            if (i > axis) inner *= dims[i];
            if (i != axis) lanes *= dims[i];
        }
        return new Lanes(lanes, dims[axis], Math.max(inner, 1));
    }

    /**
     * A (batched) matrix product's geometry: {@code [m x k] x [k x n]} per batch element, vectors promoted to
     * matrices as in {@code torch.matmul}, the batch axes broadcast and merged with the element offsets of A's and
     * B's matrices as the two operands' strides.
     */
    public record MatmulGeometry(int m, int k, int n, long batches, Merged batch) {}

    /** The {@link MatmulGeometry} of A of {@code aDims} times B of {@code bDims}. */
    public static MatmulGeometry matmul(int[] aDims, int[] bDims) {
        int[] a2 = aDims.length == 1 ? new int[] {1, aDims[0]} : aDims;
        int[] b2 = bDims.length == 1 ? new int[] {bDims[0], 1} : bDims;
        int m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int[] aBatch = java.util.Arrays.copyOf(a2, a2.length - 2), bBatch = java.util.Arrays.copyOf(b2, b2.length - 2);
        int rank = Math.max(aBatch.length, bBatch.length);
        int[] batch = new int[rank];
        for (int i = 1; i <= rank; i++) {
            int da = i <= aBatch.length ? aBatch[aBatch.length - i] : 1;
            int db = i <= bBatch.length ? bBatch[bBatch.length - i] : 1;
            batch[rank - i] = da == 1 ? db : da;
        }
        int[] sa = broadcast(aBatch, batch), sb = broadcast(bBatch, batch);
        for (int i = 0; i < rank; i++) {
            sa[i] *= m * k;
            sb[i] *= k * n;
        }
        return new MatmulGeometry(m, k, n, size(batch), merge(batch, sa, sb));
    }
}
