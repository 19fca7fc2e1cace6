package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;

import java.util.Arrays;

/**
 * The forward 3x3 convolution (stride 1, dilation 1, one group) by Winograd's minimal filtering, F(4x4, 3x3)
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 4 x 4 block of an output plane
 * is {@code Y = A^T [sum_c (G g_oc G^T) .* (B^T d_c B)] A}, where {@code d_c} is the 6 x 6 input patch of channel
 * {@code c} under the block (zeros outside the image) and {@code g_oc} the 3 x 3 kernel. Per output block and pair of
 * channels that is 36 multiply-adds instead of 144: the sum over {@code c} is, for each of the 36 "frequencies" {@code f},
 * one matrix product {@code M_f [O, tiles] = U_f [O, C] x V_f [C, tiles]}, run on {@link Gemm}'s micro-kernel
 * ({@link Gemm#packedTile}) with both operands written straight into its packed layouts by the transforms, so nothing
 * is packed at run time:
 * <ol>
 *   <li>weights: {@code U_f = (G g G^T)_f} in strips of {@code MR} output channels ({@link Gemm#packA}'s layout), made
 *       once and kept; each run compares the weights with the copy they were made from ({@link Arrays#equals}, one
 *       pass over them) and transforms again when they differ, so an optimizer step or a new parameter value is
 *       always seen;</li>
 *   <li>input: {@code V_f = (B^T d B)_f} for a block of tiles in strips of {@code NR} tiles ({@link Gemm#packB}'s layout);</li>
 *   <li>the 36 products per block, split by (frequency, strip of output channels);</li>
 *   <li>output: {@code A^T M A}, the part of each 4 x 4 block inside the output plane written to {@code y}.</li>
 * </ol>
 * A block of tiles is a stretch of the batch's tiles (image-major, then row of tiles, then column), its scratch sized by
 * {@link #BLOCK_FLOATS}. With blocks enough for every thread, each thread runs whole blocks (transforms and products
 * on its own scratch, in cache); with fewer (one small image) the blocks run one by one, each phase split over the
 * threads.
 *
 * <p>No epilogue: the {@code Conv2d} op has no bias, and a bias, batch norm or activation after it are the graph's own
 * (elementwise) nodes, planned and fused ({@link Fusion}) as after any other conv path.
 *
 * <p>Accuracy: the transforms' coefficients reach 5 (B) and 8 (A) and G has 1/6 and 1/24, so the float error grows by
 * about an order of magnitude over the direct sum's. Measured by {@code WinogradConvTest} against the double-precision
 * direct sum over its table of shapes (inputs and weights uniform in [-1, 1], 1 to 64 channels, 13 shapes): the largest
 * error of an output is 3.2e-6 of {@code sum_c,i,j |w x|} (the sum of the magnitudes of the products it adds, the scale
 * of any float sum's rounding), against 2.4e-7 for the GEMM path on the same table (13x). F(4x4, 3x3) was chosen over
 * F(2x2, 3x3) (a smaller error, but 16 frequencies for 4 outputs: 2.25x fewer multiply-adds than the direct sum against
 * 4x) because that error is far inside what float inference tolerates (resnet18's logits agree with ONNX Runtime's
 * to 1.3e-7 with it, 1.5e-7 without); F(6x6, 3x3) was not tried: its larger interpolation points cost, by the
 * literature, about another order of magnitude of error.
 *
 * <p>Non-finite values: the transforms mix a whole 6 x 6 patch, so an infinity or NaN in the input (or the weights)
 * makes NaN or infinite every output of the 4 x 4 blocks whose patch holds it, where the direct sum gives it only to the
 * outputs whose 3 x 3 window does (as in every Winograd implementation); finite values near the float range can
 * overflow in the transforms (coefficients up to 8 and 5) before the sum would.
 *
 * <p>Memory: {@code U} holds 36 floats per (output, input) channel pair, 4x the weights, for each plan (batch size) that
 * runs the node this way.
 *
 * <p>Not thread-safe: an instance belongs to one node of one plan, and runs one at a time.
 */
final class WinogradConv extends ConvKernels.KeepsDerivedWeights {
    /** Output block side, kernel side, input tile side, frequencies. */
    static final int OUT = 4, TAPS = 3, TILE = 6, FREQS = TILE * TILE;
    /**
     * Most floats of one block's transformed input and products ({@code 36 (C + O) tiles}): the L2 of one core, so a
     * thread's block stays in cache between its transforms and its products; {@code -Djasg.cpu.winogradBlockFloats=N}
     * to measure others.
     */
    static final int BLOCK_FLOATS = Integer.getInteger("jasg.cpu.winogradBlockFloats",
            (int) Math.min(1 << 22, (KernelChoice.CHOSEN.facts().l2() > 0 ? KernelChoice.CHOSEN.facts().l2() : KernelChoice.FALLBACK_L2) / Float.BYTES));
    /**
     * Most floats of one block's transformed input and products when a block's phases are split over the threads
     * (few tiles): 8 MiB, a share of L3 rather than L2, since each block costs three loops on the pool.
     */
    static final int PHASE_FLOATS = Integer.getInteger("jasg.cpu.winogradPhaseFloats", 1 << 21);
    /**
     * Blocks per thread from which each thread runs whole blocks; {@code -Djasg.cpu.winogradBlocksPerThread=N} to measure
     * others. One: on two Zen 5 threads at batch 1, resnet18's 64 x 56 x 56 (7 blocks, one thread running 4) took
     * 0.56-0.83 ms by whole blocks against 0.80-1.05 with its phases split, and 128 x 28 x 28 (2 blocks) 0.45-0.55
     * against 0.61-0.72 (three interleaved pairs of {@code WinogradProbe}); the split phases share their operands
     * through L3, which cost more than the uneven shares.
     */
    static final int BLOCKS_PER_THREAD = Integer.getInteger("jasg.cpu.winogradBlocksPerThread", 1);

    private static final int MR = Gemm.MR, NR = Gemm.NR;
    /**
     * Exchanged operands: tiles an input transform takes at once (three strips of 12, a 16-lane vector each, lanes 12-15
     * unused), and the lanes of its scratch rows. At least {@code NR} (the usual products' group).
     */
    static final int GROUP_TILES = Math.max(NR, 3 * MR), GROUP_LANES = Math.max(NR, 3 * 16);

    /** Exchanged operands: where tile {@code l} of a group lies in its scratch rows, lane {@code l % 12} of 16-lane vector {@code l / 12}. */
    private static int groupLane(int l) {
        return l / MR * 16 + l % MR;
    }

    /** Whether the convolution is one this kernel computes: 3x3, stride 1, dilation 1, one group. */
    static boolean fits(Conv v) {
        return v.groups() == 1 && v.kh() == TAPS && v.kw() == TAPS && v.sh() == 1 && v.sw() == 1 && v.dh() == 1 && v.dw() == 1;
    }

    /** Tiles of a convolution: {@code n ceil(ho/4) ceil(wo/4)}. */
    static long tiles(Conv v) {
        return (long) v.n() * ((v.ho() + OUT - 1) / OUT) * ((v.wo() + OUT - 1) / OUT);
    }

    private final Conv v;
    private final int tilesW, tilesPerImage, tiles, oStrips, block, strips, blocks;
    /** Floats from one frequency's transformed input to the next's in a block's {@code V}. */
    private final int vStride;
    /**
     * Exchanged operands ({@link #exchangedPays}): the products are {@code M_f^T [tiles, O] = V_f^T [tiles, C] x U_f^T [C, O]},
     * tiles as rows in strips of {@code MR} (a tall tile for a last strip of 1 or 2), output channels as columns in strips
     * of {@code NR}; else {@code M_f = U_f V_f}, output channels as rows and tiles as columns.
     */
    private final boolean exchanged;
    /** Output channels a strip of {@code U} holds ({@code NR} exchanged, else {@code MR}); floats of one strip of {@code V^T} (exchanged); rows and columns of a block's {@code M^T} per frequency (exchanged). */
    private final int oWidth, aStride, blockRows, coutCols;
    private final boolean perThread, serial, vectorTransforms;
    /** {@code U}: frequency, strip of {@code oWidth} output channels, input channel, row of the strip ({@link #weights}). */
    private final float[] u;
    /** The shared scratch of the phase-split mode: one block's {@code V} and {@code M}. */
    private final float[] sharedV, sharedM;

    private float[] x, w, y;
    private int current;
    private final CpuThreads.Range weightBody = this::weights;
    private final CpuThreads.Range blockBody = this::blocks;
    private final CpuThreads.Range inputBody = this::sharedInput;
    private final CpuThreads.Range productBody = this::sharedProducts;
    private final CpuThreads.Range outputBody = this::sharedOutput;

    /** Per-thread scratch, grown on demand and kept. */
    private static final class Scratch {
        float[] v = new float[0], m = new float[0];
        /**
         * A strip's patches or outputs, {@code [36][NR]} (exchanged: {@code [36][GROUP_LANES]}, and a tile's outputs
         * {@code [16][V]}), and the transforms' intermediate.
         */
        final float[] d = new float[FREQS * GROUP_LANES], t = new float[FREQS * GROUP_LANES];
        /** Per lane of a strip: where its tile's patch (or output block) starts, its first row and column. */
        final int[] base = new int[GROUP_TILES], row0 = new int[GROUP_TILES], col0 = new int[GROUP_TILES];
        final double[] gt = new double[TILE * TAPS], gr = new double[TILE];

        float[] v(int n) {
            if (v.length < n) v = new float[n];
            return v;
        }

        float[] m(int n) {
            if (m.length < n) m = new float[n];
            return m;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    WinogradConv(Conv v) {
        this(v, VECTOR, exchangedByDefault(v));
    }

    /** Whether {@code v} runs with exchanged operands unless asked otherwise: {@link #EXCHANGE}'s choice. */
    static boolean exchangedByDefault(Conv v) {
        return EXCHANGE.equals("auto") ? exchangedPays(v) : EXCHANGE.equals("true") && EXCHANGE_FITS;
    }

    /**
     * {@code vectorTransforms}: the transforms on {@link VectorWinograd} (where available), else the scalar loops;
     * {@code exchanged}: the exchanged operands ({@link #exchanged}; only with 12 x 32 tiles, {@link #EXCHANGE_FITS}).
     * Tests run every combination.
     */
    WinogradConv(Conv v, boolean vectorTransforms, boolean exchanged) {
        if (vectorTransforms && !VECTOR) throw new IllegalStateException("the Vector API transforms are not available");
        if (exchanged && !EXCHANGE_FITS) throw new IllegalStateException("exchanged operands need 12 x 32 tiles of 16-lane vectors");
        this.vectorTransforms = vectorTransforms;
        this.exchanged = exchanged;
        if (!fits(v)) throw new IllegalArgumentException("winograd conv2d: needs 3x3, stride 1, dilation 1, one group: " + v);
        this.v = v;
        int tilesH = (v.ho() + OUT - 1) / OUT;
        this.tilesW = (v.wo() + OUT - 1) / OUT;
        this.tilesPerImage = tilesH * tilesW;
        long all = tiles(v);
        // the largest index of U, of a block's V and M (a block is at most the tiles rounded up to a strip)
        long rows = Math.max(v.cin(), v.cout() + NR) + 16;
        if ((all + 2 * NR) * FREQS * rows > Integer.MAX_VALUE || (long) FREQS * rows * v.cin() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("winograd conv2d: more than 2^31 transformed values: " + v);
        }
        this.tiles = (int) all;
        this.oWidth = exchanged ? NR : MR;
        this.oStrips = (v.cout() + oWidth - 1) / oWidth;
        int threads = CpuThreads.PARALLELISM;
        this.serial = serial(v);
        int b = exchanged ? exchangedBlock(v, tiles) : blockFor(v, tiles, oWidth);
        this.perThread = serial || (tiles + b - 1) / b >= BLOCKS_PER_THREAD * threads;
        // split phases: wide blocks, each one three loops on the pool (their operands shared, from L3)
        if (!perThread) {
            long perTile = perTile(v, oWidth);
            int fit = (int) Math.max(NR, BLOCK_FLOATS / perTile / NR * NR), allStrips = (tiles + NR - 1) / NR * NR;
            b = exchanged ? tiles : Math.min(allStrips, (int) Math.max(fit, PHASE_FLOATS / perTile / NR * NR));
        }
        this.block = b;
        this.strips = exchanged ? (b + GROUP_TILES - 1) / GROUP_TILES : b / NR;
        this.blocks = (tiles + b - 1) / b;
        this.u = new float[FREQS * oStrips * oWidth * v.cin()];
        // a line more than a frequency's strips, so the 36 frequencies' rows an input transform writes at once do not
        // lie a multiple of 4 KiB apart (one L1 set), which they do whenever C x block is a multiple of 1024; exchanged, a
        // line more than each strip of tiles too, which the masked stores of a strip's last rows may reach
        this.aStride = v.cin() * MR + 16;
        this.blockRows = (b + MR - 1) / MR * MR;
        this.coutCols = oStrips * NR;
        this.vStride = exchanged ? blockRows / MR * aStride + 16 : strips * v.cin() * NR + 16;
        this.sharedV = perThread ? null : new float[FREQS * vStride];
        this.sharedM = perThread ? null : new float[mFloats()];
    }

    /** Floats of a block's products {@code M} (or {@code M^T}). */
    private int mFloats() {
        return exchanged ? FREQS * blockRows * coutCols : FREQS * oStrips * MR * block;
    }

    /** Units {@link #output} splits over: output channels, or groups of a vector's lanes of them (exchanged). */
    private int outputUnits() {
        return exchanged ? (v.cout() + VectorWinograd.V - 1) / VectorWinograd.V : v.cout();
    }

    /**
     * {@code -Djasg.cpu.winogradExchange}: {@code false} (the default), {@code auto} ({@link #exchangedPays}) or
     * {@code true}. Off by default: on two Zen 5 threads (2026-12-07, the same conv alone, exchanged against usual in one
     * JVM, medians) 128 channels at 28 x 28 batch 1 ran 1.12x, 64 at 56 x 56 1.03x, 256 at 14 x 14 1.95x, but in
     * resnet18's batch-1 forward (per-node profile, two rounds each) the layer1 and layer2 convolutions did not move
     * beyond the machine's noise, and 256 at 14 x 14 ran slower than the GEMM with channels as columns there (its
     * transformed weights, 4x the weights, stream from memory once a forward for 16 tiles). Kept, tested bit for bit
     * against the usual products, to measure on other machines.
     */
    static final String EXCHANGE = System.getProperty("jasg.cpu.winogradExchange", "false");

    /** Whether the exchanged operands can run: the 12 x 32 tile of 16-lane vectors (AVX-512). */
    static final boolean EXCHANGE_FITS = Gemm.VECTOR && MR == 12 && NR == 32 && VectorWinograd.V == 16;

    /**
     * Whether the exchanged operands leave fewer lanes of the products empty: the usual products' columns are the tiles
     * in strips of {@code NR} (49 tiles, a 28 x 28 plane at batch 1, are two strips of 32 with 15 lanes empty; 196 are
     * seven with 28 empty), the exchanged ones' are the output channels (64, 128, 256: whole strips), their rows the
     * tiles in strips of 12 (49: three and a tall tile of 13). Taken where the usual products' lanes exceed the
     * exchanged ones' by more than 5% ({@code -Djasg.cpu.winogradExchange=auto}).
     */
    static boolean exchangedPays(Conv v) {
        if (!EXCHANGE_FITS) return false;
        long tiles = tiles(v), usual = 0, exchanged = 0;
        // the usual products: every block's tiles rounded up to whole strips of NR, times the output channels' rows
        int block = blockFor(v, tiles, MR);
        for (long t = 0; t < tiles; t += block) usual += (Math.min(block, tiles - t) + NR - 1) / NR * NR;
        usual *= rowCost(v.cout());
        // exchanged: every block's tiles as rows, times the output channels rounded up to strips of NR
        int xb = exchangedBlock(v, tiles);
        for (long t = 0; t < tiles; t += xb) exchanged += rowCost(Math.min(xb, tiles - t));
        exchanged *= (v.cout() + NR - 1) / NR * NR;
        return usual * 100 > exchanged * 105;
    }

    /** The tiles of a block when each thread runs whole blocks (the rule of the constructor), output strips {@code oWidth} wide. */
    private static int blockFor(Conv v, long tiles, int oWidth) {
        int threads = CpuThreads.PARALLELISM;
        int fit = (int) Math.max(NR, BLOCK_FLOATS / perTile(v, oWidth) / NR * NR);
        int allStrips = (int) ((tiles + NR - 1) / NR * NR);
        int balanced = (int) Math.max(NR, (tiles / (BLOCKS_PER_THREAD * threads) + NR - 1) / NR * NR);
        return Math.min(allStrips, serial(v) ? fit : Math.min(fit, balanced));
    }

    /** Whether {@code v} runs on the calling thread alone: too little work for the pool, or a pool of one. */
    private static boolean serial(Conv v) {
        return v.work() < Gemm.PARALLEL_MIN || CpuThreads.PARALLELISM == 1;
    }

    /** Floats a tile takes in a block's {@code V} and {@code M}, output channels in strips of {@code oWidth}. */
    private static long perTile(Conv v, int oWidth) {
        return (long) FREQS * (v.cin() + (long) (v.cout() + oWidth - 1) / oWidth * oWidth);
    }

    /**
     * Exchanged operands' tiles a block: the tiles in equal blocks, as many as the threads (each whole blocks) or as
     * fit the L2 share ({@link #BLOCK_FLOATS}), whichever is more; not rounded to strips, so each block's rows end in
     * a strip of 12 or in a tall tile where they can (49 tiles on two threads: 25 and 24).
     */
    private static int exchangedBlock(Conv v, long tiles) {
        long fit = Math.max(MR, BLOCK_FLOATS / perTile(v, NR));
        long blocks = Math.max((tiles + fit - 1) / fit, serial(v) ? 1 : (long) BLOCKS_PER_THREAD * CpuThreads.PARALLELISM);
        return (int) Math.max(1, (tiles + blocks - 1) / blocks);
    }

    /** Rows a block of {@code rows} tiles costs the exchanged products: whole strips of 12, the last a lower or a tall tile. */
    private static long rowCost(long rows) {
        long whole = rows / MR * MR, rest = rows - whole;
        if (rest == 0) return whole;
        if (whole > 0 && Gemm.tallHeight((int) Math.min(Integer.MAX_VALUE, whole + rest)) > 0) return rows;
        return whole + VectorGemmKernel.height((int) rest);
    }

    /** Whether the products run with exchanged operands, for tests and probes. */
    boolean exchanged() {
        return exchanged;
    }

    /** Tiles per block (a multiple of {@code NR}, except with exchanged operands), for tests and probes. */
    int block() {
        return block;
    }

    /** Whether each thread runs whole blocks (else each block's phases are split over the threads). */
    boolean perThread() {
        return perThread;
    }

    /** {@code unchanged}: the weights vouched unchanged since the last call ({@link ConvFold}'s folded copy), no pass over them to compare. */
    @Override
    void run(float[] x, float[] w, float[] y, boolean unchanged) {
        this.x = x;
        this.w = w;
        this.y = y;
        try {
            int n = v.cout() * v.cin() * TAPS * TAPS;
            if (!stillDerivedFrom(w, n, unchanged)) {
                deriving();
                CpuThreads.parallelFor(v.cout(), serial ? v.cout() : Math.max(1, v.cout() / (4 * CpuThreads.PARALLELISM)), weightBody);
                derivedFrom(w, n);
            }
            if (perThread) {
                if (serial) blocks(0, blocks);
                else if (blocks <= CpuThreads.MAX_CHUNKS) CpuThreads.forEachClaimed(blocks, blockBody);
                else CpuThreads.parallelFor(blocks, 1, blockBody);
            } else {
                int items = FREQS * oStrips, units = outputUnits();
                for (int b = 0; b < blocks; b++) {
                    current = b;
                    CpuThreads.parallelFor(v.cin(), Math.max(1, v.cin() / (4 * CpuThreads.PARALLELISM)), inputBody);
                    if (items <= CpuThreads.MAX_CHUNKS) CpuThreads.forEachClaimed(items, productBody);
                    else CpuThreads.parallelFor(items, 1, productBody);
                    CpuThreads.parallelFor(units, Math.max(1, units / (4 * CpuThreads.PARALLELISM)), outputBody);
                }
            }
        } finally {
            this.x = this.w = this.y = null;
        }
    }

    private void sharedInput(int c0, int c1) {
        input(current, c0, c1, sharedV);
    }

    private void sharedProducts(int i0, int i1) {
        products(current, i0, i1, sharedV, sharedM);
    }

    private void sharedOutput(int o0, int o1) {
        output(current, o0, o1, sharedM);
    }

    /** Whole blocks on the calling thread's scratch. */
    private void blocks(int b0, int b1) {
        Scratch s = SCRATCH.get();
        float[] vb = s.v(FREQS * vStride), mb = s.m(mFloats());
        for (int b = b0; b < b1; b++) {
            input(b, 0, v.cin(), vb);
            products(b, 0, FREQS * oStrips, vb, mb);
            output(b, 0, outputUnits(), mb);
        }
    }

    /**
     * {@code U_f[o, c] = (G g G^T)_f} for output channels {@code [o0, o1)}, in double, with
     * {@code G = [[1/4, 0, 0], [-1/6, -1/6, -1/6], [-1/6, 1/6, -1/6], [1/24, 1/12, 1/6], [1/24, -1/12, 1/6], [0, 0, 1]]};
     * stored at {@code u[((f oStrips + o / W) C + c) W + o % W]} with {@code W} the strip's width ({@code MR}, or
     * {@code NR} exchanged: {@code U^T} as {@link Gemm#packB} lays out B); the rows past {@code O} stay zero.
     */
    private void weights(int o0, int o1) {
        int cin = v.cin();
        Scratch s = SCRATCH.get();
        double[] t = s.gt, r = s.gr;
        for (int o = o0; o < o1; o++) {
            for (int c = 0; c < cin; c++) {
                int g = (o * cin + c) * TAPS * TAPS;
                // t = G g: each column j of g
                for (int j = 0; j < TAPS; j++) {
                    double g0 = w[g + j], g1 = w[g + TAPS + j], g2 = w[g + 2 * TAPS + j];
                    gColumn(g0, g1, g2, t, j, TAPS);
                }
                // U = t G^T: each row i of t
                int base = (o / oWidth * cin + c) * oWidth + o % oWidth, fs = oStrips * cin * oWidth;
                for (int i = 0; i < TILE; i++) {
                    gColumn(t[i * TAPS], t[i * TAPS + 1], t[i * TAPS + 2], r, 0, 1);
                    for (int j = 0; j < TILE; j++) u[(i * TILE + j) * fs + base] = (float) r[j];
                }
            }
        }
    }

    /** {@code out[at + i step] = (G (g0, g1, g2))_i} for the six rows of G. */
    private static void gColumn(double g0, double g1, double g2, double[] out, int at, int step) {
        out[at] = g0 / 4;
        out[at + step] = -(g0 + g1 + g2) / 6;
        out[at + 2 * step] = -(g0 - g1 + g2) / 6;
        out[at + 3 * step] = g0 / 24 + g1 / 12 + g2 / 6;
        out[at + 4 * step] = g0 / 24 - g1 / 12 + g2 / 6;
        out[at + 5 * step] = g2;
    }

    /** Vector transforms: the Vector API is in use and a strip is whole vectors of the preferred species. */
    static final boolean VECTOR = Simd.ENABLED && NR % VectorWinograd.V == 0;

    /**
     * {@code V_f[c, t] = (B^T d B)_f} for channels {@code [c0, c1)} and every tile of block {@code b}, at
     * {@code vb[f vStride + (t / NR C + c) NR + t % NR]}; the columns past the last tile are zero. A strip's patches
     * are gathered into {@code [36][NR]} (zeros outside the image), then transformed a lane per tile.
     */
    private void input(int b, int c0, int c1, float[] vb) {
        if (exchanged) {
            exchangedInput(b, c0, c1, vb);
            return;
        }
        Conv v = this.v;
        int cin = v.cin(), h = v.h(), wd = v.w(), plane = h * wd, fs = vStride;
        Scratch s = SCRATCH.get();
        float[] d = s.d, t = s.t;
        int[] base = s.base, row0 = s.row0, col0 = s.col0;
        for (int ts = 0; ts < strips; ts++) {
            int first = b * block + ts * NR, lanes = Math.clamp(tiles - first, 0, NR);
            for (int l = 0; l < lanes; l++) {
                int tile = first + l, img = tile / tilesPerImage, r = tile % tilesPerImage;
                row0[l] = r / tilesW * OUT - v.pt();
                col0[l] = r % tilesW * OUT - v.pl();
                base[l] = img * cin * plane + row0[l] * wd + col0[l];
            }
            if (lanes < NR) {
                // the lanes past the last tile stay zero for every channel
                for (int f = 0; f < FREQS; f++) Arrays.fill(d, f * NR + lanes, f * NR + NR, 0f);
            }
            for (int c = c0; c < c1; c++) {
                int co = c * plane;
                for (int l = 0; l < lanes; l++) patch(base[l] + co, row0[l], col0[l], h, wd, d, l, NR);
                int at = ts * cin * NR + c * NR;
                if (vectorTransforms) {
                    VectorWinograd.input(d, t, NR, vb, at, fs);
                } else {
                    for (int l = 0; l < NR; l++) {
                        for (int j = 0; j < TILE; j++) bt(d, j * NR + l, TILE * NR, t, j * NR + l, TILE * NR);
                        for (int i = 0; i < TILE; i++) bt(t, i * TILE * NR + l, NR, vb, at + i * TILE * fs + l, fs);
                    }
                }
            }
        }
    }

    /**
     * The 6 x 6 patch of {@code x} from {@code src} (its top-left at row {@code r0}, column {@code c0} of an {@code h x wd}
     * plane) into {@code d[(i 6 + j) stride + slot]}, zeros where it lies outside the plane.
     */
    private void patch(int src, int r0, int c0, int h, int wd, float[] d, int slot, int stride) {
        float[] x = this.x;
        if (r0 >= 0 && r0 + TILE <= h && c0 >= 0 && c0 + TILE <= wd) {
            for (int i = 0; i < TILE; i++) {
                int si = src + i * wd, di = i * TILE * stride + slot;
                d[di] = x[si];
                d[di + stride] = x[si + 1];
                d[di + 2 * stride] = x[si + 2];
                d[di + 3 * stride] = x[si + 3];
                d[di + 4 * stride] = x[si + 4];
                d[di + 5 * stride] = x[si + 5];
            }
            return;
        }
        for (int i = 0; i < TILE; i++) {
            int rr = r0 + i;
            boolean rowIn = rr >= 0 && rr < h;
            for (int j = 0; j < TILE; j++) {
                int cc = c0 + j;
                d[(i * TILE + j) * stride + slot] = rowIn && cc >= 0 && cc < wd ? x[src + i * wd + j] : 0f;
            }
        }
    }

    /**
     * {@code out[oo + i os] = (B^T z)_i} for {@code z_k = in[io + k is]}, with
     * {@code B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]}.
     */
    private static void bt(float[] in, int io, int is, float[] out, int oo, int os) {
        float z0 = in[io], z1 = in[io + is], z2 = in[io + 2 * is], z3 = in[io + 3 * is], z4 = in[io + 4 * is], z5 = in[io + 5 * is];
        float a = z4 - 4 * z2, bb = z3 - 4 * z1, p = z4 - z2, q = 2 * (z3 - z1);
        out[oo] = 4 * z0 + z4 - 5 * z2;
        out[oo + os] = a + bb;
        out[oo + 2 * os] = a - bb;
        out[oo + 3 * os] = p + q;
        out[oo + 4 * os] = p - q;
        out[oo + 5 * os] = 4 * z1 + z5 - 5 * z3;
    }

    /** {@link #bt} of the row {@code in[io .. io + 6)} into {@code out[oo + j os]}. */
    private static void btInto(float[] in, int io, float[] out, int oo, int os) {
        bt(in, io, 1, out, oo, os);
    }

    /**
     * {@code M_f[o, t] = sum_c U_f[o, c] V_f[c, t]} for the items {@code [i0, i1)} of (frequency, strip of {@code MR}
     * output channels), every strip of tiles, into {@code mb[((o FREQS) + f) block + t]}.
     */
    private void products(int b, int i0, int i1, float[] vb, float[] mb) {
        if (exchanged) {
            exchangedProducts(b, i0, i1, vb, mb);
            return;
        }
        int cin = v.cin(), ldc = FREQS * block;
        for (int it = i0; it < i1; it++) {
            int f = it / oStrips, os = it % oStrips;
            int ao = (f * oStrips + os) * cin * MR, co = (os * MR * FREQS + f) * block;
            int rows = Math.min(MR, v.cout() - os * MR);
            for (int ts = 0; ts < strips; ts++) {
                Gemm.packedTile(cin, u, ao, vb, f * vStride + ts * cin * NR, mb, co + ts * NR, ldc, rows);
            }
        }
    }

    /**
     * {@link #input} for exchanged operands: {@code V_f^T[t, c]} for channels {@code [c0, c1)} and the tiles of block
     * {@code b}, at {@code vb[f vStride + (t / 12) aStride + c 12 + t % 12]} ({@link Gemm#packA}'s strips). The tiles go
     * {@link #GROUP_TILES} at a time, a strip of 12 a vector: tile {@code l} of a group in lane {@code l % 12} of vector
     * {@code l / 12} of its scratch rows; the rows of the last strip past the block's tiles are left as they are (the
     * products' rows there are not read).
     */
    private void exchangedInput(int b, int c0, int c1, float[] vb) {
        Conv v = this.v;
        int cin = v.cin(), h = v.h(), wd = v.w(), plane = h * wd, fs = vStride, lanes16 = GROUP_LANES;
        int valid = Math.min(block, tiles - b * block);
        Scratch s = SCRATCH.get();
        float[] d = s.d, t = s.t;
        int[] base = s.base, row0 = s.row0, col0 = s.col0;
        for (int g = 0; g * GROUP_TILES < valid; g++) {
            int first = b * block + g * GROUP_TILES, count = Math.min(GROUP_TILES, valid - g * GROUP_TILES), vectors = (count + MR - 1) / MR;
            for (int l = 0; l < count; l++) {
                int tile = first + l, img = tile / tilesPerImage, r = tile % tilesPerImage;
                row0[l] = r / tilesW * OUT - v.pt();
                col0[l] = r % tilesW * OUT - v.pl();
                base[l] = img * cin * plane + row0[l] * wd + col0[l];
            }
            for (int c = c0; c < c1; c++) {
                int co = c * plane;
                for (int l = 0; l < count; l++) patch(base[l] + co, row0[l], col0[l], h, wd, d, groupLane(l), lanes16);
                int at = g * (GROUP_TILES / MR) * aStride + c * MR;
                if (vectorTransforms) {
                    VectorWinograd.inputRows(d, t, lanes16, vectors, vb, at, fs, aStride);
                } else {
                    for (int l = 0; l < count; l++) {
                        int slot = groupLane(l), to = at + l / MR * aStride + l % MR;
                        for (int j = 0; j < TILE; j++) bt(d, j * lanes16 + slot, TILE * lanes16, t, j * lanes16 + slot, TILE * lanes16);
                        for (int i = 0; i < TILE; i++) bt(t, i * TILE * lanes16 + slot, lanes16, vb, to + i * TILE * fs, fs);
                    }
                }
            }
        }
    }

    /**
     * {@code M_f^T[t, o] = sum_c V_f^T[t, c] U_f^T[c, o]} for the items {@code [i0, i1)} of (frequency, strip of {@code NR}
     * output channels) and the tiles of block {@code b}, in strips of {@code MR} tiles (the last two as one tall tile where
     * the last has 1 or 2: {@link Gemm#tallHeight}), into {@code mb[(f blockRows + t) coutCols + o]}.
     */
    private void exchangedProducts(int b, int i0, int i1, float[] vb, float[] mb) {
        int cin = v.cin(), valid = Math.min(block, tiles - b * block), rowStrips = (valid + MR - 1) / MR;
        int tall = Gemm.tallHeight(valid), single = tall > 0 ? rowStrips - 2 : rowStrips;
        for (int it = i0; it < i1; it++) {
            int f = it / oStrips, os = it % oStrips;
            int bo = (f * oStrips + os) * cin * NR, ao = f * vStride, mo = f * blockRows * coutCols + os * NR;
            for (int rs = 0; rs < single; rs++) {
                Gemm.packedTile(cin, vb, ao + rs * aStride, u, bo, mb, mo + rs * MR * coutCols, coutCols, Math.min(MR, valid - rs * MR));
            }
            if (tall > 0) {
                Gemm.packedTall(cin, vb, ao + single * aStride, ao + (single + 1) * aStride, u, bo, mb, mo + single * MR * coutCols, coutCols, tall);
            }
        }
    }

    /**
     * {@code y = A^T M A} for output channels {@code [o0, o1)} and the tiles of block {@code b}, with
     * {@code A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]}: a strip at a time,
     * a lane per tile, into {@code [16][NR]}, then the part of each 4 x 4 block inside the plane written to {@code y}.
     */
    private void output(int b, int o0, int o1, float[] mb) {
        if (exchanged) {
            exchangedOutput(b, o0, o1, mb);
            return;
        }
        Conv v = this.v;
        int ho = v.ho(), wo = v.wo(), hw = ho * wo, cout = v.cout();
        Scratch s = SCRATCH.get();
        float[] d = s.d, t = s.t;
        int[] base = s.base, row0 = s.row0, col0 = s.col0;
        for (int ts = 0; ts < strips; ts++) {
            int first = b * block + ts * NR, lanes = Math.clamp(tiles - first, 0, NR);
            if (lanes == 0) break;
            for (int l = 0; l < lanes; l++) {
                int tile = first + l, img = tile / tilesPerImage, r = tile % tilesPerImage;
                row0[l] = r / tilesW * OUT;
                col0[l] = r % tilesW * OUT;
                base[l] = img * cout * hw + row0[l] * wo + col0[l];
            }
            for (int o = o0; o < o1; o++) {
                int mo = o * FREQS * block + ts * NR;
                outputTransform(mb, mo, block, t, NR, d);
                int yo = o * hw;
                for (int l = 0; l < lanes; l++) {
                    int dst = base[l] + yo;
                    if (row0[l] + OUT <= ho && col0[l] + OUT <= wo) {
                        for (int i = 0; i < OUT; i++) {
                            int yi = dst + i * wo, di = i * OUT * NR + l;
                            y[yi] = d[di];
                            y[yi + 1] = d[di + NR];
                            y[yi + 2] = d[di + 2 * NR];
                            y[yi + 3] = d[di + 3 * NR];
                        }
                    } else {
                        int rows = Math.min(OUT, ho - row0[l]), cols = Math.min(OUT, wo - col0[l]);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) y[dst + i * wo + j] = d[(i * OUT + j) * NR + l];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #output} of the exchanged products: for groups {@code [g0, g1)} of a vector's lanes of output channels and
     * each tile of block {@code b}, {@code A^T M A} a lane per channel (the frequencies of a tile's channels lie
     * contiguous in {@code M^T}), then each channel's part of the 4 x 4 block inside the plane written to {@code y}.
     */
    private void exchangedOutput(int b, int g0, int g1, float[] mb) {
        Conv v = this.v;
        int ho = v.ho(), wo = v.wo(), hw = ho * wo, cout = v.cout(), lanes = VectorWinograd.V, ldf = blockRows * coutCols;
        int valid = Math.min(block, tiles - b * block);
        Scratch s = SCRATCH.get();
        float[] d = s.d, t = s.t;
        for (int tt = 0; tt < valid; tt++) {
            int tile = b * block + tt, img = tile / tilesPerImage, r = tile % tilesPerImage;
            int row0 = r / tilesW * OUT, col0 = r % tilesW * OUT;
            int rows = Math.min(OUT, ho - row0), cols = Math.min(OUT, wo - col0);
            for (int g = g0; g < g1; g++) {
                int mo = tt * coutCols + g * lanes;
                outputTransform(mb, mo, ldf, t, lanes, d);
                int o1 = Math.min(cout, (g + 1) * lanes);
                for (int o = g * lanes, l = 0; o < o1; o++, l++) {
                    int dst = (img * cout + o) * hw + row0 * wo + col0;
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < cols; j++) y[dst + i * wo + j] = d[(i * OUT + j) * lanes + l];
                    }
                }
            }
        }
    }

    /**
     * {@code d[(i 4 + j) nr + l] = (A^T M A)_{ij}} of lane {@code l < nr}, frequency {@code f} of lane {@code l} at
     * {@code m[mo + f ldf + l]}: on {@link VectorWinograd#output}, or a lane at a time by {@link #at}; {@code t} scratch.
     */
    private void outputTransform(float[] m, int mo, int ldf, float[] t, int nr, float[] d) {
        if (vectorTransforms) {
            VectorWinograd.output(m, mo, ldf, t, nr, d);
            return;
        }
        for (int l = 0; l < nr; l++) {
            for (int j = 0; j < TILE; j++) at(m, mo + j * ldf + l, TILE * ldf, t, j * nr + l, TILE * nr);
            for (int i = 0; i < OUT; i++) at(t, i * TILE * nr + l, nr, d, i * OUT * nr + l, nr);
        }
    }

    /** {@code out[oo + i os] = (A^T z)_i} for {@code z_k = in[io + k is]}, the four rows of A^T. */
    private static void at(float[] in, int io, int is, float[] out, int oo, int os) {
        float z0 = in[io], z1 = in[io + is], z2 = in[io + 2 * is], z3 = in[io + 3 * is], z4 = in[io + 4 * is], z5 = in[io + 5 * is];
        float s = z1 + z2, dd = z1 - z2, s2 = z3 + z4, d2 = z3 - z4;
        out[oo] = z0 + s + s2;
        out[oo + os] = dd + 2 * d2;
        out[oo + 2 * os] = s + 4 * s2;
        out[oo + 3 * os] = dd + 8 * d2 + z5;
    }
}
