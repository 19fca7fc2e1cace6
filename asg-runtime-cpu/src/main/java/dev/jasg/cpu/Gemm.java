package dev.jasg.cpu;

import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>The micro-kernel is {@link VectorGemmKernel} (Java Vector API, {@code 12 x 32} on AVX-512)
 * when {@link Simd#ENABLED} (the {@code jdk.incubator.vector} module is in the boot layer);
 * without it a scalar tile loop the JIT vectorises as it can is used.
 *
 * <p>Products of at least {@link #PARALLEL_MIN} multiply-adds are split over {@link CpuThreads}
 * into a few blocks of rows per thread (or of columns, when C is wider than tall), each a complete
 * product with its own packing buffers, which the threads claim as they come free; called from a
 * pool thread it runs serially.
 */
final class Gemm {
    /** True when the Vector API micro-kernel is used. */
    static final boolean VECTOR = Simd.ENABLED;
    /** Tile rows and columns of the micro-kernel in use. */
    static final int MR = VECTOR ? VectorGemmKernel.MR : 4;
    static final int NR = VECTOR ? VectorGemmKernel.NR : 16;
    /** Depth of a packed panel: a {@code KC x NR} strip of B (32 KiB at NR 32) stays in L1 while the strips of A pass. */
    static final int KC = 256;
    /** Rows of a packed block of A ({@code MC x KC}, 144 KiB, in L2). */
    static final int MC = 12 * MR;
    /** Columns of a packed panel of B ({@code KC x NC}, 2 MiB). */
    static final int NC = 64 * NR;
    /** Blocks a parallel product is cut into per thread (each packs its own panels, so not many). */
    private static final int BLOCKS_PER_THREAD = 4;
    /** Multiply-adds below which a product runs on the calling thread. */
    static final long PARALLEL_MIN = 1 << 17;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Gemm() {}

    /** Which micro-kernel is in use, for logs and benchmark headers. */
    static String kernelName() {
        return VECTOR ? "vector " + VectorGemmKernel.describe() : "scalar " + MR + "x" + NR;
    }

    /** Packing buffers of one thread, grown on demand and then reused by every later product. */
    private static final class Scratch {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];
        final float[] acc = new float[MR * NR];

        float[] a(int n) {
            if (a.length < n) a = new float[n];
            return a;
        }

        float[] b(int n) {
            if (b.length < n) b = new float[n];
            return b;
        }
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

    /** {@link #gemm} with {@code opA[i,p] = a[aOff + i*ars + p*acs]} and {@code opB[p,j] = b[bOff + p*brs + j*bcs]}. */
    static void gemmStrided(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        long work = (long) m * n * k;
        int threads = CpuThreads.PARALLELISM;
        if (work < PARALLEL_MIN || threads == 1) {
            serial(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        } else if (m >= n && m >= 2 * MR) {
            // blocks of rows, a few per thread, claimed as threads come free: a thread that shares its core with
            // another process then takes fewer blocks instead of holding up the product
            int tiles = (m + MR - 1) / MR, perBlock = Math.max(1, tiles / (BLOCKS_PER_THREAD * threads)), blocks = (tiles + perBlock - 1) / perBlock;
            AtomicInteger next = new AtomicInteger();
            CpuThreads.parallelFor(threads, 1, (t0, t1) -> {
                for (int blk; (blk = next.getAndIncrement()) < blocks; ) {
                    int i0 = blk * perBlock * MR, i1 = Math.min(m, i0 + perBlock * MR);
                    serial(i1 - i0, n, k, a, aOff + i0 * ars, ars, acs, b, bOff, brs, bcs, c, cOff + i0 * ldc, ldc, accumulate);
                }
            });
        } else if (n >= 2 * NR) {
            int tiles = (n + NR - 1) / NR, perBlock = Math.max(1, tiles / (BLOCKS_PER_THREAD * threads)), blocks = (tiles + perBlock - 1) / perBlock;
            AtomicInteger next = new AtomicInteger();
            CpuThreads.parallelFor(threads, 1, (t0, t1) -> {
                for (int blk; (blk = next.getAndIncrement()) < blocks; ) {
                    int j0 = blk * perBlock * NR, j1 = Math.min(n, j0 + perBlock * NR);
                    serial(m, j1 - j0, k, a, aOff, ars, acs, b, bOff + j0 * bcs, brs, bcs, c, cOff + j0, ldc, accumulate);
                }
            });
        } else {
            serial(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate);
        }
    }

    /** The blocked product on the calling thread. */
    static void serial(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                       float[] c, int cOff, int ldc, boolean accumulate) {
        serial(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, ldc, accumulate, VECTOR);
    }

    /** {@link #serial} with the micro-kernel chosen by {@code vector} (tests run both; the tile size is the same). */
    static void serial(int m, int n, int k, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                       float[] c, int cOff, int ldc, boolean accumulate, boolean vector) {
        if (vector && !VECTOR) throw new IllegalStateException("the Vector API kernel is not available");
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        Scratch s = SCRATCH.get();
        int kcMax = Math.min(KC, k);
        float[] ap = s.a(roundUp(Math.min(MC, m), MR) * kcMax);
        float[] bp = s.b(roundUp(Math.min(NC, n), NR) * kcMax);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), nStrips = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                packB(kc, nc, b, bOff + pc * brs + jc * bcs, brs, bcs, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic), mStrips = (mc + MR - 1) / MR;
                    packA(mc, kc, a, aOff + ic * ars + pc * acs, ars, acs, ap);
                    for (int js = 0; js < nStrips; js++) {
                        int j = jc + js * NR, nr = Math.min(NR, n - j), bo = js * kc * NR;
                        for (int is = 0; is < mStrips; is++) {
                            int i = ic + is * MR, mr = Math.min(MR, m - i), ao = is * kc * MR;
                            int co = cOff + i * ldc + j;
                            if (mr == MR && nr == NR && !add) {
                                tile(kc, ap, ao, bp, bo, c, co, ldc, s, vector);
                            } else {
                                // edge tiles and accumulation go through the scratch tile
                                tile(kc, ap, ao, bp, bo, s.tile, 0, NR, s, vector);
                                merge(s.tile, mr, nr, c, co, ldc, add);
                            }
                        }
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    private static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, Scratch s, boolean vector) {
        if (vector) VectorGemmKernel.tile(kc, ap, ao, bp, bo, c, co, ldc);
        else scalarTile(kc, ap, ao, bp, bo, c, co, ldc, s.acc);
    }

    /** The valid {@code mr x nr} corner of a scratch tile into C. */
    private static void merge(float[] t, int mr, int nr, float[] c, int co, int ldc, boolean add) {
        for (int r = 0; r < mr; r++) {
            int ci = co + r * ldc, ti = r * NR;
            if (add) {
                for (int j = 0; j < nr; j++) c[ci + j] += t[ti + j];
            } else {
                System.arraycopy(t, ti, c, ci, nr);
            }
        }
    }

    /** The portable micro-kernel: the same tile with a small accumulator array the JIT can vectorise over {@code j}. */
    private static void scalarTile(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, float[] acc) {
        java.util.Arrays.fill(acc, 0f);
        for (int p = 0; p < kc; p++) {
            int a = ao + p * MR, b = bo + p * NR;
            for (int r = 0; r < MR; r++) {
                float x = ap[a + r];
                int t = r * NR;
                for (int j = 0; j < NR; j++) acc[t + j] += x * bp[b + j];
            }
        }
        for (int r = 0; r < MR; r++) System.arraycopy(acc, r * NR, c, co + r * ldc, NR);
    }

    /**
     * Packs {@code opA[0:mc, 0:kc]} (element {@code (i,p)} at {@code a[off + i*rs + p*cs]}) as strips of
     * {@code MR} rows: {@code ap[s*kc*MR + p*MR + r] = opA[s*MR + r, p]}, rows past {@code mc} zero.
     */
    static void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] ap) {
        int strips = (mc + MR - 1) / MR;
        for (int s = 0; s < strips; s++) {
            int base = s * kc * MR, i0 = s * MR, rows = Math.min(MR, mc - i0);
            if (rows < MR) java.util.Arrays.fill(ap, base, base + kc * MR, 0f);
            if (cs == 1) {
                // row-major A: read each row contiguously, write with stride MR
                for (int r = 0; r < rows; r++) {
                    int src = off + (i0 + r) * rs, dst = base + r;
                    for (int p = 0; p < kc; p++) ap[dst + p * MR] = a[src + p];
                }
            } else {
                // transposed A: a column of opA is contiguous, so read MR of them at a time
                for (int p = 0; p < kc; p++) {
                    int src = off + i0 * rs + p * cs, dst = base + p * MR;
                    for (int r = 0; r < rows; r++) ap[dst + r] = a[src + r * rs];
                }
            }
        }
    }

    /**
     * Packs {@code opB[0:kc, 0:nc]} (element {@code (p,j)} at {@code b[off + p*rs + j*cs]}) as strips of
     * {@code NR} columns: {@code bp[s*kc*NR + p*NR + j] = opB[p, s*NR + j]}, columns past {@code nc} zero.
     */
    static void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] bp) {
        int strips = (nc + NR - 1) / NR;
        for (int s = 0; s < strips; s++) {
            int base = s * kc * NR, j0 = s * NR, cols = Math.min(NR, nc - j0);
            if (cols < NR) java.util.Arrays.fill(bp, base, base + kc * NR, 0f);
            if (cs == 1) {
                for (int p = 0; p < kc; p++) System.arraycopy(b, off + p * rs + j0, bp, base + p * NR, cols);
            } else {
                // transposed B: a column of opB is contiguous
                for (int j = 0; j < cols; j++) {
                    int src = off + (j0 + j) * cs, dst = base + j;
                    for (int p = 0; p < kc; p++) bp[dst + p * NR] = b[src + p * rs];
                }
            }
        }
    }
}
