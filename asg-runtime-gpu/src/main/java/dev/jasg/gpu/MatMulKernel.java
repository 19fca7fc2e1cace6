package dev.jasg.gpu;

import java.util.Locale;

/**
 * The tiled, register-blocked fp32 matrix product {@code C[t] = A[t] B[t]} over a batch
 * {@code t} (leading axes broadcast through per-batch strides).
 *
 * <p>A workgroup of 16x16 invocations computes a {@code BM x BN} tile of C; each
 * invocation holds a {@code TM x TN} block of accumulators in registers (rows
 * {@code ty*4 + i%4 + (i/4)*64}, so the shared-memory reads are 16-byte vectors that do
 * not conflict). Per step of {@code BK} along K, the A tile is stored transposed and the B
 * tile as is in shared memory; the next step's tiles are loaded from global memory into
 * registers while this step computes. BK is chosen from the device's shared-memory limit.
 * The aligned variant (M, N, K multiples of the tile) reads and writes 16-byte vectors with
 * no bounds checks; the general one checks every element, so any size works.
 *
 * <p>Push constants: M, N, K, mode, batchRank, batch dims[4], A batch strides[4], B batch strides[4]; with an
 * epilogue, its externals' indexing (ea[], eb[]).
 */
final class MatMulKernel {
    /** Highest batch rank after merging. */
    static final int MAX_BATCH_RANK = 4;

    /** A tile configuration: {@code BM x BN} output tile, {@code BK} deep, {@code TM x TN} per invocation. */
    record Tiles(int bm, int bn, int bk, int tm, int tn) {}

    private MatMulKernel() {}

    /** System property overriding the large tile as {@code BMxBNxBK} (per invocation {@code BM/16 x BN/16}), for tuning on a device. */
    static final String TILES_PROPERTY = "jasg.vulkan.matmul.tiles";

    /**
     * The large tile, 128x256x8 with 8x16 per invocation (12 KiB of shared memory), or what {@value #TILES_PROPERTY}
     * says. On the H200 at 4096³ it ran 45.1 TFLOPS against 128x128x16's 40.9 (128x256x16 42.9, 256x128x8 41.0,
     * 64x256x16 39.5, 128x128x32 38.0; cuBLAS 50.4, TF32 off). Two shared tile pairs with one barrier a step instead of
     * one pair and two barriers ran slower on every tile tried (2026-12-04: 128x256x8 32.3 against 45.1, 256x128x8 32.7
     * against 41.0, 128x128x16 32.5 against 40.8; cuBLAS 49.7), so the kernel keeps one pair.
     */
    static Tiles large(int maxSharedBytes) {
        String p = System.getProperty(TILES_PROPERTY);
        if (p != null && !p.isBlank()) {
            String[] f = p.trim().split("x");
            if (f.length != 3) throw new IllegalArgumentException(TILES_PROPERTY + ": expected BMxBNxBK, got '" + p + "'");
            int bm = Integer.parseInt(f[0]), bn = Integer.parseInt(f[1]), bk = Integer.parseInt(f[2]);
            if (bm % 64 != 0 || bn % 64 != 0 || bm > 256 || bn > 256 || bk % 4 != 0 || (bm * bk) % 1024 != 0 || (bn * bk) % 1024 != 0
                    || (bm + bn) * bk * 4 > maxSharedBytes) {
                throw new IllegalArgumentException(TILES_PROPERTY + ": " + p + " is not a tile this kernel can run (BM, BN multiples of 64 up to 256; "
                        + "BM*BK and BN*BK multiples of 1024; both tiles within " + maxSharedBytes + " bytes of shared memory)");
            }
            return new Tiles(bm, bn, bk, bm / 16, bn / 16);
        }
        return new Tiles(128, 256, 8, 8, 16);
    }

    /** The middle tile, 128x128 with 8x8 per invocation and BK as deep as the shared memory allows (at most 32). */
    static Tiles middle(int maxSharedBytes) {
        return new Tiles(128, 128, depth(128, 128, maxSharedBytes), 8, 8);
    }

    /** Workgroups below which a tile gives way to the next smaller one: a few per SM of a large GPU. */
    static final long MIN_WORKGROUPS = 128;
    /** The most a tile may pad the product by (the padded result over the real one) before the next smaller one is taken. */
    static final double MAX_PADDING = 1.15;

    /**
     * The first of {@code tiles} (largest first) that makes at least {@link #MIN_WORKGROUPS} workgroups over
     * {@code batches} products of {@code m x n} while padding the result by at most {@link #MAX_PADDING}; the last
     * (smallest) one when none does. An attention product {@code [1024, 64]} per head thus takes 64x64, not a
     * 128x256 tile three quarters empty.
     */
    static Tiles choose(java.util.List<Tiles> tiles, int m, int n, long batches) {
        for (Tiles t : tiles) {
            long rows = (m + t.bm() - 1L) / t.bm(), cols = (n + t.bn() - 1L) / t.bn();
            double padding = (double) (rows * t.bm()) * (cols * t.bn()) / Math.max(1.0, (double) m * n);
            if (rows * cols * batches >= MIN_WORKGROUPS && padding <= MAX_PADDING) return t;
        }
        return tiles.get(tiles.size() - 1);
    }

    /** System property: {@code false} never splits a product's K over workgroups ({@link #splits}), to compare. */
    static final String SPLIT_K_PROPERTY = "jasg.vulkan.matmul.splitK";
    /** The least of K a split takes. */
    static final int SPLIT_MIN_K = 512;
    /** The most splits of one product. */
    static final int MAX_SPLITS = 16;
    /**
     * The least work (multiply-adds) of a product worth splitting: below it the second pass costs more than the idle
     * SMs (on the H200 the small transformer workload's [256,1024]x[1024,256] weight gradients split in two ran the step
     * 11% slower, 517k against 581k tokens/s; the GPT-2-sized step's [768,8192]x[8192,768] gained 3.7%, 36.0k against 34.7k).
     */
    static final long SPLIT_MIN_WORK = 1L << 30;

    /**
     * How many parts one product's K is split into over workgroups (1: not split): where the product is a single matrix
     * ({@code batches == 1}) whose {@code t} tiles make fewer than {@link #MIN_WORKGROUPS} workgroups, such as a
     * weight gradient {@code [768, 8192] x [8192, 768]} (36 tiles of 128x128), and that is at least {@link #SPLIT_MIN_WORK}
     * multiply-adds, K is halved until the tiles times the splits make that many, each split at least {@link #SPLIT_MIN_K}
     * deep; then every split has a step of {@code t}'s depth.
     */
    static int splits(Tiles t, int m, int n, int k, long batches) {
        if (batches != 1 || (long) m * n * k < SPLIT_MIN_WORK || "false".equalsIgnoreCase(System.getProperty(SPLIT_K_PROPERTY))) return 1;
        long groups = ((m + t.bm() - 1L) / t.bm()) * ((n + t.bn() - 1L) / t.bn());
        int splits = 1;
        while (groups * splits < MIN_WORKGROUPS && k / (2L * splits) >= SPLIT_MIN_K && splits < MAX_SPLITS) splits *= 2;
        long steps = (k + t.bk() - 1L) / t.bk(), per = (steps + splits - 1) / splits;
        return (int) ((steps + per - 1) / per); // no empty split
    }

    /** Steps of {@code t}'s depth each of {@code splits} parts of K takes (the last may take fewer). */
    static int stepsPerSplit(Tiles t, int k, int splits) {
        long steps = (k + t.bk() - 1L) / t.bk();
        return (int) ((steps + splits - 1) / splits);
    }

    /** The product whose K is split over workgroup z, each split's partial result into matrix z of {@code out} ({@link #splits}). */
    static Kernel splitKernel(Tiles t, boolean aligned, boolean transA) {
        String name = String.format(Locale.ROOT, "matmul_%dx%dx%d_%dx%d%s%s_splitk", t.bm(), t.bn(), t.bk(), t.tm(), t.tn(), aligned ? "_aligned" : "",
                transA ? "_ta" : "");
        return GlslKernels.kernel(name, "matmul.comp", 3, "BM", t.bm() + "u", "BN", t.bn() + "u", "BK", t.bk() + "u", "TM", t.tm(), "TN", t.tn(),
                "ALIGNED", aligned ? 1 : 0, "EPILOGUE", 0, "TRANS_A", transA ? 1 : 0, "SPLITK", 1);
    }

    /** The small tile (64x64, 4x4 per invocation) for products too small to fill the device with large tiles. */
    static Tiles small(int maxSharedBytes) {
        return new Tiles(64, 64, depth(64, 64, maxSharedBytes), 4, 4);
    }

    private static int depth(int bm, int bn, int maxSharedBytes) {
        // Half the limit at most, leaving the rest to the driver and to a second resident workgroup.
        int bk = 32;
        while (bk > 8 && (bm + bn) * bk * 4 > maxSharedBytes / 2) bk /= 2;
        return bk;
    }

    /** True when the aligned variant applies: every dimension a multiple of its tile. */
    static boolean aligned(Tiles t, int m, int n, int k) {
        return m % t.bm() == 0 && n % t.bn() == 0 && k % t.bk() == 0;
    }

    static Kernel kernel(Tiles t, boolean aligned) {
        return kernel(t, aligned, false);
    }

    /** The product; {@code transA}: A is stored transposed ({@code [.., K, M]}, an absorbed permute's operand, {@link Fusion}). */
    static Kernel kernel(Tiles t, boolean aligned, boolean transA) {
        String name = String.format(Locale.ROOT, "matmul_%dx%dx%d_%dx%d%s%s", t.bm(), t.bn(), t.bk(), t.tm(), t.tn(), aligned ? "_aligned" : "",
                transA ? "_ta" : "");
        return GlslKernels.kernel(name, "matmul.comp", 3, "BM", t.bm() + "u", "BN", t.bn() + "u", "BK", t.bk() + "u", "TM", t.tm(), "TN", t.tn(),
                "ALIGNED", aligned ? 1 : 0, "EPILOGUE", 0, "TRANS_A", transA ? 1 : 0);
    }

    /**
     * The product with a fused group applied before the store (the epilogue, {@link Fusion}): its externals bound
     * from binding 3 on, their indexing after the usual push constants.
     */
    static Kernel kernel(Tiles t, boolean aligned, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        return kernel(t, aligned, false, epilogue, g);
    }

    static Kernel kernel(Tiles t, boolean aligned, boolean transA, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        return GlslKernels.epilogue(kernel(t, aligned, transA).name(), "matmul.comp", new Object[] {"BM", t.bm() + "u", "BN", t.bn() + "u",
                "BK", t.bk() + "u", "TM", t.tm(), "TN", t.tn(), "ALIGNED", aligned ? 1 : 0, "TRANS_A", transA ? 1 : 0}, epilogue, g);
    }

}
