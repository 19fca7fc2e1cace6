package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;

import java.util.Arrays;

/**
 * Convolutions lowered to {@link Gemm} products over the whole batch. The unfolded columns of
 * all images, side by side, form one matrix {@code col [K, N Ho Wo]} per group
 * ({@code K = C/groups kh kw}); it is never built whole but cut into blocks of columns
 * ({@link #blockWidth}: as many as fit in half of L2 next to their packed copy), each unfolded
 * by one thread into its scratch and multiplied at once, so the micro-kernel runs on wide
 * products even where one image has few positions (7 x 7 at the end of a ResNet), and the
 * unfolded values are read back from L2, not memory. A block that spans two images is
 * multiplied into a scratch tile and copied out to each image's plane.
 *
 * <ul>
 *   <li>{@link Forward}: {@code y_blk [O/g, width] = W_g [O/g, K] x col_blk}, W read in place.
 *       With fewer blocks than a few per thread (one image at the end of a network) the image is
 *       unfolded whole by all threads and multiplied by the parallel {@link Gemm#gemm}, which
 *       splits the product by rows instead. A 1x1 kernel with stride 1 and no padding reads
 *       the image itself.</li>
 *   <li>{@link ChannelsAsColumns}: with no more columns than output channels (the late layers of a network at a small
 *       batch), the product the other way round, {@code y^T [N Ho Wo, O] = col^T x W^T}, with {@code W^T} packed once and
 *       kept while the weights stay the same.</li>
 *   <li>{@link WeightGrad}: {@code dW_g [O/g, rows] += g_blk [O/g, width] x col_blk^T}, one product per block of
 *       {@link #DEPTH} columns (its depth); split by slices of rows of {@code K}, or by ranges of the batch into
 *       partials added in order for a short {@code K}, or image by image for few columns (a fixed split, so the
 *       same result every run).</li>
 *   <li>{@link FlippedTransposed} (stride 1, at least {@link ConvKernels#FLIP_ROWS_MIN} input channels per group): the input gradient, {@code dx = conv(g, W')} with
 *       {@code W'[c, o, i, j] = W[o, c, kh-1-i, kw-1-j]} and offsets {@code (kh-1) dh - pt}: a
 *       product of depth {@code O/g kh kw} instead of one of depth {@code O/g} and a scatter.</li>
 *   <li>{@link Col2imTransposed} (otherwise): {@code col = W_g^T x g} per image, folded back
 *       by {@link ConvKernels#col2im}; images split over the threads, or, with fewer images than
 *       threads, the product split by {@link Gemm#gemm} and the fold by channels.</li>
 * </ul>
 *
 * A 1x1 kernel with stride 1 and no padding is read in place by the forward and kernel-gradient products.
 *
 * <p>Not thread-safe: an instance belongs to one node of one plan, and runs one at a time.
 */
final class ConvGemm {
    private ConvGemm() {}

    /** Floats of unfolded columns a block may hold: half of L2 (its packed copy takes the other half). */
    static final int COL_BLOCK_FLOATS = (int) Math.min(1 << 22,
            (KernelChoice.CHOSEN.facts().l2() > 0 ? KernelChoice.CHOSEN.facts().l2() : KernelChoice.FALLBACK_L2) / 2 / Float.BYTES);
    /** Narrowest block: eight strips of the micro-kernel. */
    static final int BLOCK_MIN = 8 * Gemm.NR;
    /**
     * Floats of partial kernel gradients (all threads after the first) up to which the batch is split instead of K even
     * when K has rows enough for every thread: 0, since both splits measured alike (cnn 32 -> 64 3x3, 1x1 64 -> 128) and
     * the split by rows needs no partials; {@code -Djasg.cpu.convPartials=N} to measure.
     */
    static final int PARTIALS_MAX = Integer.getInteger("jasg.cpu.convPartials", 0);
    /** Columns of a kernel-gradient block: the depth of its products. */
    static final int DEPTH = Integer.getInteger("jasg.cpu.convDepth", 256);
    /** Blocks per thread below which a forward product is split by rows of the weights instead. */
    static final int BLOCKS_PER_THREAD = 4;

    /** Per-thread scratch, grown on demand and kept: no allocation per run in steady state. */
    private static final class Scratch {
        float[] col = new float[0];
        float[] tmp = new float[0];
        /** {@link ConvKernels#unfoldPacked}'s input rows by phases, and its padded row. */
        float[] phases = new float[0], pad = new float[0];

        float[] phases(int n) {
            if (phases.length < n) phases = new float[n];
            return phases;
        }

        float[] pad(int n) {
            if (pad.length < n) pad = new float[n];
            return pad;
        }

        float[] col(int n) {
            if (col.length < n) col = new float[n];
            return col;
        }

        float[] tmp(int n) {
            if (tmp.length < n) tmp = new float[n];
            return tmp;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Columns per block for depth {@code k} and {@code columns} columns in all: a multiple of the micro-kernel's width that
     * fits {@link #COL_BLOCK_FLOATS}, at least {@link #BLOCK_MIN}, and small enough to give each thread a few blocks.
     */
    static int blockWidth(int k, long columns, int threads) {
        int nr = Gemm.NR;
        long fit = Math.max(BLOCK_MIN, COL_BLOCK_FLOATS / Math.max(1, k) / nr * nr);
        long balanced = Math.max(BLOCK_MIN, (columns / (2L * BLOCKS_PER_THREAD * threads) + nr - 1) / nr * nr);
        long wanted = Math.min(fit, balanced);
        return (int) Math.max(1, Math.min(wanted, (columns + nr - 1) / nr * nr));
    }

    /** Runs {@code body} over {@code items} claimed by the pool's threads, or inline when {@code serial}. */
    private static void claim(int items, boolean serial, CpuThreads.Range body) {
        if (serial) body.run(0, items);
        else if (items <= CpuThreads.MAX_CHUNKS) CpuThreads.forEachClaimed(items, body);
        else CpuThreads.parallelFor(items, 1, body);
    }

    /** One image's stretch of a block: image {@code img}, positions {@code [a, e)} of it, at column {@code at} of the block. */
    private static int segStart(int img, int hw, int j0) {
        return Math.max(j0, img * hw) - img * hw;
    }

    private static int segEnd(int img, int hw, int j1) {
        return Math.min(j1, (img + 1) * hw) - img * hw;
    }

    /**
     * {@code y = conv(x, w)} for one group, with no more columns ({@code N Ho Wo}) than output channels: the product the
     * other way round, {@code y^T [N Ho Wo, O] = col^T [N Ho Wo, K] x W^T [K, O]}, then {@code y^T} turned into {@code y}'s
     * planes. {@link Forward}'s product there, {@code W [O, K] x col [K, N Ho Wo]}, is a few columns wide, which the
     * micro-kernel's 32-wide strips pad (49 columns at 7 x 7 take two strips, 64), and reads the weights in place, a row
     * stream per row of its tile; this one pads the columns' side by at most a tile's rows, and reads the weights packed
     * ({@link Gemm#packPanel}), one stream. On a 2-vCPU AMD EPYC Zen 5, products alone, hot: ResNet-18's layer4 3x3
     * ({@code [512, 4608] x [4608, 49]}) 204-214 against 251 GFLOPS, layer3's ({@code [256, 2304] x [2304, 196]})
     * 210-225 against 261-263; at 784 columns and 128 channels the two ran alike, at 1568 columns {@link Forward} led.
     *
     * <p>The packed weights are kept, with a copy of the weights they were packed from; each run compares the weights
     * with that copy (one pass, as {@link WinogradConv}'s), unless the caller vouches for them ({@link #runUnchanged}).
     * Weights that change between runs (training) would be packed every run: the first time they do, the kernel hands
     * every later run to {@link Forward} and drops what it kept.
     *
     * <p>{@code col^T} is never stored as such: the unfolding writes it straight into the layout the micro-kernel reads
     * ({@link Gemm#gemmPackedBoth}), {@link #GROUP} rows of {@code col} at a time unfolded into a per-thread buffer in L1
     * and moved from there into their strips. Before, {@code col [K, N Ho Wo]} was written whole (0.9 MB at layer4)
     * and then packed, a pass that read it {@link Gemm#MR} floats a row, once for every strip.
     */
    static final class ChannelsAsColumns extends ConvKernels.KeepsDerivedWeights {
        /** Rows of {@code col} a task unfolds into its buffer before moving them into the packed strips. */
        static final int GROUP = 16;
        private final Conv v;
        private final int k, og, columns;
        /** Start rows of the groups of {@code col} (none straddles a depth slice of the product), and the end. */
        private final int[] groups;
        private final boolean serial;
        private float[] panel, packedCol, yt;
        private Forward fallback;
        private float[] x, y;
        /**
         * Groups of rows one claim of the pooled unfolding takes: the threads claim them as they go
         * ({@link CpuThreads#forEachClaimed}), so one that starts late (a worker waking) does not leave the other waiting at
         * the end of a fixed half, as {@link CpuThreads#parallelFor}'s halves did.
         */
        static final int CLAIM = 4;
        private final CpuThreads.Range unfoldBody = this::unfoldClaimed;
        private final CpuThreads.Range planesBody = this::planes;

        ChannelsAsColumns(Conv v) {
            if (!fits(v)) throw new IllegalArgumentException("conv2d with channels as columns: needs one group and at most as many columns as output channels: " + v);
            this.v = v;
            this.k = v.k();
            this.og = v.og();
            this.columns = v.n() * v.hw();
            this.serial = v.work() < Gemm.PARALLEL_MIN || CpuThreads.PARALLELISM == 1;
            this.groups = groups(k);
        }

        /** {@link #groups}: {@link #GROUP} rows at a time through each depth slice of the product ({@link Gemm#sliceDepth}). */
        static int[] groups(int k) {
            int kcs = Gemm.sliceDepth(k), count = 0;
            for (int pc = 0; pc < k; pc += kcs) count += (Math.min(kcs, k - pc) + GROUP - 1) / GROUP;
            int[] starts = new int[count + 1];
            int g = 0;
            for (int pc = 0; pc < k; pc += kcs) {
                int end = Math.min(k, pc + kcs);
                for (int p = pc; p < end; p += GROUP) starts[g++] = p;
            }
            starts[count] = k;
            return starts;
        }

        /** Whether {@code v} runs this way: one group, no more columns than output channels, every buffer within an int index. */
        static boolean fits(Conv v) {
            long columns = (long) v.n() * v.hw();
            return v.groups() == 1 && columns <= v.og() && columns > 0 && Gemm.packedASize((int) columns, v.k()) <= Integer.MAX_VALUE
                    && (long) Gemm.panelSize(v.k(), v.og()) <= Integer.MAX_VALUE && (long) v.og() * v.k() <= Integer.MAX_VALUE;
        }

        /** Whether the runs have gone to {@link Forward} (the weights changed between runs). */
        boolean handedToForward() {
            return fallback != null;
        }

        /** {@code unchanged}: the weights vouched unchanged since the last call ({@link ConvFold}'s folded copy), no pass over them to compare. */
        @Override
        void run(float[] x, float[] w, float[] y, boolean unchanged) {
            if (fallback != null) {
                fallback.run(x, w, y);
                return;
            }
            int size = og * k;
            if (!stillDerivedFrom(w, size, unchanged)) {
                if (hasDerived()) {
                    // the weights moved since they were packed: from now on the product that reads them in place
                    fallback = new Forward(v);
                    forget();
                    panel = packedCol = yt = null;
                    fallback.run(x, w, y);
                    return;
                }
                panel = new float[Gemm.panelSize(k, og)];
                Gemm.packPanel(k, og, w, 0, 1, k, panel);
                packedCol = new float[(int) Gemm.packedASize(columns, k)];
                yt = new float[columns * og];
                derivedFrom(w, size);
            }
            this.x = x;
            this.y = y;
            try {
                int count = groups.length - 1;
                if (serial) unfoldPacked(0, count);
                else CpuThreads.forEachClaimed((count + CLAIM - 1) / CLAIM, unfoldBody);
                Gemm.gemmPackedBoth(columns, og, k, packedCol, panel, yt, 0, og);
                int blocks = (og + PLANE_BLOCK - 1) / PLANE_BLOCK;
                if (serial) planes(0, blocks);
                else CpuThreads.forEachClaimed(blocks, planesBody);
            } finally {
                this.x = this.y = null;
            }
        }

        /** Claims {@code [c0, c1)} of {@link #CLAIM} groups each. */
        private void unfoldClaimed(int c0, int c1) {
            unfoldPacked(c0 * CLAIM, Math.min(groups.length - 1, c1 * CLAIM));
        }

        /**
         * Groups {@code [g0, g1)} of rows of {@code col [K, N Ho Wo]} (every image's columns side by side) into
         * {@code packedCol}: each group unfolded into the thread's buffer, then each strip of {@link Gemm#MR} columns moved
         * by {@link Gemm#packA} (a row of {@code col} is a step of {@code col^T}'s strips).
         */
        private void unfoldPacked(int g0, int g1) {
            int hw = v.hw();
            float[] rows = SCRATCH.get().col(GROUP * columns);
            for (int g = g0; g < g1; g++) {
                int r0 = groups[g], r1 = groups[g + 1];
                for (int im = 0; im < v.n(); im++) {
                    ConvKernels.im2col(v, x, im * v.cin() * v.plane(), r0, r1, 0, hw, rows, im * hw, columns);
                }
                for (int i0 = 0; i0 < columns; i0 += Gemm.MR) {
                    Gemm.packA(Math.min(Gemm.MR, columns - i0), r1 - r0, rows, i0, 1, columns, packedCol, Gemm.packedAt(columns, k, i0, r0));
                }
            }
        }

        /** Output channels {@code [b0 PLANE_BLOCK, b1 PLANE_BLOCK)} of {@code y} from {@code y^T}: each row of {@code y^T} read a block of channels at a time. */
        private void planes(int b0, int b1) {
            int hw = v.hw();
            for (int b = b0; b < b1; b++) {
                int o0 = b * PLANE_BLOCK, o1 = Math.min(og, o0 + PLANE_BLOCK);
                for (int im = 0; im < v.n(); im++) {
                    int yo = im * og * hw, to = im * hw * og;
                    for (int p = 0; p < hw; p++) {
                        int src = to + p * og;
                        for (int o = o0; o < o1; o++) y[yo + o * hw + p] = yt[src + o];
                    }
                }
            }
        }
    }

    /** Output channels one task of {@link ChannelsAsColumns#planes} copies: a cache line of {@code y^T}'s row. */
    private static final int PLANE_BLOCK = 16;

    /** {@code y = conv(x, w)} as blocks of {@code W x col}. */
    static final class Forward implements ConvKernels.Run {
        private final Conv v;
        private final int nb, blocks;
        private final boolean blocked, serial, packedUnfold;
        private float[] x, w, y;
        // whole-image mode: the image being unfolded by all threads
        private int img, grp;
        private float[] wholeCol;
        private final CpuThreads.Range blockBody = this::blocks;
        private final CpuThreads.Range unfoldBody = this::unfoldRows;

        Forward(Conv v) {
            this.v = v;
            int threads = CpuThreads.PARALLELISM;
            long columns = (long) v.n() * v.hw();
            this.nb = blockWidth(v.k(), columns, threads);
            this.blocks = (int) ((columns + nb - 1) / nb);
            this.serial = v.work() < Gemm.PARALLEL_MIN || threads == 1;
            this.blocked = serial || (long) blocks * v.groups() >= (long) BLOCKS_PER_THREAD * threads;
            this.packedUnfold = ConvKernels.unfoldsPacked(v) && nb % Gemm.NR == 0;
        }

        @Override
        public void run(float[] x, float[] w, float[] y) {
            this.x = x;
            this.w = w;
            this.y = y;
            try {
                if (blocked) {
                    claim(blocks * v.groups(), serial, blockBody);
                } else {
                    whole();
                }
            } finally {
                this.x = this.w = this.y = this.wholeCol = null;
            }
        }

        private void blocks(int i0, int i1) {
            Scratch s = SCRATCH.get();
            for (int it = i0; it < i1; it++) block(it / blocks, it % blocks, s);
        }

        private void block(int grp, int b, Scratch s) {
            Conv v = this.v;
            int hw = v.hw(), k = v.k(), og = v.og(), cg = v.cg(), plane = v.plane();
            int j0 = b * nb, j1 = (int) Math.min((long) v.n() * hw, (long) j0 + nb), width = j1 - j0;
            int img0 = j0 / hw, img1 = (j1 - 1) / hw, aOff = grp * og * k;
            if (img0 == img1) {
                int pos0 = j0 - img0 * hw, xo = (img0 * v.cin() + grp * cg) * plane, yo = (img0 * v.cout() + grp * og) * hw + pos0;
                if (v.pointwise()) {
                    // y_blk[og, width] = W_g[og, k] x x[k, pos0:pos0+width]
                    Gemm.serial(og, width, k, w, aOff, k, 1, x, xo + pos0, hw, 1, y, yo, hw, false);
                    return;
                }
                if (packedUnfold) {
                    int len = ConvKernels.phaseLength(v), sw = v.sw();
                    float[] panel = s.col(Gemm.panelSize(k, width));
                    ConvKernels.unfoldPacked(v, x, xo, pos0, width, panel, s.phases(cg * ConvKernels.rowSpan(v, pos0, width) * sw * len),
                            s.pad(sw * len));
                    Gemm.serialPacked(og, width, k, w, aOff, k, 1, panel, width, y, yo, hw, false);
                    return;
                }
                float[] col = s.col(k * width);
                ConvKernels.im2col(v, x, xo, 0, k, pos0, pos0 + width, col, 0, width);
                Gemm.serial(og, width, k, w, aOff, k, 1, col, 0, width, 1, y, yo, hw, false);
                return;
            }
            // the block spans images: unfold each one's stretch side by side, multiply into a scratch tile, copy out
            float[] col = s.col(k * width), t = s.tmp(og * width);
            for (int im = img0; im <= img1; im++) {
                int a = segStart(im, hw, j0), e = segEnd(im, hw, j1);
                ConvKernels.im2col(v, x, (im * v.cin() + grp * cg) * plane, 0, k, a, e, col, im * hw + a - j0, width);
            }
            Gemm.serial(og, width, k, w, aOff, k, 1, col, 0, width, 1, t, 0, width, false);
            for (int im = img0; im <= img1; im++) {
                int a = segStart(im, hw, j0), e = segEnd(im, hw, j1), at = im * hw + a - j0, yo = (im * v.cout() + grp * og) * hw + a;
                for (int o = 0; o < og; o++) System.arraycopy(t, o * width + at, y, yo + o * hw, e - a);
            }
        }

        /** Few columns: each image unfolded by all threads, then one product split by {@link Gemm#gemm}. */
        private void whole() {
            Conv v = this.v;
            int hw = v.hw(), k = v.k(), og = v.og(), cg = v.cg(), plane = v.plane();
            for (int im = 0; im < v.n(); im++) {
                for (int g = 0; g < v.groups(); g++) {
                    int xo = (im * v.cin() + g * cg) * plane, yo = (im * v.cout() + g * og) * hw;
                    if (v.pointwise()) {
                        Gemm.gemm(false, false, og, hw, k, w, g * og * k, k, x, xo, hw, y, yo, hw, false);
                        continue;
                    }
                    img = im;
                    grp = g;
                    wholeCol = SCRATCH.get().col(k * hw);
                    CpuThreads.parallelFor(k, Math.max(1, k / (4 * CpuThreads.PARALLELISM)), unfoldBody);
                    Gemm.gemm(false, false, og, hw, k, w, g * og * k, k, wholeCol, 0, hw, y, yo, hw, false);
                }
            }
        }

        private void unfoldRows(int r0, int r1) {
            int xo = (img * v.cin() + grp * v.cg()) * v.plane();
            ConvKernels.im2col(v, x, xo, r0, r1, 0, v.hw(), wholeCol, r0 * v.hw(), v.hw());
        }
    }

    /**
     * {@code dw = sum over the batch of g x col^T}: {@code dW_g[O/g, rows] (+)= g_blk [O/g, width] x col_blk[rows, width]^T}
     * for blocks of {@link #DEPTH} columns (the products' depth, long so {@code dW} is loaded and stored seldom). Split
     * by slices of rows of {@code K} when there are enough (each element of {@code dW} then summed by one thread over the
     * whole batch, no partial sums); else, for a short {@code K} (a first layer), by ranges of columns, each into its own
     * partial, added in part order; with few columns (one image), image by image with the product split by
     * {@link Gemm#gemm}. Each split is fixed by the shapes and the thread count, so every run gives the same result.
     */
    static final class WeightGrad implements ConvKernels.Run {
        /** How the work is split: by slices of rows of K; by ranges of columns, each into its own partial; image by image. */
        private enum Mode { ROWS, COLUMNS, IMAGES }

        private final Conv v;
        private final int nb, rows, slices, parts, size;
        private final Mode mode;
        /** The partials of parts after the first in {@link Mode#COLUMNS}: {@code [parts - 1, groups, O/g, K]}. */
        private final float[] partials;
        private final boolean serial;
        private float[] x, g, dw;
        // image mode: the image being unfolded by all threads
        private int img, grp;
        private float[] wholeCol;
        private final CpuThreads.Range sliceBody = this::slices;
        private final CpuThreads.Range partBody = this::parts;
        private final CpuThreads.Range unfoldBody = this::unfoldRows;

        WeightGrad(Conv v) {
            this.v = v;
            long columns = (long) v.n() * v.hw();
            this.nb = (int) Math.min(DEPTH, columns);
            this.size = v.groups() * v.k() * v.og();
            int threads = CpuThreads.PARALLELISM, k = v.k(), nr = Gemm.NR;
            int fit = Math.max(nr, COL_BLOCK_FLOATS / nb / nr * nr);
            int spread = Math.max(nr, ((k + 2 * threads - 1) / (2 * threads) + nr - 1) / nr * nr);
            this.serial = v.work() < Gemm.PARALLEL_MIN || threads == 1;
            this.rows = Math.min(k, serial ? fit : Math.min(fit, spread));
            this.slices = (k + rows - 1) / rows;
            boolean manyColumns = columns >= 2L * DEPTH * threads;
            if (serial) {
                mode = Mode.ROWS;
                parts = 1;
            } else if (manyColumns && ((long) size * (threads - 1) <= PARTIALS_MAX || (long) slices * v.groups() < 2L * threads)) {
                // a small dW, or too few rows of K to share: the batch is shared, each thread all of K into its own partial
                mode = Mode.COLUMNS;
                parts = threads;
            } else if ((long) slices * v.groups() >= 2L * threads) {
                mode = Mode.ROWS;
                parts = 1;
            } else {
                // few columns (one image at the end of a network): each image's product split by Gemm
                mode = Mode.IMAGES;
                parts = 1;
            }
            this.partials = new float[(parts - 1) * size];
        }

        @Override
        public void run(float[] x, float[] g, float[] dw) {
            this.x = x;
            this.g = g;
            this.dw = dw;
            try {
                switch (mode) {
                    case ROWS -> claim(slices * v.groups(), serial, sliceBody);
                    case COLUMNS -> {
                        CpuThreads.parallelFor(parts, 1, partBody);
                        for (int t = 1; t < parts; t++) {
                            int po = (t - 1) * size;
                            for (int i = 0; i < size; i++) dw[i] += partials[po + i];
                        }
                    }
                    case IMAGES -> images();
                }
            } finally {
                this.x = this.g = this.dw = this.wholeCol = null;
            }
        }

        private void slices(int i0, int i1) {
            Scratch s = SCRATCH.get();
            long columns = (long) v.n() * v.hw();
            for (int it = i0; it < i1; it++) {
                int grp = it / slices, r0 = it % slices * rows, r1 = Math.min(v.k(), r0 + rows);
                for (long j0 = 0; j0 < columns; j0 += nb) {
                    block(grp, r0, r1, (int) j0, (int) Math.min(columns, j0 + nb), j0 > 0, dw, 0, s);
                }
            }
        }

        /** Part {@code t} of the columns, every row of K, into {@code dw} (part 0) or its partial. */
        private void parts(int t0, int t1) {
            Scratch s = SCRATCH.get();
            long columns = (long) v.n() * v.hw();
            for (int t = t0; t < t1; t++) {
                long c0 = columns * t / parts, c1 = columns * (t + 1) / parts;
                float[] target = t == 0 ? dw : partials;
                int off = t == 0 ? 0 : (t - 1) * size;
                if (c1 == c0) Arrays.fill(target, off, off + size, 0f);
                for (int grp = 0; grp < v.groups(); grp++) {
                    for (long j0 = c0; j0 < c1; j0 += nb) block(grp, 0, v.k(), (int) j0, (int) Math.min(c1, j0 + nb), j0 > c0, target, off, s);
                }
            }
        }

        /** {@code target[off + dW_g[og, r0:r1]] (+)= g_g[og, j0:j1] x col[r0:r1, j0:j1]^T}. */
        private void block(int grp, int r0, int r1, int j0, int j1, boolean accumulate, float[] target, int off, Scratch s) {
            Conv v = this.v;
            int hw = v.hw(), k = v.k(), og = v.og(), cg = v.cg(), plane = v.plane(), width = j1 - j0;
            int img0 = j0 / hw, img1 = (j1 - 1) / hw, pos0 = j0 - img0 * hw;
            float[] a, b;
            int aOff, lda, bOff, ldb;
            if (img0 == img1) {
                a = g;
                aOff = (img0 * v.cout() + grp * og) * hw + pos0;
                lda = hw;
            } else {
                // the gradient's stretches of each image side by side
                a = s.tmp(og * width);
                aOff = 0;
                lda = width;
                for (int im = img0; im <= img1; im++) {
                    int ae = segStart(im, hw, j0), e = segEnd(im, hw, j1), at = im * hw + ae - j0, go = (im * v.cout() + grp * og) * hw + ae;
                    for (int o = 0; o < og; o++) System.arraycopy(g, go + o * hw, a, o * width + at, e - ae);
                }
            }
            if (img0 == img1 && v.pointwise()) {
                b = x;
                bOff = (img0 * v.cin() + grp * cg) * plane + r0 * hw + pos0;
                ldb = hw;
            } else {
                b = s.col((r1 - r0) * width);
                bOff = 0;
                ldb = width;
                for (int im = img0; im <= img1; im++) {
                    int ae = segStart(im, hw, j0), e = segEnd(im, hw, j1);
                    ConvKernels.im2col(v, x, (im * v.cin() + grp * cg) * plane, r0, r1, ae, e, b, im * hw + ae - j0, width);
                }
            }
            Gemm.serial(og, r1 - r0, width, a, aOff, lda, 1, b, bOff, 1, ldb, target, off + grp * og * k + r0, k, accumulate);
        }

        /** Image by image: unfolded by all threads, {@code dw_g[og, K] (+)= g_g[og, hw] x col^T} split by {@link Gemm#gemm}. */
        private void images() {
            int hw = v.hw(), k = v.k(), og = v.og();
            for (int im = 0; im < v.n(); im++) {
                for (int gr = 0; gr < v.groups(); gr++) {
                    img = im;
                    grp = gr;
                    float[] b = x;
                    int bOff = (im * v.cin() + gr * v.cg()) * v.plane();
                    if (!v.pointwise()) {
                        wholeCol = SCRATCH.get().col(k * hw);
                        CpuThreads.parallelFor(k, Math.max(1, k / (4 * CpuThreads.PARALLELISM)), unfoldBody);
                        b = wholeCol;
                        bOff = 0;
                    }
                    Gemm.gemm(false, true, og, k, hw, g, (im * v.cout() + gr * og) * hw, hw, b, bOff, hw, dw, gr * og * k, k, im > 0);
                }
            }
        }

        private void unfoldRows(int r0, int r1) {
            int xo = (img * v.cin() + grp * v.cg()) * v.plane();
            ConvKernels.im2col(v, x, xo, r0, r1, 0, v.hw(), wholeCol, r0 * v.hw(), v.hw());
        }
    }

    /**
     * The input gradient of a stride-1 convolution (or a stride-1 transposed convolution): the forward convolution of the
     * column side with the kernel flipped and its channel axes exchanged.
     */
    static final class FlippedTransposed implements ConvKernels.Run {
        private final Conv v;
        private final ConvKernels.Run forward;
        private final float[] flipped;

        /**
         * {@code v}: the convolution whose adjoint this is (image side {@code cin, h, w}, column side {@code cout, ho, wo});
         * {@code winograd}: the flipped convolution ({@link #forwardOf}) runs {@link WinogradConv}, else {@link Forward}.
         */
        FlippedTransposed(Conv v, boolean winograd) {
            this.v = v;
            Conv f = forwardOf(v);
            this.forward = winograd ? new WinogradConv(f) : new Forward(f);
            this.flipped = new float[v.cout() * v.k()];
        }

        /**
         * The forward convolution that is {@code v}'s stride-1 input gradient: of the gradient ({@code cout} channels,
         * {@code ho x wo}) into {@code cin} channels of {@code h x w}, with the kernel turned by 180 degrees and its channels
         * swapped, offset by the kernel's reach less {@code v}'s padding (negative where that padding is past the reach).
         */
        static Conv forwardOf(Conv v) {
            return new Conv(v.n(), v.groups(), v.cout(), v.ho(), v.wo(), v.cin(), v.h(), v.w(), v.kh(), v.kw(), 1, 1,
                    (v.kh() - 1) * v.dh() - v.pt(), (v.kw() - 1) * v.dw() - v.pl(), v.dh(), v.dw());
        }

        @Override
        public void run(float[] g, float[] w, float[] dx) {
            // W'[grp, c, o, i', j'] = W[grp, o, c, kh-1-i', kw-1-j']
            int taps = v.kh() * v.kw(), cg = v.cg(), og = v.og();
            for (int grp = 0; grp < v.groups(); grp++) {
                for (int o = 0; o < og; o++) {
                    int src = (grp * og + o) * cg * taps;
                    for (int c = 0; c < cg; c++) {
                        int dst = ((grp * cg + c) * og + o) * taps + taps - 1, s0 = src + c * taps;
                        for (int t = 0; t < taps; t++) flipped[dst - t] = w[s0 + t];
                    }
                }
            }
            forward.run(g, flipped, dx);
        }
    }

    /** The input gradient past stride 1: {@code col = W_g^T x g} per image and group, folded back by {@link ConvKernels#col2im}. */
    static final class Col2imTransposed implements ConvKernels.Run {
        private final Conv v;
        private final boolean serial, byImage;
        private float[] g, w, dx;
        // one image at a time, folded by all threads
        private int img, grp;
        private float[] col;
        private final CpuThreads.Range imageBody = this::images;
        private final CpuThreads.Range foldBody = this::fold;

        Col2imTransposed(Conv v) {
            this.v = v;
            this.serial = v.work() < Gemm.PARALLEL_MIN || CpuThreads.PARALLELISM == 1;
            this.byImage = !serial && v.n() >= CpuThreads.PARALLELISM;
        }

        @Override
        public void run(float[] g, float[] w, float[] dx) {
            this.g = g;
            this.w = w;
            this.dx = dx;
            try {
                if (serial) {
                    images(0, v.n());
                } else if (byImage) {
                    CpuThreads.parallelFor(v.n(), 1, imageBody);
                } else {
                    int k = v.k(), hw = v.hw(), og = v.og(), cg = v.cg(), plane = v.plane();
                    col = SCRATCH.get().col(k * hw);
                    for (int im = 0; im < v.n(); im++) {
                        for (int gr = 0; gr < v.groups(); gr++) {
                            img = im;
                            grp = gr;
                            // col[k, hw] = W_g^T[k, og] x g_g[og, hw], split by Gemm; then folded by channels
                            Gemm.gemm(true, false, k, hw, og, w, gr * og * k, k, g, (im * v.cout() + gr * og) * hw, hw, col, 0, hw, false);
                            CpuThreads.parallelFor(cg, 1, foldBody);
                        }
                    }
                }
            } finally {
                this.g = this.w = this.dx = this.col = null;
            }
        }

        private void images(int i0, int i1) {
            int k = v.k(), hw = v.hw(), og = v.og(), cg = v.cg(), plane = v.plane();
            float[] c = SCRATCH.get().col(k * hw);
            for (int im = i0; im < i1; im++) {
                Arrays.fill(dx, im * v.cin() * plane, (im + 1) * v.cin() * plane, 0f);
                for (int gr = 0; gr < v.groups(); gr++) {
                    Gemm.serial(k, hw, og, w, gr * og * k, 1, k, g, (im * v.cout() + gr * og) * hw, hw, 1, c, 0, hw, false);
                    ConvKernels.col2im(v, c, 0, cg, dx, (im * v.cin() + gr * cg) * plane);
                }
            }
        }

        private void fold(int c0, int c1) {
            int plane = v.plane(), xo = (img * v.cin() + grp * v.cg()) * plane;
            Arrays.fill(dx, xo + c0 * plane, xo + c1 * plane, 0f);
            ConvKernels.col2im(v, col, c0, c1, dx, xo);
        }
    }
}
