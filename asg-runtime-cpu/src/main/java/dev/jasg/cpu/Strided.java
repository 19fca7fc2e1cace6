package dev.jasg.cpu;

/**
 * The geometry of a loop over a dense index space {@code dims} that reads or writes several
 * operands, each through its own strides (0 on a broadcast axis). Axes of size 1 are dropped
 * and adjacent axes are merged wherever every operand allows it
 * ({@code stride[i] == stride[i+1] * dims[i+1]}), so equal shapes and scalar operands collapse
 * to one long row and kernels need only a fast inner loop over the last axis.
 *
 * <p>Built once per plan; immutable, so one geometry may be shared by parallel chunks.
 */
final class Strided {
    private final int[] dims;
    private final int[][] strides;
    private final int rowLength;
    private final int rows;
    private final long size;

    private Strided(int[] dims, int[][] strides, long size) {
        this.dims = dims;
        this.strides = strides;
        this.size = size;
        this.rowLength = dims[dims.length - 1];
        this.rows = size == 0 ? 0 : (int) (size / rowLength);
    }

    /** The geometry of iterating {@code dims} with one stride vector (same rank as {@code dims}) per operand. */
    static Strided of(int[] dims, int[]... operandStrides) {
        long size = 1;
        for (int d : dims) size *= d;
        int ops = operandStrides.length;
        int[] cd = new int[Math.max(dims.length, 1)];
        int[][] cs = new int[ops][cd.length];
        int r = 0;
        // walk from the innermost axis outwards, merging into the current axis where all operands agree
        for (int ax = dims.length - 1; ax >= 0; ax--) {
            if (dims[ax] == 1) continue;
            if (r > 0) {
                int cur = r - 1;
                boolean merge = true;
                for (int o = 0; o < ops && merge; o++) merge = operandStrides[o][ax] == cs[o][cur] * cd[cur];
                if (merge) {
                    cd[cur] *= dims[ax];
                    continue;
                }
            }
            cd[r] = dims[ax];
            for (int o = 0; o < ops; o++) cs[o][r] = operandStrides[o][ax];
            r++;
        }
        if (r == 0) {
            // a single element (or rank 0): one row of length 1, every stride irrelevant
            return new Strided(new int[] {1}, new int[ops][1], size == 0 ? 0 : 1);
        }
        int[] d = new int[r];
        int[][] s = new int[ops][r];
        for (int i = 0; i < r; i++) {
            d[i] = cd[r - 1 - i];
            for (int o = 0; o < ops; o++) s[o][i] = cs[o][r - 1 - i];
        }
        return new Strided(d, s, size);
    }

    /** Number of elements iterated. */
    long size() {
        return size;
    }

    /** Number of rows (size / rowLength). */
    int rows() {
        return rows;
    }

    /** Length of the innermost, merged axis. */
    int rowLength() {
        return rowLength;
    }

    /** Stride of operand {@code op} along the innermost axis. */
    int innerStride(int op) {
        return strides[op][dims.length - 1];
    }

    /** Offset of the first element of row {@code row} in operand {@code op}. */
    int offset(int op, int row) {
        int[] s = strides[op];
        int off = 0;
        for (int ax = dims.length - 2; ax >= 0; ax--) {
            int d = dims[ax];
            off += (row % d) * s[ax];
            row /= d;
        }
        return off;
    }
}
