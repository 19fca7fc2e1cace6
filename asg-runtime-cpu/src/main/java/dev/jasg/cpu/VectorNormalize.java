package dev.jasg.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link NormalizeKernel}'s contiguous group (LayerNorm's row) on the Java Vector API: the same two passes in double,
 * the mean and then the squared deviations (no {@code E[x^2] - E[x]^2}), each f32 load widened to a vector of doubles.
 * Each sum runs in four vectors of double lanes at a time (independent chains of additions), so that it is bound by the
 * loads rather than by the latency of one chain; their order is fixed (no {@code reduceLanes(ADD)}, whose order the JIT
 * may change), and {@link ScalarTwins#normalizeRow} repeats it, so boxed, compiled and twin give the same bits.
 * {@link WarmKernels#normalizeRow} picks between them. Only called when {@link Simd#ENABLED}. Stateless, thread-safe.
 */
final class VectorNormalize {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    /** f32 lanes as many as {@link #D} has: half its width. */
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private VectorNormalize() {}

    /**
     * {@code out[i] = (float) ((x[i] - mean) * rstd)} over {@code [base, base + r)}, {@code mean} the row's mean and
     * {@code rstd = 1 / sqrt(var + eps)} with the biased variance. Each sum: elements {@code [0, r / (4 DL) * (4 DL))} in
     * four vectors of {@code DL} lanes, the whole {@code DL}-blocks after them in the first vector, the vectors added as
     * {@code (0 + 1) + (2 + 3)}, its lanes in order, then the tail shorter than a vector in order; the squared deviations
     * by fused multiply-adds. NaN in the row makes it NaN; an infinity makes it NaN ({@code inf - inf}), as the reference.
     */
    static void row(float[] x, float[] out, int base, int r, double eps) {
        // no helper methods taking or giving vectors: one C2 does not inline boxes them (it did, for rows with single blocks)
        final int block = 4 * DL;
        final VectorOperators.Conversion<Float, Double> widen = VectorOperators.F2D;
        int end = base + r, w4 = base + r / block * block, w1 = base + r / DL * DL;
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
        int i = base;
        for (; i < w4; i += block) {
            a0 = a0.add((DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(widen, D, 0));
            a1 = a1.add((DoubleVector) FloatVector.fromArray(FH, x, i + DL).convertShape(widen, D, 0));
            a2 = a2.add((DoubleVector) FloatVector.fromArray(FH, x, i + 2 * DL).convertShape(widen, D, 0));
            a3 = a3.add((DoubleVector) FloatVector.fromArray(FH, x, i + 3 * DL).convertShape(widen, D, 0));
        }
        for (; i < w1; i += DL) a0 = a0.add((DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(widen, D, 0));
        DoubleVector sv = a0.add(a1).add(a2.add(a3));
        double s = 0;
        for (int l = 0; l < DL; l++) s += sv.lane(l);
        for (; i < end; i++) s += x[i];
        double mean = s / r;
        DoubleVector mv = DoubleVector.broadcast(D, mean);
        a0 = a1 = a2 = a3 = DoubleVector.zero(D);
        for (i = base; i < w4; i += block) {
            DoubleVector c0 = ((DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(widen, D, 0)).sub(mv);
            DoubleVector c1 = ((DoubleVector) FloatVector.fromArray(FH, x, i + DL).convertShape(widen, D, 0)).sub(mv);
            DoubleVector c2 = ((DoubleVector) FloatVector.fromArray(FH, x, i + 2 * DL).convertShape(widen, D, 0)).sub(mv);
            DoubleVector c3 = ((DoubleVector) FloatVector.fromArray(FH, x, i + 3 * DL).convertShape(widen, D, 0)).sub(mv);
            a0 = c0.fma(c0, a0);
            a1 = c1.fma(c1, a1);
            a2 = c2.fma(c2, a2);
            a3 = c3.fma(c3, a3);
        }
        for (; i < w1; i += DL) {
            DoubleVector c = ((DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(widen, D, 0)).sub(mv);
            a0 = c.fma(c, a0);
        }
        sv = a0.add(a1).add(a2.add(a3));
        double sq = 0;
        for (int l = 0; l < DL; l++) sq += sv.lane(l);
        for (; i < end; i++) {
            double c = x[i] - mean;
            sq = Math.fma(c, c, sq);
        }
        double rstd = 1 / Math.sqrt(sq / r + eps);
        DoubleVector rv = DoubleVector.broadcast(D, rstd);
        for (i = base; i < w1; i += DL) {
            DoubleVector c = ((DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(widen, D, 0)).sub(mv);
            ((FloatVector) c.mul(rv).convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, i);
        }
        for (; i < end; i++) out[i] = (float) ((x[i] - mean) * rstd);
    }
}
