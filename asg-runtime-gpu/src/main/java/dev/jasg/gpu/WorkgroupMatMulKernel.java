package dev.jasg.gpu;

import dev.jasg.core.DType;
import java.util.List;
import java.util.Locale;

/**
 * The tensor-core matrix product on workgroup-scope cooperative matrices ({@code matmul_wg.comp},
 * {@code VK_NV_cooperative_matrix2}): a workgroup of the device's listed invocations computes a {@code BM x BN} tile
 * of the f32 result from f16 or bf16 operands in 16-bit storage, {@code BK} deep a step, and the driver stages the
 * operand tiles through shared memory. Tensor layouts clamp at the matrix edges, so any {@code M} and partial last
 * tiles work; every batch matrix must start 16-byte aligned, which {@link #fits} checks ({@code K} and {@code N}
 * multiples of 8).
 *
 * <p>On the H200 this kernel ran 4096^3 at 216 TFLOPS against the subgroup-scope kernel's 230, so it takes only the half
 * products whose sizes that kernel's tiles do not divide (before them, those ran on the f32 kernel).
 *
 * <p>The tiles are in {@link #tiles}; system property {@value #TILES_PROPERTY} ({@code BMxBNxBK[uUNROLL]}) names
 * another for measuring on a device, and {@value #PROPERTY} turns the kernel off or puts it first (read when
 * a plan is lowered). Stateless; thread-safe.
 */
final class WorkgroupMatMulKernel {
    /**
     * System property: {@code false} turns this kernel off (those products run on the f32 kernel), {@code first} gives it
     * every half product it can take, before the subgroup-scope kernel (to measure it); by default it takes what that leaves.
     */
    static final String PROPERTY = "jasg.vulkan.coopmat2";
    /** System property overriding the tile as {@code BMxBNxBK} or {@code BMxBNxBKuUNROLL} (K steps a loop iteration). */
    static final String TILES_PROPERTY = "jasg.vulkan.coopmat2.tiles";
    /** System property: {@code false} clamps every tile's loads (the fast path takes unclamped layouts inside the matrices). */
    static final String FAST_PATH_PROPERTY = "jasg.vulkan.coopmat2.fastPath";

    private WorkgroupMatMulKernel() {}

    /** A workgroup's tile: {@code BM x BN} results, {@code BK} deep a step, {@code unroll} steps a loop iteration. */
    record Tiles(int bm, int bn, int bk, int unroll) {
        Tiles {
            if (bm <= 0 || bn <= 0 || bk <= 0 || unroll < 1 || unroll > 16) {
                throw new IllegalArgumentException("workgroup matrix tile " + bm + "x" + bn + "x" + bk + "u" + unroll);
            }
        }

        Tiles(int bm, int bn, int bk) {
            this(bm, bn, bk, 1);
        }

        /** Whether the device's granularities and largest dimension allow this tile. */
        boolean allowedOn(CoopMatrix.Workgroup w) {
            return bm % w.mGranularity() == 0 && bn % w.nGranularity() == 0 && bk % w.kGranularity() == 0 && bm <= w.maxDimension()
                    && bn <= w.maxDimension() && bk <= w.maxDimension();
        }

        /** Parses {@code BMxBNxBK} or {@code BMxBNxBKuUNROLL}. */
        static Tiles parse(String s) {
            String[] p = s.trim().split("[xu]", -1);
            if (p.length != 3 && p.length != 4) throw new IllegalArgumentException(TILES_PROPERTY + ": expected BMxBNxBK[uUNROLL], got '" + s + "'");
            try {
                return new Tiles(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), p.length == 4 ? Integer.parseInt(p[3]) : 1);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(TILES_PROPERTY + ": expected BMxBNxBK[uUNROLL], got '" + s + "'", e);
            }
        }
    }

    /** Whether the kernel is on ({@value #PROPERTY}, default true). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /** Whether it goes before the subgroup-scope kernel ({@value #PROPERTY}{@code =first}). */
    static boolean first() {
        return "first".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /**
     * The tiles to try on {@code w}, largest first: the property's one, or 128x256x64 unrolled 4 steps, 128x128x64 and
     * 64x64x32 where allowed. On the H200 at 4096^3 bf16 (2026-12-04, unclamped inner tiles): 128x256x64u4 216 TFLOPS (185
     * unrolled once), 128x128x64 170, 256x128x32 165, 256x128x64 141; unrolled 4 steps, 128x128x64 and 256x128x32 ran
     * bimodal (best 213, median 67-70). Every tile clamped, as before: 256x128x32 136, 128x128x32 96.
     */
    static List<Tiles> tiles(CoopMatrix.Workgroup w) {
        String p = System.getProperty(TILES_PROPERTY);
        List<Tiles> all = p != null && !p.isBlank() ? List.of(Tiles.parse(p))
                : List.of(new Tiles(128, 256, 64, 4), new Tiles(128, 128, 64), new Tiles(64, 64, 32));
        return all.stream().filter(t -> t.allowedOn(w)).toList();
    }

    /** True when every batch matrix of an {@code m x k} by {@code k x n} product starts 16-byte aligned (8 halves, 4 floats). */
    static boolean fits(int m, int n, int k) {
        return m > 0 && n % 8 == 0 && k % 8 == 0 && n > 0 && k > 0;
    }

    /**
     * The first of {@code tiles} (largest first) that makes at least {@link CoopMatMulKernel#MIN_WORKGROUPS} workgroups over
     * {@code batches} products, else the last (smallest); null when there is none.
     */
    static Tiles choose(List<Tiles> tiles, int m, int n, long batches) {
        for (Tiles t : tiles) {
            long groups = ceil(m, t.bm()) * ceil(n, t.bn()) * batches;
            if (groups >= CoopMatMulKernel.MIN_WORKGROUPS) return t;
        }
        return tiles.isEmpty() ? null : tiles.get(tiles.size() - 1);
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    static Kernel kernel(Tiles t, DType operand, int invocations) {
        if (!operand.isHalf()) throw new IllegalArgumentException("the cooperative-matrix kernel multiplies f16 or bf16, not " + operand.label());
        return GlslKernels.kernel(name(t, operand, invocations), "matmul_wg.comp", 3, GlslKernels.with(defines(t, operand, invocations), "EPILOGUE", 0));
    }

    /** The product with fused group {@code epilogue} applied to every result element before the store; externals from binding 3 on. */
    static Kernel kernel(Tiles t, DType operand, int invocations, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        if (!operand.isHalf()) throw new IllegalArgumentException("the cooperative-matrix kernel multiplies f16 or bf16, not " + operand.label());
        return GlslKernels.epilogue(name(t, operand, invocations), "matmul_wg.comp", defines(t, operand, invocations), epilogue, g);
    }

    private static String name(Tiles t, DType operand, int invocations) {
        return String.format(Locale.ROOT, "matmul_wg_%s_%dx%dx%d_%d_u%d%s", operand.label(), t.bm(), t.bn(), t.bk(), invocations, t.unroll(),
                fastPath() ? "" : "_clamped");
    }

    private static Object[] defines(Tiles t, DType operand, int invocations) {
        return new Object[] {"BF16", operand == DType.BF16 ? 1 : 0, "BM", t.bm(), "BN", t.bn(), "BK", t.bk(), "THREADS", invocations,
                "UNROLL", t.unroll() + "u", "FAST_PATH", fastPath() ? 1 : 0};
    }

    /** Whether tiles inside the matrices take unclamped layouts ({@value #FAST_PATH_PROPERTY}, default true; read per kernel). */
    static boolean fastPath() {
        return !"false".equalsIgnoreCase(System.getProperty(FAST_PATH_PROPERTY, "true"));
    }
}
