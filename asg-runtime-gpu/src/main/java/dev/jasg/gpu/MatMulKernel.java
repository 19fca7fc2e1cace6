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

    /** The large tile (128x128, 8x8 per invocation) with BK as deep as the shared memory limit allows (at most 32). */
    static Tiles large(int maxSharedBytes) {
        return new Tiles(128, 128, depth(128, 128, maxSharedBytes), 8, 8);
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
        String name = String.format(Locale.ROOT, "matmul_%dx%dx%d_%dx%d%s", t.bm(), t.bn(), t.bk(), t.tm(), t.tn(), aligned ? "_aligned" : "");
        return GlslKernels.kernel(name, "matmul.comp", 3, "BM", t.bm() + "u", "BN", t.bn() + "u", "BK", t.bk() + "u", "TM", t.tm(), "TN", t.tn(),
                "ALIGNED", aligned ? 1 : 0, "EPILOGUE", 0);
    }

    /**
     * The product with a fused group applied before the store (the epilogue, {@link Fusion}): its externals bound
     * from binding 3 on, their indexing after the usual push constants.
     */
    static Kernel kernel(Tiles t, boolean aligned, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        java.util.Map<String, String> defines = Shaders.defines("BM", t.bm() + "u", "BN", t.bn() + "u", "BK", t.bk() + "u", "TM", t.tm(), "TN", t.tn(),
                "ALIGNED", aligned ? 1 : 0, "EPILOGUE", 1, "EXTERNALS", Fusion.slots(epilogue));
        String src = Shaders.source("matmul.comp", defines, java.util.Map.of("fused_body.glsl", Fusion.body(epilogue, g, 3)));
        return new Kernel(kernel(t, aligned).name() + "_epilogue_" + Fusion.digest(src), src, 3 + epilogue.externals().size());
    }

}
