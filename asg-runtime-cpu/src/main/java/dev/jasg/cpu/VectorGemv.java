package dev.jasg.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix-vector loops of {@link Gemm#gemv} on the Java Vector API; only {@link Gemm} touches
 * this class, and only when {@link Simd#ENABLED}, as {@link VectorGemmKernel}. Both read the matrix
 * once, in its own layout, with unit stride, and pack nothing.
 */
final class VectorGemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private VectorGemv() {}

    /** The calling thread's lanes of {@link #dots}' four accumulators, summed in a fixed order. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * V]);

    /**
     * {@code l[o] + l[o + 1] + ... + l[o + n - 1]}, left to right: a vector's lanes summed in one order whether the
     * code runs boxed, in C1 or in C2. {@code reduceLanes(ADD)} leaves the order to the JIT, so a product's bits changed
     * when C2 compiled it (a training step then differed in the last bits from the same step a moment earlier).
     */
    static float laneSum(float[] l, int o, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += l[o + i];
        return s;
    }

    /**
     * Rows form: {@code y[yo + j] += sum_p x[xo + p*xs] m[mo + p*ld + j]} for {@code j in [j0, j1)},
     * four rows of the matrix per pass over the slice of {@code y} (which stays in L1).
     */
    static void rows(int k, float[] x, int xo, int xs, float[] m, int mo, int ld, float[] y, int yo, int j0, int j1) {
        int vEnd = j0 + (j1 - j0) / V * V;
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            float x0 = x[xo + p * xs], x1 = x[xo + (p + 1) * xs], x2 = x[xo + (p + 2) * xs], x3 = x[xo + (p + 3) * xs];
            int r0 = mo + p * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector v0 = FloatVector.broadcast(S, x0), v1 = FloatVector.broadcast(S, x1), v2 = FloatVector.broadcast(S, x2),
                    v3 = FloatVector.broadcast(S, x3);
            int j = j0;
            for (; j < vEnd; j += V) {
                FloatVector acc = FloatVector.fromArray(S, y, yo + j);
                acc = v0.fma(FloatVector.fromArray(S, m, r0 + j), acc);
                acc = v1.fma(FloatVector.fromArray(S, m, r1 + j), acc);
                acc = v2.fma(FloatVector.fromArray(S, m, r2 + j), acc);
                acc = v3.fma(FloatVector.fromArray(S, m, r3 + j), acc);
                acc.intoArray(y, yo + j);
            }
            for (; j < j1; j++) {
                y[yo + j] = Math.fma(x3, m[r3 + j], Math.fma(x2, m[r2 + j], Math.fma(x1, m[r1 + j], Math.fma(x0, m[r0 + j], y[yo + j]))));
            }
        }
        for (; p < k; p++) {
            float x0 = x[xo + p * xs];
            int r0 = mo + p * ld;
            FloatVector v0 = FloatVector.broadcast(S, x0);
            int j = j0;
            for (; j < vEnd; j += V) v0.fma(FloatVector.fromArray(S, m, r0 + j), FloatVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
            for (; j < j1; j++) y[yo + j] = Math.fma(x0, m[r0 + j], y[yo + j]);
        }
    }

    /**
     * Dots form: {@code y[yo + i*ys] (+)= sum_p m[mo + i*ld + p] x[xo + p]} for {@code i in [i0, i1)},
     * four rows against one pass over {@code x} at a time.
     */
    static void dots(int k, float[] x, int xo, float[] m, int mo, int ld, float[] y, int yo, int ys, int i0, int i1, boolean add) {
        int vEnd = k / V * V;
        int i = i0;
        float[] lanes = LANES.get();
        for (; i + 4 <= i1; i += 4) {
            int r0 = mo + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int p = 0;
            for (; p < vEnd; p += V) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + p);
                a0 = FloatVector.fromArray(S, m, r0 + p).fma(xv, a0);
                a1 = FloatVector.fromArray(S, m, r1 + p).fma(xv, a1);
                a2 = FloatVector.fromArray(S, m, r2 + p).fma(xv, a2);
                a3 = FloatVector.fromArray(S, m, r3 + p).fma(xv, a3);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, V);
            a2.intoArray(lanes, 2 * V);
            a3.intoArray(lanes, 3 * V);
            float s0 = laneSum(lanes, 0, V), s1 = laneSum(lanes, V, V), s2 = laneSum(lanes, 2 * V, V), s3 = laneSum(lanes, 3 * V, V);
            for (; p < k; p++) {
                float xp = x[xo + p];
                s0 = Math.fma(m[r0 + p], xp, s0);
                s1 = Math.fma(m[r1 + p], xp, s1);
                s2 = Math.fma(m[r2 + p], xp, s2);
                s3 = Math.fma(m[r3 + p], xp, s3);
            }
            int o = yo + i * ys;
            y[o] = add ? y[o] + s0 : s0;
            y[o + ys] = add ? y[o + ys] + s1 : s1;
            y[o + 2 * ys] = add ? y[o + 2 * ys] + s2 : s2;
            y[o + 3 * ys] = add ? y[o + 3 * ys] + s3 : s3;
        }
        for (; i < i1; i++) {
            int r0 = mo + i * ld;
            FloatVector a0 = FloatVector.zero(S);
            int p = 0;
            for (; p < vEnd; p += V) a0 = FloatVector.fromArray(S, m, r0 + p).fma(FloatVector.fromArray(S, x, xo + p), a0);
            a0.intoArray(lanes, 0);
            float s0 = laneSum(lanes, 0, V);
            for (; p < k; p++) s0 = Math.fma(m[r0 + p], x[xo + p], s0);
            int o = yo + i * ys;
            y[o] = add ? y[o] + s0 : s0;
        }
    }
}
