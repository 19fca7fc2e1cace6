package dev.jasg.cpu;

/**
 * Single-precision GEMM, {@code C = (accumulate ? C : 0) + op(A) op(B)}, for row-major
 * {@code float[]} operands at an offset, either of them transposed: the one product every CPU
 * kernel that multiplies matrices (matmul, its gradients, convolutions through im2col) calls.
 *
 * <p>The loops are the classic packed, cache-blocked ones (Goto and van de Geijn's; BLIS's
 * five loops): a {@code KC x NC} panel of B is packed into strips {@code NR} columns wide that
 * stay in L2, an {@code MC x KC} block of A into strips {@code MR} rows tall, and a
 * register-blocked micro-kernel computes each {@code MR x NR} tile of C from one strip of each,
 * reading both with unit stride whatever the operands' layout or transposition was. Packing
 * pads the last strips with zeros, so the micro-kernel never branches; edge tiles are computed
 * into a scratch tile and only their valid part is added to C.
 *
 * <p>The tile and the blocking are {@link KernelChoice}'s, computed from the machine's vector width and
 * cache sizes. The micro-kernel is {@link VectorGemmKernel} (Java Vector API, {@code 12 x 32} on AVX-512,
 * {@code 4 x 16} on AVX2)
 * when {@link Simd#ENABLED} (the {@code jdk.incubator.vector} module is in the boot layer);
 * without it a scalar tile loop the JIT vectorises as it can is used.
 *
 * <p>Products of at least {@link #PARALLEL_MIN} multiply-adds are split over {@link CpuThreads}
 * so that no operand is packed twice (see {@link #gemmStrided}), in equal blocks of whole tiles, a multiple of the
 * threads ({@link #blocks}); called from a pool thread a product runs serially. Every split computes each element
 * with the serial product's tiles and depth slices, so the bits do not depend on the thread count (the depth split
 * aside, which sums partial products). Depth slices have equal sizes ({@link #sliceDepth}), and every slice after
 * the first accumulates in the micro-kernel's registers, not through an extra pass over C.
 *
 * <p>A row-major A is not packed: the micro-kernel reads its rows in place, or, where they lie a multiple of 4 KiB
 * apart, from a copy whose rows do not ({@link #blockA}).
 */
final class Gemm {
    /** True when the Vector API micro-kernel is used. */
    static final boolean VECTOR = Simd.ENABLED;
    /**
     * Without the Vector API, products go to {@link EjmlGemm} (EJML's {@code CommonOps_FDRM.mult}), which
     * {@code FallbackGemmBench} measured faster than the packed scalar tiles (CHANGELOG, issue 21), unless
     * {@code -Djasg.cpu.fallbackGemm=jasg}.
     */
    static final boolean EJML_FALLBACK = !VECTOR && !"jasg".equals(System.getProperty("jasg.cpu.fallbackGemm", "ejml"));
    /** Whether a transposed B's full strips are packed with vector gathers ({@link KernelChoice#gatherB}). */
    static final boolean GATHER = VECTOR && KernelChoice.CHOSEN.gatherB();
    /** Whether a transposed B's full strips are packed by 16 x 16 register transposes ({@link VectorGemmKernel#transposeSteps}: 16-lane vectors). */
    static final boolean TRANSPOSE = VECTOR && VectorGemmKernel.TRANSPOSE;
    /** Tile rows and columns of the micro-kernel in use ({@link KernelChoice}: from the vector width and register count). */
    static final int MR = KernelChoice.CHOSEN.mr();
    static final int NR = KernelChoice.CHOSEN.nr();
    /**
     * Whether a row-major A's full strips are packed by register transposes ({@link VectorGemmKernel#transposeRows}):
     * with {@link #TRANSPOSE} and a strip of at most 16 rows, unless {@code -Djasg.cpu.transposeA=false} (the scalar pack,
     * to compare).
     */
    static final boolean TRANSPOSE_A = TRANSPOSE && MR <= 16 && !"false".equals(System.getProperty("jasg.cpu.transposeA"));
    /** Depth of a packed slice ({@link KernelChoice}: from L2, long because a slice's fixed cost is high on the JVM). */
    static final int KC = KernelChoice.CHOSEN.kc();
    /** Rows of a packed block of A on one thread ({@link KernelChoice}: {@code MC x KC} in half of L2). */
    static final int MC = KernelChoice.CHOSEN.mc();
    /** Columns of a packed panel of B on one thread ({@link KernelChoice}: from L3, bounded by memory). */
    static final int NC = KernelChoice.CHOSEN.nc();
    /**
     * Fewest blocks a parallel product is cut into per thread, claimed as threads come free ({@link #blocks}): two, so
     * a thread the OS deschedules holds up the product by at most half its share, while each block still re-reads the
     * shared operand as few times as it can (on 2 vCPUs, 4 per thread ran 256x784x256 8-10% slower per CPU-second).
     */
    static final int BLOCKS_PER_THREAD = 2;
    /** Most column strips of B in one block of a {@link #columnSplit} (each block packs its own). */
    private static final int COLUMN_BLOCK_STRIPS = 8;
    /**
     * Whether a {@link #columnSplit} that reads A in place takes blocks that shrink towards the end ({@link #guided})
     * rather than equal ones ({@link #blocks}): {@code -Djasg.cpu.guidedBlocks=false} for equal blocks, to compare.
     */
    static final boolean GUIDED = !"false".equals(System.getProperty("jasg.cpu.guidedBlocks"));
    /**
     * Whether a row-major A is packed like any other (the default) rather than read in place ({@link #unpackedA};
     * {@code -Djasg.cpu.packA=false}, kept for timing). Reading in place saves the transposing pass over A but costs the
     * kernel: its MR rows are MR streams, where packed they are one. Measured 2026-12-06: on one Xeon (Sapphire Rapids,
     * 48 KiB L1d, {@code GemmProbe}) the 12x32 kernel ran 115.5 GFLOPS a core in place against 136 packed, and
     * {@code Peers} sgemm (1024^3, two threads) 205 against 226-229 GFLOPS; on the Zen 5, three interleaved rounds, sgemm
     * 249-293 GFLOPS in place against 304-342 packed, the mlp and transformer within their noise, and after 8 s of warm-up
     * the transformer still ran boxed (0.1-2.7 MB a step) in 4 of its 5 in-place JVMs against 1 of 11 packed.
     */
    static final boolean PACK_A = !"false".equals(System.getProperty("jasg.cpu.packA"));
    /** Multiply-adds below which a product runs on the calling thread. */
    static final long PARALLEL_MIN = 1 << 17;
    /** Most floats of one operand packed up front and shared by the threads of a parallel product (4 MiB). */
    static final int SHARED_MAX = 1 << 20;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The calling thread's {@link Job}: made once, reused by every parallel product it starts. */
    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);

    private Gemm() {}

    /** Which micro-kernel is in use, for logs and benchmark headers. */
    static String kernelName() {
        return EJML_FALLBACK ? "EJML CommonOps_FDRM.mult (" + KernelChoice.CHOSEN.describe() + ")" : KernelChoice.CHOSEN.describe();
    }

    /**
     * The loops of one parallel product ({@link #rowSplit}, {@link #columnSplit}, {@link #depthSplit} and the split
     * matrix-vector products of {@link #gemv}), one per calling thread, made once and reused: the thread that starts a
     * product writes its operands and blocking into the fields, then hands one of the loops (each a {@link CpuThreads.Range}
     * bound once, here) to the pool, whose hand-over publishes the fields to the threads that run its chunks. So a product
     * allocates nothing; a capturing lambda per loop allocated 60-120 bytes, several a product and thousands a training
     * step. A thread starts one product at a time, and a product started inside a loop's chunk runs serially without its
     * job ({@link CpuThreads#inLoop}), so no job is in use twice; {@link #clear} drops the operands when the product ends.
     */
    private static final class Job {
        int m, n, k, aOff, ars, acs, bOff, brs, bcs, cOff, ldc;
        float[] a, b, c;
        boolean accumulate, staged;
        /** Depth slices: {@code kcs} deep, {@code slices} of them. */
        int kcs, slices;
        /** Blocks of tiles the threads claim ({@link #tileStart}), and the widest column block of {@link #columnSplit}. */
        int tiles, blocks, maxCols;
        /** {@link #columnSplit}'s blocks: block {@code b} is tiles {@code starts[b] .. starts[b+1]}; grown as needed, reused. */
        int[] starts = new int[0];
        /** The panel being packed: strips of it, and {@link #rowSplit}'s columns {@code j0 .. j0+nc} (ncr rounded up). */
        int strips, nc, ncr, j0;
        /** {@link #columnSplit}'s packed rows {@code i0 .. i0+mc} of A (mcr rounded up). */
        int mc, mcr, i0;
        /** Packed B (shared or given), packed A, and A read in place at {@code src[so + i*sld + p]}. */
        float[] bp, packedB, ap, src;
        int so, sld;
        /** The bias C starts from ({@link #fillBias}: {@code bias[j * biasStride]} for column j), filled block by block; or null. */
        float[] bias;
        int biasStride;
        /** Whether {@link #columnBlocks} reads A in place ({@code src}) rather than packed ({@code ap}). */
        boolean inPlace;
        int threads;
        float[] partial;
        /** A matrix-vector product: {@code y[yo + i*ys]} over {@code len} outputs. */
        float[] x, mat, y;
        int xo, xs, mo, ld, yo, ys, len;
        boolean vector;

        final CpuThreads.Range packBStrips = this::packBStrips, rowBlocks = this::rowBlocks, copyRows = this::copyRows,
                packAStrips = this::packAStrips, columnBlocks = this::columnBlocks, depthSlices = this::depthSlices, gemvDots = this::gemvDots,
                gemvRows = this::gemvRows;

        Job product(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs, float[] c, int cOff,
                    int ldc, boolean accumulate) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.aOff = aOff;
            this.ars = ars;
            this.acs = acs;
            this.b = b;
            this.bOff = bOff;
            this.brs = brs;
            this.bcs = bcs;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.accumulate = accumulate;
            kcs = sliceDepth(k);
            slices = (k + kcs - 1) / kcs;
            staged = staged(k, n);
            return this;
        }

        Job vectorProduct(int k, float[] x, int xo, int xs, float[] mat, int mo, int ld, float[] y, int yo, int ys, int len,
                          boolean accumulate, boolean vector) {
            this.k = k;
            this.x = x;
            this.xo = xo;
            this.xs = xs;
            this.mat = mat;
            this.mo = mo;
            this.ld = ld;
            this.y = y;
            this.yo = yo;
            this.ys = ys;
            this.len = len;
            this.accumulate = accumulate;
            this.vector = vector;
            return this;
        }

        /** Drops the product's arrays, so that a finished product does not keep them reachable. */
        void clear() {
            a = b = c = bp = packedB = ap = src = partial = x = mat = y = bias = null;
        }

        /** {@link #rowSplit}: strips of B's panel, packed into the shared {@code bp}. */
        private void packBStrips(int t0, int t1) {
            for (int t = t0; t < t1; t++) {
                int pc = t / strips * kcs, kc = Math.min(kcs, k - pc), js = t % strips, cols = Math.min(NR, nc - js * NR);
                packB(kc, cols, b, bOff + pc * brs + (j0 + js * NR) * bcs, brs, bcs, bp, pc * ncr + js * kc * NR, staged);
            }
        }

        /** {@link #rowSplit}: blocks of rows of A, each against the packed panel. */
        private void rowBlocks(int b0, int b1) {
            Scratch s = SCRATCH.get();
            for (int blk = b0; blk < b1; blk++) {
                int r0 = tileStart(tiles, blocks, blk) * MR, rows = Math.min(m, tileStart(tiles, blocks, blk + 1) * MR) - r0;
                // the first slice starts each tile of C from the bias, tile by tile (block)
                for (int pc = 0; pc < k; pc += kcs) {
                    int kc = Math.min(kcs, k - pc);
                    blockA(rows, nc, kc, a, aOff + r0 * ars + pc * acs, ars, acs, bp, pc * ncr, c, cOff + r0 * ldc + j0, ldc,
                            accumulate || pc > 0, pc == 0 ? bias : null, j0 * biasStride, biasStride, s, VECTOR);
                }
            }
        }

        /** {@link #columnSplit}: rows of A copied to {@code src}, whose rows do not alias in L1. */
        private void copyRows(int r0, int r1) {
            for (int i = r0; i < r1; i++) System.arraycopy(a, aOff + i * ars, src, i * sld, k);
        }

        /** {@link #columnSplit}: strips of A's panel, packed into the shared {@code ap}. */
        private void packAStrips(int t0, int t1) {
            for (int t = t0; t < t1; t++) {
                int pc = t / strips * kcs, kc = Math.min(kcs, k - pc), is = t % strips, rows = Math.min(MR, mc - is * MR);
                packA(rows, kc, a, aOff + (i0 + is * MR) * ars + pc * acs, ars, acs, ap, packedAt(mc, k, is * MR, pc));
            }
        }

        /**
         * {@link #columnSplit}'s walk: each thread claims column blocks and goes down their depth slices, packing the
         * block's columns of B for each slice into its own scratch (or finding them in {@code packedB}: slice {@code pc}
         * at {@code pc * roundUp(n, NR)}, its strips {@code kc * NR} floats each), then multiplies A, read in place or
         * packed, into them.
         */
        private void columnBlocks(int b0, int b1) {
            Scratch s = SCRATCH.get();
            int ncrAll = roundUp(n, NR);
            float[] bpl = packedB != null ? packedB : s.b(maxCols * kcs);
            for (int blk = b0; blk < b1; blk++) {
                int c0 = starts[blk] * NR, cols = Math.min(n, starts[blk + 1] * NR) - c0;
                // the block's columns of C start from the bias in its first slice, tile by tile (block), on the thread that
                // then accumulates into them
                for (int pc = 0; pc < k; pc += kcs) {
                    int kc = Math.min(kcs, k - pc);
                    int bo = packedB != null ? pc * ncrAll + c0 / NR * kc * NR : 0;
                    if (packedB == null) packB(kc, cols, b, bOff + pc * brs + c0 * bcs, brs, bcs, bpl, 0, staged);
                    if (inPlace) {
                        for (int ic = 0, mcs = rowBlock(m, kc); ic < m; ic += mcs) {
                            blockA(Math.min(mcs, m - ic), cols, kc, src, so + ic * sld + pc, sld, 1, bpl, bo, c, cOff + ic * ldc + c0, ldc,
                                    accumulate || pc > 0, pc == 0 ? bias : null, c0 * biasStride, biasStride, s, true);
                        }
                    } else {
                        block(mc, cols, kc, ap, pc * mcr, bpl, bo, c, cOff + i0 * ldc + c0, ldc, accumulate || pc > 0, pc == 0 ? bias : null,
                                c0 * biasStride, biasStride, s, VECTOR);
                    }
                }
            }
        }

        /** {@link #depthSplit}: thread {@code t}'s slice of the depth, the first into C, the others into partial products. */
        private void depthSlices(int t0, int t1) {
            int size = m * n;
            for (int t = t0; t < t1; t++) {
                int p0 = (int) ((long) k * t / threads), p1 = (int) ((long) k * (t + 1) / threads);
                if (t == 0) serial(m, n, p1 - p0, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
                else serial(m, n, p1 - p0, a, aOff + p0 * acs, ars, acs, b, bOff + p0 * brs, brs, bcs, partial, (t - 1) * size, n, false);
            }
        }

        /** {@link #gemv}'s dots form: blocks of {@link #GEMV_ROWS} outputs. */
        private void gemvDots(int b0, int b1) {
            Gemm.dots(k, x, xo, mat, mo, ld, y, yo, ys, b0 * GEMV_ROWS, Math.min(len, b1 * GEMV_ROWS), accumulate, vector);
        }

        /** {@link #gemv}'s rows form: blocks of {@link #GEMV_COLUMNS} outputs. */
        private void gemvRows(int b0, int b1) {
            Gemm.rows(k, x, xo, xs, mat, mo, ld, y, yo, b0 * GEMV_COLUMNS, Math.min(len, b1 * GEMV_COLUMNS), vector);
        }
    }

    /** Packing buffers of one thread, grown on demand and then reused by every later product. */
    static final class Scratch {
        /** Rows of C for {@link ScalarTwins#gemmBlock}, only until the tiles hand over ({@link #dropTwinRows}). */
        private float[][] twinRows;
        /** One depth step of B's strips side by side, for {@link ScalarTwins#gemmBlock}. */
        private float[] twinRow;
        float[] a = new float[0];
        float[] b = new float[0];
        /** The operand a parallel product started on this thread packs once for all its threads. */
        float[] shared = new float[0];
        /** Partial products of a depth-split product, one per thread after the first. */
        float[] partial = new float[0];
        /** Rows of A copied so that they do not alias in L1 ({@link #blockA}). */
        float[] rows = new float[0];
        /** Rows of a transposed B staged for packing ({@link #packB}). */
        float[] stage = new float[0];
        /** A strided vector operand of a matrix-vector product, copied contiguous. */
        float[] x = new float[0];
        /** A strided result of a matrix-vector product, computed contiguous. */
        float[] y = new float[0];
        final float[] tile = new float[(MR + 2) * NR];
        final float[] acc = new float[MR * NR];

        float[] a(int n) {
            if (a.length < n) a = new float[n];
            return a;
        }

        float[] b(int n) {
            if (b.length < n) b = new float[n];
            return b;
        }

        float[] stage(int n) {
            if (stage.length < n) stage = new float[n];
            return stage;
        }

        float[] rows(int n) {
            if (rows.length < n) rows = new float[n];
            return rows;
        }

        float[][] twinRows(int m, int n) {
            if (twinRows == null || twinRows.length < m || twinRows[0].length < n) {
                int rows = twinRows == null ? m : Math.max(m, twinRows.length), cols = twinRows == null ? n : Math.max(n, twinRows[0].length);
                twinRows = new float[rows][cols];
            }
            return twinRows;
        }

        float[] twinRow(int n) {
            if (twinRow == null || twinRow.length < n) twinRow = new float[n];
            return twinRow;
        }

        /** The twins have handed over: their rows are garbage from now on (not held as the step's memory). */
        void dropTwinRows() {
            if (twinRows != null) {
                twinRows = null;
                twinRow = null;
            }
        }

        float[] shared(int n) {
            if (shared.length < n) shared = new float[n];
            return shared;
        }

        float[] x(int n) {
            if (x.length < n) x = new float[n];
            return x;
        }

        float[] y(int n) {
            if (y.length < n) y = new float[n];
            return y;
        }

        float[] partial(int n) {
            if (partial.length < n) partial = new float[n];
            return partial;
        }
    }

    /**
     * The depth slices of a product of depth {@code k}: as few as {@link #KC} allows, of equal size
     * (a depth of 288 is two slices of 144, not 256 and 32), so no slice is a thin one.
     */
    static int sliceDepth(int k) {
        int slices = (k + KC - 1) / KC;
        return (k + slices - 1) / slices;
    }

    /**
     * Rows of a block of A at slice depth {@code kc} on one thread: as many as take the bytes of {@link #MC} rows at
     * {@link #KC} (half of L2), so a shallow slice takes more rows, and, over {@code m} rows, blocks of equal size in
     * whole tiles, one block while {@code m} is within an eighth of that. Every block re-reads the B strips of the slice,
     * from L3 or memory once the panel exceeds L2: GPT-2's {@code [128, 768] x [768, 2304]} went in blocks of 120 and 8
     * rows on a 1 MiB L2 (the second streaming all of B for one short tile); now one of 128. The tiles are the same rows
     * in the same order either way, so the bits do not change.
     */
    static int rowBlock(int m, int kc) {
        long cap = Math.max(MR, (long) MC * KC / Math.max(1, kc) / MR * MR), limit = Math.max(MR, (cap + cap / 8) / MR * MR);
        long blocks = Math.max(1, (m + limit - 1) / limit);
        return roundUp((int) ((m + blocks - 1) / blocks), MR);
    }

    /**
     * {@code C[i,j] = (accumulate ? C[i,j] : 0) + sum_p opA[i,p] opB[p,j]} for {@code i < m, j < n, p < k},
     * BLAS-style: {@code opA[i,p] = transA ? a[aOff + p*lda + i] : a[aOff + i*lda + p]},
     * {@code opB[p,j] = transB ? b[bOff + j*ldb + p] : b[bOff + p*ldb + j]}, {@code C[i,j] = c[cOff + i*ldc + j]}.
     * C must not overlap A or B.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        int ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        gemmStrided(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
    }

    /**
     * {@link #gemm} with {@code opA[i,p] = a[aOff + i*ars + p*acs]} and {@code opB[p,j] = b[bOff + p*brs + j*bcs]}.
     *
     * <p>A large product is split over {@link CpuThreads} so that no thread packs what another packs too:
     * by blocks of rows, with B packed once up front for all threads ({@link #rowSplit}); by blocks of
     * columns, with A read in place or packed once, when C is wider than tall ({@link #columnSplit}, chosen by
     * {@link #rowsFirst}); or, when C is small
     * and the depth long (a kernel gradient summed over a batch), by depth, each thread summing its
     * slice into its own partial C ({@link #depthSplit}).
     */
    static void gemmStrided(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        gemmStrided(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, null, null, 0);
    }

    /**
     * {@code C = bias + op(A) op(B)}, the bias a row {@code bias[j * biasStride]} ({@code biasStride} 0: one value for
     * every column): the bits of filling C with the bias and then accumulating {@link #gemm} into it. A parallel
     * product fills each tile of C on the thread that then accumulates into it, just before its first depth slice, so the
     * fill is split over the threads and the tile is still in that core's L1 when the micro-kernel loads it (a linear
     * layer's bias used to be filled into all of C on the calling thread first, while the other threads waited; then
     * block by block, which went out to L2 and back).
     */
    static void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc, float[] bias, int biasStride) {
        if (m <= 0 || n <= 0) return;
        int ars = transA ? 1 : lda, acs = transA ? lda : 1, brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        gemmStrided(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, false, null, bias, biasStride);
    }

    /**
     * Sets {@code rows} rows of {@code cols} floats of C from {@code c[co]} to the bias: {@code bias[bo]} in every column
     * when {@code stride} is 0, else (1: a row vector, the only other stride a bias epilogue has) {@code bias[bo + j]}.
     */
    static void fillBias(float[] c, int co, int ldc, int rows, int cols, float[] bias, int bo, int stride) {
        for (int r = 0; r < rows; r++) {
            int at = co + r * ldc;
            if (stride == 0) java.util.Arrays.fill(c, at, at + cols, bias[bo]);
            else System.arraycopy(bias, bo, c, at, cols);
        }
    }

    /**
     * {@code C (+)= opA B} with all of B already packed by {@link #packPanel} (depth {@code k}, width {@code n}) into
     * {@code bp}: the products of {@link #gemmStrided} without their packing of B (a weight packed once,
     * {@link PackedWeights}). Split over threads as {@link #gemmStrided} splits, but never by depth.
     */
    static void gemmPacked(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] bp, float[] c, int cOff, int ldc,
                           boolean accumulate) {
        gemmPacked(m, n, k, a, aOff, ars, acs, bp, c, cOff, ldc, accumulate, null, 0);
    }

    /** {@link #gemmPacked}, starting from a bias instead when {@code bias} is not null (as {@link #gemmBias}; {@code accumulate} then unused). */
    static void gemmPacked(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] bp, float[] c, int cOff, int ldc,
                           boolean accumulate, float[] bias, int biasStride) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (bias != null) fillBias(c, cOff, ldc, m, n, bias, 0, biasStride);
            else if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        if (EJML_FALLBACK || NC % NR != 0) throw new IllegalStateException("packed weights need the packed GEMM with NC a multiple of NR");
        gemmStrided(m, n, k, a, aOff, ars, acs, null, 0, 0, 0, c, cOff, ldc, accumulate, bp, bias, biasStride);
    }

    /**
     * {@link #gemmStrided}, B packed by {@link #packPanel} into {@code packedB} when that is not null (then {@code b} is unused),
     * starting from {@code bias} when that is not null ({@link #gemmBias}; {@code accumulate} then unused): the row and
     * column splits fill each tile of C just before the micro-kernel's first depth slice reads it back (from L1), every
     * other path fills all of C first.
     */
    private static void gemmStrided(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                    float[] c, int cOff, int ldc, boolean accumulate, float[] packedB, float[] bias, int biasStride) {
        long work = (long) m * n * k;
        int threads = CpuThreads.PARALLELISM;
        int rowTiles = (m + MR - 1) / MR, colTiles = (n + NR - 1) / NR;
        boolean serial = work < PARALLEL_MIN || threads == 1 || CpuThreads.inLoop();
        boolean depth = !serial && packedB == null && (long) rowTiles * colTiles < 4L * threads && k >= 2 * KC * threads;
        if (bias != null && (serial || depth || (packedB == null && (EJML_FALLBACK || m == 1 || n == 1)))) {
            fillBias(c, cOff, ldc, m, n, bias, 0, biasStride);
            bias = null;
            accumulate = true;
        }
        if (packedB == null) {
            if (gemv(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, true, VECTOR)) return;
            if (EJML_FALLBACK) {
                EjmlGemm.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, true);
                return;
            }
        }
        if (serial) {
            if (packedB != null) serialBlocks(m, n, k, a, aOff, ars, acs, null, 0, 0, 0, packedB, c, cOff, ldc, accumulate, VECTOR);
            else serial(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        } else if (depth) {
            depthSplit(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, threads);
        } else if (rowsFirst(m, n, acs, ars, rowTiles, colTiles, threads)) {
            rowSplit(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, threads, packedB, bias, biasStride);
        } else {
            columnSplit(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, threads, packedB, bias, biasStride);
        }
    }

    /**
     * Whether a parallel product is split by rows ({@link #rowSplit}) rather than by columns ({@link #columnSplit}).
     * Each block of either re-reads the operand the split shares (B's packed panel, or A), so the split whose
     * shared operand is the smaller is taken: rows when C is taller than wide, columns when wider; with too few
     * tiles one way, the other. A square C goes by columns when A is read in place ({@link #unpackedA}): the
     * blocks then share nothing that any thread writes (each packs its own columns of B), where a row split has the
     * threads pack B together and read each other's strips.
     */
    static boolean rowsFirst(int m, int n, int acs, int ars, int rowTiles, int colTiles, int threads) {
        if (colTiles < 2 * threads) return true;
        if (rowTiles < 2 * threads) return false;
        return m > n || (m == n && !(VECTOR && unpackedA(acs, ars)));
    }

    /**
     * How many blocks a parallel loop over {@code tiles} tiles is cut into, each of {@link #tileStart}'s near-equal
     * runs of whole tiles: a multiple of {@code threads}, at least {@link #BLOCKS_PER_THREAD} per thread and as few as
     * keep a block within {@code maxPerBlock} tiles; all of them, one tile each, when there are fewer tiles.
     *
     * <p>Equal blocks in a multiple of the threads let threads running at the same speed claim the same number and
     * finish together; several per thread let a thread that shares its core with another process take fewer. The
     * former rule (blocks of {@code tiles / (6 threads)} tiles and a last, short one) gave 1024 rows on two threads
     * 12 blocks of 7 tiles and one of 2: one thread ran 7 blocks, the other 6 and then waited, 12% of the pair's time.
     */
    static int blocks(int tiles, int threads, int maxPerBlock) {
        long perThread = Math.max(BLOCKS_PER_THREAD, ((long) tiles + (long) threads * maxPerBlock - 1) / ((long) threads * maxPerBlock));
        return (int) Math.min(tiles, perThread * threads);
    }

    /**
     * The first tile of block {@code b} of {@code blocks} over {@code tiles} tiles: {@code floor(b * tiles / blocks)}, so
     * every block has {@code floor} or {@code ceil} of {@code tiles / blocks} tiles.
     */
    static int tileStart(int tiles, int blocks, int b) {
        return (int) ((long) b * tiles / blocks);
    }

    /** Writes {@code blocks} equal blocks of {@link #tileStart} into {@code starts} ({@code blocks + 1} entries); returns {@code blocks}. */
    static int equal(int tiles, int blocks, int[] starts) {
        for (int b = 0; b <= blocks; b++) starts[b] = tileStart(tiles, blocks, b);
        return blocks;
    }

    /**
     * Blocks of {@code tiles} tiles that shrink as the loop nears its end, written into {@code starts} (block {@code b}
     * is {@code starts[b] .. starts[b+1]}); returns their count. Each block takes {@code ceil(left / (2 threads))} of the
     * tiles left, at most {@code maxPerBlock}, at least one: whole blocks of {@code maxPerBlock} while much is left (each
     * thread then streams long runs of B's packed strips, which the hardware prefetchers follow), single tiles at the end
     * (so the threads finish within a tile of each other, not within a block). Measured on GPT-2's batch-1 products
     * on two Zen 5 vCPUs: blocks of one strip each evened the threads out (the idle thread's JFR samples 15.7% -> 12.4%)
     * but slowed the forward (121-126 -> 134-138 ms), threads taking every other strip.
     */
    static int guided(int tiles, int threads, int maxPerBlock, int[] starts) {
        int b = 0, at = 0;
        starts[0] = 0;
        while (at < tiles) {
            int left = tiles - at, size = Math.max(1, Math.min(maxPerBlock, (left + 2 * threads - 1) / (2 * threads)));
            at += size;
            starts[++b] = at;
        }
        return b;
    }

    /**
     * Blocks of rows claimed by the threads as they come free (a thread that shares its core with
     * another process then takes fewer), each packing only its own rows of A, against panels of B that
     * all threads first pack together: B is packed once, not once per block.
     */
    private static void rowSplit(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                 float[] c, int cOff, int ldc, boolean accumulate, int threads, float[] packedB, float[] bias, int biasStride) {
        Job j = JOB.get().product(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        j.bias = bias;
        j.biasStride = biasStride;
        try {
            // B packed already: one panel of all its columns, nothing to pack
            int panel = packedB != null ? roundUp(n, NR) : Math.min(roundUp(n, NR), Math.max(NR, SHARED_MAX / k / NR * NR));
            j.bp = packedB != null ? packedB : SCRATCH.get().shared(panel * k);
            j.tiles = (m + MR - 1) / MR;
            j.blocks = blocks(j.tiles, threads, Math.max(1, MC / MR));
            for (int jc = 0; jc < n; jc += panel) {
                j.nc = Math.min(panel, n - jc);
                j.strips = (j.nc + NR - 1) / NR;
                j.ncr = j.strips * NR;
                j.j0 = jc;
                if (packedB == null) packClaimed(j.slices * j.strips, j.packBStrips);
                CpuThreads.forEachClaimed(j.blocks, j.rowBlocks);
            }
        } finally {
            j.clear();
        }
    }

    /**
     * {@link #rowSplit} with the roles of the operands exchanged: blocks of columns, each packing only
     * its own columns of B, against A read in place ({@link #unpackedA}) or else packed once for all threads
     * (in panels of rows when it is large). Read in place, no thread reads what another wrote: 256x784x256 with B
     * transposed, which went by rows (B packed by both threads, each reading the other's strips), ran at 101-114
     * GFLOPS per CPU-second on two Zen 5 vCPUs, by columns with A in place at 127-145 (one thread: 171).
     */
    private static void columnSplit(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                    float[] c, int cOff, int ldc, boolean accumulate, int threads, float[] packedB, float[] bias, int biasStride) {
        Job j = JOB.get().product(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        j.bias = bias;
        j.biasStride = biasStride;
        try {
            j.packedB = packedB;
            j.tiles = (n + NR - 1) / NR;
            if (j.starts.length < j.tiles + 1) j.starts = new int[j.tiles + 1];
            // an A read in place that is one block of rows (so in the cache, read again for every strip whatever the block's
            // width) takes shrinking blocks; a taller A, or a packed A panel, is re-read from further out by every block, so
            // there the blocks stay equal and few (GPT-2 at batch 8: 0.92 of ONNX Runtime with shrinking blocks, 0.99 without)
            boolean guided = GUIDED && VECTOR && acs == 1 && rowBlock(m, j.kcs) >= m;
            j.blocks = guided ? guided(j.tiles, threads, COLUMN_BLOCK_STRIPS, j.starts) : equal(j.tiles, blocks(j.tiles, threads, COLUMN_BLOCK_STRIPS), j.starts);
            j.maxCols = 0;
            for (int blk = 0; blk < j.blocks; blk++) j.maxCols = Math.max(j.maxCols, (j.starts[blk + 1] - j.starts[blk]) * NR);
            if (VECTOR && acs == 1 && !PACK_A) {
                // A row-major, read in place by every block (or, where its rows alias in L1, first copied once for all
                // threads into rows that do not): nothing packed for all threads, each block packs its own columns of B
                int ld = unpackedA(1, ars) ? ars : copiedLd(k);
                boolean copy = ld != ars && (long) m * ld <= SHARED_MAX;
                j.src = copy ? SCRATCH.get().shared(m * ld) : a;
                j.so = copy ? 0 : aOff;
                j.sld = copy ? ld : ars;
                if (copy) CpuThreads.parallelFor(m, MR, j.copyRows);
                j.inPlace = true;
                CpuThreads.forEachClaimed(j.blocks, j.columnBlocks);
                return;
            }
            int panel = Math.min(Math.min(roundUp(m, MR), 4 * MC), Math.max(MR, SHARED_MAX / k / MR * MR));
            j.ap = SCRATCH.get().shared(panel * k);
            j.inPlace = false;
            for (int ic = 0; ic < m; ic += panel) {
                j.mc = Math.min(panel, m - ic);
                j.strips = (j.mc + MR - 1) / MR;
                j.mcr = j.strips * MR;
                j.i0 = ic;
                packClaimed(j.slices * j.strips, j.packAStrips);
                CpuThreads.forEachClaimed(j.blocks, j.columnBlocks);
            }
        } finally {
            j.clear();
        }
    }

    /**
     * Floats of A packed whole for {@link #gemmPackedBoth}: every depth slice of {@code m} rows rounded up to strips of
     * {@link #MR}.
     */
    static long packedASize(int m, int k) {
        return (long) roundUp(m, MR) * k;
    }

    /**
     * Where step {@code p} (of depth {@code k}) of rows {@code i0 .. i0 + MR} of A lies in a packed A of {@code m} rows
     * ({@link #gemmPackedBoth}'s, and {@link #columnSplit}'s shared panel, whose strips it packs), slice {@code pc} at
     * {@code pc * roundUp(m, MR)}, its strips {@code kc * MR} floats each, a strip's step {@code MR} floats. {@code p} is the first step of a run that stays within
     * one slice, so the run's later steps follow at {@code MR} floats each.
     */
    static int packedAt(int m, int k, int i0, int p) {
        int kcs = sliceDepth(k), pc = p / kcs * kcs, kc = Math.min(kcs, k - pc);
        return pc * roundUp(m, MR) + i0 * kc + (p - pc) * MR;
    }

    /**
     * {@code C = A B} with both operands packed: A whole, as {@link #packA} lays out every strip of every depth slice
     * ({@link #packedAt}; its padding rows zero), B by {@link #packPanel}. For a producer that writes A straight into
     * that layout (a convolution's unfolding, {@link ConvGemm.ChannelsAsColumns}), so no pass packs it. Split by blocks
     * of columns as {@link #columnSplit} splits a packed A, or on the calling thread as {@link #serial}; the same tiles
     * in the same order as {@link #gemmPacked} on the unpacked A, so the same bits.
     */
    static void gemmPackedBoth(int m, int n, int k, float[] ap, float[] bp, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        int threads = CpuThreads.PARALLELISM, tiles = (n + NR - 1) / NR, kcs = sliceDepth(k), mcr = roundUp(m, MR);
        if ((long) m * n * k < PARALLEL_MIN || threads == 1 || tiles < 2 || CpuThreads.inLoop()) {
            Scratch s = SCRATCH.get();
            int ncr = roundUp(n, NR);
            for (int pc = 0; pc < k; pc += kcs) {
                block(m, n, Math.min(kcs, k - pc), ap, pc * mcr, bp, pc * ncr, c, cOff, ldc, pc > 0, null, 0, 0, s, VECTOR);
            }
            return;
        }
        Job j = JOB.get().product(m, n, k, null, 0, 0, 0, null, 0, 0, 0, c, cOff, ldc, false);
        try {
            j.packedB = bp;
            j.ap = ap;
            j.inPlace = false;
            j.mc = m;
            j.mcr = mcr;
            j.i0 = 0;
            j.tiles = tiles;
            if (j.starts.length < tiles + 1) j.starts = new int[tiles + 1];
            j.blocks = equal(tiles, blocks(tiles, threads, COLUMN_BLOCK_STRIPS), j.starts);
            CpuThreads.forEachClaimed(j.blocks, j.columnBlocks);
        } finally {
            j.clear();
        }
    }

    /**
     * A small C with a long depth: thread {@code t} multiplies the {@code t}-th slice of the depth,
     * the first into C itself, the others into partial products that are then added to C in order
     * (the same order every run, so the result is deterministic).
     */
    private static void depthSplit(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                   float[] c, int cOff, int ldc, boolean accumulate, int threads) {
        int size = m * n;
        float[] partial = SCRATCH.get().partial((threads - 1) * size);
        Job job = JOB.get().product(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        try {
            job.threads = threads;
            job.partial = partial;
            CpuThreads.parallelFor(threads, 1, job.depthSlices);
        } finally {
            job.clear();
        }
        for (int t = 1; t < threads; t++) {
            int po = (t - 1) * size;
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc, pi = po + i * n;
                for (int j = 0; j < n; j++) c[ci + j] += partial[pi + j];
            }
        }
    }

    /** The blocked product on the calling thread. */
    static void serial(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                       float[] c, int cOff, int ldc, boolean accumulate) {
        if (EJML_FALLBACK) {
            if (m <= 0 || n <= 0) return;
            if (!gemv(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, false, false)) {
                EjmlGemm.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, false);
            }
            return;
        }
        serial(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, VECTOR);
    }

    /** {@link #serial} with the micro-kernel chosen by {@code vector} (tests run both; the tile size is the same). */
    static void serial(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                       float[] c, int cOff, int ldc, boolean accumulate, boolean vector) {
        if (vector && !VECTOR) throw new IllegalStateException("the Vector API kernel is not available");
        if (m <= 0 || n <= 0) return;
        if (gemv(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, false, vector)) return;
        if (k <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        serialBlocks(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, null, c, cOff, ldc, accumulate, vector);
    }

    /** The blocked loops of {@link #serial} ({@code k > 0}), B packed here per block, or read from {@code packedB} ({@link #packPanel}'s layout). */
    private static void serialBlocks(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                     float[] packedB, float[] c, int cOff, int ldc, boolean accumulate, boolean vector) {
        Scratch s = SCRATCH.get();
        int kcs = sliceDepth(k), ncrAll = roundUp(n, NR);
        boolean staged = staged(k, n);
        float[] bp = packedB != null ? packedB : s.b(roundUp(Math.min(NC, n), NR) * kcs);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcs) {
                int kc = Math.min(kcs, k - pc);
                // packed B: slice pc at pc * ncrAll, its strips kc * NR floats each (NC is a multiple of NR)
                int bo = packedB != null ? pc * ncrAll + jc / NR * kc * NR : 0;
                if (packedB == null) packB(kc, nc, b, bOff + pc * brs + jc * bcs, brs, bcs, bp, 0, staged);
                for (int ic = 0, mcs = rowBlock(m, kc); ic < m; ic += mcs) {
                    blockA(Math.min(mcs, m - ic), nc, kc, a, aOff + ic * ars + pc * acs, ars, acs, bp, bo, c, cOff + ic * ldc + jc, ldc,
                            accumulate || pc > 0, null, 0, 0, s, vector);
                }
            }
        }
    }

    /** Floats {@link #packPanel} writes for an {@code opB} of depth {@code k} and width {@code n}. */
    static int panelSize(int k, int n) {
        return roundUp(n, NR) * k;
    }

    /**
     * Packs all of {@code opB[0:k, 0:n]} (element {@code (p,j)} at {@code b[off + p*rs + j*cs]}) into {@code bp} for
     * {@link #serialPacked}: the depth slices of {@link #sliceDepth}{@code (k)}, the one from {@code pc} at
     * {@code pc * roundUp(n, NR)}, each as {@link #packB} lays it out. For a caller that multiplies many blocks of
     * rows by one B (fused attention's keys): B is packed once, not once per block.
     */
    static void packPanel(int k, int n, float[] b, int off, int rs, int cs, float[] bp) {
        if (k <= 0 || n <= 0) return;
        int kcs = sliceDepth(k), ncr = roundUp(n, NR);
        boolean staged = staged(k, n);
        for (int pc = 0; pc < k; pc += kcs) packB(Math.min(kcs, k - pc), n, b, off + pc * rs, rs, cs, bp, pc * ncr, staged);
    }

    /**
     * {@code C[0:m, 0:n] (+)= opA[0:m, 0:k] B[0:k, 0:n]} on the calling thread, with B the first {@code n} columns
     * of a panel {@link #packPanel} packed with depth {@code k} and width {@code panelWidth >= n}; A as in
     * {@link #serial} (read in place when row-major). The same tiles as {@link #serial}'s packed path.
     */
    static void serialPacked(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] bp, int panelWidth,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        Scratch s = SCRATCH.get();
        int kcs = sliceDepth(k), ncr = roundUp(panelWidth, NR);
        for (int pc = 0; pc < k; pc += kcs) {
            int kc = Math.min(kcs, k - pc);
            for (int ic = 0, mcs = rowBlock(m, kc); ic < m; ic += mcs) {
                blockA(Math.min(mcs, m - ic), n, kc, a, aOff + ic * ars + pc * acs, ars, acs, bp, pc * ncr, c, cOff + ic * ldc, ldc,
                        accumulate || pc > 0, null, 0, 0, s, VECTOR);
            }
        }
    }

    /** Outputs per block of a parallel matrix-vector product: columns of the rows form, rows of the dots form. */
    private static final int GEMV_COLUMNS = 64;
    private static final int GEMV_ROWS = 16;

    /**
     * The product when it is a matrix-vector one ({@code m == 1} or {@code n == 1}) whose matrix has a
     * unit stride along one axis: {@code y[i] (+)= sum_p M[i,p] x[p]} streamed from the matrix in its own
     * layout, nothing packed (the packed path would copy the whole matrix, the weights of a layer
     * applied to one token, on every call, and pad the vector to a full tile). With a unit stride
     * along {@code p} every {@code y[i]} is one dot product; along {@code i}, rows of the matrix are
     * added into {@code y}, scaled by {@code x[p]}, in the order of {@code p}. {@code parallel}: split
     * over {@link CpuThreads} by blocks of {@code y} when large (each {@code y[i]} is computed by one
     * thread, so the result does not depend on the thread count).
     *
     * @return false, having done nothing, when the product is not such a one (or {@code k <= 0})
     */
    static boolean gemv(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                        float[] c, int cOff, int ldc, boolean accumulate, boolean parallel, boolean vector) {
        if ((m != 1 && n != 1) || k <= 0) return false;
        // y[i] = sum_p mat[mo + i*mi + p*mp] x[xo + p*xs], y[i] at c[yo + i*ys]
        int len, mo, mi, mp, xo, xs, ys;
        float[] mat, x;
        if (m == 1) {
            len = n; mat = b; mo = bOff; mi = bcs; mp = brs; x = a; xo = aOff; xs = acs; ys = 1;
        } else {
            len = m; mat = a; mo = aOff; mi = ars; mp = acs; x = b; xo = bOff; xs = brs; ys = ldc;
        }
        boolean dots = mp == 1 && (mi != 1 || len == 1);
        if (!dots && mi != 1) return false;
        boolean split = parallel && CpuThreads.PARALLELISM > 1 && (long) len * k >= PARALLEL_MIN && !CpuThreads.inLoop();
        Scratch s = SCRATCH.get();
        if (dots) {
            float[] xv = x;
            int xvo = xo;
            if (xs != 1) {
                xv = s.x(k);
                for (int p = 0; p < k; p++) xv[p] = x[xo + p * xs];
                xvo = 0;
            }
            float[] xc = xv;
            int xco = xvo, ld = mi;
            if (!split) {
                dots(k, xc, xco, mat, mo, ld, c, cOff, ys, 0, len, accumulate, vector);
            } else {
                Job j = JOB.get().vectorProduct(k, xc, xco, 1, mat, mo, ld, c, cOff, ys, len, accumulate, vector);
                try {
                    CpuThreads.parallelFor((len + GEMV_ROWS - 1) / GEMV_ROWS, 1, j.gemvDots);
                } finally {
                    j.clear();
                }
            }
            return true;
        }
        // rows form: y must be contiguous
        float[] y = c;
        int yo = cOff;
        if (ys != 1) {
            y = s.y(len);
            yo = 0;
            for (int i = 0; i < len; i++) y[i] = accumulate ? c[cOff + i * ys] : 0f;
        } else if (!accumulate) {
            java.util.Arrays.fill(c, cOff, cOff + len, 0f);
        }
        float[] yc = y;
        int yco = yo, ld = mp;
        if (!split) {
            rows(k, x, xo, xs, mat, mo, ld, yc, yco, 0, len, vector);
        } else {
            Job j = JOB.get().vectorProduct(k, x, xo, xs, mat, mo, ld, yc, yco, 1, len, false, vector);
            try {
                CpuThreads.parallelFor((len + GEMV_COLUMNS - 1) / GEMV_COLUMNS, 1, j.gemvRows);
            } finally {
                j.clear();
            }
        }
        if (ys != 1) for (int i = 0; i < len; i++) c[cOff + i * ys] = y[i];
        return true;
    }

    /** {@code y[yo + j] += sum_p x[xo + p*xs] m[mo + p*ld + j]} for {@code j in [j0, j1)}, in the order of {@code p}. */
    private static void rows(int k, float[] x, int xo, int xs, float[] m, int mo, int ld, float[] y, int yo, int j0, int j1, boolean vector) {
        if (vector) {
            VectorGemv.rows(k, x, xo, xs, m, mo, ld, y, yo, j0, j1);
            return;
        }
        for (int p = 0; p < k; p++) {
            float xp = x[xo + p * xs];
            int r = mo + p * ld;
            for (int j = j0; j < j1; j++) y[yo + j] += xp * m[r + j];
        }
    }

    /** {@code y[yo + i*ys] (+)= sum_p m[mo + i*ld + p] x[xo + p]} for {@code i in [i0, i1)}. */
    private static void dots(int k, float[] x, int xo, float[] m, int mo, int ld, float[] y, int yo, int ys, int i0, int i1, boolean add,
                             boolean vector) {
        if (vector) {
            VectorGemv.dots(k, x, xo, m, mo, ld, y, yo, ys, i0, i1, add);
            return;
        }
        for (int i = i0; i < i1; i++) {
            int r = mo + i * ld;
            float sum = 0;
            for (int p = 0; p < k; p++) sum += m[r + p] * x[xo + p];
            y[yo + i * ys] = add ? y[yo + i * ys] + sum : sum;
        }
    }

    /**
     * One full {@code MR x NR} tile {@code C = Ap Bp} from operands already in the packed layouts of {@link #packA} and
     * {@link #packB} (a strip of {@code kc} steps of {@code MR}, and of {@code NR}), for kernels whose transforms write
     * them so ({@link WinogradConv}): the micro-kernel in use, nothing packed or merged. Only the first {@code rows} rows
     * are wanted ({@link VectorGemmKernel#tileOf}); C has room for {@code MR}.
     */
    static void packedTile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, int rows) {
        // the same micro-kernel call as the products', so its twin and GemmWarm's switch apply to Winograd's too
        tile(kc, ap, ao, bp, bo, c, co, ldc, false, SCRATCH.get(), VECTOR, rows);
    }

    /**
     * {@link #packedTile} for a tall tile ({@link #tallHeight}: 13 or 14 rows, the first 12 from the strip at {@code ao},
     * the rest the first rows of the strip at {@code ao2}); C has room for {@code height} rows.
     */
    static void packedTall(int kc, float[] ap, int ao, int ao2, float[] bp, int bo, float[] c, int co, int ldc, int height) {
        tallInto(kc, ap, ao, ao2, bp, bo, height, NR, c, co, ldc, false, SCRATCH.get());
    }

    /** Floats of packing buffers the calling thread holds (they grow only when a product packs): for tests. */
    static long packedScratchFloats() {
        Scratch s = SCRATCH.get();
        return (long) s.a.length + s.b.length + s.shared.length + s.rows.length;
    }

    /**
     * {@code C[0:mc, 0:nc] (+)= Ap Bp} for one depth slice: {@code ap} holds the packed rows from {@code ao},
     * {@code bp} the packed columns from {@code bo}; each B strip stays in L1 while the A strips pass.
     */
    private static void block(int mc, int nc, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add,
                              float[] bias, int biasOff, int biasStride, Scratch s, boolean vector) {
        if (vector && TWIN_BLOCKS) {
            int route = GemmWarm.TILE.route();
            if (route == GemmWarm.TWIN_TIMED) {
                long t0 = System.nanoTime();
                twinBlock(mc, nc, kc, ap, ao, bp, bo, c, co, ldc, add, bias, biasOff, biasStride, s);
                GemmWarm.TILE.timed(route, System.nanoTime() - t0, (long) kc * mc * nc);
                return;
            }
            if (route == GemmWarm.VECTOR) s.dropTwinRows();
        }
        blockTiles(mc, nc, kc, ap, ao, bp, bo, c, co, ldc, add, bias, biasOff, biasStride, s, vector);
    }

    /**
     * Whether the twin of a block of packed tiles runs as one {@link ScalarTwins#gemmBlock} (rows of C as long runs the JIT
     * vectorises) rather than tile by tile ({@link ScalarTwins#gemmTile}), until {@link GemmWarm} hands the tiles over;
     * {@code -Djasg.cpu.twinBlocks=false} for tile by tile. The same bits either way. Only in
     * {@link WarmKernels.Mode#FIRST_RUN} (the default), which hands over at the first run's end: in
     * {@link WarmKernels.Mode#COMPILED} a sampled vector call is judged compiled against the twin's time for the same work,
     * which the tile twin's measures.
     */
    static final boolean TWIN_BLOCKS = WarmKernels.MODE == WarmKernels.Mode.FIRST_RUN
            && Boolean.parseBoolean(System.getProperty("jasg.cpu.twinBlocks", "true"));

    /**
     * {@link #block}'s twin: the bias filled in as {@link #blockTiles} fills it, then the block by {@link ScalarTwins#gemmBlock}
     * in parts of at most {@link #TWIN_ROWS} x {@link #TWIN_COLS} (whole strips; each element's sum is its own, so the
     * parts do not change the bits), which bounds the rows of C the twin keeps (a packed weight's block is as wide as
     * the product: GPT-2's vocabulary head, 50,257 columns).
     */
    static void twinBlock(int mc, int nc, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add,
                          float[] bias, int biasOff, int biasStride, Scratch s) {
        if (bias != null) {
            for (int js = 0; js * NR < nc; js++) {
                fillBias(c, co + js * NR, ldc, mc, Math.min(NR, nc - js * NR), bias, biasOff + js * NR * biasStride, biasStride);
            }
        }
        boolean start = add || bias != null;
        float[][] rows = s.twinRows(Math.min(mc, TWIN_ROWS), Math.min(nc, TWIN_COLS));
        float[] brow = s.twinRow(Math.min(nc, TWIN_COLS));
        for (int i0 = 0; i0 < mc; i0 += TWIN_ROWS) {
            for (int j0 = 0; j0 < nc; j0 += TWIN_COLS) {
                ScalarTwins.gemmBlock(Math.min(TWIN_ROWS, mc - i0), Math.min(TWIN_COLS, nc - j0), kc, ap, ao + i0 * kc, bp, bo + j0 * kc,
                        c, co + i0 * ldc + j0, ldc, start, rows, brow);
            }
        }
    }

    /** Rows of C a part of {@link #twinBlock} keeps: whole strips of {@code MR}, about 128. */
    static final int TWIN_ROWS = Math.max(MR, 128 / MR * MR);
    /** Columns of a part of {@link #twinBlock}: about 512, whole strips of {@code NR}. */
    static final int TWIN_COLS = Math.max(NR, 512 / NR * NR);

    /** {@link #block} tile by tile: the vector tiles, or each tile's twin ({@link #tile}). */
    static void blockTiles(int mc, int nc, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add,
                           float[] bias, int biasOff, int biasStride, Scratch s, boolean vector) {
        int mStrips = (mc + MR - 1) / MR, nStrips = (nc + NR - 1) / NR;
        int tall = vector ? tallHeight(mc) : 0, rows = tall > 0 ? mStrips - 1 : mStrips;
        for (int js = 0; js < nStrips; js++) {
            for (int is = 0; is < rows; is++) {
                rowTile(is, js, tall > 0 && is == rows - 1 ? tall : 0, mc, nc, kc, ap, ao, bp, bo, c, co, ldc, add, bias, biasOff, biasStride, s, vector);
            }
        }
    }

    /**
     * {@link #blockTiles}' tile of strip {@code is} of A and strip {@code js} of B, C's part started from the bias where
     * there is one: the tall tile of {@code tall} rows over strips {@code is} and {@code is + 1} where {@code tall > 0}.
     */
    private static void rowTile(int is, int js, int tall, int mc, int nc, int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co,
                                int ldc, boolean add, float[] bias, int biasOff, int biasStride, Scratch s, boolean vector) {
        int mr = tall > 0 ? tall : Math.min(MR, mc - is * MR), nr = Math.min(NR, nc - js * NR), bs = bo + js * kc * NR;
        int ct = co + is * MR * ldc + js * NR, as = ao + is * kc * MR;
        boolean start = add || bias != null;
        if (bias != null) fillBias(c, ct, ldc, mr, nr, bias, biasOff + js * NR * biasStride, biasStride);
        if (tall > 0) tallInto(kc, ap, as, as + kc * MR, bp, bs, tall, nr, c, ct, ldc, start, s);
        else tileInto(kc, ap, as, bp, bs, mr, nr, c, ct, ldc, start, s, vector);
    }

    /**
     * Whether a block whose last strip of A has 1 or 2 rows runs it with the strip before in one tile of 13 or 14 rows
     * ({@link VectorGemmKernel#tileTall}) instead of a lower tile of its own; {@code -Djasg.cpu.tallTiles=false} for the
     * lower tile. Only the 12-row tile of 32 registers has the registers for it.
     */
    static final boolean TALL_TILES = Boolean.parseBoolean(System.getProperty("jasg.cpu.tallTiles", "true"));

    /**
     * The height of the tall tile that takes the last two strips of a block of {@code mc} rows: {@code 12 + r} where the
     * last strip has {@code r <= 2} rows, with the 12-row tile; else 0. On the Zen 5 ({@code TallTileProbe}, one thread,
     * depth 1024, 512 columns) 49 rows ran 1.08-1.13x the lower tile's rate, 25 rows 1.20x, 13 rows 1.37x, 50 rows 1.02-1.04x.
     */
    static int tallHeight(int mc) {
        if (!TALL_TILES || MR != 12 || mc <= MR) return 0;
        int last = mc - (mc - 1) / MR * MR;
        return last <= 2 ? MR + last : 0;
    }

    /**
     * The tall tile of {@code height} rows from the strips at {@code ao} and {@code ao2}: straight into C when it is
     * {@code NR} wide, else through the scratch tile; until {@link GemmWarm} hands the tiles over, the two strips one by one
     * as before (the same bits: {@link VectorGemmKernel#tileTall}).
     */
    private static void tallInto(int kc, float[] ap, int ao, int ao2, float[] bp, int bo, int height, int nr, float[] c, int co, int ldc,
                                 boolean add, Scratch s) {
        if (GemmWarm.TILE.route() != GemmWarm.VECTOR) {
            tileInto(kc, ap, ao, bp, bo, MR, nr, c, co, ldc, add, s, true);
            tileInto(kc, ap, ao2, bp, bo, height - MR, nr, c, co + MR * ldc, ldc, add, s, true);
        } else if (nr == NR) {
            VectorGemmKernel.tileTall(height, kc, ap, ao, ao2, bp, bo, c, co, ldc, add);
        } else {
            VectorGemmKernel.tileTall(height, kc, ap, ao, ao2, bp, bo, s.tile, 0, NR, false);
            merge(s.tile, height, nr, c, co, ldc, add);
        }
    }

    /**
     * {@code C[0:mc, 0:nc] (+)= opA B} for one depth slice {@code kc} of a block of rows of A (element {@code (i,p)} at
     * {@code a[ao + i*rs + p*cs]}) against packed B from {@code bo}: with the vector kernels, a row-major A is read in
     * place ({@link #unpackedA}), or, where its rows lie a multiple of 4 KiB apart, copied row by row into a buffer
     * whose rows do not ({@link #copiedLd}) and read there; any other A is packed ({@link #packA}). Copying a row is a
     * contiguous move, as fast as packing B (the transposing pack of a row-major A ran at a quarter of that: 4.4
     * against 17.6 in {@code GemmProbe}'s units on Zen 5). Every path computes the same tiles in the same order, so the
     * bits do not depend on which was taken.
     */
    private static void blockA(int mc, int nc, int kc, float[] a, int ao, int rs, int cs, float[] bp, int bo, float[] c, int co, int ldc,
                               boolean add, float[] bias, int biasOff, int biasStride, Scratch s, boolean vector) {
        if (vector && cs == 1 && !PACK_A) {
            if (unpackedA(1, rs)) {
                blockRows(mc, nc, kc, a, ao, rs, bp, bo, c, co, ldc, add, bias, biasOff, biasStride, s);
            } else {
                int ld = copiedLd(kc);
                float[] rows = s.rows(mc * ld);
                for (int i = 0; i < mc; i++) System.arraycopy(a, ao + i * rs, rows, i * ld, kc);
                blockRows(mc, nc, kc, rows, 0, ld, bp, bo, c, co, ldc, add, bias, biasOff, biasStride, s);
            }
            return;
        }
        float[] ap = s.a(roundUp(mc, MR) * kc);
        packA(mc, kc, a, ao, rs, cs, ap, 0);
        block(mc, nc, kc, ap, 0, bp, bo, c, co, ldc, add, bias, biasOff, biasStride, s, vector);
    }

    /**
     * The leading dimension rows of {@code kc} floats are copied with so that {@link #unpackedA} reads them in place:
     * {@code kc} rounded up to a cache line's 16 floats, one line more where that is a multiple of 4 KiB.
     */
    static int copiedLd(int kc) {
        int ld = roundUp(kc, 16);
        return rowsAlias(ld) ? ld + 16 : ld;
    }

    /**
     * Whether rows {@code ld} floats apart lie a multiple of 4 KiB apart, so that the {@code MR} rows a tile reads in
     * place all fall into one set of the L1 data cache (x86 L1D sets repeat every 4 KiB: 32 KiB 8-way, 48 KiB 12-way).
     */
    static boolean rowsAlias(int ld) {
        return ((long) ld * Float.BYTES) % 4096 == 0;
    }

    /**
     * Whether a row-major A (unit stride along the depth) is read in place by {@link VectorGemmKernel#tileRows}
     * instead of being packed: unless its rows alias in L1 ({@link #rowsAlias}), where they would evict each other and
     * the strip of B (such an A is packed), or under {@link #PACK_A} (the default).
     */
    static boolean unpackedA(int acs, int ars) {
        return !PACK_A && acs == 1 && !rowsAlias(ars);
    }

    /**
     * {@link #block} with A read in place ({@link #unpackedA}): row {@code r} of the block at {@code a[ao + r*lda]};
     * a last strip shorter than {@code MR} is packed (zero-padded) and goes through the scratch tile.
     */
    private static void blockRows(int mc, int nc, int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc,
                                  boolean add, float[] bias, int biasOff, int biasStride, Scratch s) {
        int full = mc / MR, nStrips = (nc + NR - 1) / NR, tail = mc - full * MR;
        // a short last strip read in place by a tile over the block's last rows, once the vector tiles run; else packed
        int window = tail > 0 && TAIL_TILES && GemmWarm.TILE_ROWS.route() == GemmWarm.VECTOR ? tailWindow(tail, mc) : 0;
        float[] ap = null;
        if (tail > 0 && window == 0) {
            ap = s.a(MR * kc);
            packA(tail, kc, a, ao + full * MR * lda, lda, 1, ap, 0);
        }
        boolean start = add || bias != null;
        for (int js = 0; js < nStrips; js++) {
            int nr = Math.min(NR, nc - js * NR), bs = bo + js * kc * NR;
            for (int is = 0; is < full; is++) {
                int cs = co + is * MR * ldc + js * NR;
                if (bias != null) fillBias(c, cs, ldc, MR, nr, bias, biasOff + js * NR * biasStride, biasStride);
                if (nr == NR) {
                    tileRows(kc, a, ao + is * MR * lda, lda, bp, bs, c, cs, ldc, start);
                } else {
                    tileRows(kc, a, ao + is * MR * lda, lda, bp, bs, s.tile, 0, NR, false);
                    merge(s.tile, MR, nr, c, cs, ldc, start);
                }
            }
            int ct = co + full * MR * ldc + js * NR;
            if (tail > 0 && bias != null) fillBias(c, ct, ldc, tail, nr, bias, biasOff + js * NR * biasStride, biasStride);
            if (window > 0) {
                // rows mc - window .. mc: the first window - tail of them belong to the last full tile and are dropped
                VectorGemmKernel.tileRowsOf(window, kc, a, ao + (mc - window) * lda, lda, bp, bs, s.tile, 0, NR, false);
                merge(s.tile, (window - tail) * NR, tail, nr, c, ct, ldc, start);
            } else if (tail > 0) {
                tileInto(kc, ap, 0, bp, bs, tail, nr, c, ct, ldc, start, s, true);
            }
        }
    }

    /**
     * The height of the tile that reads a block's last {@code tail} rows in place ({@link #blockRows}): the lowest that
     * covers them ({@link VectorGemmKernel#height}) where it fits in the block's {@code mc} rows, whose first
     * rows (the last full tile's) it computes again and drops; 0 when none fits (the tail is then packed). Reading in
     * place skips packing the tail, a transposing copy, for every block and slice (1.4% of GPT-2's forward at batch 1,
     * whose 128 rows end in a strip of 8). The rows kept have the packed tail's bits: the same sums in the same order,
     * from zero, merged.
     */
    static int tailWindow(int tail, int mc) {
        int h = VectorGemmKernel.height(tail);
        return h <= mc ? h : 0;
    }

    /** One {@code mr x nr} tile of C: a full tile straight from the micro-kernel, an edge tile through the scratch tile. */
    private static void tileInto(int kc, float[] ap, int ao, float[] bp, int bo, int mr, int nr, float[] c, int co, int ldc, boolean add,
                                 Scratch s, boolean vector) {
        if (mr == MR && nr == NR) {
            tile(kc, ap, ao, bp, bo, c, co, ldc, add, s, vector, MR);
        } else {
            tile(kc, ap, ao, bp, bo, s.tile, 0, NR, false, s, vector, mr);
            merge(s.tile, mr, nr, c, co, ldc, add);
        }
    }

    /**
     * The shared operand's strips packed by whichever thread is free, one strip a claim: with fixed halves, a thread
     * the OS had descheduled (a machine shared with other processes) held the whole product up until it ran its
     * half; claimed strips leave it at most one. Past {@link CpuThreads#MAX_CHUNKS} strips, fixed chunks.
     */
    private static void packClaimed(int strips, CpuThreads.Range body) {
        if (strips <= CpuThreads.MAX_CHUNKS) CpuThreads.forEachClaimed(strips, body);
        else CpuThreads.parallelFor(strips, 1, body);
    }

    /** {@code j * cs} for {@code j < NR/2}, the calling thread's: the row offsets {@link VectorGemmKernel#gatherSteps} reads. */
    private static int[] gatherRows(int cs) {
        int[] rows = GATHER_ROWS.get();
        if (rows[1] != cs) for (int j = 0; j < rows.length; j++) rows[j] = j * cs;
        return rows;
    }

    private static final ThreadLocal<int[]> GATHER_ROWS = ThreadLocal.withInitial(() -> new int[Math.max(2, NR / 2)]);

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /**
     * Whether a strip of A with fewer than {@code MR} rows runs a lower tile ({@link VectorGemmKernel#tileOf}) rather
     * than the whole tile over its zero rows; {@code -Djasg.cpu.tailTiles=false} for the whole tile.
     */
    static final boolean TAIL_TILES = Boolean.parseBoolean(System.getProperty("jasg.cpu.tailTiles", "true"));

    /**
     * The micro-kernel: the vector tile (or, until {@link GemmWarm} has seen it compiled, its twin), or the portable scalar
     * one; {@code rows} of its {@code MR} are wanted (a shorter last strip runs a lower tile, {@link #TAIL_TILES}).
     */
    private static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add, Scratch s, boolean vector,
                             int rows) {
        if (!vector) {
            scalarTile(kc, ap, ao, bp, bo, c, co, ldc, add, s.acc);
            return;
        }
        GemmWarm g = GemmWarm.TILE;
        int route = g.route();
        if (route == GemmWarm.VECTOR) {
            // a short last strip by a lower tile once compiled code runs (before, its rows of zeros cost only time)
            VectorGemmKernel.tileOf(TAIL_TILES ? VectorGemmKernel.height(rows) : MR, kc, ap, ao, bp, bo, c, co, ldc, add);
            return;
        }
        long t0 = System.nanoTime();
        if (route == GemmWarm.VECTOR_TIMED) VectorGemmKernel.tile(kc, ap, ao, bp, bo, c, co, ldc, add);
        else ScalarTwins.gemmTile(kc, ap, ao, bp, bo, c, co, ldc, add);
        g.timed(route, System.nanoTime() - t0, (long) kc * MR * NR);
    }

    /** {@link VectorGemmKernel#tileRows}, or its twin until {@link GemmWarm} has seen it compiled. */
    private static void tileRows(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        GemmWarm g = GemmWarm.TILE_ROWS;
        int route = g.route();
        if (route == GemmWarm.VECTOR) {
            VectorGemmKernel.tileRows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            return;
        }
        long t0 = System.nanoTime();
        if (route == GemmWarm.VECTOR_TIMED) VectorGemmKernel.tileRows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        else ScalarTwins.gemmTileRows(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        g.timed(route, System.nanoTime() - t0, (long) kc * MR * NR);
    }

    /**
     * Whether a packing move runs its vector kernel ({@link GemmWarm}: always once compiled, a sample of calls before);
     * a {@link GemmWarm#VECTOR_TIMED} or {@link GemmWarm#TWIN_TIMED} route is timed by the caller. Without the Vector
     * API, never.
     */
    private static int packRoute(GemmWarm g) {
        return VECTOR ? g.route() : GemmWarm.TWIN_TIMED;
    }

    private static boolean vectorRoute(int route) {
        return route == GemmWarm.VECTOR || route == GemmWarm.VECTOR_TIMED;
    }

    /** The valid {@code mr x nr} corner of a scratch tile into C. */
    private static void merge(float[] t, int mr, int nr, float[] c, int co, int ldc, boolean add) {
        merge(t, 0, mr, nr, c, co, ldc, add);
    }

    /** {@link #merge} of the scratch tile's rows from {@code t[to]}. */
    private static void merge(float[] t, int to, int mr, int nr, float[] c, int co, int ldc, boolean add) {
        for (int r = 0; r < mr; r++) {
            int ci = co + r * ldc, ti = to + r * NR;
            if (add) {
                for (int j = 0; j < nr; j++) c[ci + j] += t[ti + j];
            } else {
                System.arraycopy(t, ti, c, ci, nr);
            }
        }
    }

    /** The portable micro-kernel: the same tile with a small accumulator array the JIT can vectorise over {@code j}. */
    private static void scalarTile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add, float[] acc) {
        java.util.Arrays.fill(acc, 0f);
        for (int p = 0; p < kc; p++) {
            int a = ao + p * MR, b = bo + p * NR;
            for (int r = 0; r < MR; r++) {
                float x = ap[a + r];
                int t = r * NR;
                for (int j = 0; j < NR; j++) acc[t + j] += x * bp[b + j];
            }
        }
        merge(acc, MR, NR, c, co, ldc, add);
    }

    /**
     * Packs {@code opA[0:mc, 0:kc]} (element {@code (i,p)} at {@code a[off + i*rs + p*cs]}) as strips of
     * {@code MR} rows from {@code at}: {@code ap[at + s*kc*MR + p*MR + r] = opA[s*MR + r, p]}, rows past {@code mc} zero.
     */
    static void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] ap, int at) {
        int strips = (mc + MR - 1) / MR;
        for (int s = 0; s < strips; s++) {
            int base = at + s * kc * MR, i0 = s * MR, rows = Math.min(MR, mc - i0);
            // the padding rows of a last, partial strip are zero (only they: the others are written below)
            for (int p = 0; rows < MR && p < kc; p++) java.util.Arrays.fill(ap, base + p * MR + rows, base + (p + 1) * MR, 0f);
            if (cs == 1 && rows == MR && TRANSPOSE_A) {
                // row-major A, a full strip, 16-lane vectors: one 16 x 16 register transpose a step of 16
                int route = packRoute(GemmWarm.TRANSPOSE_ROWS);
                long t0 = timed(route) ? System.nanoTime() : 0;
                if (vectorRoute(route)) VectorGemmKernel.transposeRows(kc, a, off + i0 * rs, rs, ap, base);
                else packRowsA(kc, a, off + i0 * rs, rs, ap, base, rows);
                if (timed(route)) GemmWarm.TRANSPOSE_ROWS.timed(route, System.nanoTime() - t0, (long) kc * MR);
            } else if (cs == 1) {
                packRowsA(kc, a, off + i0 * rs, rs, ap, base, rows);
            } else if (rs == 1 && rows == MR && TRANSPOSE_A) {
                // transposed A, a full strip, 16-lane vectors: a step's MR floats are contiguous, one vector move each (in
                // VectorGemmKernel, a method of its own: inlined into packA, C2 compiled such a move boxed, half a MB a run in
                // AllocationFreeRunTest)
                int route = packRoute(GemmWarm.COPY_STEPS);
                long t0 = timed(route) ? System.nanoTime() : 0;
                if (vectorRoute(route)) VectorGemmKernel.copySteps(kc, a, off + i0, cs, ap, base);
                else copyStepsA(kc, a, off + i0, cs, ap, base);
                if (timed(route)) GemmWarm.COPY_STEPS.timed(route, System.nanoTime() - t0, (long) kc * MR);
            } else if (rs == 1 && rows == MR) {
                // transposed A, a full strip: a step's MR floats are contiguous, moved as one copy (the loop below, with
                // its row stride, packed a 256 x 784 A in a fifth of its product's time)
                copyStepsA(kc, a, off + i0, cs, ap, base);
            } else {
                packSteps(kc, rows, a, off + i0 * rs, rs, cs, ap, base);
            }
        }
    }

    /**
     * Row-major A: {@code rows} rows of a strip from {@code a[off + r*rs]}, each read contiguously and written with stride
     * {@code MR}, a few cache lines of the strip at a time (a third faster than whole rows, whose writes sweep the strip
     * {@code MR} times); the twin of {@link VectorGemmKernel#transposeRows}, and the path of a last, partial strip.
     */
    private static void packRowsA(int kc, float[] a, int off, int rs, float[] ap, int base, int rows) {
        for (int p0 = 0; p0 < kc; p0 += 64) {
            int p1 = Math.min(kc, p0 + 64);
            for (int r = 0; r < rows; r++) {
                int src = off + r * rs, dst = base + r;
                for (int p = p0; p < p1; p++) ap[dst + p * MR] = a[src + p];
            }
        }
    }

    /**
     * Transposed A, a full strip: each step's {@code MR} contiguous floats from {@code a[off + p*cs]} as one copy; the twin of
     * {@link VectorGemmKernel#copySteps}.
     */
    private static void copyStepsA(int kc, float[] a, int off, int cs, float[] ap, int base) {
        for (int p = 0; p < kc; p++) System.arraycopy(a, off + p * cs, ap, base + p * MR, MR);
    }

    /** Transposed A: a column of opA is contiguous, so read {@code rows} of them at a time. */
    private static void packSteps(int kc, int rows, float[] a, int off, int rs, int cs, float[] ap, int base) {
        for (int p = 0; p < kc; p++) {
            int src = off + p * cs, dst = base + p * MR;
            for (int r = 0; r < rows; r++) ap[dst + r] = a[src + r * rs];
        }
    }

    private static boolean timed(int route) {
        return route != GemmWarm.VECTOR;
    }

    /**
     * Packs {@code opB[0:kc, 0:nc]} (element {@code (p,j)} at {@code b[off + p*rs + j*cs]}) as strips of
     * {@code NR} columns from {@code at}: {@code bp[at + s*kc*NR + p*NR + j] = opB[p, s*NR + j]}, columns past {@code nc} zero.
     */
    static void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] bp, int at) {
        packB(kc, nc, b, off, rs, cs, bp, at, false);
    }

    /**
     * Whether the transposed B of a {@code k x n} product is packed through a staging buffer ({@link #packB}): when it is
     * larger than the cache it would otherwise come from ({@link KernelChoice#cacheBytes}), so it streams from memory.
     */
    static boolean staged(int k, int n) {
        return TRANSPOSE && (long) k * n * Float.BYTES > KernelChoice.CHOSEN.cacheBytes();
    }

    /**
     * {@link #packB}; with {@code staged}, a transposed B's full strips are first copied row by row into a buffer and
     * transposed from there: the register transposes read 32 rows at once, 32 streams that a B coming from memory
     * serves at half the speed of one row at a time (GPT-2's tied head, 50257 x 768: 1.2 against 2.4 Gfloats/s on
     * Zen 5; from L3, 768 x 3072, staging cost 15%, so only B larger than the cache is staged).
     */
    static void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] bp, int at, boolean staged) {
        int strips = (nc + NR - 1) / NR;
        for (int s = 0; s < strips; s++) {
            int base = at + s * kc * NR, j0 = s * NR, cols = Math.min(NR, nc - j0);
            // the padding columns of a last, partial strip are zero (only they: the others are written below)
            for (int p = 0; cols < NR && p < kc; p++) java.util.Arrays.fill(bp, base + p * NR + cols, base + (p + 1) * NR, 0f);
            if (cs == 1 && cols == NR && VECTOR) {
                // two vector moves a row (an arraycopy of NR floats is a stub call, a third of the packing time)
                int route = packRoute(GemmWarm.COPY_ROWS);
                long t0 = timed(route) ? System.nanoTime() : 0;
                if (vectorRoute(route)) VectorGemmKernel.copyRows(kc, b, off + j0, rs, bp, base);
                else packRows(kc, cols, b, off + j0, rs, bp, base);
                if (timed(route)) GemmWarm.COPY_ROWS.timed(route, System.nanoTime() - t0, (long) kc * NR);
            } else if (cs == 1) {
                packRows(kc, cols, b, off + j0, rs, bp, base);
            } else if (rs == 1 && cols == NR && TRANSPOSE) {
                // transposed B, a full strip, 16-lane vectors: two 16 x 16 register transposes a step of 16, no gathers
                int route = packRoute(GemmWarm.TRANSPOSE_STEPS);
                long t0 = timed(route) ? System.nanoTime() : 0;
                if (vectorRoute(route) && staged) {
                    int ld = copiedLd(kc);
                    float[] rows = SCRATCH.get().stage(NR * ld);
                    for (int j = 0; j < NR; j++) System.arraycopy(b, off + (j0 + j) * cs, rows, j * ld, kc);
                    VectorGemmKernel.transposeSteps(kc, rows, 0, ld, bp, base);
                } else if (vectorRoute(route)) {
                    VectorGemmKernel.transposeSteps(kc, b, off + j0 * cs, cs, bp, base);
                } else {
                    packColumns(kc, cols, b, off + j0 * cs, rs, cs, bp, base);
                }
                if (timed(route)) GemmWarm.TRANSPOSE_STEPS.timed(route, System.nanoTime() - t0, (long) kc * NR);
            } else if (rs == 1 && cols == NR && GATHER) {
                // transposed B (a Linear layer's weight), a full strip: each row of the strip gathered from the
                // NR stored rows a vector at a time, 1.5 times as fast as the scalar loop below on Zen 3 (unless the
                // CPU reports gathers slowed by a microcode mitigation: KernelChoice)
                int route = packRoute(GemmWarm.GATHER_STEPS);
                long t0 = timed(route) ? System.nanoTime() : 0;
                if (vectorRoute(route)) VectorGemmKernel.gatherSteps(kc, b, off + j0 * cs, cs, gatherRows(cs), bp, base);
                else packColumns(kc, cols, b, off + j0 * cs, rs, cs, bp, base);
                if (timed(route)) GemmWarm.GATHER_STEPS.timed(route, System.nanoTime() - t0, (long) kc * NR);
            } else {
                packColumns(kc, cols, b, off + j0 * cs, rs, cs, bp, base);
            }
        }
    }

    /** Row-major B: {@code cols} floats of each of {@code kc} rows into a strip. */
    private static void packRows(int kc, int cols, float[] b, int off, int rs, float[] bp, int base) {
        for (int p = 0; p < kc; p++) System.arraycopy(b, off + p * rs, bp, base + p * NR, cols);
    }

    /**
     * Transposed B: a column of opB is contiguous; read each column a few cache lines at a time and write them across
     * the strip, so the part of the strip being written stays in L1 (a whole column at a time sweeps a strip of up to
     * KC x NR floats, more than L1, once per column).
     */
    private static void packColumns(int kc, int cols, float[] b, int off, int rs, int cs, float[] bp, int base) {
        for (int p0 = 0; p0 < kc; p0 += 64) {
            int p1 = Math.min(kc, p0 + 64);
            for (int j = 0; j < cols; j++) {
                int src = off + j * cs, dst = base + j;
                for (int p = p0; p < p1; p++) bp[dst + p * NR] = b[src + p * rs];
            }
        }
    }
}
