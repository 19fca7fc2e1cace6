package dev.jasg.cpu;

import dev.jasg.core.ConvGeometry;

import java.util.Arrays;

/**
 * Convolution kernels on NCHW float arrays (max pooling is in {@link PoolKernels}): the geometry,
 * the unfolding ({@code im2col}) and its adjoint ({@code col2im}), and the choice of a kernel per
 * node. {@link #conv2d}, {@link #convTranspose2d} and {@link #weightGrad} return a {@link Run}
 * made once per plan, which holds the node's scratch and the loop bodies it hands to
 * {@link CpuThreads}, so a run allocates nothing.
 *
 * <p>Which kernel runs:
 * <ul>
 *   <li>one input channel per group ({@code C / groups == 1}: depthwise, or a first layer on a
 *       one-channel image) with a small kernel: {@link DirectConv}, loops over the taps with the
 *       output row as the vector axis (a product with a depth of {@code kh kw} would spend its time
 *       loading and storing tiles);</li>
 *   <li>a 3x3 kernel with stride 1, dilation 1 and one group, where {@link KernelChoice#winograd} says so (enough channels
 *       and tiles): {@link WinogradConv}, F(4x4, 3x3), products of 36 frequencies instead of the 9 taps';</li>
 *   <li>otherwise the GEMM lowering of {@link ConvGemm}: the batch is one matrix
 *       {@code [K, N Ho Wo]} of unfolded columns ({@code K = C/groups kh kw}), cut into blocks of
 *       columns that fit in L2, so the forward pass is {@code W [O, K] x col} on wide products; the
 *       kernel gradient sums {@code col x g^T} over the batch in one product per block; the input
 *       gradient of a stride-1 convolution is the forward convolution of {@code g} with the
 *       flipped kernel (a long-depth product instead of a short one and a scatter; on {@link WinogradConv}
 *       where that convolution is one it takes), and past stride 1 it is {@code W^T g} folded back with
 *       {@code col2im}.</li>
 * </ul>
 */
final class ConvKernels {
    private ConvKernels() {}

    /**
     * One convolution's sizes on the "image" side ({@code c, h, w}: the input of conv2d, the
     * output of its transpose) and the "column" side ({@code o, ho, wo}), with kernel
     * {@code kh x kw} and geometry {@code g}.
     */
    record Shape(int n, int c, int h, int w, int o, int ho, int wo, int kh, int kw, ConvGeometry g) {
        int groups() { return g.groups(); }
        int cg() { return c / g.groups(); }
        int og() { return o / g.groups(); }
        /** Rows of the unfolded matrix. */
        int k() { return cg() * kh * kw; }
        int hw() { return ho * wo; }
    }

    /**
     * A forward convolution as the kernels see it: {@code y [n, cout, ho, wo] = conv(x [n, cin, h, w], w [cout, cin/groups, kh, kw])}
     * with output position {@code (p, q)} reading input {@code (p sh - pt + i dh, q sw - pl + j dw)}; the offsets may be
     * negative (the stride-1 input gradient is such a convolution), and reads outside the image are zeros.
     */
    record Conv(int n, int groups, int cin, int h, int w, int cout, int ho, int wo, int kh, int kw, int sh, int sw, int pt, int pl,
                int dh, int dw) {
        Conv {
            if ((long) n * ho * wo > Integer.MAX_VALUE || (long) n * cin * h * w > Integer.MAX_VALUE
                    || (long) n * cout * ho * wo > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("conv2d: more than 2^31 elements per tensor: n " + n + ", " + cin + "x" + h + "x" + w + " -> "
                        + cout + "x" + ho + "x" + wo);
            }
        }

        static Conv of(Shape s) {
            ConvGeometry g = s.g();
            return new Conv(s.n(), g.groups(), s.c(), s.h(), s.w(), s.o(), s.ho(), s.wo(), s.kh(), s.kw(), g.strideH(), g.strideW(), g.padTop(),
                    g.padLeft(), g.dilationH(), g.dilationW());
        }

        int cg() { return cin / groups; }
        int og() { return cout / groups; }
        /** Rows of the unfolded matrix: {@code (c, i, j)}. */
        int k() { return cg() * kh * kw; }
        int hw() { return ho * wo; }
        int plane() { return h * w; }
        /** Multiply-adds of the whole convolution. */
        long work() { return (long) n * cout * hw() * k(); }

        /** True when the unfolded matrix of an image is the image itself (1x1 kernel, stride 1, no offset, same size). */
        boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && ho == h && wo == w;
        }
    }

    /** A convolution kernel for one node of a plan: {@code out = f(a, b)}. Not thread-safe: one run at a time (an executable's runs are serialised). */
    interface Run {
        void run(float[] a, float[] b, float[] out);

        /**
         * {@link #run}, where the caller vouches that {@code b} is the very array of its previous call on this kernel and
         * unchanged since (a {@link FoldedWeights} copy not made again): a kernel that keeps something derived from it
         * ({@link WinogradConv}'s transformed weights) may skip checking it.
         */
        default void runUnchanged(float[] a, float[] b, float[] out) {
            run(a, b, out);
        }
    }

    /**
     * A kernel that keeps something derived from its weights ({@link WinogradConv}'s transformed weights,
     * {@link ConvGemm.ChannelsAsColumns}' packed ones): {@link #run} has it compare the weights with a copy of those it
     * derived from ({@link #stillDerivedFrom}), {@link #runUnchanged} lets it skip that for the very array of its last call.
     */
    abstract static class KeepsDerivedWeights implements Run {
        /** A copy of the weights derived from, the array of the last call, and whether what was derived is complete. */
        private float[] seen, last;
        private boolean derived;

        /**
         * Whether what this kernel derived is from {@code w}'s first {@code size} values: it derived something, and
         * {@code w} is the last call's array ({@code vouched}) or equal to the copy kept. Records {@code w} as the last call's.
         */
        final boolean stillDerivedFrom(float[] w, int size, boolean vouched) {
            boolean same = derived && (vouched && w == last || Arrays.equals(w, 0, size, seen, 0, size));
            last = w;
            return same;
        }

        /** Whether this kernel derived anything from weights yet (and has not {@link #forget}-ten it). */
        final boolean hasDerived() {
            return derived;
        }

        /** Says that deriving from new weights starts: until {@link #derivedFrom}, nothing kept counts. */
        final void deriving() {
            derived = false;
        }

        /** Says that what was derived is from {@code w}'s first {@code size} values, and keeps a copy of them. */
        final void derivedFrom(float[] w, int size) {
            if (seen == null || seen.length < size) seen = new float[size];
            System.arraycopy(w, 0, seen, 0, size);
            last = w;
            derived = true;
        }

        /** Drops the copy: nothing derived is kept any more. */
        final void forget() {
            seen = last = null;
            derived = false;
        }

        @Override
        public final void run(float[] a, float[] b, float[] out) {
            run(a, b, out, false);
        }

        @Override
        public final void runUnchanged(float[] a, float[] b, float[] out) {
            run(a, b, out, true);
        }

        /** One run; {@code vouched}: the caller vouches that {@code b} is its last call's array, unchanged since. */
        abstract void run(float[] a, float[] b, float[] out, boolean vouched);
    }

    /** Input channels per group from which a stride-1 input gradient runs as the flipped forward convolution. */
    static final int FLIP_ROWS_MIN = 64;

    /** Kernel taps up to which a one-channel-per-group convolution runs {@link DirectConv} rather than a product of that depth. */
    static final int DIRECT_TAPS_MAX = 49;

    /**
     * {@code -Djasg.cpu.conv=gemm} lowers every convolution to products, {@code plain} keeps {@link DirectConv} off the Vector
     * API (and both keep {@link WinogradConv} and {@link ConvGemm.ChannelsAsColumns} off), {@code winograd} runs every forward convolution it fits (3x3, stride 1,
     * dilation 1, one group) by {@link WinogradConv} whatever {@link KernelChoice#winograd} says; read when a plan is made,
     * to measure the alternatives and to test the paths a machine would not take.
     */
    static final String PATH_PROPERTY = "jasg.cpu.conv";

    /** Whether {@code v} runs {@link DirectConv}: one input channel per group and a small kernel. */
    static boolean direct(Conv v) {
        return v.cg() == 1 && v.kh() * v.kw() <= DIRECT_TAPS_MAX && !"gemm".equals(System.getProperty(PATH_PROPERTY));
    }

    /** Whether the forward convolution {@code v} runs {@link WinogradConv}: it fits, and the property forces it or {@link KernelChoice#winograd} picks it. */
    static boolean winograd(Conv v) {
        if (!WinogradConv.fits(v)) return false;
        String path = System.getProperty(PATH_PROPERTY, "");
        if (path.equals("winograd")) return true;
        if (path.equals("gemm") || path.equals("plain")) return false;
        return KernelChoice.CHOSEN.winograd(v.cin(), v.cout(), WinogradConv.tiles(v));
    }

    /**
     * Whether the input gradient of {@code v} runs as its flipped forward convolution on {@link WinogradConv}: {@code v} has
     * stride 1, that convolution's offsets are not negative (padding within the kernel's reach) and {@link #winograd} takes it; not under
     * {@code -Djasg.cpu.winogradInputGradient=false} (read when a plan is made, for timing the two).
     */
    static boolean winogradFlipped(Conv v) {
        // past stride 1 the input gradient is no forward convolution (forwardOf would misdescribe it)
        if (v.sh() != 1 || v.sw() != 1 || "false".equals(System.getProperty("jasg.cpu.winogradInputGradient"))) return false;
        Conv f = ConvGemm.FlippedTransposed.forwardOf(v);
        return f.pt() >= 0 && f.pl() >= 0 && winograd(f);
    }

    /** {@code y = conv2d(x, w)}: {@code x [n, c, h, w]}, {@code w [o, cg, kh, kw]}, {@code y [n, o, ho, wo]}. */
    static Run conv2d(Shape s) {
        Conv v = Conv.of(s);
        if (winograd(v)) return new WinogradConv(v);
        if (direct(v)) return DirectConv.forward(v);
        return channelsAsColumns(v) ? new ConvGemm.ChannelsAsColumns(v) : new ConvGemm.Forward(v);
    }

    /**
     * Whether the forward convolution {@code v} runs {@link ConvGemm.ChannelsAsColumns}: it fits (one group, no more columns
     * than output channels), unless {@value #PATH_PROPERTY} is {@code gemm} or {@code plain} (then {@link ConvGemm.Forward}),
     * with the Vector API's products (the scalar fallback gains nothing from the packed weights); off with
     * {@code -Djasg.cpu.convChannelsAsColumns=false}.
     */
    static boolean channelsAsColumns(Conv v) {
        String path = System.getProperty(PATH_PROPERTY, "");
        return Gemm.VECTOR && !path.equals("gemm") && !path.equals("plain") && ConvGemm.ChannelsAsColumns.fits(v)
                && Boolean.parseBoolean(System.getProperty("jasg.cpu.convChannelsAsColumns", "true"));
    }

    /**
     * {@code out = conv_transpose2d(x, w)}: {@code x [n, o, ho, wo]} on the column side,
     * {@code w [o, cg, kh, kw]}, {@code out [n, c, h, w]} on the image side.
     */
    static Run convTranspose2d(Shape s) {
        Conv v = Conv.of(s);
        if (s.og() == 1 && direct(v)) return DirectConv.transposed(v);
        boolean stride1 = s.g().strideH() == 1 && s.g().strideW() == 1;
        // the flipped convolution runs WinogradConv where the forward one of its shape would (winograd)
        boolean winograd = winogradFlipped(v);
        // the flipped convolution's product has C/groups rows to share each packed block of unfolded g with: with fewer
        // than FLIP_ROWS_MIN, W^T g (K rows) and the fold back measured faster (32 -> 64 channels 3x3 at 14 x 14)
        boolean flip = stride1 && (winograd || s.cg() >= FLIP_ROWS_MIN);
        return flip ? new ConvGemm.FlippedTransposed(v, winograd) : new ConvGemm.Col2imTransposed(v);
    }

    /**
     * {@code dw[o, cg, kh, kw] = sum over images of g[n, o, :, :] x col(x[n])^T}: {@code x} is
     * {@code [n, c, h, w]} and {@code g [n, o, ho, wo]} (the shape's output size is the
     * gradient's, which may be smaller than the convolution's; the rest counts as zero).
     */
    static Run weightGrad(Shape s) {
        Conv v = Conv.of(s);
        // a product of depth N Ho Wo is the better kernel gradient unless it is one number per output channel and tap
        return direct(v) && s.og() == 1 ? DirectConv.weightGrad(v) : new ConvGemm.WeightGrad(v);
    }

    /**
     * Unfolds rows {@code [r0, r1)} and positions {@code [j0, j1)} (of {@code ho wo}) of one image into
     * {@code col[co + (r - r0) ld + (pos - j0)]}, row {@code r = (c, i, j)}, zeros where the tap falls outside the image;
     * {@code xo} is where the image's (the group's) first input channel starts.
     */
    static void im2col(Conv v, float[] x, int xo, int r0, int r1, int j0, int j1, float[] col, int co, int ld) {
        int h = v.h(), w = v.w(), wo = v.wo(), sh = v.sh(), sw = v.sw(), taps = v.kh() * v.kw(), plane = h * w;
        if (sh == 1 && sw == 1 && wo == w && j1 > j0) {
            shiftedRows(v, x, xo, r0, r1, j0, j1, col, co, ld);
            return;
        }
        if (sw > 1 && v.kw() > 2 * sw && j1 > j0) {
            phaseRows(v, x, xo, r0, r1, j0, j1, col, co, ld);
            return;
        }
        int p0 = j0 / wo, p1 = (j1 - 1) / wo;
        for (int row = r0; row < r1; row++) {
            int c = row / taps, i = row / v.kw() % v.kh(), j = row % v.kw();
            int base = co + (row - r0) * ld - j0, src0 = xo + c * plane;
            int c0 = j * v.dw() - v.pl(), in0 = firstInside(c0, sw), in1 = endInside(c0, sw, w, wo);
            for (int p = p0; p <= p1; p++) {
                int qa = Math.max(0, j0 - p * wo), qb = Math.min(wo, j1 - p * wo), dst = base + p * wo;
                int r = p * sh - v.pt() + i * v.dh();
                if (r < 0 || r >= h) {
                    Arrays.fill(col, dst + qa, dst + qb, 0f);
                    continue;
                }
                int q0 = Math.clamp(in0, qa, qb), q1 = Math.clamp(in1, q0, qb), src = src0 + r * w + c0;
                // the padding columns, then a straight copy (a strided one past stride 1)
                for (int q = qa; q < q0; q++) col[dst + q] = 0f;
                if (sw == 1) {
                    // not for an empty stretch: past the image's right edge src + q0 may lie past x's end, which even an
                    // empty copy rejects (a kernel gradient's block ending in the padding of the last channel's last row)
                    if (q1 > q0) System.arraycopy(x, src + q0, col, dst + q0, q1 - q0);
                } else {
                    for (int q = q0, cc = src + q0 * sw; q < q1; q++, cc += sw) col[dst + q] = x[cc];
                }
                for (int q = q1; q < qb; q++) col[dst + q] = 0f;
            }
        }
    }

    /**
     * {@link #im2col} of a stride-1 convolution whose output rows are as wide as the input's ({@code wo == w}, a "same"
     * padding): position {@code pos = p wo + q} of row {@code (c, i, j)} reads {@code x[plane_c + pos + (i dh - pt) w + j dw - pl]},
     * linear in {@code pos}, so the row's positions whose input row is inside are one copy, and only the columns that
     * wrapped around to the neighbouring input row ({@code q} left of {@link #firstInside} or from {@link #endInside})
     * are set to zero after it: one copy a row instead of one per output row, which cost ~10 ns each on the 7 x 7 and
     * 14 x 14 maps (most of the unfolding's time). The same values as the general loop.
     */
    private static void shiftedRows(Conv v, float[] x, int xo, int r0, int r1, int j0, int j1, float[] col, int co, int ld) {
        int h = v.h(), w = v.w(), taps = v.kh() * v.kw(), plane = h * w, n = j1 - j0;
        int p0 = j0 / w, p1 = (j1 - 1) / w;
        for (int row = r0; row < r1; row++) {
            int c = row / taps, i = row / v.kw() % v.kh(), j = row % v.kw();
            int dst = co + (row - r0) * ld - j0, src0 = xo + c * plane;
            int rowShift = i * v.dh() - v.pt(), c0 = j * v.dw() - v.pl();
            int q0 = firstInside(c0, 1), q1 = endInside(c0, 1, w, w);
            // output rows p whose input row p + rowShift is inside the image: [pa, pb)
            int pa = Math.max(0, -rowShift), pb = Math.min(v.ho(), h - rowShift);
            int a = Math.max(j0, pa * w), e = Math.min(j1, pb * w);
            if (a >= e || q0 >= q1) {
                Arrays.fill(col, dst + j0, dst + j1, 0f);
                continue;
            }
            Arrays.fill(col, dst + j0, dst + a, 0f);
            Arrays.fill(col, dst + e, dst + j1, 0f);
            // the copy, clipped to the channel's plane (what it would read past it lands in wrapped columns, zeroed below)
            int delta = src0 + rowShift * w + c0, ca = Math.max(a, src0 - delta), ce = Math.min(e, src0 + plane - delta);
            if (ce > ca) System.arraycopy(x, ca + delta, col, dst + ca, ce - ca);
            if (ca > a) Arrays.fill(col, dst + a, dst + ca, 0f);
            if (e > ce) Arrays.fill(col, dst + Math.max(ce, a), dst + e, 0f);
            if (q0 == 0 && q1 == w) continue;
            for (int p = Math.max(p0, pa); p <= Math.min(p1, pb - 1); p++) {
                int rs = p * w;
                for (int q = Math.max(0, a - rs); q < Math.min(q0, e - rs); q++) col[dst + rs + q] = 0f;
                for (int q = Math.max(q1, a - rs); q < Math.min(w, e - rs); q++) col[dst + rs + q] = 0f;
            }
        }
    }

    /** Per thread: an input row split into its {@code sw} phases, for {@link #phaseRows}. */
    private static final ThreadLocal<float[][]> PHASES = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * {@link #im2col} past stride 1 with more than twice as many kernel columns as the stride ({@code kw > 2 sw}: resnet's
     * 7 x 7 kernel at stride 2, whose unfolding took 0.86 -> 0.62 ms an image this way; a 3 x 3 kernel at stride 2 measured
     * slower, 0.29 -> 0.39 ms, one thread on Zen 5, and keeps the general loop): tap {@code j} of output column {@code q} reads input column {@code q sw + c0 = sw (q + floorDiv(c0, sw)) +
     * floorMod(c0, sw)}, so each input row is split once into its {@code sw} phases (columns {@code phi + t sw}) and every
     * tap's stretch of an output row is then one copy from a phase, where the general loop gathered each tap's columns one
     * by one ({@code kw} strided passes over the row instead of one). The same values as the general loop.
     */
    private static void phaseRows(Conv v, float[] x, int xo, int r0, int r1, int j0, int j1, float[] col, int co, int ld) {
        int h = v.h(), w = v.w(), wo = v.wo(), sw = v.sw(), kh = v.kh(), kw = v.kw(), plane = h * w, pw = (w + sw - 1) / sw;
        float[][] holder = PHASES.get();
        if (holder[0].length < sw * pw) holder[0] = new float[sw * pw];
        float[] ph = holder[0];
        int p0 = j0 / wo, p1 = (j1 - 1) / wo;
        // rows (c, i, j) a group (c, i) at a time: the group's taps read the same input rows
        for (int gi = r0 / kw; gi <= (r1 - 1) / kw; gi++) {
            int ja = Math.max(r0, gi * kw) - gi * kw, jb = Math.min(r1, (gi + 1) * kw) - gi * kw;
            int c = gi / kh, i = gi % kh, src0 = xo + c * plane;
            for (int p = p0; p <= p1; p++) {
                int qa = Math.max(0, j0 - p * wo), qb = Math.min(wo, j1 - p * wo), r = p * v.sh() - v.pt() + i * v.dh();
                boolean inside = r >= 0 && r < h;
                if (inside) {
                    int src = src0 + r * w;
                    for (int phase = 0; phase < sw; phase++) {
                        for (int t = 0, at = phase * pw, cc = src + phase; cc < src + w; t++, cc += sw) ph[at + t] = x[cc];
                    }
                }
                for (int j = ja; j < jb; j++) {
                    int dst = co + (gi * kw + j - r0) * ld - j0 + p * wo;
                    if (!inside) {
                        Arrays.fill(col, dst + qa, dst + qb, 0f);
                        continue;
                    }
                    int c0 = j * v.dw() - v.pl(), in0 = firstInside(c0, sw), in1 = endInside(c0, sw, w, wo);
                    int q0 = Math.clamp(in0, qa, qb), q1 = Math.clamp(in1, q0, qb);
                    for (int q = qa; q < q0; q++) col[dst + q] = 0f;
                    if (q1 > q0) System.arraycopy(ph, Math.floorMod(c0, sw) * pw + q0 + Math.floorDiv(c0, sw), col, dst + q0, q1 - q0);
                    for (int q = q1; q < qb; q++) col[dst + q] = 0f;
                }
            }
        }
    }

    /**
     * Whether {@link ConvGemm.Forward} unfolds {@code v}'s blocks straight into the product's packed layout
     * ({@link #unfoldPacked}): with the Vector API, at column stride 1 or 2, output rows a whole number of vectors wide
     * (so no vector of a strip spans two rows), and a depth the product takes in one slice; not for a 1x1 kernel read
     * in place. Off with {@code -Djasg.cpu.convPackedUnfold=false} (and under {@value #PATH_PROPERTY}{@code =plain}).
     */
    static boolean unfoldsPacked(Conv v) {
        if (!Gemm.VECTOR || v.pointwise() || "plain".equals(System.getProperty(PATH_PROPERTY))
                || !Boolean.parseBoolean(System.getProperty("jasg.cpu.convPackedUnfold", "true"))) {
            return false;
        }
        int lanes = VectorArith.lanes();
        return (v.sw() == 1 || v.sw() == 2) && v.wo() % lanes == 0 && Gemm.NR % lanes == 0 && Gemm.sliceDepth(v.k()) == v.k();
    }

    /** Floats of one column phase of a padded input row for {@link #unfoldPacked}: the output row and the kernel's reach, in whole vectors. */
    static int phaseLength(Conv v) {
        int lanes = VectorArith.lanes();
        return (v.wo() + (v.kw() - 1) * v.dw() / v.sw() + lanes) / lanes * lanes;
    }

    /** Input rows {@link #unfoldPacked} reads for output positions {@code [pos0, pos0 + width)}. */
    static int rowSpan(Conv v, int pos0, int width) {
        int pa = pos0 / v.wo(), pb = (pos0 + width - 1) / v.wo();
        return (pb - pa) * v.sh() + (v.kh() - 1) * v.dh() + 1;
    }

    /**
     * {@link #im2col} of positions {@code [pos0, pos0 + width)} of one image (from {@code xo}) written straight into
     * {@link Gemm#packPanel}'s layout of a depth-{@code K} panel ({@code K} rows in one slice, {@code width} columns in
     * strips of {@code NR}, a last strip's spare columns zero), for {@link Gemm#serialPacked}: where the GEMM lowering
     * unfolded into rows and then packed them, a second pass over the block. Each input row the block reads is first
     * laid out padded with zeros and, at stride 2, split into its even and odd columns ({@link VectorArith#unzip2}), into
     * {@code phases} ({@code cg} x {@link #rowSpan} x {@code sw} x {@link #phaseLength} floats); tap {@code (i, j)} of
     * output columns {@code q .. q + V} is then columns {@code q + j dw / sw ..} of phase {@code j dw % sw} of its row,
     * one vector moved into the panel. {@code pad} is scratch of {@code sw} x {@link #phaseLength} floats. Only where
     * {@link #unfoldsPacked}; the same values as {@link #im2col}.
     */
    static void unfoldPacked(Conv v, float[] x, int xo, int pos0, int width, float[] panel, float[] phases, float[] pad) {
        int lanes = VectorArith.lanes(), nr = Gemm.NR, k = v.k(), wo = v.wo(), h = v.h(), w = v.w(), sw = v.sw(), sh = v.sh();
        int kh = v.kh(), kw = v.kw(), dh = v.dh(), dw = v.dw(), plane = h * w, len = phaseLength(v), padded = sw * len;
        int span = rowSpan(v, pos0, width), r0 = pos0 / wo * sh - v.pt();
        // the padded rows and their phases: row ri at slot (c span + ri - r0) sw len, phase f len floats further
        int u0 = Math.max(0, v.pl()), col0 = u0 - v.pl();
        for (int c = 0; c < v.cg(); c++) {
            for (int t = 0; t < span; t++) {
                int ri = r0 + t;
                if (ri < 0 || ri >= h) continue;
                int slot = (c * span + t) * padded, n = Math.min(w - col0, padded - u0);
                float[] dst = sw == 1 ? phases : pad;
                int at = sw == 1 ? slot : 0;
                // zeros around the row's copy, each float written once
                int lead = Math.min(u0, padded), copied = Math.max(0, n);
                Arrays.fill(dst, at, at + lead, 0f);
                if (n > 0) System.arraycopy(x, xo + c * plane + ri * w + col0, dst, at + u0, n);
                Arrays.fill(dst, at + lead + copied, at + padded, 0f);
                if (sw == 2) VectorArith.unzip2(pad, padded, phases, slot, slot + len);
            }
        }
        // strip by strip, each row (c, i, j) of the strip's NR columns written whole: its vectors from the rows the
        // strip's halves read (no divisions in the loop over the rows: they cost more than the moves)
        int strips = (width + nr - 1) / nr, halves = nr / lanes;
        for (int s = 0; s < strips; s++) {
            int base = s * k * nr;
            for (int c = 0, r = 0; c < v.cg(); c++) {
                for (int i = 0; i < kh; i++, r += kw) {
                    for (int half = 0; half < halves; half++) {
                        int col = s * nr + half * lanes, dst = base + r * nr + half * lanes;
                        int pos = pos0 + col, p = pos / wo, t = p * sh - v.pt() + i * dh - r0, ri = r0 + t;
                        if (col >= width || ri < 0 || ri >= h) {
                            for (int j = 0; j < kw; j++) Arrays.fill(panel, dst + j * nr, dst + j * nr + lanes, 0f);
                            continue;
                        }
                        int row = (c * span + t) * sw * len + pos % wo;
                        if (sw == 1) {
                            for (int j = 0, tap = 0; j < kw; j++, tap += dw) VectorArith.copyVector(phases, row + tap, panel, dst + j * nr);
                        } else {
                            for (int j = 0, tap = 0; j < kw; j++, tap += dw) {
                                VectorArith.copyVector(phases, row + (tap & 1) * len + (tap >> 1), panel, dst + j * nr);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The first output column {@code q} whose input column {@code q sw + c0} is not left of the image. */
    static int firstInside(int c0, int sw) {
        return c0 >= 0 ? 0 : (-c0 + sw - 1) / sw;
    }

    /** One past the last output column {@code q < wo} whose input column {@code q sw + c0} is left of {@code w}. */
    static int endInside(int c0, int sw, int w, int wo) {
        return w - 1 - c0 < 0 ? 0 : Math.min(wo, (w - 1 - c0) / sw + 1);
    }

    /**
     * Adds {@code col[(c, i, j), (p, q)]} ({@code K x ho wo}, row-major) back onto the image at {@code out[xo..]} for the
     * channels {@code [c0, c1)} of the group: the adjoint of {@link #im2col}.
     */
    static void col2im(Conv v, float[] col, int c0, int c1, float[] out, int xo) {
        int h = v.h(), w = v.w(), ho = v.ho(), wo = v.wo(), hw = v.hw(), sw = v.sw();
        for (int c = c0; c < c1; c++) {
            int plane = xo + c * h * w;
            for (int i = 0; i < v.kh(); i++) {
                for (int j = 0; j < v.kw(); j++) {
                    int row = ((c * v.kh() + i) * v.kw() + j) * hw;
                    int cc0 = j * v.dw() - v.pl(), q0 = firstInside(cc0, sw), q1 = endInside(cc0, sw, w, wo);
                    for (int p = 0; p < ho; p++) {
                        int r = p * v.sh() - v.pt() + i * v.dh();
                        if (r < 0 || r >= h) continue;
                        int dst = plane + r * w, src = row + p * wo;
                        if (sw == 1) {
                            // a shifted add the JIT vectorises
                            for (int q = q0, o = dst + cc0; q < q1; q++) out[o + q] += col[src + q];
                        } else {
                            for (int q = q0, cc = dst + q0 * sw + cc0; q < q1; q++, cc += sw) out[cc] += col[src + q];
                        }
                    }
                }
            }
        }
    }
}
