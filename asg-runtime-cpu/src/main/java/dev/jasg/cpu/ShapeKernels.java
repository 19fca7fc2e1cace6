package dev.jasg.cpu;

import dev.jasg.core.Indexing;

import java.util.Arrays;

/**
 * Data movement for the shape ops. Every one of them is a strided copy
 * {@code dst[dstBase + sum_i idx_i * dstStride_i] = src[srcBase + sum_i idx_i * srcStride_i]}
 * over an index space, with geometry precomputed once per plan by the {@code *Geometry}
 * helpers: permute reads the input with permuted strides, expand with 0 strides on
 * stretched axes, slice with {@code stride * step} from {@code start}, slice-scatter writes
 * with those strides into zeros, and concat copies each input into its band of the output.
 */
final class ShapeKernels {
    private ShapeKernels() {}

    /**
     * Elements below which a copy runs on the calling thread alone: a quarter of {@link ElementwiseKernels#PARALLEL_MIN}, since a
     * strided copy (a permute of attention's heads, a slice) moves about one element a nanosecond, not several, so a
     * second thread pays for itself sooner (GPT-2's 128 x 768 permutes ran on the caller while the pool waited).
     */
    static final int PARALLEL_MIN = Integer.getInteger("jasg.cpu.copyParallelMin", ElementwiseKernels.PARALLEL_MIN / 4);

    /** A strided copy: the index-space geometry (operand 0 = destination, 1 = source) and base offsets. */
    record Copy(Strided g, int dstBase, int srcBase) {}

    /** Runs {@code c}: copies {@code src} into {@code dst}. */
    static void copy(Copy c, float[] src, float[] dst) {
        CpuThreads.parallelFor((int) c.g().size(), PARALLEL_MIN, (from, to) -> copyRange(c, src, dst, from, to));
    }

    /** {@link #copy}'s elements {@code [from, to)} (a plan's step runs them as a {@link LoopStep}). */
    static void copyRange(Copy c, float[] src, float[] dst, int from, int to) {
        Strided g = c.g();
        int len = g.rowLength(), sd = g.innerStride(0), ss = g.innerStride(1);
        int e = from;
        while (e < to) {
            int row = e / len, col = e - row * len, m = Math.min(len - col, to - e);
            if (col == 0 && sd == 1 && ss != 1 && ss != 0 && (to - e) / len >= BLOCK_ROWS) {
                int done = transposedRows(c, src, dst, row, (to - e) / len);
                if (done > 0) {
                    e += done * len;
                    continue;
                }
            }
            int id = c.dstBase() + g.offset(0, row) + col * sd, is = c.srcBase() + g.offset(1, row) + col * ss;
            if (sd == 1 && ss == 1) {
                System.arraycopy(src, is, dst, id, m);
            } else if (sd == 1 && ss == 0) {
                Arrays.fill(dst, id, id + m, src[is]); // a broadcast along the row (expand): the JIT's fill, not a gather
            } else {
                for (int i = 0; i < m; i++) dst[id + i * sd] = src[is + i * ss];
            }
            e += m;
        }
    }

    /**
     * Rows (and columns) of a transposing copy's tiles ({@link #transposedRows}). Measured on a Zen 5 for a {@code [1024,
     * 1024]} transpose and add: tiles of 4, 8, 16 and 32 took 0.53, 0.48, 1.01 and 1.17 ns an element, a column of 16 rows at
     * a time 1.56, row by row 1.9.
     */
    static final int BLOCK_ROWS = 8;

    /**
     * Whole rows {@code row, row + 1, ...} of a copy that reads each row across the source ({@code ss != 1}, a transpose)
     * while the next row starts at the next source element: {@value #BLOCK_ROWS} rows at a time in square tiles, so the
     * source elements of a tile's column, side by side in one line, are read together instead of one line a row (row by row,
     * a {@code [1024, 1024]} transpose read each 64-byte line once per element). Returns the rows done (whole blocks of at
     * most {@code rows}), 0 where the rows are not laid out so.
     */
    private static int transposedRows(Copy c, float[] src, float[] dst, int row, int rows) {
        Strided g = c.g();
        int len = g.rowLength(), ss = g.innerStride(1), done = 0;
        while (rows - done >= BLOCK_ROWS) {
            int r0 = row + done, is = c.srcBase() + g.offset(1, r0), id = c.dstBase() + g.offset(0, r0);
            for (int k = 1; k < BLOCK_ROWS; k++) {
                if (g.offset(1, r0 + k) != g.offset(1, r0) + k || g.offset(0, r0 + k) != g.offset(0, r0) + k * len) return done;
            }
            // tiles of BLOCK_ROWS x BLOCK_ROWS: the rows of a tile lie 4 KiB apart in a [1024, 1024] transpose, one cache set,
            // so a tile as wide as the block evicts its own lines where a row of columns at a time did not
            int col = 0;
            for (; col + BLOCK_ROWS <= len; col += BLOCK_ROWS) {
                for (int k = 0; k < BLOCK_ROWS; k++) {
                    int s0 = is + col * ss + k, d0 = id + k * len + col;
                    for (int j = 0; j < BLOCK_ROWS; j++) dst[d0 + j] = src[s0 + j * ss];
                }
            }
            for (; col < len; col++) {
                int s0 = is + col * ss, d0 = id + col;
                for (int k = 0; k < BLOCK_ROWS; k++) dst[d0 + k * len] = src[s0 + k];
            }
            done += BLOCK_ROWS;
        }
        return done;
    }

    /** Zeros {@code n} elements of {@code dst}. */
    static void zero(float[] dst, int n) {
        Arrays.fill(dst, 0, n, 0f);
    }

    /** Output axis {@code i} is input axis {@code perm[i]}. */
    static Copy permuteGeometry(int[] inDims, int[] perm) {
        int[] inStrides = Indexing.strides(inDims);
        int[] outDims = new int[perm.length], src = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            outDims[i] = inDims[perm[i]];
            src[i] = inStrides[perm[i]];
        }
        return new Copy(Strided.of(outDims, Indexing.strides(outDims), src), 0, 0);
    }

    /** Broadcast of {@code inDims} to {@code outDims}. */
    static Copy expandGeometry(int[] inDims, int[] outDims) {
        return new Copy(Strided.of(outDims, Indexing.strides(outDims), Indexing.broadcastStrides(inDims, outDims)), 0, 0);
    }

    /** Elements {@code start, start+step, ...} of {@code axis}; {@code outDims} is the sliced shape. */
    static Copy sliceGeometry(int[] inDims, int[] outDims, int axis, int start, int step) {
        int[] src = Indexing.strides(inDims);
        int base = start * src[axis];
        src[axis] *= step;
        return new Copy(Strided.of(outDims, Indexing.strides(outDims), src), 0, base);
    }

    /** Input element {@code i} of {@code axis} written at {@code start + i*step} of an output of {@code outDims}. */
    static Copy sliceScatterGeometry(int[] inDims, int[] outDims, int axis, int start, int step) {
        int[] dst = Indexing.strides(outDims);
        int base = start * dst[axis];
        dst[axis] *= step;
        return new Copy(Strided.of(inDims, dst, Indexing.strides(inDims)), base, 0);
    }

    /** One input of a concat: its {@code inDims} go to positions {@code offset...} of {@code axis} in {@code outDims}. */
    static Copy concatGeometry(int[] inDims, int[] outDims, int axis, int offset) {
        int[] dst = Indexing.strides(outDims);
        return new Copy(Strided.of(inDims, dst, Indexing.strides(inDims)), offset * dst[axis], 0);
    }
}
