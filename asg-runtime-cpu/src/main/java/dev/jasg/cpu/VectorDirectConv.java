package dev.jasg.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link DirectConv} on the Java Vector API, for stride 1 on a zero-padded input plane laid out flat
 * (row width {@code wp}), where the taps of every output position are the same offsets {@code i dh wp + j dw}. Only
 * {@link DirectConv} touches this class, and only when {@link Simd#ENABLED}.
 */
final class VectorDirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats of one vector. */
    static final int V = S.length();
    /** Positions per step of {@link #taps}: four vectors, four independent sums. */
    static final int STEP = 4 * V;

    private VectorDirectConv() {}

    /**
     * {@code out[t] = sum_k w[wo + k] xp[t + off[k]]} for {@code t < len} rounded up to {@link #STEP}: {@code xp} and
     * {@code out} must hold that many (and {@code xp} its largest offset more).
     */
    static void taps(float[] xp, int[] off, int taps, float[] w, int wo, float[] out, int len) {
        for (int t = 0; t < len; t += STEP) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < taps; k++) {
                FloatVector b = FloatVector.broadcast(S, w[wo + k]);
                int s = t + off[k];
                a0 = FloatVector.fromArray(S, xp, s).fma(b, a0);
                a1 = FloatVector.fromArray(S, xp, s + V).fma(b, a1);
                a2 = FloatVector.fromArray(S, xp, s + 2 * V).fma(b, a2);
                a3 = FloatVector.fromArray(S, xp, s + 3 * V).fma(b, a3);
            }
            a0.intoArray(out, t);
            a1.intoArray(out, t + V);
            a2.intoArray(out, t + 2 * V);
            a3.intoArray(out, t + 3 * V);
        }
    }

    /** The calling thread's lanes of {@link #planeDots}' sums. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[V]);

    /**
     * {@code sums[so + k] += sum_{p < ho, q < wo} g[go + p wo + q] xp[p wp + off[k] + q]} for every tap {@code k}: a
     * plane of a kernel gradient, row by row (columns past {@code wo} are not read, so a value there cannot turn a zero
     * gradient into NaN), in two vector sums and a scalar one for the columns past the last whole vector.
     */
    static void planeDots(float[] g, int go, float[] xp, int[] off, int taps, int ho, int wo, int wp, float[] sums, int so) {
        float[] lanes = LANES.get();
        int full = wo / V * V;
        for (int k = 0; k < taps; k++) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            float tail = 0;
            for (int p = 0; p < ho; p++) {
                int gr = go + p * wo, xr = p * wp + off[k];
                int q = 0;
                for (; q + 2 * V <= full; q += 2 * V) {
                    a0 = FloatVector.fromArray(S, g, gr + q).fma(FloatVector.fromArray(S, xp, xr + q), a0);
                    a1 = FloatVector.fromArray(S, g, gr + q + V).fma(FloatVector.fromArray(S, xp, xr + q + V), a1);
                }
                if (q < full) a0 = FloatVector.fromArray(S, g, gr + q).fma(FloatVector.fromArray(S, xp, xr + q), a0);
                for (q = full; q < wo; q++) tail += g[gr + q] * xp[xr + q];
            }
            // the lanes summed in a fixed order (reduceLanes(ADD) leaves it to the JIT)
            a0.add(a1).intoArray(lanes, 0);
            sums[so + k] += VectorGemv.laneSum(lanes, 0, V) + tail;
        }
    }
}
