package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every tile height of {@link VectorGemmKernel}, packed and row-major A, against a double-precision
 * loop: a machine runs only the height {@link KernelChoice} picked for it inside {@link Gemm}, so the
 * others (12 on AVX2 machines, 4 on AVX-512 ones, 6 everywhere but AArch64) are checked here directly.
 */
class VectorGemmKernelTest {
    /** {@code C[mr, nr] (+)= A[mr, kc] B[kc, nr]} by one tile method. */
    @FunctionalInterface
    private interface Tile {
        void run(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add);
    }

    /** A tile method of {@code mr} rows; packed A in strips of {@code as} rows (its own height, or a taller strip's first rows). */
    private record Row(String name, int mr, int as, boolean rows, Tile tile) {}

    private static final Row[] ROWS = {
        new Row("tile12", 12, 12, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile12(kc, a, ao, bp, bo, c, co, ldc, add)),
        new Row("tile8", 8, 8, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile8(kc, a, ao, 8, bp, bo, c, co, ldc, add)),
        new Row("tile6", 6, 6, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile6(kc, a, ao, 6, bp, bo, c, co, ldc, add)),
        new Row("tile4", 4, 4, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile4(kc, a, ao, 4, bp, bo, c, co, ldc, add)),
        new Row("tile8 of a strip of 12", 8, 12, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile8(kc, a, ao, 12, bp, bo, c, co, ldc, add)),
        new Row("tile6 of a strip of 12", 6, 12, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile6(kc, a, ao, 12, bp, bo, c, co, ldc, add)),
        new Row("tile4 of a strip of 6", 4, 6, false, (kc, a, ao, lda, bp, bo, c, co, ldc, add) -> VectorGemmKernel.tile4(kc, a, ao, 6, bp, bo, c, co, ldc, add)),
        new Row("tile12Rows", 12, 12, true, VectorGemmKernel::tile12Rows),
        new Row("tile8Rows", 8, 8, true, VectorGemmKernel::tile8Rows),
        new Row("tile6Rows", 6, 6, true, VectorGemmKernel::tile6Rows),
        new Row("tile4Rows", 4, 4, true, VectorGemmKernel::tile4Rows),
    };

    @Test
    void everyTileHeightMultipliesLikeTheLoop() {
        assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        int nr = VectorGemmKernel.NR, ldc = nr + 3;
        Random r = new Random(11);
        for (Row row : ROWS) {
            for (int kc : new int[] {1, 7, 64}) {
                for (boolean add : new boolean[] {false, true}) {
                    int mr = row.mr(), as = row.as(), lda = kc + 5, ao = 3, bo = 2, co = 1;
                    float[] a = new float[ao + mr * Math.max(lda, kc) + as * kc];
                    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                    float[] bp = new float[bo + kc * nr];
                    for (int i = 0; i < bp.length; i++) bp[i] = (float) r.nextGaussian();
                    float[] c = new float[co + mr * ldc];
                    for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
                    double[] want = new double[c.length];
                    for (int i = 0; i < mr; i++) {
                        for (int j = 0; j < nr; j++) {
                            double s = add ? c[co + i * ldc + j] : 0;
                            for (int p = 0; p < kc; p++) {
                                // packed: A[i, p] at ao + p*as + i; row-major: at ao + i*lda + p
                                float x = row.rows() ? a[ao + i * lda + p] : a[ao + p * as + i];
                                s += (double) x * bp[bo + p * nr + j];
                            }
                            want[co + i * ldc + j] = s;
                        }
                    }
                    row.tile().run(kc, a, ao, lda, bp, bo, c, co, ldc, add);
                    for (int i = 0; i < mr; i++) {
                        for (int j = 0; j < nr; j++) {
                            int at = co + i * ldc + j;
                            assertEquals(want[at], c[at], 1e-4 * Math.sqrt(kc) + 1e-5,
                                    row.name() + " kc=" + kc + (add ? " accumulating" : "") + " at (" + i + "," + j + ")");
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link VectorGemmKernel#tileOf} at {@link VectorGemmKernel#height}: for every count of rows a strip may hold, the
     * rows it was asked for come out with the very bits of the whole tile (the same sums in the same order), accumulating
     * or not, and nothing is written past the {@code MR} rows of the destination.
     */
    @Test
    void aShortStripsRowsHaveTheWholeTilesBits() {
        assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        int mr = VectorGemmKernel.MR, nr = VectorGemmKernel.NR, ldc = nr + 3;
        Random r = new Random(13);
        for (int rows = 1; rows <= mr; rows++) {
            for (int kc : new int[] {1, 7, 64}) {
                for (boolean add : new boolean[] {false, true}) {
                    int ao = 3, bo = 2, co = 1;
                    float[] ap = new float[ao + mr * kc];
                    for (int p = 0; p < kc; p++) {
                        // a last strip as the packing leaves it: rows past the strip's own are zero
                        for (int i = 0; i < mr; i++) ap[ao + p * mr + i] = i < rows ? (float) r.nextGaussian() : 0f;
                    }
                    float[] bp = new float[bo + kc * nr];
                    for (int i = 0; i < bp.length; i++) bp[i] = (float) r.nextGaussian();
                    float[] whole = new float[co + mr * ldc + 1];
                    for (int i = 0; i < whole.length; i++) whole[i] = (float) r.nextGaussian();
                    float[] top = whole.clone();
                    top[top.length - 1] = Float.NaN;
                    VectorGemmKernel.tile(kc, ap, ao, bp, bo, whole, co, ldc, add);
                    VectorGemmKernel.tileOf(VectorGemmKernel.height(rows), kc, ap, ao, bp, bo, top, co, ldc, add);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < nr; j++) {
                            int at = co + i * ldc + j;
                            assertEquals(Float.floatToRawIntBits(whole[at]), Float.floatToRawIntBits(top[at]),
                                    rows + " of " + mr + " rows, kc=" + kc + (add ? " accumulating" : "") + " at (" + i + "," + j + ")");
                        }
                    }
                    assertEquals(Float.NaN, top[top.length - 1], rows + " rows: wrote past the tile");
                }
            }
        }
    }

    /**
     * {@link VectorGemmKernel#tileTall}: a strip of 12 rows and the first 1 or 2 rows of the next strip in one tile give the
     * bits of {@link VectorGemmKernel#tile12} on the first strip and, for the next strip's rows, of a lower tile summed
     * from zero and added to C's old value (as {@code Gemm}'s scratch tile merges it), accumulating or not, with an
     * infinity in the first strip; a NaN in a row of the next strip past the tile's is never read, and nothing is written
     * past the tile's rows.
     */
    @Test
    void aTallTileHasTheBitsOfItsTwoStrips() {
        assumeTrue(Simd.ENABLED && VectorGemmKernel.MR == 12, "no 12-row tile");
        int mr = VectorGemmKernel.MR, nr = VectorGemmKernel.NR, ldc = nr + 5;
        Random r = new Random(14);
        for (int height : new int[] {13, 14}) {
            for (int kc : new int[] {1, 9, 130}) {
                for (boolean add : new boolean[] {false, true}) {
                    int ao = 2, ao2 = ao + mr * kc + 3, bo = 1, co = 4;
                    float[] ap = new float[ao2 + mr * kc];
                    for (int i = 0; i < ap.length; i++) ap[i] = (float) r.nextGaussian();
                    ap[ao + 5] = Float.POSITIVE_INFINITY;
                    ap[ao2 + mr * (kc / 2) + 2] = Float.NaN; // a row of the next strip the tile does not take
                    float[] bp = new float[bo + kc * nr];
                    for (int i = 0; i < bp.length; i++) bp[i] = (float) r.nextGaussian();
                    float[] c = new float[co + height * ldc + 1];
                    for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
                    float[] expected = c.clone(), tall = c.clone();
                    tall[tall.length - 1] = Float.NaN;
                    expected[expected.length - 1] = Float.NaN;
                    VectorGemmKernel.tile12(kc, ap, ao, bp, bo, expected, co, ldc, add);
                    float[] lower = new float[mr * nr];
                    VectorGemmKernel.tileOf(VectorGemmKernel.height(height - mr), kc, ap, ao2, bp, bo, lower, 0, nr, false);
                    for (int i = 0; i < height - mr; i++) {
                        for (int j = 0; j < nr; j++) {
                            int at = co + (mr + i) * ldc + j;
                            expected[at] = add ? expected[at] + lower[i * nr + j] : lower[i * nr + j];
                        }
                    }
                    VectorGemmKernel.tileTall(height, kc, ap, ao, ao2, bp, bo, tall, co, ldc, add);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(tall[i]),
                                height + " rows, kc=" + kc + (add ? " accumulating" : "") + " at " + i);
                    }
                }
            }
        }
    }

    /**
     * The packing moves of a transposed B, {@link VectorGemmKernel#transposeSteps} (16-lane vectors only) and
     * {@link VectorGemmKernel#gatherSteps}, called directly (inside {@link Gemm} a cold JVM runs their twin loop):
     * {@code bp[at + p*NR + j] = b[off + j*cs + p]}, for depths below, at and past whole 16-step blocks.
     */
    @Test
    void transposedBStripsArePackedByTheirDefinition() {
        assumeTrue(Simd.ENABLED, "the Vector API is not enabled");
        int nr = VectorGemmKernel.NR;
        Random r = new Random(12);
        for (int kc : new int[] {1, 15, 16, 17, 50, 64}) {
            int cs = kc + 3, off = 5, at = 2;
            float[] b = new float[off + nr * cs];
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            int[] rows = new int[Math.max(2, nr / 2)];
            for (int j = 0; j < rows.length; j++) rows[j] = j * cs;
            for (String kernel : new String[] {"transposeSteps", "gatherSteps"}) {
                if (kernel.equals("transposeSteps") && !VectorGemmKernel.TRANSPOSE) continue;
                float[] bp = new float[at + kc * nr + 1];
                java.util.Arrays.fill(bp, Float.NaN);
                if (kernel.equals("transposeSteps")) VectorGemmKernel.transposeSteps(kc, b, off, cs, bp, at);
                else VectorGemmKernel.gatherSteps(kc, b, off, cs, rows, bp, at);
                for (int p = 0; p < kc; p++) {
                    for (int j = 0; j < nr; j++) assertEquals(b[off + j * cs + p], bp[at + p * nr + j], kernel + " kc=" + kc + " step " + p + " column " + j);
                }
                assertEquals(Float.NaN, bp[at + kc * nr], kernel + " kc=" + kc + ": wrote past the strip");
                assertEquals(Float.NaN, bp[at - 1], kernel + " kc=" + kc + ": wrote before the strip");
            }
        }
    }

    /**
     * The packing moves of A's full strips, {@link VectorGemmKernel#transposeRows} (a row-major A, by register transposes)
     * and {@link VectorGemmKernel#copySteps} (a transposed A, a vector a step), called directly (inside {@link Gemm} a
     * cold JVM runs their twin loops): {@code ap[at + p*MR + r] = opA[r, p]}, for depths below, at and past whole 16-step
     * blocks, NaN in the rows of the source past the strip (so a lane past {@code MR} that reached the strip shows), and
     * nothing written before or after the strip.
     */
    @Test
    void aStripsArePackedByTheirDefinition() {
        assumeTrue(VectorGemmKernel.TRANSPOSE && VectorGemmKernel.MR <= 16, "16-lane vectors, strips of at most 16 rows");
        int mr = VectorGemmKernel.MR;
        Random r = new Random(13);
        for (int kc : new int[] {1, 15, 16, 17, 31, 50, 64}) {
            for (String kernel : new String[] {"transposeRows", "copySteps"}) {
                boolean rows = kernel.equals("transposeRows");
                // row-major: row i at off + i*ld; transposed: step p at off + p*ld; the source holds 16 rows (steps), the
                // ones past the strip NaN
                int ld = (rows ? kc : 16) + 3, off = 5, at = 2;
                float[] a = new float[off + (rows ? 16 : kc) * ld + 16];
                java.util.Arrays.fill(a, Float.NaN);
                for (int i = 0; i < mr; i++) {
                    for (int p = 0; p < kc; p++) a[off + (rows ? i * ld + p : p * ld + i)] = (float) r.nextGaussian();
                }
                float[] ap = new float[at + kc * mr + 1];
                java.util.Arrays.fill(ap, -7f);
                if (rows) VectorGemmKernel.transposeRows(kc, a, off, ld, ap, at);
                else VectorGemmKernel.copySteps(kc, a, off, ld, ap, at);
                for (int p = 0; p < kc; p++) {
                    for (int i = 0; i < mr; i++) {
                        float want = a[off + (rows ? i * ld + p : p * ld + i)];
                        assertEquals(want, ap[at + p * mr + i], kernel + " kc=" + kc + " step " + p + " row " + i);
                    }
                }
                assertEquals(-7f, ap[at + kc * mr], kernel + " kc=" + kc + ": wrote past the strip");
                assertEquals(-7f, ap[at - 1], kernel + " kc=" + kc + ": wrote before the strip");
            }
        }
    }
}
