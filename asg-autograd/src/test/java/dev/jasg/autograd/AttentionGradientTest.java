package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Autocast;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The gradient of fused attention: its VJP (one {@code attention_stats}, one {@code attention_grad} per
 * operand asked for) against autograd of the composite {@code softmax(Q K^T s) V}, second derivatives
 * refused with a clear error, and the gradient of an autocast graph holding attention.
 */
class AttentionGradientTest {

    private static HostTensor random(SplittableRandom r, int... dims) {
        double[] v = new double[Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble() * 3 - 1.5;
        return HostTensor.ofDoubles(v, dims);
    }

    private static Tensor composite(GraphBuilder g, Tensor q, Tensor k, Tensor v, double scale, boolean causal) {
        Tensor s = q.matmul(k.mT()).mul(scale);
        if (causal) {
            int lq = q.shape().dim(q.rank() - 2), lk = k.shape().dim(k.rank() - 2);
            float[] m = new float[lq * lk];
            for (int i = 0; i < lq; i++) Arrays.fill(m, i * lk, i * lk + Math.min(lk, i + 1), 1f);
            s = g.constant(HostTensor.of(DType.BOOL, Shape.of(lq, lk), m)).where(s, -1e9);
        }
        return s.softmax(-1).matmul(v);
    }

    /** Gradients of {@code sum(attention(q, k, v) * w)} by the fused op or the composite, on the reference backend. */
    private static Map<String, HostTensor> grads(boolean fused, int[] qd, int[] kd, int[] vd, double scale, boolean causal, Map<String, HostTensor> feeds) {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, Shape.of(qd)), k = g.input("k", DType.F32, Shape.of(kd)), v = g.input("v", DType.F32, Shape.of(vd));
        Tensor w = g.input("w", DType.F32, Shape.of(outDims(qd, vd)));
        Tensor o = fused ? g.apply(new Op.Attention(scale, causal), q, k, v) : composite(g, q, k, v, scale, causal);
        Tensor loss = o.mul(w).sum();
        g.output("loss", loss);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(q, k, v));
        try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(fwd, grad)) {
            Outputs out = e.run(feeds);
            return Map.of("q", out.get("grad:q"), "k", out.get("grad:k"), "v", out.get("grad:v"));
        }
    }

    private static int[] outDims(int[] qd, int[] vd) {
        int[] d = qd.clone();
        d[d.length - 1] = vd[vd.length - 1];
        return d;
    }

    @Test
    void fusedGradientsEqualTheComposite() {
        SplittableRandom r = new SplittableRandom(11);
        Object[][] cases = {
            {new int[] {3, 4}, new int[] {5, 4}, new int[] {5, 2}, 0.5, false},
            {new int[] {2, 4, 3}, new int[] {2, 6, 3}, new int[] {2, 6, 5}, 0.625, true},
            {new int[] {2, 5, 3}, new int[] {2, 3, 3}, new int[] {2, 3, 3}, 0.75, true},
            {new int[] {2, 2, 3, 2}, new int[] {2, 2, 1, 2}, new int[] {2, 2, 1, 3}, 1.25, false},
            {new int[] {1, 2, 4, 2}, new int[] {1, 2, 4, 2}, new int[] {1, 2, 4, 2}, 1.5, true},
        };
        for (Object[] c : cases) {
            int[] qd = (int[]) c[0], kd = (int[]) c[1], vd = (int[]) c[2];
            double scale = (double) c[3];
            boolean causal = (boolean) c[4];
            Map<String, HostTensor> feeds = new LinkedHashMap<>();
            feeds.put("q", random(r, qd));
            feeds.put("k", random(r, kd));
            feeds.put("v", random(r, vd));
            feeds.put("w", random(r, outDims(qd, vd)));
            Map<String, HostTensor> want = grads(false, qd, kd, vd, scale, causal, feeds), got = grads(true, qd, kd, vd, scale, causal, feeds);
            for (String name : List.of("q", "k", "v")) {
                double[] a = want.get(name).toDoubles(), b = got.get(name).toDoubles();
                assertEquals(want.get(name).shape(), got.get(name).shape());
                for (int i = 0; i < a.length; i++) {
                    assertTrue(Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(a[i])),
                            Arrays.toString(qd) + (causal ? " causal" : "") + " grad:" + name + "[" + i + "]: composite " + a[i] + ", fused " + b[i]);
                }
            }
        }
    }

    @Test
    void oneSharedStatsNodeAndOneGradientNodePerOperandAskedFor() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 3, 4), k = g.input("k", DType.F32, 2, 5, 4), v = g.input("v", DType.F32, 2, 5, 4);
        Tensor loss = g.apply(new Op.Attention(0.5, true), q, k, v).sum();
        Graph fwd = g.build();
        Graph all = Autograd.gradients(fwd, loss, List.of(q, k, v));
        assertEquals(1, count(all, Op.AttentionStats.class));
        assertEquals(3, count(all, Op.AttentionGrad.class));
        Graph onlyK = Autograd.gradients(fwd, loss, List.of(k));
        assertEquals(1, count(onlyK, Op.AttentionStats.class));
        assertEquals(1, count(onlyK, Op.AttentionGrad.class));
        Node grad = onlyK.nodes().stream().filter(n -> n.op() instanceof Op.AttentionGrad).findFirst().orElseThrow();
        assertEquals(new Op.AttentionGrad(0.5, true, 1), grad.op());
        assertEquals(Shape.of(2, 5, 4), grad.shape());
    }

    private static long count(Graph g, Class<? extends Op> type) {
        return g.nodes().stream().filter(n -> type.isInstance(n.op())).count();
    }

    @Test
    void secondDerivativesAreRefusedWithAClearError() {
        GraphBuilder b = new GraphBuilder();
        Tensor q = b.input("q", DType.F64, 3, 2), k = b.input("k", DType.F64, 3, 2), v = b.input("v", DType.F64, 3, 2);
        Tensor loss = b.apply(new Op.Attention(1, false), q, k, v).sum();
        Graph fwd = b.build();
        Graph g1 = Autograd.gradients(fwd, loss, List.of(q));
        GraphBuilder c = new GraphBuilder(g1);
        Tensor s = c.tensor(g1.outputs().get("grad:q")).sum();
        c.output("sum_grad", s);
        Graph g1s = c.build();
        GradientException e = assertThrows(GradientException.class, () -> Autograd.gradients(g1s, s, List.of(q)));
        assertTrue(e.getMessage().contains("second derivatives through fused attention are not supported"), e.getMessage());
    }

    /** Autocast of a graph with attention: its operands cast to half, the gradients F32 and close to the F32 graph's. */
    @Test
    void autocastGradientsAreF32AndCloseToTheF32Ones() {
        SplittableRandom r = new SplittableRandom(23);
        Map<String, HostTensor> feeds = Map.of("x", random(r, 2, 4, 6));
        List<String> wrt = List.of("wq", "wk", "wv");
        Map<String, HostTensor> exact = autocastGrads(model(), feeds, wrt);
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            Graph g = Autocast.apply(model(), half);
            Node att = g.nodes().stream().filter(n -> n.op() instanceof Op.Attention).findFirst().orElseThrow();
            for (int i = 0; i < 3; i++) assertEquals(half, g.node(att.input(i)).dtype(), half + " attention operand " + i);
            assertEquals(DType.F32, att.dtype());
            Graph grad = Autograd.gradients(g, "loss", wrt);
            for (String name : wrt) assertEquals(DType.F32, grad.output("grad:" + name).dtype(), half + " grad:" + name);
            Map<String, HostTensor> mixed = autocastGrads(g, feeds, wrt);
            double tol = half == DType.F16 ? 5e-3 : 4e-2;
            for (String name : wrt) {
                double[] a = exact.get(name).toDoubles(), m = mixed.get(name).toDoubles();
                double scale = 0, err = 0;
                for (int i = 0; i < a.length; i++) {
                    scale = Math.max(scale, Math.abs(a[i]));
                    err = Math.max(err, Math.abs(a[i] - m[i]));
                }
                assertTrue(err <= tol * scale, half + " grad:" + name + " differs by " + err + " at scale " + scale);
                assertTrue(err > 0, half + " grad:" + name + " should differ from f32 somewhere");
            }
        }
    }

    /** x [2, 4, 6] projected to q, k, v [2, 4, 6] by parameters, causal attention, a tanh and a mean. */
    private static Graph model() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 4, 6);
        Tensor[] p = new Tensor[3];
        String[] names = {"wq", "wk", "wv"};
        for (int i = 0; i < 3; i++) p[i] = g.parameter(names[i], Shape.of(6, 6), DType.F32, dev.jasg.core.Init.normal(0, 0.5), true);
        Tensor o = g.apply(new Op.Attention(1 / Math.sqrt(6), true), x.matmul(p[0]), x.matmul(p[1]), x.matmul(p[2]));
        g.output("loss", o.tanh().mean());
        return g.build();
    }

    private static Map<String, HostTensor> autocastGrads(Graph g, Map<String, HostTensor> feeds, List<String> wrt) {
        try (ReferenceBackend ref = new ReferenceBackend()) {
            var params = ref.newParameters(9);
            try (Executable e = ref.compile(params, g, Autograd.gradients(g, "loss", wrt))) {
                Outputs o = e.run(feeds);
                Map<String, HostTensor> m = new LinkedHashMap<>();
                for (String name : wrt) m.put(name, o.get("grad:" + name));
                return m;
            }
        }
    }
}
