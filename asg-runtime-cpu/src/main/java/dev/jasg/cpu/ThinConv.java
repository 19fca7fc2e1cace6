package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;

/**
 * A convolution with few output positions over the batch (resnet's layer3 and layer4 at batch 1: 196 and 49), computed
 * as the transposed product {@code y^T [N Ho Wo, O] = col^T [N Ho Wo, K] x W^T [K, O]} with {@code W^T} packed once
 * ({@link FoldedWeights#panel}). The GEMM lowering's product {@code W [O, K] x col [K, N Ho Wo]} spreads the few positions
 * over strips of {@code NR} columns (49 in two strips of 32: 77% of the tiles' work used); here they are the rows, in
 * strips of {@code MR} (49 in five of 12: 82%; 196 in 17: 96% against 88%), the weights are read as one stream in the
 * micro-kernel's layout instead of {@code MR} rows far apart, and the result is transposed back ({@code O N Ho Wo}
 * floats, a small pass). Used by {@link ConvFold}, whose folded weights it packs.
 *
 * <p>Not thread-safe: an instance belongs to one node of one plan, and runs one at a time.
 */
final class ThinConv {
    /** Most output positions (over the batch) for which the transposed product is used: eight strips of {@code NR}. */
    static final int COLUMNS_MAX = 8 * Gemm.NR;

    private final Conv v;
    private final int cols, k;
    private final boolean serial;
    private final float[] col, yt;
    private float[] x;
    private int img;
    private final CpuThreads.Range unfoldBody = this::unfold;

    /**
     * Whether {@code v} runs this way: one group, the packed GEMM, at most {@link #COLUMNS_MAX} positions, and fewer
     * padded rows in strips of {@code MR} than padded columns in strips of {@code NR}.
     */
    static boolean suits(Conv v) {
        long cols = (long) v.n() * v.hw();
        if (v.groups() != 1 || Gemm.EJML_FALLBACK || !PackedWeights.supported() || cols > COLUMNS_MAX || cols == 0) return false;
        long asRows = (cols + Gemm.MR - 1) / Gemm.MR * Gemm.MR, asColumns = (cols + Gemm.NR - 1) / Gemm.NR * Gemm.NR;
        return asRows < asColumns;
    }

    ThinConv(Conv v) {
        if (!suits(v)) throw new IllegalArgumentException("thin conv2d: not a thin convolution: " + v);
        this.v = v;
        this.cols = v.n() * v.hw();
        this.k = v.k();
        this.serial = v.work() < Gemm.PARALLEL_MIN || CpuThreads.PARALLELISM == 1;
        this.col = new float[k * cols];
        this.yt = new float[cols * v.cout()];
    }

    /** {@code y = conv(x, W)} with {@code panel} = {@code W^T} packed by {@link Gemm#packPanel} (depth {@code K}, width {@code O}). */
    void run(float[] x, float[] panel, float[] y) {
        this.x = x;
        try {
            for (img = 0; img < v.n(); img++) {
                if (serial) unfold(0, k);
                else CpuThreads.parallelFor(k, Math.max(1, k / (4 * CpuThreads.PARALLELISM)), unfoldBody);
            }
            // yt[pos, o] = sum_p col[p, pos] W[o, p]: A = col^T (row stride 1, column stride cols)
            Gemm.gemmPacked(cols, v.cout(), k, col, 0, 1, cols, panel, yt, 0, v.cout(), false);
        } finally {
            this.x = null;
        }
        int hw = v.hw(), o = v.cout();
        for (int im = 0; im < v.n(); im++) {
            for (int c = 0; c < o; c++) {
                int dst = (im * o + c) * hw;
                for (int p = 0, src = im * hw * o + c; p < hw; p++, src += o) y[dst + p] = yt[src];
            }
        }
    }

    private void unfold(int r0, int r1) {
        ConvKernels.im2col(v, x, img * v.cin() * v.plane(), r0, r1, 0, v.hw(), col, r0 * cols + img * v.hw(), cols);
    }
}
