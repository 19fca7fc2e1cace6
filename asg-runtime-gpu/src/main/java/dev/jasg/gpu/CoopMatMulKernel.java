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
 * <p>The tile is {@code 128x128x64} with {@code 64x32} subgroup tiles ({@link #tiles}), or what the system property
 * {@value #TILES_PROPERTY} says as {@code BMxBNxBK/WMxWN} (e.g. {@code 128x256x32/64x64}) for tuning on a device.
 */
final class CoopMatMulKernel {
    /** System property overriding the tiles as {@code BMxBNxBK/WMxWN}, first choice first, comma-separated. */
    static final String TILES_PROPERTY = "jasg.vulkan.coopmat.tiles";
    /**
     * System property: {@code false} reads the operands as f32 words and converts them while staging (no workspace);
     * by default they are first packed to 16-bit storage in the plan's workspace ({@code pack_half.comp}).
     */
    static final String PACKED_PROPERTY = "jasg.vulkan.coopmat.packed";
    /**
     * System property: shared-memory stages of the packed kernel, 1 (default) or 2 where it fits. On the H200 (48 KiB of
     * shared memory a workgroup) two stages fit only the 128x128 tile, and ran it slower (138 against 165 TFLOPS bf16).
     */
    static final String STAGES_PROPERTY = "jasg.vulkan.coopmat.stages";

    /** Whether operands are packed to 16-bit storage before the product ({@value #PACKED_PROPERTY}, default true). */
    static boolean packed() {
        return !"false".equalsIgnoreCase(System.getProperty(PACKED_PROPERTY, "true"));
    }

    /** Shared-memory stages the packed kernel asks for ({@value #STAGES_PROPERTY}, default 1). */
    static int stages() {
        int s = Integer.getInteger(STAGES_PROPERTY, 1);
        if (s != 1 && s != 2) throw new IllegalArgumentException(STAGES_PROPERTY + " must be 1 or 2, got " + s);
        return s;
    }

    /**
     * System property for measuring the device's ceiling, never for results: 1 runs the one-stage packed kernel's steps as
     * shared-memory loads and products only (no global loads, no barriers), 2 as products only on fragments loaded once,
     * 3 as the whole kernel with every workgroup and step reading the same first tiles of A and B (from L1), 4 with every
     * workgroup reading A's first rows and B's first columns over the whole depth (from L2, no DRAM traffic);
     * the results are then wrong ({@code MatmulBench} prints CHECK FAILED) but the time is the ceiling of those parts. On
     * an H100 (2026-12-06) at 4096³ bf16: 1 ran 386-416 TFLOPS, 2 385-449 (64x64x64/32x32 449), the full kernel 227, and
     * cuBLAS 730: the cooperative-matrix products alone, before any memory traffic, reach 0.53-0.61 of cuBLAS.
     */
    static final String PEAK_PROPERTY = "jasg.vulkan.coopmat.peak";

    /** The ceiling measurement asked for by {@value #PEAK_PROPERTY} (0: none, the real product). */
    static int peak() {
        int p = Integer.getInteger(PEAK_PROPERTY, 0);
        if (p < 0 || p > 4) throw new IllegalArgumentException(PEAK_PROPERTY + " must be 0 to 4, got " + p);
        return p;
    }

    /** How the kernel reads its operands: as f32 words, or packed 16-bit through 1 or 2 shared stages. */
    record Variant(boolean packed, int stages) {
        static final Variant WORDS = new Variant(false, 1);

        Variant {
            if (stages != 1 && stages != 2) throw new IllegalArgumentException("stages " + stages);
            if (!packed && stages != 1) throw new IllegalArgumentException("the f32-word kernel has one stage");
        }
    }
    /** The subgroup size the kernel's warp layout assumes (NVIDIA's). */
    static final int SUBGROUP = 32;

    /** A tile: {@code BM x BN} per workgroup, {@code BK} deep, {@code WM x WN} per subgroup. */
    record Tiles(int bm, int bn, int bk, int wm, int wn) {
        Tiles {
            if (bm % wm != 0 || bn % wn != 0 || wm % 16 != 0 || wn % 16 != 0 || bk % 16 != 0) {
                throw new IllegalArgumentException("cooperative-matrix tile " + this + ": BM, BN must be multiples of WM, WN, and WM, WN, BK of 16");
            }
            int threads = (bm / wm) * (bn / wn) * SUBGROUP;
            if (threads > 1024 || (bm * bk / 8) % threads != 0 || (bk * bn / 8) % threads != 0) {
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

        /** Shared memory of one workgroup of {@code v}, with the epilogue's per-subgroup 16x16 f32 tile when {@code epilogue}. */
        int sharedBytes(Variant v, boolean epilogue) {
            return v.stages() * sharedBytes() + (epilogue ? (threads() / SUBGROUP) * 16 * 16 * 4 : 0);
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
     * The tiles to try, first choice first, on a device with {@code maxSharedBytes} of shared memory (empty when none
     * fits): 128x128x64 with 64x32 per subgroup, then 128x128x32 (for K a multiple of 32 only), then 64x64x32 with
     * 32x32 (thin products, such as attention's {@code [1024, 64]} per head). On the H200 at 4096³
     * bf16 with packed operands (8 subgroups, one workgroup per SM by registers, 48 KiB of shared memory a workgroup):
     * 128x128x64/64x32 231 TFLOPS, 128x256x32/64x64 228, 128x256x32/32x64 223, 256x128x32/64x64 213, 256x128x32/64x32
     * 210, 128x128x32/32x32 169, 128x128x32/64x32 165, 256x256x32/64x64 67; reading f32 words instead, at most 152.
     * On an H100 (2026-12-06, one call): 128x128x32/64x64 (four subgroups, 255 registers: two workgroups a SM) 239 against
     * this first choice's 227 (193 registers), 128x128x64/64x64 174, 64x64x64/32x32 159, 64x128x64/32x64 and
     * 128x64x64/64x32 146-147; but the bf16 GPT-2-sized step ran 87.4k tokens/s with the four-subgroup tile first against
     * 90.3k with these, so these stay. Two shared stages cost every four-subgroup tile a third or more (128x128x32/64x64
     * 166, 64x64x64/32x32 104, with each stage's buffer a constant) and left 128x128x32/64x32 as it was (166).
     * Property {@value #TILES_PROPERTY} ({@code BMxBNxBK/WMxWN}, several comma-separated) names the tiles to use instead.
     */
    static List<Tiles> tiles(int maxSharedBytes) {
        String p = System.getProperty(TILES_PROPERTY);
        List<Tiles> all = p != null && !p.isBlank()
                ? java.util.Arrays.stream(p.split(",")).map(Tiles::parse).toList()
                : List.of(new Tiles(128, 128, 64, 64, 32), new Tiles(128, 128, 32, 64, 32), new Tiles(64, 64, 32, 32, 32));
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

    /**
     * Throughput of one compute unit on the tensor-core kernel's tiles: the H200's (~230 TFLOPS in bf16 at 4096^3 over 132
     * SMs); weighed against {@link MatMulKernel#UNIT_BYTES_PER_S} when a split's partial results cost more than it gains.
     */
    static final double UNIT_FLOPS = 1.74e12;

    /**
     * How many parts an unbatched product's K is split into over workgroups on the packed kernel (1: not split), on a device
     * of {@code units} compute units (0 unknown: never): the split that takes the fewest whole waves of workgroups, its
     * partial results and second pass counted ({@link MatMulKernel#waveSeconds}), each part at least
     * {@link MatMulKernel#SPLIT_MIN_K} deep and the product at least {@link MatMulKernel#SPLIT_MIN_WORK}. A bf16 weight
     * gradient {@code [3072, 8192] x [8192, 768]} makes 144 workgroups of 128x128, two waves on 132 SMs with the second
     * nearly empty: in 4 parts, 576 make five full ones.
     */
    static int splits(Tiles t, int m, int n, int k, long batches, int units) {
        if (units <= 0 || !MatMulKernel.splittable(m, n, k, batches)) return 1;
        double step = 2.0 * t.bm() * t.bn() * t.bk() / UNIT_FLOPS;
        // the store is not costed here: the tile is fixed, and the splits were measured without it
        return MatMulKernel.bestSplit((long) (m / t.bm()) * (n / t.bn()), k / t.bk(), step, 0, (long) m * n, k, units, Double.POSITIVE_INFINITY).parts();
    }

    /** The packed product over one part of K per workgroup z, each part's partial result into matrix z of C ({@link #splits}). */
    static Kernel splitKernel(Tiles t, DType operand, Variant v) {
        if (!v.packed()) throw new IllegalArgumentException("only the packed tensor-core kernel splits K");
        return GlslKernels.kernel(name(t, operand, v) + "_splitk", "matmul_coop.comp", 3, GlslKernels.with(GlslKernels.with(defines(t, operand, v), "EPILOGUE", 0), "SPLITK", 1));
    }

    /** True when the product fits the tile exactly (every dimension a multiple of it). */
    static boolean fits(Tiles t, int m, int n, int k) {
        return m % t.bm() == 0 && n % t.bn() == 0 && k % t.bk() == 0;
    }

    static Kernel kernel(Tiles t, DType operand) {
        return kernel(t, operand, Variant.WORDS);
    }

    static Kernel kernel(Tiles t, DType operand, Variant v) {
        if (!operand.isHalf()) throw new IllegalArgumentException("the cooperative-matrix kernel multiplies f16 or bf16, not " + operand.label());
        return GlslKernels.kernel(name(t, operand, v), "matmul_coop.comp", 3, GlslKernels.with(defines(t, operand, v), "EPILOGUE", 0));
    }

    /**
     * The product with a fused group applied to every result element before the store (the epilogue, {@link Fusion}):
     * each subgroup stores a 16x16 accumulator tile to shared memory, then its invocations apply the group and write.
     * Its externals are bound from binding 3 on, their indexing after the usual push constants.
     */
    static Kernel kernel(Tiles t, DType operand, Variant v, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        if (!operand.isHalf()) throw new IllegalArgumentException("the cooperative-matrix kernel multiplies f16 or bf16, not " + operand.label());
        return GlslKernels.epilogue(name(t, operand, v), "matmul_coop.comp", defines(t, operand, v), epilogue, g);
    }

    private static String name(Tiles t, DType operand, Variant v) {
        int peak = peak();
        return String.format(Locale.ROOT, "matmul_coop_%s_%dx%dx%d_%dx%d%s", operand.label(), t.bm(), t.bn(), t.bk(), t.wm(), t.wn(),
                v.packed() ? "_packed" + v.stages() + (peak > 0 ? "_peak" + peak : "") : "");
    }

    private static Object[] defines(Tiles t, DType operand, Variant v) {
        return new Object[] {"BF16", operand == DType.BF16 ? 1 : 0, "BM", t.bm() + "u", "BN", t.bn() + "u", "BK", t.bk() + "u", "WM", t.wm() + "u",
                "WN", t.wn() + "u", "THREADS", t.threads(), "PACKED", v.packed() ? 1 : 0, "STAGES", v.stages(), "PEAK", peak()};
    }

    /** {@code pack_half.comp}: f32 words holding halves to 16-bit storage, four elements an invocation. */
    static Kernel pack(DType operand) {
        return GlslKernels.kernel("pack_" + operand.label(), "pack_half.comp", 2, "BF16", operand == DType.BF16 ? 1 : 0);
    }

    /**
     * The packing of a transposed operand ({@code pack_half_t.comp}): batch matrices stored {@code [K, M]} (an absorbed
     * permute's input) packed as {@code [M, K]} halves, so the tensor-core kernels read a transposed A with no copy.
     */
    static Kernel packTransposed(DType operand) {
        return GlslKernels.kernel("pack_t_" + operand.label(), "pack_half_t.comp", 2, "BF16", operand == DType.BF16 ? 1 : 0);
    }
}
