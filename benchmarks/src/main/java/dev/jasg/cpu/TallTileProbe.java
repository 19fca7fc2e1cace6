package dev.jasg.cpu;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The last strips of a product whose rows end in a strip of 1 or 2 ({@code m} 49, 50, 25, 13; depth 1024, 512 columns,
 * operands packed, one thread): the 12-row tile and a lower tile for the short strip, as with
 * {@code -Djasg.cpu.tallTiles=false}, against one tile of 13 or 14 rows ({@link VectorGemmKernel#tileTall}, the default);
 * prints the best time of each over 20 rounds and checks that both give the same bits. In package {@code dev.jasg.cpu}
 * to reach the package-private kernels; not shipped. Needs the 12-row tile (512-bit vectors).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.TallTileProbe
 * </pre>
 */
public final class TallTileProbe {
    private TallTileProbe() {}

    /** One line per row count: milliseconds and GFLOPS of each way, and their ratio (above 1: the tall tile is faster). */
    public static void main(String[] args) {
        if (VectorGemmKernel.MR != 12) throw new IllegalStateException("TallTileProbe: needs the 12-row tile, this machine's is " + VectorGemmKernel.MR);
        System.out.printf(Locale.ROOT, "# cpu %s, java %s, kernels %s%n", GemmProbe.cpuModel(), Runtime.version(), KernelChoice.CHOSEN.describe());
        int kc = 1024, n = 512, reps = 200;
        for (int m : new int[] {49, 50, 25, 13}) {
            int strips = (m + 11) / 12, last = m - (strips - 1) * 12;
            float[] ap = new float[strips * 12 * kc], bp = new float[n * kc], c = new float[m * n], c2 = new float[m * n], tile = new float[12 * 32];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < ap.length; i++) ap[i] = (float) r.nextGaussian();
            for (int i = 0; i < bp.length; i++) bp[i] = (float) r.nextGaussian();
            double best0 = 1e9, best1 = 1e9;
            for (int round = 0; round < 30; round++) {
                long t0 = System.nanoTime();
                for (int rep = 0; rep < reps; rep++) old(m, kc, n, strips, last, ap, bp, c, tile);
                long t1 = System.nanoTime();
                for (int rep = 0; rep < reps; rep++) tall(m, kc, n, strips, last, ap, bp, c2);
                long t2 = System.nanoTime();
                if (round >= 10) {
                    best0 = Math.min(best0, (t1 - t0) / 1e6 / reps);
                    best1 = Math.min(best1, (t2 - t1) / 1e6 / reps);
                }
            }
            for (int i = 0; i < c.length; i++) if (Float.floatToIntBits(c[i]) != Float.floatToIntBits(c2[i])) throw new AssertionError("bits differ at " + i);
            double flops = 2.0 * m * kc * n;
            System.out.printf(Locale.ROOT, "m %d: lower tile %.4f ms (%.1f GFLOPS), tall tile %.4f ms (%.1f GFLOPS), ratio %.3f%n", m, best0,
                    flops / best0 / 1e6, best1, flops / best1 / 1e6, best0 / best1);
        }
    }

    private static void old(int m, int kc, int n, int strips, int last, float[] ap, float[] bp, float[] c, float[] tile) {
        for (int js = 0; js < n / 32; js++) {
            int bo = js * kc * 32;
            for (int is = 0; is < strips; is++) {
                int rows = Math.min(12, m - is * 12), co = is * 12 * n + js * 32;
                if (rows == 12) VectorGemmKernel.tile12(kc, ap, is * 12 * kc, bp, bo, c, co, n, false);
                else {
                    VectorGemmKernel.tileOf(VectorGemmKernel.height(rows), kc, ap, is * 12 * kc, bp, bo, tile, 0, 32, false);
                    for (int i = 0; i < rows; i++) System.arraycopy(tile, i * 32, c, co + i * n, 32);
                }
            }
        }
    }

    private static void tall(int m, int kc, int n, int strips, int last, float[] ap, float[] bp, float[] c) {
        for (int js = 0; js < n / 32; js++) {
            int bo = js * kc * 32;
            for (int is = 0; is < strips - 2; is++) VectorGemmKernel.tile12(kc, ap, is * 12 * kc, bp, bo, c, is * 12 * n + js * 32, n, false);
            int is = strips - 2, co = is * 12 * n + js * 32;
            if (last == 1) VectorGemmKernel.tile13(kc, ap, is * 12 * kc, (is + 1) * 12 * kc, bp, bo, c, co, n, false);
            else VectorGemmKernel.tile14(kc, ap, is * 12 * kc, (is + 1) * 12 * kc, bp, bo, c, co, n, false);
        }
    }
}
