package dev.jasg.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and log-softmax of contiguous rows on the Java Vector API ({@link #rows}): the exponentials in f32 lanes by
 * {@link VectorMath#expNeg}, their sum in a fixed order, so that {@link ScalarTwins#softmaxRows} gives the same bits.
 * {@link WarmKernels#softmaxRows} picks between them. Only called when {@link Simd#ENABLED}.
 */
final class VectorSoftmax {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    /** f32 lanes as many as {@link #D} has: half its width. */
    private static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private VectorSoftmax() {}

    /** Vectors of exponentials {@link #rows} adds in f32 lanes before it widens the partial sums into its double lanes. */
    static final int F32_VECTORS = 16;
    /** Elements of a block of rows {@link #rows} takes pass by pass (at least one row, at most {@link #MAX_BLOCK}). */
    private static final int BLOCK_ELEMENTS = 2048, MAX_BLOCK = 64;
    /** {@link #rows}' maxima and sums of a block of rows and its double lanes, one set of arrays per thread. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private record Scratch(float[] max, double[] sum, double[] lanes, float[] exps) {
        Scratch() {
            this(new float[MAX_BLOCK], new double[MAX_BLOCK], new double[DL], new float[V]);
        }
    }

    /**
     * Softmax ({@code log == false}) or log-softmax of each contiguous row of length {@code n}, rows {@code [r0, r1)}:
     * {@code exp(x - m) / sum}, or {@code (x - m) - log(sum)}, {@code m} the row's largest element.
     *
     * <p>In f32 lanes, as PyTorch's f32 kernel: {@code m} ({@code x > m ? x : m} in four vectors of lanes, then their
     * maximum), {@code t = x - m} and {@code exp(t)} ({@link VectorMath#expNeg}, {@code t} clamped to {@link VectorMath#EXP_FLOOR}).
     * A row of at least one vector with a tail shorter than one ends with the vector that ends at the row's end, its
     * lanes before the tail (done already) left out of the sum and the scaling. The sum: {@link #F32_VECTORS}
     * vectors of exponentials at a time added in f32 lanes (that many terms each, in {@code [0, 1]}), each such partial
     * sum widened into double lanes, and those added in order (no {@code reduceLanes(ADD)}, whose order the JIT may
     * change). A row shorter than a vector is done element by element, the same operations, its sum in double.
     * Softmax then scales the stored exponentials by {@code (float) (1 / sum)}; log-softmax computes
     * {@code ((double) x - m) - log(sum)} in double lanes. Every step is an exactly specified lane operation and
     * {@link ScalarTwins#softmaxRows} repeats them, so boxed, compiled and twin give the same bits. A weight is within
     * an ulp or two of the exact value and {@code |t| 2^-24} relative (the rounding of {@code t}, which matters only
     * far below the row's largest weight).
     *
     * <p>A NaN is never the maximum (a comparison with it is false), but its exponential makes the sum, and so the
     * whole row, NaN; a {@code -inf} weighs 0; a row of {@code -inf} is NaN ({@code -inf - -inf}), and so is a row
     * with {@code +inf}, as in the reference and PyTorch. Rows are taken in blocks of about
     * {@value #BLOCK_ELEMENTS} elements, pass by pass (the maxima, then the exponentials and sums, then the
     * scaling), so that the out-of-order core overlaps the rows' chains of dependent steps (rows of 128 took a tenth
     * longer one by one). A row's bits do not depend on its block. {@code out} must not be {@code x}: the last vector
     * of a row reads elements the row's whole vectors have written (the planner never writes a softmax in place).
     * Thread-safe: each thread has its own scratch arrays, and writes only its rows.
     */
    static void rows(float[] x, float[] out, int n, boolean log, int r0, int r1) {
        int block = Math.max(1, Math.min(MAX_BLOCK, BLOCK_ELEMENTS / Math.max(1, n)));
        Scratch scratch = SCRATCH.get();
        // a method per pass, each taking arrays only (a vector passed to a call C2 does not inline is boxed)
        for (int b0 = r0; b0 < r1; b0 += block) {
            int b1 = Math.min(r1, b0 + block);
            maxima(x, n, b0, b1, scratch.max());
            sums(x, out, n, log, b0, b1, scratch);
            if (log) logOut(x, out, n, b0, b1, scratch);
            else scale(out, n, b0, b1, scratch);
        }
    }

    /** The tail of a row of {@code n} (at least a vector) as lanes of its last vector, the one ending at the row's end. */
    private static VectorMask<Float> tailLanes(int n) {
        return FloatVector.zero(S).addIndex(1).compare(VectorOperators.GE, V - (n - n / V * V));
    }

    /** {@link #rows}' first pass: each row's largest element into {@code maxima[r - b0]}. */
    private static void maxima(float[] x, int n, int b0, int b1, float[] maxima) {
        int whole = n / V * V, quad = n / (4 * V) * (4 * V);
        boolean overlap = whole > 0 && whole < n;
        for (int r = b0; r < b1; r++) {
            int base = r * n, end = base + n, vend = base + whole, qend = base + quad;
            float m = Float.NEGATIVE_INFINITY;
            if (whole > 0) {
                FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0, m2 = m0, m3 = m0;
                int i = base;
                for (; i < qend; i += 4 * V) {
                    FloatVector a = FloatVector.fromArray(S, x, i), b = FloatVector.fromArray(S, x, i + V);
                    FloatVector c = FloatVector.fromArray(S, x, i + 2 * V), d = FloatVector.fromArray(S, x, i + 3 * V);
                    m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
                    m1 = m1.blend(b, b.compare(VectorOperators.GT, m1));
                    m2 = m2.blend(c, c.compare(VectorOperators.GT, m2));
                    m3 = m3.blend(d, d.compare(VectorOperators.GT, m3));
                }
                // the whole vectors after, then the one ending at the row's end (its lanes seen twice do not change a maximum)
                for (int last = vend + (overlap ? V : 0); i < last; i += V) {
                    FloatVector a = FloatVector.fromArray(S, x, Math.min(i, end - V));
                    m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
                }
                // no NaN in the lanes: MAX, order-free then, gives the twin's bits
                m = m0.lanewise(VectorOperators.MAX, m1).lanewise(VectorOperators.MAX, m2.lanewise(VectorOperators.MAX, m3))
                        .reduceLanes(VectorOperators.MAX);
            } else {
                for (int i = base; i < end; i++) m = x[i] > m ? x[i] : m;
            }
            maxima[r - b0] = m;
        }
    }

    /** {@link #rows}' second pass: the exponentials (into {@code out} for softmax) and each row's sum of them. */
    private static void sums(float[] x, float[] out, int n, boolean log, int b0, int b1, Scratch scratch) {
        int whole = n / V * V;
        boolean overlap = whole > 0 && whole < n;
        float[] maxima = scratch.max();
        double[] sums = scratch.sum(), lanes = scratch.lanes();
        float[] exps = scratch.exps();
        FloatVector zero = FloatVector.zero(S);
        VectorMask<Float> tail = tailLanes(n);
        for (int r = b0; r < b1; r++) {
            int base = r * n, end = base + n, vend = base + whole;
            float m = maxima[r - b0];
            double s = 0;
            if (whole > 0) {
                DoubleVector lo = DoubleVector.zero(D), hi = lo;
                // the whole vectors and the last one, F32_VECTORS at a time: their exponentials by VectorMath.expNeg (arrays
                // in and out, so no vector crosses a call, where C2 might box it) into out (log-softmax's last pass
                // overwrites them), the last vector of a row with a tail into exps; then their partial sum
                for (int i = base, last = vend + (overlap ? V : 0); i < last; ) {
                    int stop = Math.min(last, i + F32_VECTORS * V), wend = Math.min(stop, vend);
                    VectorMath.expNeg(x, i, true, m, out, i, wend - i);
                    if (stop > vend) VectorMath.expNeg(x, end - V, true, m, exps, 0, V);
                    FloatVector part = zero;
                    for (; i < stop; i += V) {
                        if (i < vend) {
                            part = part.add(FloatVector.fromArray(S, out, i));
                        } else {
                            FloatVector e = FloatVector.fromArray(S, exps, 0);
                            // its lanes before the tail were stored already, with these same bits
                            if (!log) e.intoArray(out, end - V);
                            part = part.add(zero.blend(e, tail));
                        }
                    }
                    lo = lo.add((DoubleVector) part.convertShape(VectorOperators.F2D, D, 0));
                    hi = hi.add((DoubleVector) part.convertShape(VectorOperators.F2D, D, 1));
                }
                lo.add(hi).intoArray(lanes, 0);
                for (int l = 0; l < DL; l++) s += lanes[l];
            } else {
                for (int i = base; i < end; i++) {
                    float e = ScalarTwins.expNegFloored(x[i] - m);
                    if (!log) out[i] = e;
                    s += e;
                }
            }
            sums[r - b0] = s;
        }
    }

    /** {@link #rows}' last pass for softmax: the exponentials times {@code (float) (1 / sum)}. */
    private static void scale(float[] out, int n, int b0, int b1, Scratch scratch) {
        int whole = n / V * V;
        boolean overlap = whole > 0 && whole < n;
        double[] sums = scratch.sum();
        VectorMask<Float> tail = tailLanes(n);
        for (int r = b0; r < b1; r++) {
            int base = r * n, end = base + n, i = base;
            float inv = (float) (1 / sums[r - b0]);
            if (whole > 0) {
                FloatVector ib = FloatVector.broadcast(S, inv);
                for (int vend = base + whole; i < vend; i += V) FloatVector.fromArray(S, out, i).mul(ib).intoArray(out, i);
                if (overlap) {
                    FloatVector v = FloatVector.fromArray(S, out, end - V);
                    v.blend(v.mul(ib), tail).intoArray(out, end - V);
                }
            } else {
                for (; i < end; i++) out[i] *= inv;
            }
        }
    }

    /** {@link #rows}' last pass for log-softmax: {@code ((double) x - m) - log(sum)}, in double lanes. */
    private static void logOut(float[] x, float[] out, int n, int b0, int b1, Scratch scratch) {
        int dwhole = n / DL * DL;
        float[] maxima = scratch.max();
        double[] sums = scratch.sum();
        for (int r = b0; r < b1; r++) {
            int base = r * n, end = base + n, i = base;
            float m = maxima[r - b0];
            double ls = Math.log(sums[r - b0]);
            DoubleVector md = DoubleVector.broadcast(D, m), lb = DoubleVector.broadcast(D, ls);
            for (int dend = base + dwhole; i < dend; i += DL) {
                DoubleVector v = (DoubleVector) FloatVector.fromArray(FH, x, i).convertShape(VectorOperators.F2D, D, 0);
                ((FloatVector) v.sub(md).sub(lb).convertShape(VectorOperators.D2F, FH, 0)).intoArray(out, i);
            }
            for (; i < end; i++) out[i] = (float) (((double) x[i] - m) - ls);
        }
    }
}
