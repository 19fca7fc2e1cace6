package dev.jasg.gpu;

import dev.jasg.core.DType;
import java.util.List;
import java.util.Locale;

/**
 * The tensor-core matrix product ({@code matmul_coop.comp}) for products of two F16 or two BF16
 * operands on a device with {@code VK_KHR_cooperative_matrix} ({@link CoopMatrix}): a workgroup of
 * {@code (BM/WM)(BN/WN)} subgroups of 32 computes a {@code BM x BN} tile of the f32 result, each
 * subgroup a {@code WM x WN} block of 16x16 accumulators; per {@code BK} step both operand tiles
 * are read from global memory as f32 words (the emulated half storage holds each half exactly),
 * converted to the half type in shared memory and multiplied with 16x16x16 cooperative-matrix
 * operations. Only sizes that are multiples of the tile take it; the rest runs on {@link MatMulKernel}.
 *
 * <p>The tile is {@code 128x128x32} with {@code 64x32} subgroup tiles, or what the system property
 * {@value #TILES_PROPERTY} says as {@code BMxBNxBK/WMxWN} (e.g. {@code 128x256x32/64x64}) for tuning on a device.
 */
final class CoopMatMulKernel {
    /** System property overriding the tile as {@code BMxBNxBK/WMxWN}. */
    static final String TILES_PROPERTY = "jasg.vulkan.coopmat.tiles";
    /** The subgroup size the kernel's warp layout assumes (NVIDIA's). */
    static final int SUBGROUP = 32;

    /** A tile: {@code BM x BN} per workgroup, {@code BK} deep, {@code WM x WN} per subgroup. */
    record Tiles(int bm, int bn, int bk, int wm, int wn) {
        Tiles {
            if (bm % wm != 0 || bn % wn != 0 || wm % 16 != 0 || wn % 16 != 0 || bk % 16 != 0) {
                throw new IllegalArgumentException("cooperative-matrix tile " + this + ": BM, BN must be multiples of WM, WN, and WM, WN, BK of 16");
            }
            int threads = (bm / wm) * (bn / wn) * SUBGROUP;
            if (threads > 1024 || (bm * bk / 4) % threads != 0 || (bk * bn / 4) % threads != 0) {
                throw new IllegalArgumentException("cooperative-matrix tile " + this + ": " + threads + " invocations cannot share its loads evenly");
            }
        }

        int threads() {
            return (bm / wm) * (bn / wn) * SUBGROUP;
        }

        /** Shared memory of one workgroup: both padded tiles of 2-byte elements. */
        int sharedBytes() {
            return 2 * (bm * (bk + 8) + bk * (bn + 8));
        }

        /** Parses {@code BMxBNxBK/WMxWN}. */
        static Tiles parse(String s) {
            String[] p = s.trim().split("[x/]");
            if (p.length != 5) throw new IllegalArgumentException(TILES_PROPERTY + ": expected BMxBNxBK/WMxWN, got '" + s + "'");
            return new Tiles(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]));
        }
    }

    private CoopMatMulKernel() {}

    /**
     * The tiles to try, largest first, on a device with {@code maxSharedBytes} of shared memory (empty when none
     * fits): 256x128x32 with 64x64 per subgroup, then 128x128x32 with 64x32. On the H200 at 4096³ f16 the large tile
     * ran 157 TFLOPS against the small one's 116 (128x256x32/64x64 155, 128x128x64/64x32 153, 64x64x32/32x32 107,
     * 256x256x32/64x64 39); the small one fits more shapes and fills the device on smaller products. Property
     * {@value #TILES_PROPERTY} ({@code BMxBNxBK/WMxWN}) names the one tile to use instead.
     */
    static List<Tiles> tiles(int maxSharedBytes) {
        String p = System.getProperty(TILES_PROPERTY);
        List<Tiles> all = p != null && !p.isBlank() ? List.of(Tiles.parse(p)) : List.of(new Tiles(256, 128, 32, 64, 64), new Tiles(128, 128, 32, 64, 32));
        return all.stream().filter(t -> t.sharedBytes() <= maxSharedBytes).toList();
    }

    /** Workgroups below which a larger tile gives way to the next one (a few per SM of a large GPU, as the f32 kernel). */
    static final long MIN_WORKGROUPS = 128;

    /**
     * The first of {@code tiles} (largest first) that fits an {@code m x k x n} product exactly and makes at
     * least {@link #MIN_WORKGROUPS} workgroups over {@code batches} products; when none that fits makes that many,
     * the one that makes the most; null when none fits.
     */
    static Tiles choose(List<Tiles> tiles, int m, int n, int k, long batches) {
        Tiles most = null;
        long mostGroups = -1;
        for (Tiles t : tiles) {
            if (!fits(t, m, n, k)) continue;
            long groups = (long) (m / t.bm()) * (n / t.bn()) * batches;
            if (groups >= MIN_WORKGROUPS) return t;
            if (groups > mostGroups) {
                most = t;
                mostGroups = groups;
            }
        }
        return most;
    }

    /** True when the product fits the tile exactly (every dimension a multiple of it). */
    static boolean fits(Tiles t, int m, int n, int k) {
        return m % t.bm() == 0 && n % t.bn() == 0 && k % t.bk() == 0;
    }

    static Kernel kernel(Tiles t, DType operand) {
        if (!operand.isHalf()) throw new IllegalArgumentException("the cooperative-matrix kernel multiplies f16 or bf16, not " + operand.label());
        String name = String.format(Locale.ROOT, "matmul_coop_%s_%dx%dx%d_%dx%d", operand.label(), t.bm(), t.bn(), t.bk(), t.wm(), t.wn());
        return GlslKernels.kernel(name, "matmul_coop.comp", 3, "BF16", operand == DType.BF16 ? 1 : 0, "BM", t.bm() + "u", "BN", t.bn() + "u",
                "BK", t.bk() + "u", "WM", t.wm() + "u", "WN", t.wn() + "u", "THREADS", t.threads());
    }
}
