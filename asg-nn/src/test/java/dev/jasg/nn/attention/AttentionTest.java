package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.AttentionHarness.BACKENDS;
import static dev.jasg.nn.attention.AttentionHarness.assertClose;
import static dev.jasg.nn.attention.AttentionHarness.flat;
import static dev.jasg.nn.attention.AttentionHarness.matrix;
import static dev.jasg.nn.attention.AttentionHarness.naiveAttention;
import static dev.jasg.nn.attention.AttentionHarness.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Scaled dot-product attention against a naive double-precision implementation, on the reference and CPU backends. */
class AttentionTest {
    private static final int B = 2, H = 2, LQ = 3, LK = 4, E = 5, EV = 3;

    private record Case(Graph graph, Map<String, HostTensor> feeds) {}

    private static Case sdpa(Random rnd, HostTensor mask, boolean causal) {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, "B", H, LQ, E);
        Tensor k = g.input("k", DType.F32, "B", H, LK, E);
        Tensor v = g.input("v", DType.F32, "B", H, LK, EV);
        // a rank-4 mask carries the batch, so its first axis is the symbolic batch too
        Tensor m = mask == null ? null : mask.shape().rank() == 4
                ? g.input("mask", mask.dtype(), Shape.symbolic("B", mask.shape().dim(1), mask.shape().dim(2), mask.shape().dim(3)))
                : g.input("mask", mask.dtype(), mask.shape());
        g.output("out", Attention.scaledDotProductAttention(q, k, v, m, causal, 0));
        Map<String, HostTensor> feeds = new HashMap<>();
        feeds.put("q", random(rnd, B, H, LQ, E));
        feeds.put("k", random(rnd, B, H, LK, E));
        feeds.put("v", random(rnd, B, H, LK, EV));
        if (mask != null) feeds.put("mask", mask);
        return new Case(g.build(), feeds);
    }

    /** The naive result over every (batch, head), with {@code keep}/{@code bias} given per query and key. */
    private static double[] naive(Map<String, HostTensor> f, boolean[][] keep, double[][] bias) {
        double[] out = new double[B * H * LQ * EV];
        for (int bh = 0; bh < B * H; bh++) {
            double[][] o = naiveAttention(matrix(f.get("q"), bh * LQ * E, LQ, E), matrix(f.get("k"), bh * LK * E, LK, E),
                    matrix(f.get("v"), bh * LK * EV, LK, EV), keep, bias);
            System.arraycopy(flat(o), 0, out, bh * LQ * EV, LQ * EV);
        }
        return out;
    }

    @Test
    void matchesSoftmaxOfScaledScoresTimesValues() {
        Case c = sdpa(new Random(1), null, false);
        double[] expected = naive(c.feeds(), null, null);
        for (Backend be : BACKENDS) {
            assertClose("sdpa on " + be.name(), expected, AttentionHarness.run(be, 0, c.graph(), "out", c.feeds()).toDoubles(), 1e-5);
        }
    }

    @Test
    void tinyHandExample() {
        // one query [1, 0], keys [1, 0] and [0, 1]: scores 1/sqrt2 and 0
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.constant(HostTensor.of(new float[] {1, 0}, 1, 2));
        Tensor k = g.constant(HostTensor.of(new float[] {1, 0, 0, 1}, 2, 2));
        Tensor v = g.constant(HostTensor.of(new float[] {10, 20}, 2, 1));
        g.output("out", Attention.scaledDotProductAttention(q, k, v));
        double w0 = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
        for (Backend be : BACKENDS) {
            assertEquals(10 * w0 + 20 * (1 - w0), AttentionHarness.run(be, 0, g.build(), "out", Map.of()).item(), 1e-5, be.name());
        }
    }

    @Test
    void boolMaskIsTrueWhereAttending() {
        boolean[][] keep = {{true, false, true, false}, {false, false, false, true}, {true, true, true, true}};
        float[] m = new float[LQ * LK];
        for (int i = 0; i < LQ; i++) for (int j = 0; j < LK; j++) m[i * LK + j] = keep[i][j] ? 1 : 0;
        Case c = sdpa(new Random(2), HostTensor.of(DType.BOOL, Shape.of(LQ, LK), m), false);
        double[] expected = naive(c.feeds(), keep, null);
        for (Backend be : BACKENDS) {
            assertClose("bool mask on " + be.name(), expected, AttentionHarness.run(be, 0, c.graph(), "out", c.feeds()).toDoubles(), 1e-5);
        }
    }

    @Test
    void floatMaskIsAddedAndMinusInfinityMasks() {
        double[][] bias = {{0.5, -1, 0, 2}, {0, 0, 0, 0}, {-0.25, 1, 3, 0}};
        boolean[][] keep = {{true, true, false, true}, {true, true, true, true}, {true, false, true, true}};
        float[] m = new float[LQ * LK];
        for (int i = 0; i < LQ; i++) for (int j = 0; j < LK; j++) m[i * LK + j] = keep[i][j] ? (float) bias[i][j] : Float.NEGATIVE_INFINITY;
        Case c = sdpa(new Random(3), HostTensor.of(m, LQ, LK), false);
        double[] expected = naive(c.feeds(), keep, bias);
        for (Backend be : BACKENDS) {
            assertClose("float mask on " + be.name(), expected, AttentionHarness.run(be, 0, c.graph(), "out", c.feeds()).toDoubles(), 1e-5);
        }
    }

    @Test
    void causalIsTopLeftAlignedLikeIsCausal() {
        boolean[][] keep = new boolean[LQ][LK];
        for (int i = 0; i < LQ; i++) for (int j = 0; j <= i; j++) keep[i][j] = true;
        Case c = sdpa(new Random(4), null, true);
        double[] expected = naive(c.feeds(), keep, null);
        for (Backend be : BACKENDS) {
            assertClose("causal on " + be.name(), expected, AttentionHarness.run(be, 0, c.graph(), "out", c.feeds()).toDoubles(), 1e-5);
        }
    }

    @Test
    void fullyMaskedRowsGiveZerosNotNaN() {
        // row 1 masks everything, through a bool mask and a causal mask together
        float[] m = new float[B * LK];
        m[0] = 1; m[2] = 1; // batch 0 keeps keys 0 and 2, batch 1 keeps nothing
        Case c = sdpa(new Random(5), HostTensor.of(DType.BOOL, Shape.of(B, 1, 1, LK), m), true);
        boolean[][] keep0 = {{true, false, false, false}, {true, false, false, false}, {true, false, true, false}};
        double[] batch0 = naive(c.feeds(), keep0, null);
        for (Backend be : BACKENDS) {
            double[] out = AttentionHarness.run(be, 0, c.graph(), "out", c.feeds()).toDoubles();
            int half = H * LQ * EV;
            for (int i = 0; i < out.length; i++) {
                if (i >= half) assertEquals(0, out[i], 0, be.name() + ": element " + i + " of the fully masked batch");
                else assertEquals(batch0[i], out[i], 1e-5, be.name() + ": element " + i + " of batch 0");
            }
        }
    }

    @Test
    void weightsRowsSumToOne() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 3, 4), k = g.input("k", DType.F32, 2, 5, 4);
        g.output("w", Attention.attentionWeights(q, k, null, false, Double.NaN).sum(-1));
        Random rnd = new Random(6);
        Map<String, HostTensor> f = Map.of("q", random(rnd, 2, 3, 4), "k", random(rnd, 2, 5, 4));
        for (Backend be : BACKENDS) assertClose("row sums on " + be.name(), new double[] {1, 1, 1, 1, 1, 1}, AttentionHarness.run(be, 0, g.build(), "w", f).toDoubles(), 1e-6);
    }

    @Test
    void shapeErrorsNameTheNodes() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 3, 4), k = g.input("k", DType.F32, 2, 5, 3), v = g.input("v", DType.F32, 2, 4, 3);
        assertThrows(ShapeException.class, () -> Attention.scaledDotProductAttention(q, k, v));
        Tensor k2 = g.input("k2", DType.F32, 2, 5, 4);
        assertThrows(ShapeException.class, () -> Attention.scaledDotProductAttention(q, k2, v));
        Tensor qs = g.input("qs", DType.F32, 2, "L", 4), v2 = g.input("v2", DType.F32, 2, 5, 3);
        // the composite's causal mask needs concrete lengths (the fused op's does not: FusedAttentionTest)
        assertThrows(ShapeException.class, () -> Attention.scaledDotProductAttention(qs, k2, v2, null, true, 0.1));
    }
}
