package dev.jasg.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NormalizeKernel}'s contiguous group (LayerNorm's row) on the Java Vector API: the same two passes in double,
 * the mean and then the squared deviations (no {@code E[x^2] - E[x]^2}), on the row widened to doubles a chunk at a time.
 * Each sum runs in four vectors of double lanes at a time (independent chains of additions), so that it is bound by the
 * loads rather than by the latency of one chain; their order is fixed (no {@code reduceLanes(ADD)}, whose order the JIT
 * may change), and {@link ScalarTwins#normalizeRow} repeats it, so boxed, compiled and twin give the same bits.
 * {@link WarmKernels#normalizeRow} picks between them. Only called when {@link Simd#ENABLED}. Thread-safe: its only state
 * is each thread's own chunk of widened values.
 *
 * <p>Plain loops widen the row, take its deviations from the mean and scale them; only the two sums run in vectors, and
 * no vector is made from a scalar but the sums' zeros. The earlier row widened each load with {@code convertShape} and
 * took the deviations and the scaling in vectors of the mean and of {@code rstd}. In some JVMs C2 compiled it so that the
 * mean's vector, made before the loops, was allocated every row, ~80 bytes. Child JVMs of {@code AllocationFreeRunTest}
 * beside a busy thread, with {@code -XX:+PrintInlining} (2-vCPU Zen 5, 2026-12-05):
 * <ul>
 *   <li>the earlier row: 5 of 30 allocated;</li>
 *   <li>widened by a loop, the mean's vector kept for the deviations: 1 of 76;</li>
 *   <li>the same with the scaling in vectors again: 2 of 3, now the vector of {@code rstd};</li>
 *   <li>this row: 0 of 47.</li>
 * </ul>
 * The plain loops cost time: 0.47 against 0.32 ns an element for rows of 256, 0.28 against 0.18 for rows of 2048.
 */
final class VectorNormalize {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();

    private VectorNormalize() {}

    /**
     * {@code out[i] = (float) ((x[i] - mean) * rstd)} over {@code [base, base + r)}, {@code mean} the row's mean and
     * {@code rstd = 1 / sqrt(var + eps)} with the biased variance. Each sum: elements {@code [0, r / (4 DL) * (4 DL))} in
     * four vectors of {@code DL} lanes, the whole {@code DL}-blocks after them in the first vector, the vectors added as
     * {@code (0 + 1) + (2 + 3)}, its lanes in order, then the tail shorter than a vector in order; the squared deviations
     * by fused multiply-adds. NaN in the row makes it NaN; an infinity makes it NaN ({@code inf - inf}), as the reference.
     */
    static void row(float[] x, float[] out, int base, int r, double eps) {
        // each CHUNK of the row widened into a per-thread array of doubles by a plain loop, so that every vector below is a
        // load of doubles (see the class comment); the same elements, the sums in the same order as before and as the twin
        double[] w = WIDE.get();
        final int block = 4 * DL;
        int w4 = r / block * block, w1 = r / DL * DL;
        // a row of at most one chunk is widened once (pass 1), and its deviations kept for the scaling (passes 2 and 3)
        boolean once = r <= CHUNK;
        if (once) widen(x, base, w, r);
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
        for (int c0 = 0; c0 < w1; c0 += CHUNK) {
            int c1 = Math.min(c0 + CHUNK, w1), i = c0;
            if (!once) widen(x, base + c0, w, c1 - c0);
            for (; i < Math.min(c1, w4); i += block) {
                a0 = a0.add(DoubleVector.fromArray(D, w, i - c0));
                a1 = a1.add(DoubleVector.fromArray(D, w, i - c0 + DL));
                a2 = a2.add(DoubleVector.fromArray(D, w, i - c0 + 2 * DL));
                a3 = a3.add(DoubleVector.fromArray(D, w, i - c0 + 3 * DL));
            }
            for (; i < c1; i += DL) a0 = a0.add(DoubleVector.fromArray(D, w, i - c0));
        }
        DoubleVector sv = a0.add(a1).add(a2.add(a3));
        double s = 0;
        for (int l = 0; l < DL; l++) s += sv.lane(l);
        for (int i = w1; i < r; i++) s += x[base + i];
        double mean = s / r;
        // the deviations x - mean by a plain loop into the chunk, then their squares summed in vectors: no vector of the mean
        // (C2 compiles of a loop using one allocated it every row in some JVMs)
        if (once) deviations(x, base, mean, w, r);
        a0 = a1 = a2 = a3 = DoubleVector.zero(D);
        for (int c0 = 0; c0 < w1; c0 += CHUNK) {
            int c1 = Math.min(c0 + CHUNK, w1), i = c0;
            if (!once) deviations(x, base + c0, mean, w, c1 - c0);
            for (; i < Math.min(c1, w4); i += block) {
                DoubleVector d0 = DoubleVector.fromArray(D, w, i - c0);
                DoubleVector d1 = DoubleVector.fromArray(D, w, i - c0 + DL);
                DoubleVector d2 = DoubleVector.fromArray(D, w, i - c0 + 2 * DL);
                DoubleVector d3 = DoubleVector.fromArray(D, w, i - c0 + 3 * DL);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            for (; i < c1; i += DL) {
                DoubleVector d = DoubleVector.fromArray(D, w, i - c0);
                a0 = d.fma(d, a0);
            }
        }
        sv = a0.add(a1).add(a2.add(a3));
        double sq = 0;
        for (int l = 0; l < DL; l++) sq += sv.lane(l);
        for (int i = w1; i < r; i++) {
            double c = x[base + i] - mean;
            sq = Math.fma(c, c, sq);
        }
        double rstd = 1 / Math.sqrt(sq / r + eps);
        // each element (float) ((x - mean) * rstd), as the twin, by a plain loop (a row of one chunk from its deviations)
        if (once) {
            scale(w, r, rstd, out, base);
        } else {
            for (int c0 = 0; c0 < r; c0 += CHUNK) {
                int n = Math.min(CHUNK, r - c0);
                deviations(x, base + c0, mean, w, n);
                scale(w, n, rstd, out, base + c0);
            }
        }
    }

    /** {@code w[j] = x[xo + j] - mean} in double, for {@code j < n}. */
    private static void deviations(float[] x, int xo, double mean, double[] w, int n) {
        for (int j = 0; j < n; j++) w[j] = x[xo + j] - mean;
    }

    /** {@code out[oo + j] = (float) (w[j] * rstd)} for {@code j < n}, {@code w} the deviations. */
    private static void scale(double[] w, int n, double rstd, float[] out, int oo) {
        for (int j = 0; j < n; j++) out[oo + j] = (float) (w[j] * rstd);
    }

    /** {@code w[0, n) = x[xo, xo + n)} widened to double (exactly). */
    private static void widen(float[] x, int xo, double[] w, int n) {
        for (int j = 0; j < n; j++) w[j] = x[xo + j];
    }

    /** Elements of a row widened at a time ({@link #row}): a multiple of every {@code 4 * DL}, so a chunk ends on a block. */
    private static final int CHUNK = 4096;
    /** Each thread's widened chunk ({@link #row}): {@link #CHUNK} doubles, allocated once per thread. */
    private static final ThreadLocal<double[]> WIDE = ThreadLocal.withInitial(() -> new double[CHUNK]);
}
