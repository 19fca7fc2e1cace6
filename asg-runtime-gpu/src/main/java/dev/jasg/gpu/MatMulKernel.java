package dev.jasg.gpu;

import java.util.Locale;

/**
 * The tiled, register-blocked fp32 matrix product {@code C[t] = A[t] B[t]} over a batch
 * {@code t} (leading axes broadcast through per-batch strides).
 *
 * <p>A workgroup of 16x16 invocations ({@code TXN x 256/TXN} for {@link #softmaxRows}' whole rows) computes a
 * {@code BM x BN} tile of C; each invocation holds a {@code TM x TN} block of accumulators in registers (rows
 * {@code ty*4 + i%4 + (i/4)*64}, so the shared-memory reads are 16-byte vectors that do
 * not conflict; {@code matmul.comp TILE_ROW}). Per step of {@code BK} along K, both tiles are kept k-major in shared memory: A's
 * tile is stored transposed and B's as is, or, where an operand is stored transposed
 * ({@link Layout}), A's as is and B's transposed; a tile written transposed goes through an XOR
 * swizzle of its 16-byte slots ({@code matmul.comp SWZ}), so a warp's writes fall in 32 different
 * banks (H200, 2026-12-04: {@code [8192,768] x [768,768]} 0.259 -> 0.240 ms, with bias and residual
 * {@code [8192,3072] x [3072,768]} 1.068 -> 0.958 ms; 4096^3 44.6 -> 44.1 TFLOPS). The next step's
 * tiles are loaded from global memory into registers while this step computes, four consecutive
 * floats of a row an invocation (consecutive invocations along the row, also for a transposed operand,
 * whose rows are K). BK is chosen from the device's shared-memory limit.
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
     * 64x256x16 39.5, 128x128x32 38.0; cuBLAS 50.4, TF32 off). A first version of two shared tile pairs (the stage
     * picked by a variable) ran slower on every tile tried (2026-12-04: 128x256x8 32.3 against 45.1); with the loop
     * unrolled by two it is faster on this tile ({@link #STAGES_PROPERTY}).
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

    /** System property: {@code false} keeps the large tile 8 deep for every product ({@link #deep}), to compare. */
    static final String DEEP_LARGE_PROPERTY = "jasg.vulkan.matmul.deepLarge";
    /** The depth of {@link #deep}'s tile. */
    static final int DEEP_BK = 16;

    /**
     * The tile an unsplit product without an epilogue or a permuted store runs on when {@code t} is chosen: the large
     * tile 16 deep ({@link #DEEP_BK}, one shared stage, 24 KiB) where A is not read transposed, else {@code t} itself. On an
     * H100 (2026-12-06, {@code MatmulBench}, same call) 4096^3 ran 45.9 TFLOPS 16 deep against 43.9 8 deep with two stages
     * (cuBLAS 51.3), 2048^3 42.8 against 41.2, {@code [8192,768] x [768,3072]} 0.889 against 0.925 ms; the weight gradients,
     * which read A transposed, ran slower 16 deep ({@code [3072,8192] x [8192,768]} in stream-K 0.914 against 0.890 ms), and
     * a split or streamed product keeps the tile it was costed on. Not where {@value #TILES_PROPERTY} names the large
     * tile, nor with {@value #DEEP_LARGE_PROPERTY}{@code =false}, nor where a K that {@code t}'s depth divides is not a
     * multiple of 16 (the product would lose its aligned kernel).
     */
    static Tiles deep(Tiles t, Layout layout, int k, int maxSharedBytes) {
        String forced = System.getProperty(TILES_PROPERTY);
        if (layout.transA() || t.tm() * t.tn() < 128 || t.bk() >= DEEP_BK || (k % t.bk() == 0 && k % DEEP_BK != 0)
                || (forced != null && !forced.isBlank())
                || "false".equalsIgnoreCase(System.getProperty(DEEP_LARGE_PROPERTY))) {
            return t;
        }
        Tiles d = new Tiles(t.bm(), t.bn(), DEEP_BK, t.tm(), t.tn());
        return (d.bm() + d.bn()) * d.bk() * 4 * stages(d) <= maxSharedBytes ? d : t;
    }

    /** The middle tile, 128x128 with 8x8 per invocation and BK as deep as the shared memory allows (at most 32). */
    static Tiles middle(int maxSharedBytes) {
        return new Tiles(128, 128, depth(128, 128, maxSharedBytes), 8, 8);
    }

    /**
     * The narrow tile, 128x64 with 8x4 per invocation, for products 64 wide: attention's per-head products ({@code P V} and
     * the gradients of q, k and v, {@code [1024, 1024] x [1024, 64]} per head in GPT-2), which the 64x64 tile ran with half
     * the accumulators an invocation and twice the shared-memory reads per multiply-add.
     */
    static Tiles narrow(int maxSharedBytes) {
        return new Tiles(128, 64, depth(128, 64, maxSharedBytes), 8, 4);
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
        return parts(t, k, splits); // no empty split
    }

    /** A product's tile and the number of parts its K is split into over workgroups (1: not split). */
    record Schedule(Tiles tiles, int splits) {}

    /**
     * System property naming one schedule for every product it applies to, for tuning on a device: {@code I/S}, the tile
     * at index {@code I} of the list (0 the largest) and {@code S} splits where a product may be split (else 1).
     */
    static final String SCHEDULE_PROPERTY = "jasg.vulkan.matmul.schedule";

    /**
     * Throughput of one compute unit running the large tile, and the device memory bandwidth per compute unit: the H200's
     * (45 TFLOPS f32 at 4096^3 over 132 SMs; ~3.6 TB/s sustained over 132). Only their ratio and the tiles' relative rates
     * ({@link #rate}) matter to {@link #schedule}: they weigh a split's extra traffic against the idle units it fills.
     */
    static final double UNIT_FLOPS = 3.4e11, UNIT_BYTES_PER_S = 2.7e10;
    /** What the second pass of a split product costs beside its traffic: a dispatch and a barrier. */
    static final double SPLIT_PASS_SECONDS = 6e-6;

    /**
     * System property: the middle tile's throughput relative to the large tile's in {@link #rate} (default
     * {@value #MIDDLE_RATE}), to compare schedules on a device.
     */
    static final String MIDDLE_RATE_PROPERTY = "jasg.vulkan.matmul.middleRate";
    /**
     * The middle tile's (8x8 accumulators) rate against the large tile's. It was 0.91 (H200 at 4096^3, 2026-12-04: 40.9
     * against 45.1 TFLOPS); since the swizzled shared tiles and the large tile's two stages, 44.5 against 45.6 (H200), and
     * the GPT-2-sized step's input gradients ran faster on it unsplit than split on the large tile (H100, 2026-12-05:
     * {@code [8192,3072] x [3072,768]} 0.883 against 0.943 ms, {@code [8192,2304] x [2304,768]} 0.669 against 0.727; cuBLAS
     * 0.891 and 0.651), which 0.91 had costed the other way round.
     */
    static final double MIDDLE_RATE = 0.98;

    /**
     * The middle tile's rate against the large tile's where it reads A transposed ({@code TRANS_A}: the weight gradients). There
     * the middle tile ran 0.68-0.81 of the large tile's rate per step of work (H100, 2026-12-05: {@code [768,8192] x
     * [8192,768]} 2.2 against 1.5 us a step, {@code [3072,8192] x [8192,768]} 1.8-1.85 against 1.5), so 0.91, as before,
     * keeps those products split on the large tile, which ran them fastest.
     */
    static final double MIDDLE_RATE_TRANSPOSED_A = 0.91;

    /**
     * A tile's throughput relative to the large tile's, by its accumulators per invocation (the middle tile's
     * {@link #MIDDLE_RATE}, or {@link #MIDDLE_RATE_TRANSPOSED_A} when it reads A transposed; 4x4 27.2 against 8x16's 32.9
     * TFLOPS on [8192, 3072] x [3072, 768], H200, 2026-12-04).
     */
    static double rate(Tiles t, boolean transA) {
        int acc = t.tm() * t.tn();
        return acc >= 128 ? 1.0 : acc >= 64 ? (transA ? MIDDLE_RATE_TRANSPOSED_A : middleRate()) : acc >= 32 ? 0.8 : 0.6;
    }

    private static double middleRate() {
        String p = System.getProperty(MIDDLE_RATE_PROPERTY);
        if (p == null || p.isBlank()) return MIDDLE_RATE;
        double r = Double.parseDouble(p.trim());
        if (!(r > 0 && r <= 2)) throw new IllegalArgumentException(MIDDLE_RATE_PROPERTY + " must be in (0, 2], got " + p);
        return r;
    }

    /**
     * The tile and split of one product of {@code batches} matrices {@code m x n} over {@code k} on a device of {@code units}
     * compute units (SMs; 0 when unknown). With an epilogue only the tiles of at most 64 accumulators an invocation run
     * ({@link #epilogueTiles}: on the H200 the GPT-2-sized f32 step ran 45.4k tokens/s with the large tile allowed under
     * epilogues against 46.2k without, two runs each, 2026-12-04; its GELU-gradient product 1.55 ms against 1.26), and only an unbatched product without an epilogue may be
     * split ({@link #splits}' conditions: at least {@link #SPLIT_MIN_WORK}, every part {@link #SPLIT_MIN_K} deep).
     *
     * <p>When the units are known, every tile and split (1, 2, 3 .. {@link #MAX_SPLITS}) is costed by the waves it takes,
     * whole workgroups a unit at a time: {@code ceil(workgroups / units)} times one workgroup's padded work at the tile's
     * {@link #rate} (which depends on whether A is read transposed) and its result store ({@link #storeSeconds}), plus a
     * split's partial results written and read back and its second pass; the cheapest wins (ties
     * to the larger tile and fewer splits). So a weight gradient {@code [3072, 8192] x [8192, 768]}, 144 workgroups of
     * 128x128 (two waves on 132 SMs, the second nearly empty), is split into parts that fill the waves. Unknown units keep
     * the count-based rule: {@link #choose}, and {@link #splits} on the middle tile.
     */
    static Schedule schedule(java.util.List<Tiles> tiles, int m, int n, int k, long batches, boolean epilogue, int units) {
        return schedule(tiles, m, n, k, batches, epilogue, units, false);
    }

    /** As {@link #schedule(java.util.List, int, int, int, long, boolean, int)} for a product that reads A transposed when {@code transA}. */
    static Schedule schedule(java.util.List<Tiles> tiles, int m, int n, int k, long batches, boolean epilogue, int units, boolean transA) {
        java.util.List<Tiles> candidates = epilogue ? epilogueTiles(tiles) : tiles;
        boolean splittable = !epilogue && splittable(m, n, k, batches);
        String forced = System.getProperty(SCHEDULE_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            String[] f = forced.trim().split("/");
            if (f.length != 2) throw new IllegalArgumentException(SCHEDULE_PROPERTY + ": expected I/S (tile index, splits), got '" + forced + "'");
            Tiles t = tiles.get(Math.clamp(Integer.parseInt(f[0]), 0, tiles.size() - 1));
            if (epilogue && !candidates.contains(t)) t = candidates.get(0);
            int s = Math.clamp(Integer.parseInt(f[1]), 1, MAX_SPLITS);
            return new Schedule(t, splittable && s > 1 ? parts(t, k, s) : 1);
        }
        if (units <= 0) {
            if (splittable && tiles.size() >= 2) {
                Tiles mid = tiles.get(tiles.size() >= 3 ? 1 : 0);  // the 128x128 tile (the large one where it is also the middle)
                int s = splits(mid, m, n, k, batches);
                if (s > 1) return new Schedule(mid, s);
            }
            return new Schedule(choose(candidates, m, n, batches), 1);
        }
        Schedule best = null;
        double bestSeconds = Double.POSITIVE_INFINITY;
        for (Tiles t : candidates) {
            long groups = ((m + t.bm() - 1L) / t.bm()) * ((n + t.bn() - 1L) / t.bn()) * batches;
            double step = 2.0 * t.bm() * t.bn() * t.bk() / (rate(t, transA) * UNIT_FLOPS);
            Split found = bestSplit(groups, (k + t.bk() - 1L) / t.bk(), step, storeSeconds(t), (long) m * n, splittable ? k : 0, units, bestSeconds);
            if (found != null) {
                bestSeconds = found.seconds();
                best = new Schedule(t, found.parts());
            }
        }
        return best;
    }

    /** System property: {@code true} lets products with an epilogue take every tile, the large one too, to compare. */
    static final String EPILOGUE_LARGE_PROPERTY = "jasg.vulkan.matmul.epilogueLarge";

    /**
     * The tiles a product with an epilogue may take: those of at most 64 accumulators an invocation (else the smallest), or
     * all of them with {@value #EPILOGUE_LARGE_PROPERTY}{@code =true}. The large tile under an epilogue takes all 255
     * registers an invocation may have (207 without; H200, 2026-12-05, {@link VulkanBackend#kernelStatistics}), and the
     * GPT-2-sized step ran 53.9k, 53.9k tokens/s with it allowed against 54.0k, 54.1k without (interleaved).
     */
    static java.util.List<Tiles> epilogueTiles(java.util.List<Tiles> tiles) {
        if (Boolean.getBoolean(EPILOGUE_LARGE_PROPERTY)) return tiles;
        java.util.List<Tiles> r = tiles.stream().filter(t -> t.tm() * t.tn() <= 64).toList();
        return r.isEmpty() ? tiles.subList(tiles.size() - 1, tiles.size()) : r;
    }

    /** Parts of K and the time they are costed at ({@link #bestSplit}). */
    record Split(int parts, double seconds) {}

    /** Whether one product may have its K split at all: unbatched, at least {@link #SPLIT_MIN_WORK}, partials addressable, not switched off. */
    static boolean splittable(int m, int n, int k, long batches) {
        return batches == 1 && (long) m * n * k >= SPLIT_MIN_WORK && (long) m * n <= Integer.MAX_VALUE / MAX_SPLITS
                && !"false".equalsIgnoreCase(System.getProperty(SPLIT_K_PROPERTY));
    }

    /**
     * The split of {@code groups} workgroups of {@code steps} steps of {@code stepSeconds} each and a store of
     * {@code storeSeconds} (1, 2, 3 .. {@link #MAX_SPLITS}
     * parts, each at least {@link #SPLIT_MIN_K} of {@code k}; {@code k} 0: unsplit only) that takes the least time on
     * {@code units} compute units, whole waves ({@link #waveSeconds}) and a split's partials and second pass
     * ({@link #splitSeconds}) counted, tried in order and taken when under 0.999 of the best so far (starting from
     * {@code bestSoFar}), or null when none beats it.
     */
    static Split bestSplit(long groups, long steps, double stepSeconds, double storeSeconds, long outputs, int k, int units, double bestSoFar) {
        Split found = null;
        int last = 0;
        for (int s = 1; s <= MAX_SPLITS; s++) {
            if (s > 1 && !(k > 0 && k / s >= SPLIT_MIN_K)) break;
            int p = s == 1 ? 1 : parts(steps, s);
            if (p == last) continue;  // the same parts as a smaller s
            last = p;
            double seconds = waveSeconds(groups * p, units, (steps + p - 1) / p, stepSeconds, storeSeconds) + (p > 1 ? splitSeconds(outputs, p, units) : 0);
            if (seconds < bestSoFar * 0.999) {
                bestSoFar = seconds;
                found = new Split(p, seconds);
            }
        }
        return found;
    }

    /**
     * The time {@code groups} workgroups of {@code steps} steps of {@code stepSeconds} each, then a store of
     * {@code storeSeconds}, take on {@code units} compute units, whole waves.
     */
    static double waveSeconds(long groups, int units, long steps, double stepSeconds, double storeSeconds) {
        return (groups + units - 1) / units * (steps * stepSeconds + storeSeconds);
    }

    /**
     * The time one workgroup of tile {@code t} takes to store its result tile at a compute unit's share of the memory
     * bandwidth ({@link #UNIT_BYTES_PER_S}), after its steps: what a shallow product pays per workgroup whatever its K.
     * Attention's scores {@code [1024, 64] x [64, 1024]} per head (8 steps of the large tile, then a 128 KiB store) ran
     * 0.384 ms on the middle tile against 0.457 on the large one (H100, 2026-12-05, 96 heads), which steps alone cost the
     * other way round.
     */
    static double storeSeconds(Tiles t) {
        return "false".equalsIgnoreCase(System.getProperty(STORE_COST_PROPERTY)) ? 0 : 4.0 * t.bm() * t.bn() / UNIT_BYTES_PER_S;
    }

    /** System property: {@code false} leaves the result tile's store out of the schedule's costs ({@link #storeSeconds}), to compare. */
    static final String STORE_COST_PROPERTY = "jasg.vulkan.matmul.storeCost";

    /** What splitting a product of {@code outputs} results into {@code parts} adds: the partials written and read, the second pass. */
    static double splitSeconds(long outputs, int parts, int units) {
        return 8.0 * outputs * parts / (UNIT_BYTES_PER_S * units) + SPLIT_PASS_SECONDS;
    }

    /** {@code s} splits of K as whole steps of {@code t}'s depth, none empty (fewer when the steps run out). */
    private static int parts(Tiles t, int k, int s) {
        return parts((k + t.bk() - 1L) / t.bk(), s);
    }

    /** {@code s} splits of {@code steps} steps, none empty (fewer when the steps run out). */
    static int parts(long steps, int s) {
        long per = (steps + s - 1) / s;
        return (int) ((steps + per - 1) / per);
    }

    /** Steps of {@code t}'s depth each of {@code splits} parts of K takes (the last may take fewer). */
    static int stepsPerSplit(Tiles t, int k, int splits) {
        return stepsPerSplit((k + t.bk() - 1L) / t.bk(), splits);
    }

    /** Steps each of {@code splits} parts of {@code steps} takes (the last may take fewer); the tensor-core kernel's too. */
    static int stepsPerSplit(long steps, int splits) {
        return (int) ((steps + splits - 1) / splits);
    }

    /** The product whose K is split over workgroup z, each split's partial result into matrix z of {@code out} ({@link #splits}). */
    static Kernel splitKernel(Tiles t, boolean aligned, Layout layout) {
        return GlslKernels.kernel(name(t, aligned, layout) + "_splitk", "matmul.comp", 3,
                GlslKernels.with(GlslKernels.with(defines(t, aligned, layout), "EPILOGUE", 0), "SPLITK", 1));
    }

    /**
     * System property: {@code false} runs a split product as {@link #splits} parts of K over workgroups z instead of in
     * stream-K runs ({@link #streamKernel}), to compare.
     */
    static final String STREAM_K_PROPERTY = "jasg.vulkan.matmul.streamK";

    /** Whether split products run in stream-K runs ({@value #STREAM_K_PROPERTY}, on unless {@code false}). */
    static boolean streamK() {
        return !"false".equalsIgnoreCase(System.getProperty(STREAM_K_PROPERTY));
    }

    /**
     * The split product in stream-K form ({@code matmul.comp STREAMK}): the K steps of all its tiles laid end to end and dealt
     * out in runs of {@link #streamSteps} to the workgroups along x, one a compute unit, so every workgroup runs about as long
     * (a split product's last wave is partly empty); each run's part of a tile goes into matrix r of {@code out}, r its rank
     * among the tile's runs ({@link #streamRuns} at most), which {@code stream_sum.comp} adds in that order. A tile has 2 or 3
     * runs where split K wrote one part per split (7 to 9 on the GPT-2-sized weight gradients): less traffic in partials.
     * Taken where the parts of K would take more than one wave (Lowering). On an H100 (2026-12-06, {@code MatmulBench
     * --product}, against 9 or 7 parts of K): {@code [3072,8192] x [8192,768]} 0.889 against 0.908 ms, {@code [2304,8192] x
     * [8192,768]} 0.680 against 0.705, {@code [768,8192] x [8192,3072]} 0.890 against 0.906; {@code [768,8192] x [8192,768]},
     * whose 7 parts are one wave, 0.263 against 0.251, so it keeps them.
     */
    static Kernel streamKernel(Tiles t, boolean aligned, Layout layout) {
        return GlslKernels.kernel(name(t, aligned, layout) + "_streamk", "matmul.comp", 3,
                GlslKernels.with(GlslKernels.with(GlslKernels.with(defines(t, aligned, layout), "EPILOGUE", 0), "SPLITK", 1), "STREAMK", 1));
    }

    /** Steps of a stream-K run: {@code tileCount} tiles of {@code kSteps} steps each over {@code units} workgroups, rounded up. */
    static int streamSteps(long tileCount, long kSteps, int units) {
        return (int) ((tileCount * kSteps + units - 1) / units);
    }

    /** The most runs a tile of {@code kSteps} steps takes in runs of {@code steps} ({@code stream_sum.comp}'s count at most). */
    static int streamRuns(long kSteps, int steps) {
        return (int) Math.min(kSteps, (kSteps - 1) / steps + 2);
    }

    /** The second pass of a stream-K product ({@link #streamKernel}): push n, N, BM, BN, K steps a tile, steps a run, mode. */
    static Kernel streamSum() {
        return GlslKernels.kernel("stream_sum", "stream_sum.comp", 2);
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

    /**
     * How the product reads its operands: {@code transA}, A is stored transposed ({@code [.., K, M]}), {@code transB}, B is
     * ({@code [.., N, K]}): each the input of an absorbed permute swapping the last two axes ({@link Fusion#layout}).
     */
    record Layout(boolean transA, boolean transB) {
        /** Both operands as they are. */
        static final Layout PLAIN = new Layout(false, false);

        /** The layout of the product {@code B^T A^T} computing this one's result transposed: its A is B^T, its B is A^T. */
        Layout swapped() {
            return new Layout(!transB, !transA);
        }

        private String suffix() {
            return (transA ? "_ta" : "") + (transB ? "_tb" : "");
        }
    }

    /**
     * Where a product stores its result when it computes a permute of it instead ({@link Fusion#permutedResult}): element
     * {@code (z, r, c)} of the result as the kernel runs it (matrix, row, column) at
     * {@code (z / zd) * zh + (z % zd) * zl + (r / rd) * rh + (r % rd) * rl + (c / cd) * ch + (c % cd) * cl} of the permute's
     * value ({@code matmul.comp REMAP}). Each of the three indices is split in at most two digits of the permute's operand's
     * axes, each with its stride in the permute's value; columns stay contiguous in runs of a multiple of 4, so the kernel
     * stores four floats at a time. Attention's heads: a projection's {@code [8, 1024, 768]} stored as {@code [8, 12, 1024, 64]}
     * (columns {@code (12, 64)}; rows {@code (8, 1024)} where its input is {@code [8192, 768]}), the per-head products
     * {@code [8, 12, 1024, 64]} stored as {@code [8, 1024, 12, 64]} (matrices {@code (8, 12)}).
     */
    record Remap(int zd, int zh, int zl, int rd, int rh, int rl, int cd, int ch, int cl) {
        /** Push constants the remap takes ({@code matmul.comp rm[]}). */
        static final int WORDS = 9;

        int[] words() {
            return new int[] {zd, zh, zl, rd, rh, rl, cd, ch, cl};
        }

        /**
         * The remap of a product of {@code batches} matrices {@code m x n} whose result, seen as {@code source} (a reshape of
         * it at most), is permuted by {@code perm}; null where the index spaces do not split along {@code source}'s axes in
         * at most two digits each, or the columns would not stay in contiguous runs of a multiple of 4.
         */
        static Remap of(long batches, int m, int n, int[] source, dev.jasg.core.Ints perm) {
            int rank = source.length;
            if (perm.size() != rank || rank == 0) return null;
            long size = 1;
            for (int d : source) size *= d;
            if (size != batches * m * n) return null;
            int[] od = new int[rank];
            for (int i = 0; i < rank; i++) od[i] = source[perm.get(i)];
            int[] os = dev.jasg.core.Strides.contiguous(od);
            long[] st = new long[rank];
            for (int i = 0; i < rank; i++) st[perm.get(i)] = os[i];
            int j = rank - 1;
            long[][] groups = new long[3][];
            long[] extents = {n, m, batches};
            for (int gi = 0; gi < 3; gi++) {
                java.util.List<long[]> digits = new java.util.ArrayList<>();   // {dim, stride}, innermost first
                long prod = 1;
                while (j >= 0 && prod < extents[gi]) {
                    int d = source[j];
                    if (d != 1) {
                        long[] last = digits.isEmpty() ? null : digits.get(digits.size() - 1);
                        if (last != null && st[j] == last[1] * last[0]) last[0] *= d;   // contiguous with the inner one there too
                        else digits.add(new long[] {d, st[j]});
                    }
                    prod *= d;
                    j--;
                }
                if (gi == 2) while (j >= 0 && source[j] == 1) j--;
                if (prod != extents[gi] || digits.size() > 2) return null;
                // (i / div) * hi + (i % div) * lo
                groups[gi] = digits.isEmpty() ? new long[] {1, 0, 0} : digits.size() == 1 ? new long[] {1, digits.get(0)[1], 0}
                        : new long[] {digits.get(0)[0], digits.get(1)[1], digits.get(0)[1]};
            }
            if (j >= 0) return null;
            long[] c = groups[0], r = groups[1], z = groups[2];
            // columns in contiguous runs of a multiple of 4; every other stride a multiple of 4 (vec4 stores)
            boolean twoDigits = c[0] > 1;
            long unit = twoDigits ? c[2] : c[1];
            if (n > 1 && unit != 1) return null;
            if (twoDigits && c[0] % 4 != 0) return null;
            for (long s : new long[] {twoDigits ? c[1] : 0, r[1], r[2], z[1], z[2]}) if (s % 4 != 0) return null;
            for (long[] q : groups) for (long v : q) if (v > Integer.MAX_VALUE) return null;
            return new Remap((int) z[0], (int) z[1], (int) z[2], (int) r[0], (int) r[1], (int) r[2], (int) c[0], (int) c[1], (int) c[2]);
        }

        /** Where element {@code (z, r, c)} goes ({@code matmul.comp C_AT}). */
        long at(long z, long r, long c) {
            return z / zd * zh + z % zd * zl + r / rd * rh + r % rd * rl + c / cd * ch + c % cd * cl;
        }
    }

    static Kernel kernel(Tiles t, boolean aligned) {
        return kernel(t, aligned, Layout.PLAIN);
    }

    /** The product reading its operands as {@code layout} says. */
    static Kernel kernel(Tiles t, boolean aligned, Layout layout) {
        return kernel(t, aligned, layout, false);
    }

    /** As {@link #kernel(Tiles, boolean, Layout)}; {@code remap}: storing its result where a {@link Remap} says. */
    static Kernel kernel(Tiles t, boolean aligned, Layout layout, boolean remap) {
        return GlslKernels.kernel(name(t, aligned, layout) + (remap ? "_remap" : ""), "matmul.comp", 3,
                GlslKernels.with(GlslKernels.with(defines(t, aligned, layout), "EPILOGUE", 0), "REMAP", remap ? 1 : 0));
    }

    /**
     * The tile of a product stored as the softmax of its rows ({@code matmul.comp SOFTMAX}, {@link Fusion#softmaxProduct}),
     * or null where rows {@code n} long do not fit one: a workgroup holds whole rows, {@code 32768 / n} of them, 8x16
     * accumulators an invocation (as the large tile), {@code n / 16} invocations along a row, 8 deep; {@code n} a power of
     * two from 128 to 2048, the tiles, two stages where {@link #stages} says so, and the row folds within {@code maxSharedBytes}
     * (48 KiB: 128 to 1024; lavapipe's 32 KiB: 512). Measured on an H100 (2026-12-06, {@code MatmulBench --product}, against
     * the product and the softmax apart): 512 keys 0.125 against 0.162 ms ({@code [512,64] x [64,512]} x64), 1024 keys 0.632
     * against 0.663 (x96); 4 deep for 2048 keys ran 0.893 against 0.669, so no tile is 4 deep.
     */
    static Tiles softmaxRows(int n, int maxSharedBytes) {
        if (n < 128 || n > 2048 || Integer.bitCount(n) != 1) return null;
        Tiles t = new Tiles(32768 / n, n, 8, 8, 16);
        return softmaxSharedBytes(t) <= maxSharedBytes ? t : null;
    }

    /** Shared memory of {@link #softmaxKernel}'s tile {@code t}: its tiles' stages, and a float a row and invocation along it, and 256 more. */
    static int softmaxSharedBytes(Tiles t) {
        return 4 * ((t.bm() + t.bn()) * t.bk() * stages(t) + t.bm() * (t.bn() / t.tn()) + 256);
    }

    /** The product of {@link #softmaxRows} tile {@code t}, its operands read as {@code layout} says, stored as its rows' softmax. */
    static Kernel softmaxKernel(Tiles t, Layout layout) {
        Object[] d = GlslKernels.with(GlslKernels.with(defines(t, true, layout), "EPILOGUE", 0), "SOFTMAX", 1);
        return GlslKernels.kernel(name(t, true, layout) + "_softmax", "matmul.comp", 3, GlslKernels.with(d, "TXN", t.bn() / t.tn() + "u"));
    }

    /**
     * System property: shared-memory stages of the product, {@code 1} (one tile pair, two barriers a step), {@code 2} (two
     * pairs, one barrier a step, the K loop unrolled by two so each half names its stage as a constant; twice the shared
     * memory) or {@code large} (the default: two on the large tile, one on the others). Read when a kernel is made.
     *
     * <p>The driver's register counts ({@link VulkanBackend#kernelStatistics}, NVIDIA, 2026-12-05) say why: the large tile
     * (8x16 accumulators an invocation) takes 207 registers, so one workgroup of 8 warps a SM whatever its stages, and two
     * stages took it to 217 and 4096^3 from 44.1 to 45.6 TFLOPS (H200; 45.6 on an H100, cuBLAS 50.8). The middle tile
     * (8x8) takes 128-149 and two stages 175-181, fewer warps resident: 4096^3 44.5 -> 41.6, and the GPT-2-sized step, whose
     * epilogue products run on it, 54.3k -> 52.8k tokens/s with two stages everywhere; with two on the large tile only
     * 53.4k, 53.4k against 52.8k, 53.3k (H100, interleaved).
     */
    static final String STAGES_PROPERTY = "jasg.vulkan.matmul.stages";

    /**
     * The stages {@code t} runs with: the property's ({@code 1}, {@code 2}, or {@code large}: 2 for tiles of at least 128
     * accumulators an invocation, 1 for the others), but 1 where two tile pairs would pass 32 KiB of shared memory.
     */
    static int stages(Tiles t) {
        String p = System.getProperty(STAGES_PROPERTY, "large").trim();
        boolean two = switch (p) {
            case "1" -> false;
            case "2" -> true;
            case "large" -> t.tm() * t.tn() >= 128;
            default -> throw new IllegalArgumentException(STAGES_PROPERTY + " must be 1, 2 or large, got '" + p + "'");
        };
        return two && 2 * (t.bm() + t.bn()) * t.bk() * 4 <= 32768 ? 2 : 1;
    }

    /**
     * System property: the rows of tiles in a band of the products' launch order ({@code matmul.comp RASTER}): {@code 0}
     * (the default) has workgroup {@code (x, y)} compute tile {@code (x, y)}, so the workgroups resident together span a few
     * whole rows of tiles and every column of B's; {@code R > 0} walks bands of {@code R} rows column by column, so they
     * share {@code R} rows of A's tiles and fewer of B's columns. Read when a kernel is made.
     */
    static final String RASTER_PROPERTY = "jasg.vulkan.matmul.raster";

    /** The band height {@link #RASTER_PROPERTY} gives, 0 for none. */
    static int raster() {
        String p = System.getProperty(RASTER_PROPERTY, "0").trim();
        int r;
        try {
            r = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RASTER_PROPERTY + " must be a whole number from 0 to 64, got '" + p + "'", e);
        }
        if (r < 0 || r > 64) throw new IllegalArgumentException(RASTER_PROPERTY + " must be a whole number from 0 to 64, got '" + p + "'");
        return r;
    }

    private static String name(Tiles t, boolean aligned, Layout layout) {
        int r = raster();
        return String.format(Locale.ROOT, "matmul_%dx%dx%d_%dx%d%s%s%s%s", t.bm(), t.bn(), t.bk(), t.tm(), t.tn(), aligned ? "_aligned" : "", layout.suffix(),
                stages(t) == 2 ? "_s2" : "", r > 0 ? "_r" + r : "");
    }

    private static Object[] defines(Tiles t, boolean aligned, Layout layout) {
        return new Object[] {"BM", t.bm() + "u", "BN", t.bn() + "u", "BK", t.bk() + "u", "TM", t.tm(), "TN", t.tn(), "ALIGNED", aligned ? 1 : 0,
            "TRANS_A", layout.transA() ? 1 : 0, "TRANS_B", layout.transB() ? 1 : 0, "STAGES", stages(t), "RASTER", raster()};
    }

    /**
     * The product with a fused group applied before the store (the epilogue, {@link Fusion}): its externals bound
     * from binding 3 on, their indexing after the usual push constants.
     */
    static Kernel kernel(Tiles t, boolean aligned, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        return kernel(t, aligned, Layout.PLAIN, epilogue, g);
    }

    static Kernel kernel(Tiles t, boolean aligned, Layout layout, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        return kernel(t, aligned, layout, false, epilogue, g);
    }

    /** As above; {@code remap}: storing where a {@link Remap} says, the epilogue then always on the accumulators ({@code EPI_REGS}). */
    static Kernel kernel(Tiles t, boolean aligned, Layout layout, boolean remap, Fusion.Group epilogue, dev.jasg.core.Graph g) {
        Object[] d = GlslKernels.with(defines(t, aligned, layout), "EPI_REGS", remap || registerEpilogue(epilogue, g) ? 1 : 0);
        return GlslKernels.epilogue(name(t, aligned, layout) + (remap ? "_remap" : ""), "matmul.comp", remap ? GlslKernels.with(d, "REMAP", 1) : d,
                epilogue, g);
    }

    /**
     * System property: where an f32 product applies its epilogue to the accumulators as it stores them ({@code matmul.comp
     * EPI_REGS}) instead of storing the tile, then reading it back with the group's operands after a barrier: {@code all}
     * (the default), {@code operands} (only groups reading an operand of the result's own shape, a residual or attention's
     * softmax weights), or {@code off} (every epilogue through the cache, the rule before 2026-12-06). On an H100 the
     * GPT-2-sized f32 step ran 56.0k tokens/s with {@code all}, 55.9k with {@code operands} and 54.2k with {@code off} (one
     * call, interleaved): the tile's store and read-back cost more than the operands' reads in flight together gained.
     */
    static final String REGISTER_EPILOGUE_PROPERTY = "jasg.vulkan.matmul.registerEpilogue";

    /** Whether {@code epilogue} runs on the accumulators ({@link #REGISTER_EPILOGUE_PROPERTY}). */
    static boolean registerEpilogue(Fusion.Group epilogue, dev.jasg.core.Graph g) {
        String mode = System.getProperty(REGISTER_EPILOGUE_PROPERTY, "all");
        return switch (mode) {
            case "off" -> false;
            case "all" -> true;
            case "operands" -> {
                dev.jasg.core.Shape out = g.node(epilogue.root()).shape();
                boolean same = false;
                for (int x : epilogue.externals()) same |= g.node(x).shape().equals(out);
                yield same;
            }
            default -> throw new IllegalArgumentException(REGISTER_EPILOGUE_PROPERTY + " must be off, all or operands, got '" + mode + "'");
        };
    }

}
