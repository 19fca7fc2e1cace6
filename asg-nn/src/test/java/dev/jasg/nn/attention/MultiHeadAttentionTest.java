package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.AttentionHarness.CPU;
import static dev.jasg.nn.attention.AttentionHarness.REFERENCE;
import static dev.jasg.nn.attention.AttentionHarness.assertClose;
import static dev.jasg.nn.attention.AttentionHarness.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Multi-head attention: masks, batching, cross-attention and gradients. */
class MultiHeadAttentionTest {

    private static HostTensor bool(int[] v, int... dims) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return HostTensor.of(DType.BOOL, Shape.of(dims), f);
    }

    private static HostTensor perturbRow(HostTensor t, int batch, int pos, int seq, int features, double delta) {
        float[] v = t.floats().clone();
        for (int e = 0; e < features; e++) v[(batch * seq + pos) * features + e] += (float) delta;
        return HostTensor.of(v, t.shape().dims());
    }

    @Test
    void namesFollowPyTorch() {
        MultiHeadAttention mha = new MultiHeadAttention(8, 2);
        assertEquals(List.of("q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight", "v_proj.bias",
                "out_proj.weight", "out_proj.bias"), List.copyOf(mha.namedParameters().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(10, 4));
    }

    @Test
    void causalOutputsDoNotDependOnLaterTokens() {
        int seq = 5, e = 8;
        MultiHeadAttention mha = new MultiHeadAttention(e, 2);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", seq, e);
        g.output("y", mha.apply(x, null, null, true));
        Graph graph = g.build();
        HostTensor x0 = random(new Random(1), 2, seq, e);
        for (Backend be : List.of(REFERENCE, CPU)) {
            Parameters store = be.newParameters(7);
            double[] base = AttentionHarness.run(be, store, graph, "y", Map.of("x", x0)).toDoubles();
            double[] moved = AttentionHarness.run(be, store, graph, "y", Map.of("x", perturbRow(x0, 1, 3, seq, e, 0.7))).toDoubles();
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < seq; t++) {
                    double diff = 0;
                    for (int f = 0; f < e; f++) {
                        int i = (b * seq + t) * e + f;
                        diff = Math.max(diff, Math.abs(base[i] - moved[i]));
                    }
                    if (b == 1 && t >= 3) assertTrue(diff > 1e-4, be.name() + ": position " + t + " must see token 3");
                    else assertEquals(0, diff, 1e-6, be.name() + ": batch " + b + " position " + t + " changed");
                }
            }
        }
    }

    @Test
    void paddedKeysAreIgnoredAndMatchTheUnpaddedSequence() {
        int lq = 3, lk = 6, e = 8;
        MultiHeadAttention mha = new MultiHeadAttention(e, 4);
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, "B", lq, e), kv = g.input("kv", DType.F32, "B", lk, e);
        Tensor pad = g.input("pad", DType.BOOL, "B", lk);
        g.output("y", mha.apply(q, kv, kv, pad, null, false));
        Graph padded = g.build();
        Random rnd = new Random(2);
        HostTensor qs = random(rnd, 2, lq, e), kvs = random(rnd, 2, lk, e);
        HostTensor mask = bool(new int[] {0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1}, 2, lk);
        Parameters store = CPU.newParameters(3);
        double[] base = AttentionHarness.run(CPU, store, padded, "y", Map.of("q", qs, "kv", kvs, "pad", mask)).toDoubles();
        HostTensor changed = perturbRow(perturbRow(perturbRow(kvs, 0, 5, lk, e, 3), 1, 2, lk, e, -2), 1, 4, lk, e, 5);
        double[] after = AttentionHarness.run(CPU, store, padded, "y", Map.of("q", qs, "kv", changed, "pad", mask)).toDoubles();
        assertClose("padded keys changed", base, after, 1e-6);

        // batch item 1 keeps two keys: the same as attending over those two keys alone, unmasked
        GraphBuilder g2 = new GraphBuilder();
        Tensor q2 = g2.input("q", DType.F32, 1, lq, e), kv2 = g2.input("kv", DType.F32, 1, 2, e);
        g2.output("y", mha.apply(q2, kv2, kv2, null, null, false));
        float[] q1 = new float[lq * e], k1 = new float[2 * e];
        System.arraycopy(qs.floats(), lq * e, q1, 0, lq * e);
        System.arraycopy(kvs.floats(), lk * e, k1, 0, 2 * e);
        double[] alone = AttentionHarness.run(CPU, store, g2.build(), "y", Map.of("q", HostTensor.of(q1, 1, lq, e), "kv", HostTensor.of(k1, 1, 2, e))).toDoubles();
        double[] item1 = new double[lq * e];
        System.arraycopy(base, lq * e, item1, 0, lq * e);
        assertClose("padded item vs unpadded", alone, item1, 1e-5);
    }

    @Test
    void attnMaskTrueMeansNotAllowedAsInTorch() {
        int seq = 4, e = 4;
        MultiHeadAttention mha = new MultiHeadAttention(e, 1);
        int[] notAllowed = new int[seq * seq];
        for (int i = 0; i < seq; i++) for (int j = i + 1; j < seq; j++) notAllowed[i * seq + j] = 1;
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", seq, e), m = g.input("m", DType.BOOL, seq, seq);
        g.output("masked", mha.apply(x, null, m, false));
        g.output("causal", mha.apply(x, null, null, true));
        Graph graph = g.build();
        try (Executable ex = CPU.compile(CPU.newParameters(1), graph)) {
            var out = ex.run(Map.of("x", random(new Random(3), 2, seq, e), "m", bool(notAllowed, seq, seq)));
            assertClose("upper-triangular attn_mask == causal", out.get("causal").toDoubles(), out.get("masked").toDoubles(), 1e-6);
        }
    }

    @Test
    void batchGivesTheSameAsLoopingOverItems() {
        int seq = 4, e = 8, n = 3;
        MultiHeadAttention mha = new MultiHeadAttention(e, 2);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", seq, e);
        g.output("y", mha.apply(x, null, null, true));
        HostTensor xs = random(new Random(4), n, seq, e);
        try (Executable ex = CPU.compile(CPU.newParameters(5), g.build())) {
            double[] all = ex.run(Map.of("x", xs)).get("y").toDoubles();
            for (int b = 0; b < n; b++) {
                float[] one = new float[seq * e];
                System.arraycopy(xs.floats(), b * seq * e, one, 0, one.length);
                double[] single = ex.run(Map.of("x", HostTensor.of(one, 1, seq, e))).get("y").toDoubles();
                double[] slice = new double[seq * e];
                System.arraycopy(all, b * seq * e, slice, 0, slice.length);
                assertClose("item " + b, single, slice, 1e-5);
            }
        }
    }

    @Test
    void crossAttentionWithOtherKeyAndValueSizes() {
        MultiHeadAttention mha = new MultiHeadAttention(8, 4, false, 0, 6, 5);
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, "B", 3, 8), k = g.input("k", DType.F32, "B", 7, 6), v = g.input("v", DType.F32, "B", 7, 5);
        Tensor y = mha.apply(q, k, v, null, null, false);
        assertEquals(Shape.symbolic("B", 3, 8), y.shape());
        assertEquals(List.of("q_proj.weight", "k_proj.weight", "v_proj.weight", "out_proj.weight"), List.copyOf(mha.namedParameters().keySet()));
        assertEquals(Shape.of(8, 6), mha.namedParameters().get("k_proj.weight").shape());
        // causal with Lq != Lk is top-left aligned and still builds
        assertEquals(Shape.symbolic("B", 3, 8), mha.apply(q, k, v, null, null, true).shape());
    }

    @Test
    void gradientsMatchCentralDifferences() {
        int seq = 3, e = 4;
        MultiHeadAttention mha = new MultiHeadAttention(e, 2);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, seq, e);
        Tensor pad = g.input("pad", DType.BOOL, 2, seq);
        Tensor w = g.input("w", DType.F32, 2, seq, e);
        Tensor loss = mha.apply(x, pad, null, true).mul(w).sum();
        g.output("loss", loss);
        Graph fwd = g.build();
        List<Tensor> wrt = new ArrayList<>();
        wrt.add(x);
        for (Node n : fwd.parameters().values()) wrt.add(g.tensor(n.id()));
        Graph grad = Autograd.gradients(fwd, loss, wrt);

        Random rnd = new Random(6);
        Map<String, HostTensor> feeds = new HashMap<>();
        feeds.put("x", f64(random(rnd, 2, seq, e)));
        feeds.put("w", f64(random(rnd, 2, seq, e)));
        feeds.put("pad", bool(new int[] {0, 0, 0, 0, 0, 1}, 2, seq));
        Parameters store = REFERENCE.newParameters(11);
        double h = 1e-6;
        try (Executable f = REFERENCE.compile(store, fwd); Executable gr = REFERENCE.compile(store, grad)) {
            var analytic = gr.run(feeds);
            double[] gx = analytic.get("grad:x").toDoubles();
            double[] x0 = feeds.get("x").toDoubles();
            for (int i = 0; i < x0.length; i++) {
                double[] p = x0.clone(), m = x0.clone();
                p[i] += h;
                m[i] -= h;
                feeds.put("x", HostTensor.ofDoubles(p, 2, seq, e));
                double lp = f.run(feeds).scalar("loss");
                feeds.put("x", HostTensor.ofDoubles(m, 2, seq, e));
                double lm = f.run(feeds).scalar("loss");
                check("x[" + i + "]", gx[i], (lp - lm) / (2 * h));
            }
            feeds.put("x", HostTensor.ofDoubles(x0, 2, seq, e));
            for (String name : fwd.parameters().keySet()) {
                double[] ga = analytic.get("grad:" + name).toDoubles();
                HostTensor orig = store.get(name);
                double[] v0 = orig.toDoubles();
                int[] dims = orig.shape().dims();
                for (int i = 0; i < v0.length; i++) {
                    double[] p = v0.clone(), m = v0.clone();
                    p[i] += h;
                    m[i] -= h;
                    store.set(name, HostTensor.ofDoubles(p, dims));
                    double lp = f.run(feeds).scalar("loss");
                    store.set(name, HostTensor.ofDoubles(m, dims));
                    double lm = f.run(feeds).scalar("loss");
                    store.set(name, HostTensor.ofDoubles(v0, dims));
                    check(name + "[" + i + "]", ga[i], (lp - lm) / (2 * h));
                }
            }
        }
    }

    private static HostTensor f64(HostTensor t) {
        return HostTensor.ofDoubles(t.toDoubles(), t.shape().dims());
    }

    private static void check(String what, double analytic, double numeric) {
        if (!(Math.abs(analytic - numeric) <= 1e-6 * Math.max(1, Math.abs(numeric)))) {
            fail("d loss / d " + what + ": analytic " + analytic + ", numeric " + numeric);
        }
    }
}
