package dev.jasg.gpu;

import dev.jasg.core.ConvGeometry;
import java.util.Locale;

/**
 * GLSL kernels of the convolution primitives on NCHW tensors, and the push constants that
 * describe one launch (max pooling: {@link PoolKernels}).
 *
 * <p><b>Convolutions as implicit matrix products.</b> Per group {@code g}, each of the three
 * convolution ops is a product {@code C[m, col] = sum_k A[m, k] B[k, col]} whose operands are
 * never materialised: the kernel computes the address of {@code A[m, k]} and {@code B[k, col]}
 * from the geometry when it loads a tile (zero in the padding).
 * <ul>
 *   <li>conv2d: {@code y[n, gOg+m, p, q] = sum_{(c,i,j)} w[gOg+m, c, i, j] x[n, gCg+c, p sh - pt + i dh, q sw - pl + j dw]}:
 *       {@code M = Og}, {@code K = Cg kh kw}, columns {@code (n, p, q)}.</li>
 *   <li>conv_transpose2d, in gather form: {@code y[n, gCog+m, r, s] = sum_{(c,i,j)} w[gCig+c, m, i, j] x[n, gCig+c, (r + pt - i dh)/sh, (s + pl - j dw)/sw]},
 *       a term only where both divisions are exact and land inside the input: {@code M = Cout/groups},
 *       {@code K = Cig kh kw}, columns {@code (n, r, s)}. The outputs are split into the
 *       {@code sh sw} phases {@code (r mod sh, s mod sw)}: each phase receives a fixed subset of
 *       the taps, so it is a dense product over just those and no work is spent on the zeros
 *       the stride inserts.</li>
 *   <li>conv2d weight gradient: {@code dw[gOg+m, c, i, j] = sum_{(n,p,q)} g[n, gOg+m, p, q] x[n, gCg+c, p sh - pt + i dh, q sw - pl + j dw]}
 *       over the gradient's {@code gh x gw} positions: {@code M = Og}, columns {@code (c, i, j)},
 *       {@code K = N gh gw}. When the output's tiles are too few to fill the device, the reduction is
 *       split over workgroups ({@link #splits}): each writes its partial tile into the plan's
 *       workspace and a second pass ({@link #splitSum}) adds the splits in a fixed order, so the
 *       sum needs no atomics and is deterministic; otherwise one workgroup owns one output tile and
 *       walks the whole reduction.</li>
 * </ul>
 * The tiled kernel is the register-blocked scheme of {@link MatMulKernel}: a workgroup computes
 * a {@code BM x BN} tile, each invocation {@code TM x TN} accumulators (rows
 * {@code ty*4 + i%4 + (i/4)*4TY}, so shared-memory reads are 16-byte vectors), with {@code BK}-deep
 * tiles of A (stored k-major) and B in shared memory and the next step's tiles prefetched into
 * registers while the current one is multiplied. The reduction is walked in steps that keep
 * the index arithmetic out of the loads: conv2d (with at least BK channels per group) and the
 * transposed convolution step through (kernel tap, block of BK channels), the weight gradient
 * through (image, gradient row, block of BK columns); each invocation's B column is decomposed
 * once, each step's position once per invocation, and a load is then one multiply-add away.
 * Thin outputs over long reductions (weight gradients of few channels) would leave most of a
 * GPU idle with one tile per workgroup, so the smaller tiles split their workgroup into
 * {@code S} slices that take every {@code S}-th step and add their partial tiles by a fixed
 * tree in shared memory: still one pass, deterministic. {@link #tiles} picks the shape.
 * Operands too thin for a tile (depthwise and few-channel convolutions: {@code M} or {@code K}
 * below {@link #MIN_GEMM}) use direct kernels: one invocation per output pixel and chunk of
 * output channels for the forward ops (each input value loaded once for the chunk; the
 * transposed one visits only the exact taps), one workgroup per weight-gradient element with a
 * tree sum.
 *
 * <p>Every kernel rounds what it stores with the node's {@code mode} (see {@link Lowering#mode}).
 */
final class ConvKernels {
    /** Below this many rows ({@code M}) or reduction terms ({@code K}) a tile would be mostly padding: direct kernels instead. */
    static final int MIN_GEMM = 16;

    /** Which convolution a kernel computes. */
    enum Conv {
        FORWARD("conv2d"), TRANSPOSED("conv_transpose2d"), WEIGHT_GRAD("conv2d_weight_grad");

        final String label;

        Conv(String label) {
            this.label = label;
        }
    }

    /**
     * A tile configuration: {@code S} slices of {@code TX x TY} invocations ({@code 256 = S TX TY}),
     * each invocation {@code TM x TN} accumulators, so the tile is {@code BM = TY TM} by
     * {@code BN = TX TN}; the slices split the reduction between them and add their partial
     * tiles in a fixed order at the end. {@code BK} is the depth of one step.
     */
    record Tiles(int tx, int ty, int tm, int tn, int slices, int bk) {
        int bm() { return ty * tm; }
        int bn() { return tx * tn; }
        int threads() { return tx * ty; }

        /** Bytes of shared memory: the A and B tiles of every slice, and the partial tiles of half the slices (a tree sum). */
        int sharedBytes() {
            return 4 * (slices * (bm() + bn()) * bk + slices / 2 * bm() * bn());
        }
    }

    /**
     * The tile shapes, largest first: 128 x 128, 64 x 256 (outputs of 64 channels, as a ResNet's first stage: 64
     * accumulators an invocation where a 64 x 64 tile has 16, so a quarter of the shared-memory reads per multiply-add)
     * and 64 x 64 tiles, then 32 x 32 in 4 slices and 16 x 16 in 16 for thin outputs over long reductions.
     */
    private static final int[][] SHAPES = {{16, 16, 8, 8, 1}, {32, 8, 8, 8, 1}, {16, 16, 4, 4, 1}, {8, 8, 4, 4, 4}, {4, 4, 4, 4, 16}};

    /**
     * The tiled kernels' layout choices, each a system property ({@code true} or {@code false}) read when a plan is built,
     * so one can be timed against another and tests can run both (all but {@code WEIGHT_GRAD_K_MAJOR} are on by default):
     * <ul>
     *   <li>{@code SWIZZLE}: A's shared tile (written transposed, k-major) through an XOR swizzle of its 16-byte slots
     *       ({@code conv_gemm.comp}'s ASWZ); without it a warp's stores of one row's consecutive k all land in one bank.</li>
     *   <li>{@code TAP_MAJOR}: conv2d and the transposed convolution read their weight from a tap-major copy in the plan's
     *       workspace ({@link #relayout}).</li>
     *   <li>{@code WEIGHT_GRAD_K_MAJOR}: the weight gradient's invocations load the image (B) along the reduction,
     *       consecutive columns of one image row, rather than along B's columns, whose (channel, tap) pairs lie a row or a
     *       channel plane apart; B's tile is then written transposed too, through its own swizzle.</li>
     *   <li>{@code WIDE}: the 64 x 256 tile (see {@link #SHAPES}) for conv2d over a reduction of at least
     *       {@link #wideMinK()} ({@link #wide}).</li>
     * </ul>
     */
    enum Layout {
        SWIZZLE("jasg.vulkan.conv.swizzle", true), TAP_MAJOR("jasg.vulkan.conv.relayout", true),
        // opt-in until timed on NVIDIA: it trades scattered loads for a column decomposition per load (~25 more
        // instructions a load against ~1,000 multiply-adds a step)
        WEIGHT_GRAD_K_MAJOR("jasg.vulkan.conv.wgradKMajor", false),
        WIDE("jasg.vulkan.conv.wide", true);

        final String property;
        final boolean byDefault;

        Layout(String property, boolean byDefault) {
            this.property = property;
            this.byDefault = byDefault;
        }

        /** Whether the choice is taken: its property, {@code true} or {@code false}, else its default. */
        boolean on() {
            String v = System.getProperty(property);
            return v == null ? byDefault : Boolean.parseBoolean(v);
        }
    }

    private ConvKernels() {}

    /**
     * The shortest reduction ({@code Cg kh kw}) for which conv2d takes the 64 x 256 tile (property
     * {@code jasg.vulkan.conv.wideMinK}, default 512). Timed on an H100 (2026-12-06, {@code gpu-machine.sh layouts}, two
     * rounds): a 3x3 conv2d of 64 channels at 56 x 56 (a reduction of 576) 0.330 ms on it against 0.342 on 64 x 64 tiles,
     * but a 1x1 of 256 to 64 channels (256) 0.192 against 0.172, and the transposed convolution of that 3x3 (the input
     * gradient) 0.394 against 0.350: short reductions and the transposed kernel's scattered image reads leave too few
     * steps to pay for the larger tile's loads.
     */
    static int wideMinK() {
        return Integer.getInteger("jasg.vulkan.conv.wideMinK", 512);
    }

    /**
     * The workgroups the forward's and the input gradient's tile choice aims for before it takes a smaller tile (property
     * {@code jasg.vulkan.conv.minGroups}, default 128). The 3x3 layer of 128 channels at 28x28 (batch 32) makes 196
     * workgroups of 128 x 128 (about one and a half per multiprocessor on an H100), 784 of 64 x 64 with a target of 256.
     * Timed on an H100 (2026-12-06, {@code gpu-machine.sh layouts}): 256 ran that layer's forward in 0.333 ms against 0.347
     * and its input gradient in 0.334 against 0.353, the other layers alike; 512 ran the 256-channel layer's forward in
     * 0.509 against 0.358. So the occupancy was not why the tiled kernel runs at ~21 TFLOPS there.
     */
    static int minGroups() {
        return Integer.getInteger("jasg.vulkan.conv.minGroups", 128);
    }

    /**
     * The workgroups the weight gradient's tile choice aims for before its reduction is split across workgroups
     * (property {@code jasg.vulkan.conv.wgradMinGroups}, default 1): a high target takes the sliced small tiles for its
     * long reductions, a low one the large tiles with more splits. Timed on an H100 (2026-12-06, ConvBench, with
     * {@link #MAX_SPLITS} 64): target 1 against 256 ran the 3x3 layers' kernel gradient in 0.372 against 1.370 ms
     * (64 channels, 56x56), 0.317 against 0.957 (128, 28x28), 0.447 against 0.661 (256, 14x14), the 1x1 256-to-64 in
     * 0.253 against 0.506 and the cnn's 3x3 32-to-64 in 0.109 against 0.192.
     */
    static int wgradMinGroups() {
        return Integer.getInteger("jasg.vulkan.conv.wgradMinGroups", 1);
    }

    /**
     * {@code t} with the weight gradient's step depth set by property {@code jasg.vulkan.conv.wgradBk} (4 to 32; unset or 0:
     * {@code t} as chosen): a step spans BK output columns of one image row, so a depth that divides the row ({@code Wo})
     * pads none of it, where BK 32 pads a row of 56 to 64 and one of 14 to 32. Ignored where the depth does not fit the
     * tile's invocations or half of {@code maxSharedBytes} (as {@link #tiles}).
     */
    static Tiles wgradDepth(Tiles t, int maxSharedBytes) {
        int bk = Integer.getInteger("jasg.vulkan.conv.wgradBk", 0);
        if (bk < 4 || bk > 32 || Integer.bitCount(bk) != 1 || bk == t.bk()) return t;
        Tiles d = new Tiles(t.tx(), t.ty(), t.tm(), t.tn(), t.slices(), bk);
        return d.threads() % bk == 0 && d.threads() % d.bn() == 0 && d.sharedBytes() <= maxSharedBytes / 2 ? d : t;
    }

    /**
     * Whether 1 x 1 convolutions (stride 1, no padding, one group, f32) run as batched matrix products on {@link MatMulKernel}
     * (property {@code jasg.vulkan.conv.pointwiseMatmul}, default on; {@code false} for the conv kernel): the forward as
     * {@code W x[n]}, the input gradient as {@code W^T g[n]}. On an H100 (2026-12-06) the 1x1 256-to-64 layer at 56x56 ran
     * its forward in 0.108 ms against the conv kernel's 0.172 (cuDNN 0.128), its input gradient in 0.209 (cuDNN 0.230).
     */
    static boolean pointwiseProduct() {
        return !"false".equals(System.getProperty("jasg.vulkan.conv.pointwiseMatmul"));
    }

    /** Whether {@code conv} over a reduction of {@code k} may take the 64 x 256 tile: conv2d only, {@link #wideMinK()} and up, with {@link Layout#WIDE} on. */
    static boolean wide(Conv conv, int k) {
        return conv == Conv.FORWARD && k >= wideMinK() && Layout.WIDE.on();
    }

    /**
     * The tile for an {@code m x n} output per group ({@code batches} groups) over a reduction of
     * {@code k}: the largest shape that still makes {@code minGroups} workgroups (a big GPU wants a
     * few per multiprocessor) and, for sliced shapes, gives every slice a few steps of the
     * reduction; the shape with the most workgroups when none does. BK is as deep as half the
     * shared memory allows (as MatMulKernel, leaving room for a second resident workgroup). The 64 x 256 shape only where
     * {@code wide} ({@link #wide}).
     */
    static Tiles tiles(int m, int n, int k, long batches, int maxSharedBytes, int minGroups, boolean wide) {
        Tiles pick = null;
        for (int[] sh : SHAPES) {
            if (sh[0] == 32 && !wide) continue;
            Tiles t = withDepth(sh, maxSharedBytes);
            if (t == null) continue;
            if (t.bm() > 64 && m < 128 || t.bn() > 64 && n < 128) continue;
            if (t.slices() > 1 && k < 4L * t.slices() * t.bk()) break;
            pick = t;
            if (ceil(m, t.bm()) * ceil(n, t.bn()) * batches >= minGroups) break;
        }
        return pick != null ? pick : withDepth(SHAPES[1], maxSharedBytes);
    }

    private static Tiles withDepth(int[] sh, int maxSharedBytes) {
        // half the shared memory at most, as MatMulKernel: occupancy matters more (measured on an H200)
        int budget = maxSharedBytes / 2;
        int threads = sh[0] * sh[1];
        // Sliced tiles keep BK shallow (8 for 4 slices, 4 for 16): fewer registers for the prefetch, more resident
        // workgroups; measured faster on an H200 for long weight-gradient reductions.
        for (int bk = sh[4] == 1 ? 32 : Math.max(4, 32 / sh[4]); bk >= 4; bk /= 2) {
            Tiles t = new Tiles(sh[0], sh[1], sh[2], sh[3], sh[4], bk);
            // each invocation keeps one A k-offset and one B column: BK and BN must divide the slice's invocations
            if (bk > threads || threads % bk != 0 || threads % t.bn() != 0) continue;
            if (t.sharedBytes() <= budget) return t;
        }
        return null;
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    // ---- convolution push constants ------------------------------------------------------

    /**
     * The geometry push constants shared by every convolution kernel (15 ints after the
     * kernel's own prefix): image side {@code C, H, W} (the input of conv2d and of the weight
     * gradient, the input of the transposed convolution), column side {@code O, Ho, Wo} (the
     * output channels and spatial size of conv2d and of the transposed convolution; the
     * gradient's channels and {@code gh x gw} for the weight gradient), {@code Cg} (image-side
     * channels per group), kernel {@code kh, kw}, strides, top/left padding, dilations.
     */
    static int[] geometry(int c, int h, int w, int o, int ho, int wo, int cg, int kh, int kw, ConvGeometry g) {
        return new int[] {c, h, w, o, ho, wo, cg, kh, kw, g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW()};
    }


    // ---- tiled implicit GEMM -------------------------------------------------------------

    /** Ints of the tiled kernels' push constants before {@link #geometry}. */
    static final int GEMM_HEAD = 9;

    /** Whether the tiled conv2d walks its reduction tap by tap in blocks of BK channels (else as one flat index). */
    static boolean blocked(Conv conv, Tiles t, int cg) {
        return conv != Conv.FORWARD || cg >= t.bk();
    }

    /** Output-position phases of the tiled kernel of {@code conv}: the transposed convolution's {@code sh sw} residues, else one. */
    static int phases(Conv conv, int[] geometry) {
        return conv == Conv.TRANSPOSED ? geometry[9] * geometry[10] : 1;
    }

    /**
     * The tiled kernel of {@code conv}. Push: M, NC (columns of the first phase), K, N (batch),
     * G (groups), tilesN, tilesM, total workgroups, mode, then {@link #geometry}. Bindings: out,
     * image-side input x, then the weight (forward, transposed) or the output gradient (weight
     * gradient).
     */
    static Kernel gemm(Conv conv, Tiles t, int[] geometry) {
        return gemm(conv, t, geometry, false, false);
    }

    /**
     * The tiled kernel, for the weight gradient optionally split over workgroups ({@code splitK}): the workgroup's phase
     * is its split, it walks {@code splitSteps} (a push constant after the geometry) steps of the reduction and stores
     * its partial tile unrounded at {@code split * count} in the workspace bound as its output; {@link #splitSum} adds them.
     */
    static Kernel gemm(Conv conv, Tiles t, int[] geometry, boolean splitK, boolean tapMajor) {
        if (splitK && conv != Conv.WEIGHT_GRAD) throw new IllegalArgumentException("only the weight gradient splits its reduction");
        if (tapMajor && !relayout(conv, t, geometry[6])) throw new IllegalArgumentException("no tap-major weight for " + conv.label);
        // The kernel's size (and the transposed convolution's strides, which it divides by) are compile-time constants,
        // so the index arithmetic's divisions become multiplications; the rest stays in push constants, to keep the
        // number of pipelines small.
        int kh = geometry[7], kw = geometry[8];
        int sh = conv == Conv.TRANSPOSED ? geometry[9] : 0, sw = conv == Conv.TRANSPOSED ? geometry[10] : 0;
        boolean blocked = blocked(conv, t, geometry[6]);
        boolean swizzle = Layout.SWIZZLE.on(), kMajor = conv == Conv.WEIGHT_GRAD && Layout.WEIGHT_GRAD_K_MAJOR.on();
        String name = String.format(Locale.ROOT, "%s_gemm_%dx%dx%d_s%d_k%dx%d%s%s%s%s%s%s", conv.label, t.bm(), t.bn(), t.bk(), t.slices(), kh, kw,
                sh == 0 ? "" : "_st" + sh + "x" + sw, blocked ? "" : "_flat", splitK ? "_splitk" : "", tapMajor ? "_tm" : "", swizzle ? "" : "_noswz",
                kMajor ? "_bk" : "");
        int operands = switch (conv) {
            case FORWARD -> blocked ? 1 : 2;
            case TRANSPOSED -> 3;
            case WEIGHT_GRAD -> 4;
        };
        java.util.List<Object> defs = new java.util.ArrayList<>(java.util.List.of("TX", t.tx(), "TY", t.ty(), "TM", t.tm(), "TN", t.tn(),
                "S", t.slices(), "BK", t.bk(), "KH", kh, "KW", kw, "OPERANDS", operands, "SPLITK", splitK ? 1 : 0, "SWIZZLE", swizzle ? 1 : 0, "TAPMAJOR", tapMajor ? 1 : 0,
                "BKMAJOR", kMajor ? 1 : 0));
        if (sh != 0) defs.addAll(java.util.List.of("SH", sh, "SW", sw));
        return GlslKernels.kernel(name, "conv_gemm.comp", 3, defs.toArray());
    }

    /**
     * Whether the tiled kernel of {@code conv} reads its weight tap-major ({@code TAPMAJOR}): the plan first copies the
     * weight into its workspace as {@code [kh, kw, O, Cg]} (conv2d) or {@code [kh, kw, Cout/groups, Cin]} (the transposed
     * convolution), so the invocations loading one row of A's tile read consecutive channels, where the stored layout
     * ({@code [.., Cg, kh, kw]}, taps innermost) spreads them a tap row or a whole output channel apart. Only for the blocked
     * kernels (a step is one tap), and not under {@code -Djasg.vulkan.conv.relayout=false} ({@link Layout#TAP_MAJOR}).
     */
    static boolean relayout(Conv conv, Tiles t, int cg) {
        return conv != Conv.WEIGHT_GRAD && blocked(conv, t, cg) && Layout.TAP_MAJOR.on();
    }

    /** Split-K on ({@link #splits}) unless {@code -Djasg.vulkan.splitK=false}, for timing against the one-pass kernel. */
    static final boolean SPLIT_K = !"false".equals(System.getProperty("jasg.vulkan.splitK"));

    /** Workgroups a weight gradient should reach before its reduction stops being split (a few per multiprocessor). */
    static final int SPLIT_TARGET = 256;
    /**
     * Most splits of one reduction (each costs the output's size in workspace and in the second pass; property
     * {@code jasg.vulkan.conv.maxSplits}, default 64: on an H100 it ran the 1x1 256-to-64 kernel gradient in 0.253 ms
     * against 0.311 with 32, the cnn's in 0.109 against 0.165, the 3x3 layers alike).
     */
    static final int MAX_SPLITS = Math.max(1, Integer.getInteger("jasg.vulkan.conv.maxSplits", 64));

    /**
     * How many splits the weight gradient's reduction of {@code steps} BK-deep steps takes when its output makes
     * {@code workgroups} tiles: enough to reach {@link #SPLIT_TARGET} workgroups, at most {@link #MAX_SPLITS}, with at
     * least four steps for every slice of a split, and with the workspace ({@code splits x count} floats) within
     * {@code maxBytes}; 1 means no split. A function of the shapes alone, so a plan always splits the same way.
     */
    static int splits(long workgroups, long steps, int slices, long count, long maxBytes) {
        if (!SPLIT_K || workgroups >= SPLIT_TARGET) return 1;
        long s = Math.min(MAX_SPLITS, ceil(SPLIT_TARGET, Math.max(1, workgroups)));
        s = Math.min(s, steps / (4L * slices));
        s = Math.min(s, maxBytes / Math.max(1, 4 * count));
        return (int) Math.max(1, s);
    }

    /**
     * Whether 3x3, stride-1 convolutions with enough channels run as Winograd F(2x2, 3x3) products ({@code winograd.comp}:
     * the weight's and the input's transforms, 16 products on {@link MatMulKernel} as one batched product, the output's
     * transform): property {@code jasg.vulkan.conv.winograd}, {@code false} for the tiled conv kernel. Non-finite values:
     * the transforms mix a tile's whole 4 x 4 patch, so an infinity or NaN in it makes NaN (or infinite) all four outputs
     * of the tile, where the direct sum gives it only to those whose 3 x 3 window holds it, as in every Winograd
     * implementation (cuDNN's included); NaN still propagates.
     */
    static boolean winograd() {
        return !"false".equals(System.getProperty("jasg.vulkan.conv.winograd"));
    }

    /**
     * Fewest input and output channels for the Winograd path (property {@code jasg.vulkan.conv.winogradMinChannels}, default
     * {@link #WINOGRAD_MIN_CHANNELS}): the transforms cost per channel what the products' 2.25x fewer multiply-adds must
     * outweigh.
     */
    static int winogradMinChannels() {
        return Integer.getInteger("jasg.vulkan.conv.winogradMinChannels", WINOGRAD_MIN_CHANNELS);
    }

    static final int WINOGRAD_MIN_CHANNELS = 16;

    /**
     * Most workspace bytes one convolution takes for its Winograd operands (property
     * {@code jasg.vulkan.conv.winogradMaxBytes}, default 1 GiB): a larger one (a big batch of large images) runs the tiled
     * kernel, which needs none, rather than hold that much device memory.
     */
    static long winogradMaxBytes() {
        return Long.getLong("jasg.vulkan.conv.winogradMaxBytes", 1L << 30);
    }

    /** The Winograd weight transform: {@code U[16, O, C]} from conv2d's {@code [O, C, 3, 3]}, or ({@code flip}) a transposed convolution's {@code [C, O, 3, 3]}. */
    static Kernel winogradWeight(boolean flip) {
        return GlslKernels.kernel(flip ? "winograd_weight_flip" : "winograd_weight", "winograd.comp", 2, "STAGE", 0, "FLIP", flip ? 1 : 0);
    }

    /** The Winograd input transform: {@code V[16, C, T]} from {@code x[N, C, H, W]}. */
    static Kernel winogradInput() {
        return GlslKernels.kernel("winograd_input", "winograd.comp", 2, "STAGE", 1);
    }

    /** The Winograd output transform: {@code y[N, O, Ho, Wo]} from the products {@code M[16, O, T]}. */
    static Kernel winogradOutput() {
        return GlslKernels.kernel("winograd_output", "winograd.comp", 2, "STAGE", 2);
    }

    /** The Winograd transform of a kernel gradient's output gradient: {@code D[16, S, O, Tc]} from {@code g[N, O, gh, gw]}. */
    static Kernel winogradGradient() {
        return GlslKernels.kernel("winograd_gradient", "winograd.comp", 2, "STAGE", 3);
    }

    /** The Winograd kernel gradient from the products {@code P[16, S, O, C]}: {@code dw[O, C, 3, 3]}, the chunks summed in order. */
    static Kernel winogradWeightGradient() {
        return GlslKernels.kernel("winograd_weight_grad", "winograd.comp", 2, "STAGE", 4);
    }

    /**
     * Chunks a Winograd kernel gradient's {@code tiles} output tiles are cut into (each chunk's products summed after): one
     * per 256 tiles, at most {@link #WINOGRAD_MAX_CHUNKS} (property {@code jasg.vulkan.conv.winogradChunks} forces a count,
     * for tests and timing). Timed on an H100 (2026-12-06, ConvBench, ms): 8 chunks against enough for two 128 x 128
     * workgroups a multiprocessor (66, 17, 5 and 24 chunks) and against 32: 3x3 64 channels at 56x56 0.240 / 0.338 /
     * 0.292, 128 at 28x28 0.174 / 0.253 / 0.271, cnn's 32 to 64 at 14x14 0.084 / 0.094 / 0.105; 256 at 14x14 (1,568 tiles:
     * 6 chunks by this rule, 0.188 in a later call) 0.224 with 8, 0.203 with 5, 0.404 with 32. Longer products won over
     * more workgroups.
     */
    static int winogradChunks(long tiles) {
        Integer forced = Integer.getInteger("jasg.vulkan.conv.winogradChunks");
        if (forced != null && forced > 0) return (int) Math.min(forced, Math.max(1, tiles));
        return (int) Math.clamp(tiles / 256, 1, WINOGRAD_MAX_CHUNKS);
    }

    /** Most chunks of a Winograd kernel gradient ({@link #winogradChunks}). */
    static final int WINOGRAD_MAX_CHUNKS = 8;

    /** The second pass of a split weight gradient ({@code split_sum.comp}): the splits added in order. Push: n, splits, mode. */
    static Kernel splitSum() {
        return GlslKernels.kernel("split_sum", "split_sum.comp", 2);
    }

    /*
     * Each operand block defines, for group grp: setupWG(phase) (per workgroup: NCw, the columns
     * of its phase, and nSteps, the number of BK-deep reduction steps), setupB(col) (once per
     * invocation: its B column's decomposition), stepSetup(st) (per step: what the step's k range
     * is; sLive says whether the step exists), loadA(m, kk) (the second input) and loadB(kk) (the
     * image-side input x) at offset kk of the step, zero outside, and outBase(col)/OUT_ROW:
     * C[m, col] is stored at outBase(col) + m OUT_ROW.
     *
     * Blocked reductions run over (tap, block of BK channels) (or (image, row, block of BK
     * columns) for the weight gradient): the step's tap and the invocation's column fix the
     * spatial position once per step, and the k offset within the step is just a channel (or
     * column) index, so no load divides.
     */

    /** conv2d with fewer channels per group than BK (a first layer): one flat k = (c, i, j), decomposed per load. */

    /*
     * The transposed convolution by phases: the outputs (r, s) with r = a mod sh, s = b mod sw
     * receive exactly the taps i with (a + pt - i dh) = 0 mod sh (an arithmetic progression
     * i0, i0 + iSt, ... of nI taps) and likewise j, so each phase is a dense product over
     * (its taps, channels) and no step multiplies zeros that the stride put in.
     */

    /*
     * The weight gradient's reduction runs over (image n, gradient row p, block of BK gradient
     * columns), each row padded to a multiple of BK: the step fixes n and p, the offset is the
     * column. (Padding costs at most BK - 1 columns per row, e.g. 14 -> 16.)
     */


    // ---- direct convolution kernels ------------------------------------------------------

    /**
     * Output channels one invocation of a direct kernel accumulates for {@code og} channels per
     * group: each input value it loads serves all of them (one for depthwise convolutions, where
     * a chunk would only repeat loads).
     */
    static int directChannels(int og) {
        return og >= 2 ? 4 : 1;
    }

    /** Ints of the direct kernels' push constants before {@link #geometry}. */
    static final int DIRECT_HEAD = 7;

    /**
     * Direct conv2d for thin operands: one invocation per output pixel and chunk of
     * {@code ch} ({@link #directChannels}) output channels of a group. Push (as every direct kernel's):
     * count (invocations, or workgroups for the weight gradient), mode, Og (column-side channels
     * per group), N, G (groups), iStep, jStep (tap steps of the transposed convolution), then
     * {@link #geometry}.
     */
    static Kernel conv2dDirect(int ch) {
        return GlslKernels.kernel("conv2d_direct_" + ch, "conv2d_direct.comp", 3, "CH", ch);
    }

    /**
     * Direct transposed convolution in gather form for thin operands: one invocation per output
     * pixel {@code (r, s)} and chunk of {@code ch} output channels. Tap {@code i}
     * contributes input row {@code (r + pt - i dh) / sh} when the division is exact and lands in
     * the input; the exact taps are every {@code iStep = sh / gcd(sh, dh)}-th from the first, so
     * the loop visits only those. Push: as {@link #conv2dDirect} (image side = the input
     * {@code Cin, H, W}, column side = the output {@code Cout, Ho, Wo}, {@code Cg = Cin/groups},
     * {@code Og = Cout/groups}).
     */
    static Kernel convTranspose2dDirect(int ch) {
        return GlslKernels.kernel("conv_transpose2d_direct_" + ch, "conv_transpose2d_direct.comp", 3, "CH", ch);
    }


    /**
     * Direct weight gradient, one workgroup per kernel element {@code dw[o, c, i, j]}: a strided
     * loop over {@code (n, p, q)} and a fixed-shape tree in shared memory, so the order of the
     * sum is fixed. Push: as {@link #conv2dDirect}, count = kernel elements (column side =
     * the gradient {@code O, gh, gw}).
     */
    static Kernel weightGradDirect() {
        return GlslKernels.kernel("conv2d_weight_grad_direct", "conv2d_weight_grad_direct.comp", 3);
    }
}
