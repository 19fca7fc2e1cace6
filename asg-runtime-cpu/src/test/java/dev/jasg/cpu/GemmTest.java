package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm} against a double-precision triple loop, on shapes chosen to cross every edge of
 * the blocking: sizes that are not multiples of the tile ({@code MR x NR}), depths past
 * {@code KC}, rows past {@code MC}, columns past {@code NC}; transposed operands, offsets and
 * leading dimensions larger than the matrix, accumulation into C, and both micro-kernels.
 */
class GemmTest {
    private static final int[][] SHAPES = {
        {1, 1, 1}, {3, 5, 7}, {Gemm.MR, Gemm.NR, 9}, {Gemm.MR + 1, Gemm.NR - 1, Gemm.KC + 3},
        {2 * Gemm.MC + 5, 37, 19}, {13, Gemm.NC + Gemm.NR + 3, 11}, {64, 64, 2 * Gemm.KC + 1}, {150, 90, 300}, {7, 200, 0},
        // the parallel splits: rows against shared B panels (two panels), columns against shared A, depth
        {100, 40, Gemm.SHARED_MAX / 32 + 7}, {30, 400, 700}, {20, 30, 4 * Gemm.KC + 5}, {5, 9, 20000},
        // matrix-vector products (Gemm.gemv): a row times a matrix, a matrix times a column, serial and split, tails of the vectors
        {1, 1, 1}, {1, 37, 5}, {1, 7, 1}, {1, 1, 300}, {1, 1000, 701}, {37, 1, 5}, {3001, 1, 701}, {2, 1, 3},
    };

    /**
     * Matrix-vector products, as a decode step of a language model makes for every weight: they must
     * stream the matrix in its own layout, not pack it (the packed path copies the whole matrix per
     * call); packing grows a thread's packing buffers, so on a fresh thread they stay empty.
     * Rows: {m, n, k, transA, transB}.
     */
    private static final int[][] UNPACKED = {
        {1, 3072, 768, 0, 0}, {1, 3072, 768, 0, 1}, {1, 3072, 768, 1, 0}, {50257 / 8, 1, 768, 0, 0}, {6000, 1, 768, 1, 1}, {1, 1, 768, 0, 1},
    };

    @Test
    void matrixVectorProductsPackNothing() throws Exception {
        for (int[] u : UNPACKED) {
            int m = u[0], n = u[1], k = u[2];
            boolean ta = u[3] == 1, tb = u[4] == 1;
            Random r = new Random(7);
            float[] a = random(r, m * k), b = random(r, k * n), c = new float[m * n];
            long[] packed = new long[1];
            Thread t = new Thread(() -> {
                Gemm.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, false);
                packed[0] = Gemm.packedScratchFloats();
            });
            t.start();
            t.join();
            assertEquals(0, packed[0], m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + ": floats packed");
        }
    }

    /**
     * Blocks of rows ({@link Gemm#rowBlock}): whole tiles; the bytes of MC rows at KC depth, or an eighth more, at any
     * depth; no more blocks than that needs (one when the rows fit): GPT-2's 128 rows at depth 768 are one block, not
     * MC rows and a short remainder that streams all of B again.
     */
    @Test
    void rowBlocksAreWholeEqualAndWithinTheCache() {
        for (int kc : new int[] {1, 64, 768, Gemm.KC}) {
            long limit = Math.max(Gemm.MR, (long) Gemm.MC * Gemm.KC / kc / Gemm.MR * Gemm.MR);
            limit = Math.max(Gemm.MR, (limit + limit / 8) / Gemm.MR * Gemm.MR);
            for (int m : new int[] {1, 5, Gemm.MR, 128, Gemm.MC, Gemm.MC + 8, 2 * Gemm.MC + 5, 1000, 8192}) {
                int r = Gemm.rowBlock(m, kc), blocks = (m + r - 1) / r;
                assertEquals(0, r % Gemm.MR, m + " rows at depth " + kc + ": whole tiles, got " + r);
                assertTrue(r <= limit, m + " rows at depth " + kc + ": " + r + " rows exceed " + limit);
                assertTrue(blocks <= (m + limit - 1) / limit + 1, m + " rows at depth " + kc + ": " + blocks + " blocks of " + r + ", more than needed");
                if (m <= limit) assertEquals(1, blocks, m + " rows at depth " + kc + ": one block");
            }
        }
        assertEquals(1, (128 + Gemm.rowBlock(128, Math.min(768, Gemm.KC)) - 1) / Gemm.rowBlock(128, Math.min(768, Gemm.KC)));
        if (Gemm.MC * 9 / 8 >= 128) assertTrue(Gemm.rowBlock(128, Gemm.KC) >= 128, "128 rows at KC: one block");
    }

    /** {@code C = beta C + opA opB} in double, with the same BLAS-style layout arguments. */
    private static double[] naive(boolean ta, boolean tb, int m, int n, int k, float[] a, int ao, int lda, float[] b, int bo, int ldb,
                                  float[] c, int co, int ldc, boolean acc) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) out[i] = c[i];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = acc ? c[co + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    double y = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                    s += x * y;
                }
                out[co + i * ldc + j] = s;
            }
        }
        return out;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    /** Runs one case; {@code mode} 0 = the public entry (parallel when large), 1 = serial scalar, 2 = serial vector. */
    private static void check(int m, int n, int k, boolean ta, boolean tb, boolean acc, int mode) {
        Random r = new Random(m * 1_000_003L + n * 1009L + k * 31L + (ta ? 1 : 0) + (tb ? 2 : 0) + (acc ? 4 : 0) + mode * 8L);
        int pad = 3, ao = 5, bo = 2, co = 4;
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = random(r, ao + (ta ? k : m) * lda), b = random(r, bo + (tb ? n : k) * ldb), c = random(r, co + m * ldc + 1);
        double[] want = naive(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
        if (mode == 0) {
            Gemm.gemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
        } else {
            int ars = ta ? 1 : lda, acs = ta ? lda : 1, brs = tb ? 1 : ldb, bcs = tb ? ldb : 1;
            Gemm.serial(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, acc, mode == 2);
        }
        String what = m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + (acc ? " +=" : "") + " mode " + mode;
        for (int i = 0; i < c.length; i++) {
            // k products of numbers in [-1, 1]: f32 accumulation error grows like sqrt(k) ulps of sqrt(k)
            double tol = 1e-6 * (1 + k) + 1e-6 * Math.abs(want[i]);
            assertEquals(want[i], c[i], tol, what + " at flat index " + i);
        }
    }

    @Test
    void matchesTripleLoopOnEveryBlockingEdge() {
        int[] modes = Gemm.VECTOR ? new int[] {0, 1, 2} : new int[] {0, 1};
        for (int[] s : SHAPES) {
            for (int mode : modes) {
                for (int t = 0; t < 8; t++) check(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, (t & 4) != 0, mode);
            }
        }
    }

    /**
     * The packed layouts against their definitions, for every operand layout packing reads (row-major, transposed,
     * general strides) and for full and partial strips: the vector paths (a transposed A's steps moved four floats
     * at a time, a transposed B's rows transposed in registers or gathered) cover only full strips with a unit stride,
     * the loops the rest.
     * Rows: {rows, depth, row stride, column stride} of the operand as packing reads it.
     */
    private static final int[][] PACKED = {
        {37, 29, 31, 1}, {37, 29, 1, 41}, {37, 29, 3, 97}, {64, 784, 1, 256}, {Gemm.MR * 3, 17, 1, Gemm.MR * 3 + 2}, {Gemm.NR * 3, 17, 1, 19},
        // a transposed B of several full strips and steps past whole 16 x 16 blocks (VectorGemmKernel.transposeSteps)
        {Gemm.NR * 2 + 5, 50, 53, 1},
    };

    /**
     * A panel packed once ({@link Gemm#packPanel}) and multiplied by blocks of rows, over a prefix of its columns
     * ({@link Gemm#serialPacked}, as fused attention does): the bits of {@link Gemm#serial} on the same columns,
     * for depths across a slice boundary and A row-major (read in place) or transposed (packed).
     */
    @Test
    void aPanelPackedOnceGivesTheSerialProductsBits() {
        Random r = new Random(8);
        for (int[] t : new int[][] {{37, 70, 13}, {5, 33, 64}, {24, 129, 300}, {2, 17, 1200}}) {
            int m = t[0], width = t[1], k = t[2];
            for (boolean ta : new boolean[] {false, true}) {
                float[] a = new float[m * k + 3], b = new float[k * width + 5];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                // B transposed as attention's K^T: opB[p, j] = b[5 + j*k + p]
                float[] bp = new float[Gemm.panelSize(k, width)];
                Gemm.packPanel(k, width, b, 5, 1, k, bp);
                int ars = ta ? 1 : k, acs = ta ? m : 1;
                for (int n : new int[] {width, width / 2 + 1, 1}) {
                    float[] want = new float[m * n], got = new float[m * n];
                    Gemm.serial(m, n, k, a, 3, ars, acs, b, 5, 1, k, want, 0, n, false);
                    Gemm.serialPacked(m, n, k, a, 3, ars, acs, bp, width, got, 0, n, false);
                    for (int i = 0; i < want.length; i++) {
                        String at = m + "x" + n + "x" + k + (ta ? " transposed A" : "") + " element " + i;
                        // n == 1 is a matrix-vector product for serial (dot products, not tiles): equal within rounding
                        if (n == 1 || m == 1) assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), at);
                        else assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), at);
                    }
                }
            }
        }
    }

    /**
     * Shapes the parallel product splits by rows (C taller than wide) and by columns (wider than tall), with A read in
     * place (row-major) and packed (transposed), B row-major and transposed: {m, n, k}.
     */
    private static final int[][] SPLITS = {{301, 70, 90}, {70, 301, 90}, {130, 130, 300}, {2 * Gemm.MC + 7, 3 * Gemm.NR + 5, Gemm.KC + 9},
        // rows of a row-major A 4 KiB apart: copied before they are read (by block, or once for all threads)
        {301, 70, 1024}, {70, 301, 1024}};

    /**
     * A row-major A whose rows lie a multiple of 4 KiB apart is copied into rows that do not before the tiles read it
     * ({@code Gemm.blockA}): the same bits as the same A stored with a leading dimension the tiles read in place, serial
     * and parallel, and the triple loop's values.
     */
    @Test
    void rowsFourKiBApartGiveTheBitsOfRowsReadInPlace() {
        int ld = 2048; // 8 KiB
        Random r = new Random(13);
        for (int[] sh : new int[][] {{50, 40, 300}, {301, 70, 700}, {70, 301, 1024}, {Gemm.MR * 3 + 1, 2 * Gemm.NR, Math.min(ld, 2 * Gemm.KC + 5)}}) {
            int m = sh[0], n = sh[1], k = sh[2];
            float[] aligned = random(r, m * ld), padded = new float[m * (ld + 3)], b = random(r, k * n);
            for (int i = 0; i < m; i++) System.arraycopy(aligned, i * ld, padded, i * (ld + 3), k);
            for (int mode = 0; mode < (Gemm.VECTOR ? 3 : 2); mode++) {
                float[] want = new float[m * n], got = new float[m * n];
                if (mode == 0) {
                    Gemm.gemm(false, false, m, n, k, padded, 0, ld + 3, b, 0, n, want, 0, n, false);
                    Gemm.gemm(false, false, m, n, k, aligned, 0, ld, b, 0, n, got, 0, n, false);
                } else {
                    Gemm.serial(m, n, k, padded, 0, ld + 3, 1, b, 0, n, 1, want, 0, n, false, mode == 2);
                    Gemm.serial(m, n, k, aligned, 0, ld, 1, b, 0, n, 1, got, 0, n, false, mode == 2);
                }
                double[] exact = naive(false, false, m, n, k, aligned, 0, ld, b, 0, n, new float[m * n], 0, n, false);
                for (int i = 0; i < want.length; i++) {
                    String at = m + "x" + n + "x" + k + " mode " + mode + " element " + i;
                    if (mode == 0 && Gemm.EJML_FALLBACK) assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), at);
                    else assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), at);
                    assertEquals(exact[i], got[i], 1e-6 * (1 + k) + 1e-6 * Math.abs(exact[i]), at);
                }
            }
        }
    }

    /**
     * The parallel product computes every element as the serial one does (the same tiles, the same depth slices in
     * the same order), so its bits do not depend on the thread count or on which thread ran which block.
     */
    @Test
    void parallelProductGivesTheSerialBits() {
        if (!Gemm.VECTOR) return; // the EJML fallback is checked against the triple loop only
        Random r = new Random(11);
        for (int[] sh : SPLITS) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int t = 0; t < 8; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, acc = (t & 4) != 0;
                int lda = ta ? m : k, ldb = tb ? k : n;
                float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n), want = c0.clone(), got = c0.clone();
                Gemm.serial(m, n, k, a, 0, ta ? 1 : lda, ta ? lda : 1, b, 0, tb ? 1 : ldb, tb ? ldb : 1, want, 0, n, acc);
                Gemm.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, got, 0, n, acc);
                for (int i = 0; i < want.length; i++) {
                    String at = m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + (acc ? " +=" : "") + " element " + i;
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), at);
                }
            }
        }
    }

    /**
     * A product that starts from a bias ({@link Gemm#gemmBias}, {@link Gemm#gemmPacked} with a bias: a linear layer's
     * epilogue), whose parallel splits fill each tile of C just before its first depth slice reads it: the bits of C filled with
     * the bias first and the product accumulated onto it, on every path (serial, matrix-vector, depth, rows over two
     * panels of B, columns with A in place or packed), for a bias row and a scalar bias; C starts as NaN, so an element
     * the fill missed shows.
     */
    @Test
    void aBiasFilledBlockByBlockGivesTheBitsOfFillingItFirst() {
        if (!Gemm.VECTOR) return; // the EJML fallback fills C first on every path
        Random r = new Random(13);
        int[][] shapes = {{3, 5, 7}, {1, 1000, 701}, {3001, 1, 701}, {5, 9, 20000}, {100, 40, Gemm.SHARED_MAX / 32 + 7}, {301, 70, 90},
            {70, 301, 90}, {130, 130, 300}, {2 * Gemm.MC + 7, 3 * Gemm.NR + 5, Gemm.KC + 9}, {301, 70, 1024}, {70, 301, 1024}, {128, 700, 0}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int t = 0; t < 8; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, packed = (t & 4) != 0;
                if (packed && (tb || k == 0)) continue; // a packed panel is packed from B as it lies
                int lda = ta ? m : k, ldb = tb ? k : n;
                float[] a = random(r, m * k), b = random(r, k * n);
                for (int stride = 0; stride <= 1; stride++) {
                    float[] bias = random(r, stride == 0 ? 1 : n);
                    float[] want = new float[m * n], got = new float[m * n];
                    Gemm.fillBias(want, 0, n, m, n, bias, 0, stride);
                    java.util.Arrays.fill(got, Float.NaN);
                    if (packed) {
                        float[] bp = new float[Gemm.panelSize(k, n)];
                        Gemm.packPanel(k, n, b, 0, n, 1, bp);
                        Gemm.gemmPacked(m, n, k, a, 0, ta ? 1 : lda, ta ? lda : 1, bp, want, 0, n, true);
                        Gemm.gemmPacked(m, n, k, a, 0, ta ? 1 : lda, ta ? lda : 1, bp, got, 0, n, false, bias, stride);
                    } else {
                        Gemm.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, want, 0, n, true);
                        Gemm.gemmBias(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, got, 0, n, bias, stride);
                    }
                    for (int i = 0; i < want.length; i++) {
                        String at = m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + (packed ? " packed" : "")
                                + (stride == 0 ? " scalar bias" : " bias row") + " element " + i;
                        assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), at);
                    }
                }
            }
        }
    }

    /**
     * {@link Gemm#gemmPackedBoth}: A packed whole strip by strip at {@link Gemm#packedAt} (as a convolution's unfolding
     * writes it), against {@link Gemm#gemmPacked} on the same A stored transposed, bit for bit: serial and split, one and
     * several depth slices, partial strips of rows and columns, a single strip of columns. The packed A starts as NaN
     * outside what the packing writes, so a tile that read past its strip would show; C starts as NaN too.
     */
    @Test
    void bothOperandsPackedGiveTheBitsOfPackingAInTheProduct() {
        if (!Gemm.VECTOR || Gemm.NC % Gemm.NR != 0) return; // packed weights need the packed GEMM
        Random r = new Random(29);
        int[][] shapes = {{5, 7, 9}, {49, 512, 4608}, {196, 256, 2304}, {12, 64, 1}, {13, 33, Gemm.KC + 3}, {100, 20, 300},
            {Gemm.MR, Gemm.NR, 2 * Gemm.KC + 1}, {1, 300, 700}, {61, 97, 63}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            float[] col = random(r, k * m), b = random(r, k * n), bp = new float[Gemm.panelSize(k, n)];
            Gemm.packPanel(k, n, b, 0, n, 1, bp);
            float[] ap = new float[(int) Gemm.packedASize(m, k)];
            java.util.Arrays.fill(ap, Float.NaN);
            int kcs = Gemm.sliceDepth(k);
            for (int pc = 0; pc < k; pc += kcs) {
                int kc = Math.min(kcs, k - pc);
                for (int i0 = 0; i0 < m; i0 += Gemm.MR) {
                    Gemm.packA(Math.min(Gemm.MR, m - i0), kc, col, pc * m + i0, 1, m, ap, Gemm.packedAt(m, k, i0, pc));
                }
            }
            float[] want = new float[m * n], got = new float[m * n];
            java.util.Arrays.fill(got, Float.NaN);
            Gemm.gemmPacked(m, n, k, col, 0, 1, m, bp, want, 0, n, false);
            Gemm.gemmPackedBoth(m, n, k, ap, bp, got, 0, n);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), m + "x" + n + "x" + k + " element " + i);
            }
        }
    }

    /**
     * Shrinking blocks of a column split ({@link Gemm#guided}): they cover every tile once in order, none is wider than the
     * cap, none is wider than the one before it, whole blocks of the cap while much is left, and every block taken with at most
     * {@code 2 threads} tiles left is a single tile (so threads finish within a tile of each other).
     */
    @Test
    void guidedBlocksShrinkToSingleTiles() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            for (int tiles : new int[] {1, 2, 5, 24, 96, 1571}) {
                int[] starts = new int[tiles + 1];
                int blocks = Gemm.guided(tiles, threads, 8, starts);
                String at = tiles + " tiles on " + threads + " threads";
                assertEquals(0, starts[0], at);
                assertEquals(tiles, starts[blocks], at);
                int prev = Integer.MAX_VALUE;
                for (int b = 0; b < blocks; b++) {
                    int size = starts[b + 1] - starts[b];
                    assertTrue(size >= 1 && size <= 8 && size <= prev, at + ": block " + b + " of " + size + " tiles after " + prev);
                    prev = size;
                }
                if (tiles >= 16 * threads) assertEquals(8, starts[1], at + ": the first block is whole");
                for (int b = 0; b < blocks; b++) {
                    if (tiles - starts[b] <= 2 * threads) assertEquals(1, starts[b + 1] - starts[b], at + ": block " + b + " near the end");
                }
            }
        }
    }

    /** Blocks of a parallel split: a multiple of the threads (unless there are fewer tiles), near-equal, covering every tile once. */
    @Test
    void blocksAreEqualAndAMultipleOfTheThreads() {
        // {tiles, threads, most tiles a block, expected blocks}
        int[][] rows = {{86, 2, 10, 10}, {86, 2, 21, 6}, {22, 2, 10, 4}, {8, 2, 8, 4}, {3, 2, 10, 3}, {1, 4, 10, 1}, {96, 2, 8, 12}, {96, 3, 8, 12},
            {1000, 8, 10, 104}};
        for (int[] row : rows) {
            int tiles = row[0], threads = row[1], most = row[2], blocks = Gemm.blocks(tiles, threads, most);
            String what = tiles + " tiles on " + threads + " threads, at most " + most + " a block";
            assertEquals(row[3], blocks, what);
            assertEquals(0, Gemm.tileStart(tiles, blocks, 0), what);
            assertEquals(tiles, Gemm.tileStart(tiles, blocks, blocks), what);
            for (int b = 0; b < blocks; b++) {
                int size = Gemm.tileStart(tiles, blocks, b + 1) - Gemm.tileStart(tiles, blocks, b);
                assertTrue(size == tiles / blocks || size == (tiles + blocks - 1) / blocks, what + ": block " + b + " has " + size);
            }
        }
    }

    @Test
    void packingMatchesItsDefinition() {
        packingMatchesItsDefinition(false);
    }

    /**
     * {@link #packingMatchesItsDefinition} with A's full strips packed by their vector moves (the hand-over forced, as in a
     * warm JVM: {@code VectorGemmKernel.transposeRows} for a row-major A, {@code copySteps} for a transposed one).
     */
    @Test
    void vectorPackingMatchesItsDefinition() {
        GemmWarm.TRANSPOSE_ROWS.handOver();
        GemmWarm.COPY_STEPS.handOver();
        packingMatchesItsDefinition(true);
    }

    private static void packingMatchesItsDefinition(boolean warm) {
        Random r = new Random(warm ? 6 : 5);
        for (int[] t : PACKED) {
            int rows = t[0], depth = t[1], rs = t[2], cs = t[3], off = 7;
            float[] x = random(r, off + (rows - 1) * rs + (depth - 1) * cs + 1);
            String what = rows + "x" + depth + " strides " + rs + "," + cs;
            // A: opA[i, p] = x[off + i*rs + p*cs], strips of MR rows
            int aStrips = (rows + Gemm.MR - 1) / Gemm.MR, at = 3;
            float[] ap = new float[at + aStrips * Gemm.MR * depth];
            java.util.Arrays.fill(ap, Float.NaN);
            Gemm.packA(rows, depth, x, off, rs, cs, ap, at);
            for (int s = 0; s < aStrips; s++) {
                for (int p = 0; p < depth; p++) {
                    for (int i = 0; i < Gemm.MR; i++) {
                        int row = s * Gemm.MR + i;
                        float want = row < rows ? x[off + row * rs + p * cs] : 0f;
                        assertEquals(want, ap[at + s * depth * Gemm.MR + p * Gemm.MR + i], "packA " + what + " strip " + s + " step " + p + " row " + i);
                    }
                }
            }
            // B: opB[p, j] = x[off + j*rs + p*cs] read as columns j (row stride along the depth = cs, column stride = rs)
            int bStrips = (rows + Gemm.NR - 1) / Gemm.NR;
            float[] bp = new float[at + bStrips * Gemm.NR * depth];
            java.util.Arrays.fill(bp, Float.NaN);
            Gemm.packB(depth, rows, x, off, cs, rs, bp, at);
            for (int s = 0; s < bStrips; s++) {
                for (int p = 0; p < depth; p++) {
                    for (int j = 0; j < Gemm.NR; j++) {
                        int col = s * Gemm.NR + j;
                        float want = col < rows ? x[off + col * rs + p * cs] : 0f;
                        assertEquals(want, bp[at + s * depth * Gemm.NR + p * Gemm.NR + j], "packB " + what + " strip " + s + " step " + p + " column " + j);
                    }
                }
            }
        }
    }

    /**
     * Every short last strip of A (1 to {@code MR - 1} rows past whole tiles, and blocks shorter than a tile) once the
     * vector tiles run (the hand-over forced, as in a warm JVM), where it runs a lower tile ({@link VectorGemmKernel#tileOf})
     * or, read in place, a tile over the block's last rows ({@link Gemm#tailWindow}): against the loop, serial and pooled,
     * A packed or read in place, B plain or transposed, accumulating or not; and the pooled product's bits are the serial
     * one's.
     */
    @Test
    void shortLastStripsRunLowerTilesAndMatchTheLoop() {
        if (!Gemm.VECTOR) return;
        GemmWarm.TILE.handOver();
        GemmWarm.TILE_ROWS.handOver();
        // blocks of whole tiles and a short strip, and blocks shorter than any tile (all of them the short strip)
        int[] rows = new int[Gemm.MR - 1 + 5];
        for (int t = 1; t < Gemm.MR; t++) rows[t - 1] = 2 * Gemm.MR + t;
        System.arraycopy(new int[] {2, 3, 5, 6, 7}, 0, rows, Gemm.MR - 1, 5);
        for (int t = 0; t < rows.length; t++) {
            int m = rows[t];
            for (int mode : new int[] {0, 2}) {
                for (int f = 0; f < 8; f++) check(m, 2 * Gemm.NR + 3, 37, (f & 1) != 0, (f & 2) != 0, (f & 4) != 0, mode);
            }
            // large enough for the pool: its bits against the serial product's
            int n = 8 * Gemm.NR, k = 300;
            Random r = new Random(t);
            float[] a = random(r, m * k), b = random(r, k * n), pooled = new float[m * n], serial = new float[m * n];
            Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, pooled, 0, n, false);
            Gemm.serial(m, n, k, a, 0, k, 1, b, 0, n, 1, serial, 0, n, false, true);
            // A stored transposed is packed (its tail through a lower packed tile); row-major, read in place: the same bits
            float[] at = new float[k * m], packed = new float[m * n];
            for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
            Gemm.serial(m, n, k, at, 0, 1, m, b, 0, n, 1, packed, 0, n, false, true);
            for (int i = 0; i < pooled.length; i++) {
                assertEquals(Float.floatToRawIntBits(serial[i]), Float.floatToRawIntBits(pooled[i]), m + " rows: pooled against serial at " + i);
                assertEquals(Float.floatToRawIntBits(packed[i]), Float.floatToRawIntBits(serial[i]), m + " rows: A in place against A packed at " + i);
            }
        }
    }

    /**
     * A transposed B packed through the staging buffer (a B larger than the cache, {@code Gemm.staged}) against the
     * definition: the vector route forced on (as the hand-over does), depths whose rows alias in L1 (1024) and do not.
     */
    @Test
    void stagedTransposedBMatchesItsDefinition() {
        GemmWarm.TRANSPOSE_STEPS.handOver();
        Random r = new Random(17);
        for (int kc : new int[] {50, 768, 1024}) {
            int cols = 2 * Gemm.NR + 5, cs = kc + 7, off = 3, at = 2, strips = (cols + Gemm.NR - 1) / Gemm.NR;
            float[] x = random(r, off + cols * cs);
            float[] bp = new float[at + strips * Gemm.NR * kc];
            java.util.Arrays.fill(bp, Float.NaN);
            Gemm.packB(kc, cols, x, off, 1, cs, bp, at, true);
            for (int s = 0; s < strips; s++) {
                for (int p = 0; p < kc; p++) {
                    for (int j = 0; j < Gemm.NR; j++) {
                        int col = s * Gemm.NR + j;
                        float want = col < cols ? x[off + col * cs + p] : 0f;
                        assertEquals(want, bp[at + s * kc * Gemm.NR + p * Gemm.NR + j], "kc " + kc + " strip " + s + " step " + p + " column " + j);
                    }
                }
            }
        }
    }

    @Test
    void leavesEverythingOutsideTheOutputBlockUntouched() {
        // a product writing 5x7 of a 9x11 buffer must not touch the frame around it
        int m = 5, n = 7, k = 300, ldc = 11;
        Random r = new Random(3);
        float[] a = random(r, m * k), b = random(r, k * n), c = new float[9 * ldc];
        java.util.Arrays.fill(c, 42f);
        Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 2 * ldc + 1, ldc, false);
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < ldc; j++) {
                boolean inside = i >= 2 && i < 2 + m && j >= 1 && j < 1 + n;
                if (!inside) assertEquals(42f, c[i * ldc + j], "C[" + i + "," + j + "] outside the block");
                else assertTrue(c[i * ldc + j] != 42f, "C[" + i + "," + j + "] inside the block was not written");
            }
        }
    }
}
