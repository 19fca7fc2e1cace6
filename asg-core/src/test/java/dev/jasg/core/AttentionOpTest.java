package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused attention ops on the reference interpreter: {@code attention} and {@code attention_stats}
 * against the composite {@code softmax(Q K^T s [+ causal mask]) V} built from matmul and softmax, over
 * ranks 2 to 4, {@code Lq != Lk} (both ways) with and without the causal mask, one key, {@code Ev != E};
 * NaN propagation; and the shape rules' typed errors.
 */
class AttentionOpTest {
    private static final double TOL = 1e-12;

    /** {@code [lead.., lq, e]}, {@code [lead.., lk, e]}, {@code [lead.., lk, ev]} with values in [-2, 2). */
    private record Case(int[] lead, int lq, int lk, int e, int ev, boolean causal, double scale) {
        int[] q() { return dims(lq, e); }
        int[] k() { return dims(lk, e); }
        int[] v() { return dims(lk, ev); }
        int[] dims(int a, int b) {
            int[] d = Arrays.copyOf(lead, lead.length + 2);
            d[lead.length] = a;
            d[lead.length + 1] = b;
            return d;
        }
    }

    // scales exact in f32: the composite multiplies by an f32 scalar, the fused op by the double attribute
    private static final Case[] CASES = {
        new Case(new int[0], 3, 5, 4, 4, false, 0.5),
        new Case(new int[] {2}, 4, 6, 3, 5, true, 0.5625),
        new Case(new int[] {2}, 5, 3, 4, 2, true, 0.75),
        new Case(new int[] {3}, 4, 1, 2, 3, false, 1.25),
        new Case(new int[] {3}, 4, 1, 2, 3, true, 1.25),
        new Case(new int[] {2, 2}, 3, 4, 4, 6, false, 0.5),
        new Case(new int[] {2, 3}, 4, 4, 2, 2, true, 0.875),
        new Case(new int[] {1, 2}, 1, 5, 3, 3, true, 0.875),
    };

    private static HostTensor random(SplittableRandom r, int... dims) {
        double[] v = new double[Indexing.size(dims)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble() * 4 - 2;
        return HostTensor.ofDoubles(v, dims);
    }

    /** Scores {@code Q K^T s}, masked (where {@code j > i}) to -1e9 under causal, so exp gives exactly 0 there. */
    private static Tensor scores(GraphBuilder g, Tensor q, Tensor k, Case c) {
        Tensor s = q.matmul(k.mT()).mul(c.scale());
        if (!c.causal()) return s;
        float[] m = new float[c.lq() * c.lk()];
        for (int i = 0; i < c.lq(); i++) Arrays.fill(m, i * c.lk(), i * c.lk() + Math.min(c.lk(), i + 1), 1f);
        return g.constant(HostTensor.of(DType.BOOL, Shape.of(c.lq(), c.lk()), m)).where(s, -1e9);
    }

    @Test
    void fusedAttentionAndStatsEqualTheComposite() {
        SplittableRandom r = new SplittableRandom(17);
        for (Case c : CASES) {
            GraphBuilder g = new GraphBuilder();
            Tensor q = g.input("q", DType.F32, Shape.of(c.q())), k = g.input("k", DType.F32, Shape.of(c.k())), v = g.input("v", DType.F32, Shape.of(c.v()));
            Tensor fused = g.apply(new Op.Attention(c.scale(), c.causal()), q, k, v);
            Tensor lse = g.apply(new Op.AttentionStats(c.scale(), c.causal()), q, k);
            assertEquals(Shape.of(c.dims(c.lq(), c.ev())), fused.shape(), c.toString());
            assertEquals(Shape.of(Arrays.copyOf(c.q(), c.q().length - 1)), lse.shape(), c.toString());
            assertEquals(DType.F32, fused.dtype());
            Tensor s = scores(g, q, k, c);
            g.output("fused", fused);
            g.output("composite", s.softmax(-1).matmul(v));
            g.output("lse", lse);
            g.output("composite_lse", s.exp().sum(-1).log());
            Outputs o = RefTesting.run(g, "q", random(r, c.q()), "k", random(r, c.k()), "v", random(r, c.v()));
            assertClose(o.get("composite"), o.get("fused"), c.toString());
            assertClose(o.get("composite_lse"), o.get("lse"), c + " lse");
        }
    }

    @Test
    void aSymbolicBatchRunsWhenBound() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, Shape.symbolic("B", 3, 2)), k = g.input("k", DType.F32, Shape.symbolic("B", 4, 2));
        Tensor v = g.input("v", DType.F32, Shape.symbolic("B", 4, 5));
        Tensor o = g.apply(new Op.Attention(0.5, true), q, k, v);
        assertEquals(Shape.symbolic("B", 3, 5), o.shape());
        g.output("o", o);
        SplittableRandom r = new SplittableRandom(3);
        assertEquals(Shape.of(2, 3, 5), RefTesting.run(g, "q", random(r, 2, 3, 2), "k", random(r, 2, 4, 2), "v", random(r, 2, 4, 5)).get("o").shape());
    }

    @Test
    void aNaNQueryGivesNaNOnlyInItsRowAndACausalNaNKeyOnlyInTheRowsThatSeeIt() {
        SplittableRandom r = new SplittableRandom(5);
        HostTensor qv = random(r, 4, 3), kv = random(r, 4, 3), vv = random(r, 4, 2);
        double[] qd = qv.toDoubles();
        qd[1 * 3 + 2] = Double.NaN; // row 1
        double[] kd = kv.toDoubles();
        kd[2 * 3] = Double.NaN; // key 2
        for (boolean causal : new boolean[] {false, true}) {
            GraphBuilder g = new GraphBuilder();
            Tensor q = g.input("q", DType.F32, 4, 3), k = g.input("k", DType.F32, 4, 3), v = g.input("v", DType.F32, 4, 2);
            Tensor k2 = g.input("k2", DType.F32, 4, 3);
            g.output("nanQuery", g.apply(new Op.Attention(0.6, causal), q, k, v));
            g.output("nanQueryLse", g.apply(new Op.AttentionStats(0.6, causal), q, k));
            g.output("nanKey", g.apply(new Op.Attention(0.6, causal), k, k2, v));
            Outputs o = RefTesting.run(g, "q", HostTensor.ofDoubles(qd, 4, 3), "k", kv, "v", vv, "k2", HostTensor.ofDoubles(kd, 4, 3));
            double[] y = o.get("nanQuery").toDoubles(), lse = o.get("nanQueryLse").toDoubles(), z = o.get("nanKey").toDoubles();
            for (int i = 0; i < 4; i++) {
                assertEquals(i == 1, Double.isNaN(lse[i]), "lse row " + i);
                for (int c = 0; c < 2; c++) {
                    assertEquals(i == 1, Double.isNaN(y[i * 2 + c]), "causal " + causal + " row " + i);
                    // key 2 is seen by every row, or under the causal mask by rows 2 and 3 only
                    assertEquals(!causal || i >= 2, Double.isNaN(z[i * 2 + c]), "NaN key, causal " + causal + " row " + i);
                }
            }
        }
    }

    private static ShapeException attentionError(int[] q, int[] k, int[] v, DType kType) {
        GraphBuilder g = new GraphBuilder();
        Tensor qt = g.input("q", DType.F32, Shape.of(q)), kt = g.input("k", kType, Shape.of(k)), vt = g.input("v", DType.F32, Shape.of(v));
        return assertThrows(ShapeException.class, () -> g.apply(new Op.Attention(1, false), qt, kt, vt));
    }

    @Test
    void shapeErrorsNameWhatIsWrong() {
        int[] q = {2, 3, 4}, k = {2, 5, 4}, v = {2, 5, 6};
        assertTrue(attentionError(new int[] {4}, new int[] {5, 4}, new int[] {5, 6}, DType.F32).getMessage()
                .startsWith("attention: the query [4] must have rank >= 2"));
        ShapeException dtype = attentionError(q, k, v, DType.F64);
        assertEquals(ShapeException.Kind.DTYPE, dtype.kind());
        assertTrue(dtype.getMessage().contains("query, key and value must share one float dtype, got f32[2,3,4] and key f64[2,5,4]"), dtype.getMessage());
        assertEquals(ShapeException.Kind.DTYPE, attentionError(q, k, v, DType.I32).kind());
        assertTrue(attentionError(q, new int[] {5, 4}, v, DType.F32).getMessage().contains("the key [5,4] and the query [2,3,4] differ in rank"));
        assertTrue(attentionError(q, new int[] {3, 5, 4}, new int[] {3, 5, 6}, DType.F32).getMessage()
                .contains("the key [3,5,4] and the query [2,3,4] differ at leading axis 0 (the fused op does not broadcast)"));
        assertTrue(attentionError(q, new int[] {2, 5, 3}, v, DType.F32).getMessage().contains("differ in the last (embedding) axis"));
        assertTrue(attentionError(q, k, new int[] {2, 4, 6}, DType.F32).getMessage()
                .contains("the key [2,5,4] and the value [2,4,6] differ in sequence length"));
        assertTrue(attentionError(q, new int[] {2, 0, 4}, new int[] {2, 0, 6}, DType.F32).getMessage().contains("has no rows"));

        GraphBuilder g = new GraphBuilder();
        Tensor qt = g.input("q", DType.F32, Shape.of(q)), kt = g.input("k", DType.F32, Shape.of(k)), vt = g.input("v", DType.F32, Shape.of(v));
        assertTrue(assertThrows(ShapeException.class, () -> g.apply(new Op.Attention(1, false), qt, kt)).getMessage().startsWith("attention: takes 3 inputs, got 2"));
        Tensor o = g.apply(new Op.Attention(1, false), qt, kt, vt);
        Tensor lse = g.apply(new Op.AttentionStats(1, false), qt, kt);
        assertEquals(DType.F32, lse.dtype());
        Tensor grad = g.apply(new Op.AttentionGrad(1, false, 1), qt, kt, vt, o, o, lse);
        assertEquals(Shape.of(k), grad.shape());
        assertTrue(assertThrows(ShapeException.class, () -> g.apply(new Op.AttentionGrad(1, false, 0), qt, kt, vt, o, qt, lse)).getMessage()
                .contains("input 4 (output gradient) must be float [2,3,6], got f32[2,3,4]"));
        Tensor lse64 = lse.cast(DType.F64);
        assertTrue(assertThrows(ShapeException.class, () -> g.apply(new Op.AttentionGrad(1, false, 0), qt, kt, vt, o, o, lse64)).getMessage()
                .contains("input 5 (the softmax statistics) must be f32[2,3], got f64[2,3]"));
        IllegalArgumentException wrt = assertThrows(IllegalArgumentException.class, () -> new Op.AttentionGrad(1, false, 3));
        assertTrue(wrt.getMessage().contains("wrt must be 0 (q), 1 (k) or 2 (v), got 3"));
    }

    @Test
    void halfOperandsGiveAnF32Result() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.BF16, 3, 2), k = g.input("k", DType.BF16, 4, 2), v = g.input("v", DType.BF16, 4, 2);
        assertEquals(DType.F32, g.apply(new Op.Attention(1, false), q, k, v).dtype());
        assertEquals("attention", new Op.Attention(1, true).label());
        assertEquals("scale=0.5 causal wrt=k", new Op.AttentionGrad(0.5, true, 1).attributes());
    }

    private static void assertClose(HostTensor want, HostTensor got, String what) {
        assertEquals(want.shape(), got.shape(), what);
        double[] w = want.toDoubles(), a = got.toDoubles();
        for (int i = 0; i < w.length; i++) {
            assertTrue(Math.abs(w[i] - a[i]) <= TOL * (1 + Math.abs(w[i])), what + "[" + i + "]: composite " + w[i] + ", fused " + a[i]);
        }
    }
}
