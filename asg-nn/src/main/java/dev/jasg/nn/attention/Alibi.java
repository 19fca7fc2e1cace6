package dev.jasg.nn.attention;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

/**
 * ALiBi, attention with linear biases (Press et al., "Train Short, Test Long", 2022): no
 * position embedding; instead head {@code h} adds {@code m_h (j - i)} to the score of query
 * position {@code i} and key position {@code j} ({@code <= 0} for the keys a causal model sees).
 *
 * <p>Slopes: for {@code n} heads, {@code n} a power of two, {@code m_h = 2^(-8(h+1)/n)}, a
 * geometric sequence from {@code 2^(-8/n)}; otherwise, with {@code p} the largest power of two
 * below {@code n}, the {@code p} slopes for {@code p} heads followed by every other slope for
 * {@code 2p} heads (the 1st, 3rd, ...) until there are {@code n} (the reference implementation).
 *
 * <p>The bias is a float constant {@code [heads, Lq, Lk]} that adds to the scores, e.g. as the
 * float {@code attnMask} of {@link MultiHeadAttention} or the mask of
 * {@link Attention#scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor, boolean, double)}.
 */
public final class Alibi {
    private Alibi() {}

    /** The slopes {@code m_h} for {@code numHeads} heads. */
    public static double[] slopes(int numHeads) {
        if (numHeads <= 0) throw new IllegalArgumentException("ALiBi: num_heads must be positive, got " + numHeads);
        int p = Integer.highestOneBit(numHeads);
        double[] out = new double[numHeads];
        double[] first = powerOfTwoSlopes(p);
        System.arraycopy(first, 0, out, 0, p);
        if (p < numHeads) {
            double[] twice = powerOfTwoSlopes(2 * p);
            for (int i = p; i < numHeads; i++) out[i] = twice[2 * (i - p)];
        }
        return out;
    }

    private static double[] powerOfTwoSlopes(int n) {
        double start = Math.pow(2, -8.0 / n);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) s[i] = Math.pow(start, i + 1);
        return s;
    }

    /** The bias values {@code [heads, lq, lk]}: {@code m_h (j - (i + queryOffset))}. */
    public static double[] biasValues(int numHeads, int lq, int lk, int queryOffset) {
        if (lq <= 0 || lk <= 0) throw new IllegalArgumentException("ALiBi: lengths must be positive, got " + lq + ", " + lk);
        double[] m = slopes(numHeads);
        double[] out = new double[numHeads * lq * lk];
        for (int h = 0; h < numHeads; h++) {
            for (int i = 0; i < lq; i++) {
                for (int j = 0; j < lk; j++) out[(h * lq + i) * lk + j] = m[h] * (j - (i + queryOffset));
            }
        }
        return out;
    }

    /** The F32 bias constant {@code [heads, lq, lk]} for query and key positions both from 0. */
    public static Tensor bias(GraphBuilder b, int numHeads, int lq, int lk) {
        return bias(b, numHeads, lq, lk, 0, DType.F32);
    }

    /**
     * The bias constant {@code [heads, lq, lk]} of {@code dtype}; query {@code i} stands at
     * position {@code i + queryOffset} (e.g. {@code lk - lq} when the queries are the last
     * {@code lq} of {@code lk} positions), keys at {@code 0..lk-1}.
     */
    public static Tensor bias(GraphBuilder b, int numHeads, int lq, int lk, int queryOffset, DType dtype) {
        if (!dtype.isFloat()) throw new IllegalArgumentException("ALiBi: the bias must be float, got " + dtype.label());
        return b.constant(HostTensor.fromDoubles(dtype, Shape.of(numHeads, lq, lk), biasValues(numHeads, lq, lk, queryOffset)));
    }
}
