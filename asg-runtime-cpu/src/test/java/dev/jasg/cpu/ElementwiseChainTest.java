package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Anomaly;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Fusion}'s elementwise chains (rule 5), as a table: each row is a graph with the number of
 * chains and absorbed nodes its plan must have (so a rule that stops firing fails), run forward and
 * with its gradients; the fused result must equal, bit for bit, the unfused one (the anomaly-mode plan,
 * which fuses nothing) and the reference interpreter's within f32 tolerance.
 */
class ElementwiseChainTest {
    /** A graph of inputs a, b, c... of the given shapes; {@code chains}/{@code fused} are the forward plan's, -1 for at least one. */
    private record Case(String name, int[][] shapes, Function<Tensor[], Tensor> body, int chains, int fused) {}

    private static final List<Case> CASES = List.of(
            // the exact GELU's gradient as autograd writes it, on its own
            new Case("gelu gradient", new int[][] {{4, 300}, {4, 300}}, t -> {
                Tensor x = t[0], g = t[1];
                Tensor cdf = x.mul(0.7071067811865476).erf().add(1).mul(0.5);
                Tensor pdf = x.square().mul(-0.5).exp().mul(0.3989422804014327);
                return g.mul(cdf.add(x.mul(pdf)));
            }, 1, 10),
            // an AdamW-like update: scalars, a full-shape state, a shared subexpression read twice
            new Case("adam update", new int[][] {{33, 17}, {33, 17}, {33, 17}, {}}, t -> {
                Tensor p = t[0], g = t[1], v = t[2], lr = t[3];
                Tensor v2 = v.mul(0.999).add(g.square().mul(0.001));
                Tensor m = g.mul(0.1);
                return p.mul(lr.mul(0.01).rsub(1)).sub(m.div(v2.sqrt().add(1e-8)).mul(lr));
            }, -1, -1),
            // layer norm's scale and shift (bias rows) and a per-row column
            new Case("rows and columns", new int[][] {{6, 40}, {40}, {40}, {6, 1}}, t -> t[0].mul(t[1]).add(t[2]).sub(t[3]).mul(t[3]), 1, 3),
            // ReLU's gradient: a comparison's mask and a where
            new Case("relu gradient", new int[][] {{9, 70}, {9, 70}}, t -> t[0].gt(0).where(t[1], 0).mul(t[0]), 1, 2),
            // broadcast along a middle axis
            new Case("middle broadcast", new int[][] {{3, 4, 50}, {3, 1, 50}}, t -> t[0].add(t[1]).exp().mul(t[1]), 1, 2),
            // transcendental functions over a scalar operand inside the tree
            new Case("scalar functions", new int[][] {{5, 64}, {}}, t -> t[0].mul(t[1].exp().add(t[1].tanh())).sigmoid(), -1, -1),
            // a member read by two members and long enough pieces to span rows
            new Case("diamond", new int[][] {{2000}, {2000}}, t -> {
                Tensor s = t[0].add(t[1]);
                return s.mul(s).sub(s.tanh()).add(2).log();
            }, 1, 5));

    @Test
    void chainsFuseAndMatchTheUnfusedPlanBitForBit() {
        for (Case c : CASES) {
            check(c, false);
            check(c, true);
        }
    }

    @Test
    void nanAndInfinityPropagate() {
        Case c = new Case("nan", new int[][] {{4, 64}, {4, 64}}, t -> t[0].mul(t[1]).add(1).sqrt().mul(t[0].exp()), 1, 4);
        Map<String, HostTensor> feeds = feeds(c, new Random(3));
        float[] a = feeds.get("a").floats();
        a[5] = Float.NaN;
        a[70] = Float.POSITIVE_INFINITY;
        a[130] = -1e30f;
        GraphBuilder g = new GraphBuilder();
        g.output("out", c.body().apply(inputs(g, c)));
        Graph graph = g.build();
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(graph); var ce = cpu.compile(graph)) {
            HostTensor want = re.run(feeds).get("out"), got = ce.run(feeds).get("out");
            assertEquals(c.chains(), ((CpuExecutable) ce).lastPlanStats().chains());
            for (int i = 0; i < want.size(); i++) {
                if (Double.isNaN(want.get(i))) assertTrue(Double.isNaN(got.get(i)), "NaN at " + i);
                else assertEquals(want.get(i), got.get(i), 1e-5 * Math.max(1, Math.abs(want.get(i))), "element " + i);
            }
            assertTrue(Double.isNaN(got.get(5)));
        }
    }

    @Test
    void valuesReadOutsideTheTreeAreNotAbsorbed() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 8, 32), b = g.input("b", DType.F32, 8, 32);
        Tensor s = a.add(b).exp();
        g.output("s", s);
        g.output("t", s.mul(a).sub(b));
        g.output("u", s.sum());
        Random r = new Random(4);
        Map<String, HostTensor> feeds = Map.of("a", HostTensor.of(Cpu.random(r, 256), 8, 32), "b", HostTensor.of(Cpu.random(r, 256), 8, 32));
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(g.build()); var ce = cpu.compile(g.build())) {
            Outputs want = re.run(feeds), got = ce.run(feeds);
            for (String n : List.of("s", "t", "u")) {
                for (int i = 0; i < want.get(n).size(); i++) assertEquals(want.get(n).get(i), got.get(n).get(i), 1e-4 * Math.max(1, Math.abs(want.get(n).get(i))), n);
            }
            // s is an output, and the sum reads it after t: t's chain (mul, sub) takes s's chain (add, exp) in and stores s
            // beside t (a sibling with its own buffer, which the sum reads), one pass for both
            PlanStats st = ((CpuExecutable) ce).lastPlanStats();
            assertEquals(1, st.chains());
            assertEquals(2, st.fused());
            assertEquals(1, st.siblings());
        }
    }

    /**
     * AdamW's update as asg-nn writes it: the moments' chains merge into the parameter's (one chain, two siblings), every
     * value written into its parameter, and after three runs the parameters are bit for bit those of the anomaly-mode plan,
     * which fuses and merges nothing.
     */
    @Test
    void anOptimizersUpdateIsOneChainWithThreeOutputs() {
        float[][] fusedParams = adamw(false), unfusedParams = adamw(true);
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < fusedParams[k].length; i++) {
                assertEquals(Float.floatToIntBits(unfusedParams[k][i]), Float.floatToIntBits(fusedParams[k][i]), "parameter " + k + "[" + i + "]");
            }
        }
    }

    /** Three AdamW steps on 700 elements, the parameters p, m, v after them; {@code anomaly}: the unfused plan. */
    private static float[][] adamw(boolean anomaly) {
        GraphBuilder g = new GraphBuilder();
        Tensor p = g.parameter("p", Shape.of(700), DType.F32, new dev.jasg.core.Init.Constant(0.5), true);
        Tensor m = g.parameter("m", Shape.of(700), DType.F32, dev.jasg.core.Init.zeros(), false);
        Tensor v = g.parameter("v", Shape.of(700), DType.F32, dev.jasg.core.Init.zeros(), false);
        Tensor grad = g.input("g", DType.F32, 700), decay = g.input("decay", DType.F32), step = g.input("step", DType.F32);
        Tensor bc2 = g.input("bc2", DType.F32);
        g.output("loss", p.mul(grad).sum());
        Tensor m1 = m.add(grad.sub(m).mul(0.1));
        Tensor v1 = v.mul(0.999).add(grad.mul(grad).mul(0.001));
        Tensor p1 = p.mul(decay).sub(step.mul(m1.div(v1.sqrt().div(bc2).add(1e-8))));
        g.assign(m, m1);
        g.assign(v, v1);
        g.assign(p, p1);
        Map<String, HostTensor> feeds = Map.of("g", HostTensor.of(Cpu.random(new Random(5), 700), 700), "decay", HostTensor.scalar(0.999f),
                "step", HostTensor.scalar(1e-3f), "bc2", HostTensor.scalar(0.3f));
        try (Backend cpu = new CpuBackend(); var ce = cpu.compile(cpu.newParameters(1), g.build())) {
            var params = ce.parameters();
            try (var scope = anomaly ? Anomaly.enable() : null) {
                for (int run = 0; run < 3; run++) ce.run(feeds);
                PlanStats st = ((CpuExecutable) ce).lastPlanStats();
                assertEquals(anomaly ? 0 : 2, st.siblings(), "the moments stored by the parameter's chain");
                if (!anomaly) assertEquals(3, ((CpuExecutable) ce).lastPlan().assignedInPlace(), "all three written in place");
            }
            return new float[][] {params.get("p").floats(), params.get("m").floats(), params.get("v").floats()};
        }
    }

    /** Two lone nodes merged (an output read later by a second lone node): one chain of two, counted as such. */
    @Test
    void twoLoneNodesMergedCountAsOneChain() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 8, 32);
        Tensor e = a.exp();
        g.output("e", e);
        g.output("n", e.neg());
        Map<String, HostTensor> feeds = Map.of("a", HostTensor.of(Cpu.random(new Random(6), 256), 8, 32));
        try (Backend cpu = new CpuBackend(); var ce = cpu.compile(g.build())) {
            Outputs got = ce.run(feeds);
            for (int i = 0; i < 256; i++) {
                assertEquals(Math.exp(feeds.get("a").get(i)), got.get("e").get(i), 1e-6 * Math.exp(feeds.get("a").get(i)), "e[" + i + "]");
                assertEquals(-got.get("e").get(i), got.get("n").get(i), 0, "n[" + i + "]");
            }
            PlanStats st = ((CpuExecutable) ce).lastPlanStats();
            assertEquals(1, st.siblings(), "e stored by n's chain");
            assertEquals(1, st.chains(), "one chain of two nodes");
        }
    }

    private static Tensor[] inputs(GraphBuilder g, Case c) {
        Tensor[] in = new Tensor[c.shapes().length];
        for (int i = 0; i < in.length; i++) in[i] = g.input(String.valueOf((char) ('a' + i)), DType.F32, Shape.of(c.shapes()[i]));
        return in;
    }

    private static Map<String, HostTensor> feeds(Case c, Random r) {
        Map<String, HostTensor> feeds = new HashMap<>();
        for (int i = 0; i < c.shapes().length; i++) {
            int[] d = c.shapes()[i];
            float[] v = Cpu.random(r, Shape.of(d).sizeInt());
            // positive values where a log or sqrt would see them
            for (int k = 0; k < v.length; k++) v[k] = c.name().equals("diamond") || c.name().equals("adam update") ? Math.abs(v[k]) + 0.1f : v[k];
            feeds.put(String.valueOf((char) ('a' + i)), HostTensor.of(v, d));
        }
        return feeds;
    }

    private static void check(Case c, boolean grads) {
        GraphBuilder g = new GraphBuilder();
        Tensor[] in = inputs(g, c);
        Map<String, HostTensor> feeds = feeds(c, new Random(c.name().hashCode()));
        Tensor out = c.body().apply(in);
        g.output("out", out);
        List<Graph> graphs = new ArrayList<>();
        if (grads) {
            int[] od = out.shape().dims();
            Tensor w = g.input("r", DType.F32, Shape.of(od));
            feeds.put("r", HostTensor.of(Cpu.random(new Random(1), out.shape().sizeInt()), od));
            Tensor loss = out.mul(w).sum();
            g.output("loss", loss);
            Graph f = g.build();
            graphs.add(f);
            graphs.add(Autograd.gradients(f, loss, List.of(in)));
        } else {
            graphs.add(g.build());
        }
        Graph[] gs = graphs.toArray(Graph[]::new);
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(gs); var ce = cpu.compile(gs)) {
            Outputs want = re.run(feeds), got = ce.run(feeds);
            PlanStats st = ((CpuExecutable) ce).lastPlanStats();
            if (!grads) {
                if (c.chains() < 0) assertTrue(st.chains() >= 1, c.name() + ": chains " + st.chains());
                else assertEquals(c.chains(), st.chains(), c.name() + ": chains");
                if (c.fused() < 0) assertTrue(st.fused() >= 2, c.name() + ": fused " + st.fused());
                else assertEquals(c.fused(), st.fused(), c.name() + ": absorbed nodes");
            }
            Map<String, HostTensor> fused = new HashMap<>();
            for (Graph gr : graphs) for (String name : gr.outputs().keySet()) fused.put(name, got.get(name));
            Outputs unfused;
            try (var scope = Anomaly.enable()) {
                unfused = ce.run(feeds);
                assertEquals(0, ((CpuExecutable) ce).lastPlanStats().chains(), "the anomaly-mode plan fuses nothing");
                for (Graph gr : graphs) {
                    for (String name : gr.outputs().keySet()) {
                        HostTensor w = want.get(name), x = fused.get(name), u = unfused.get(name);
                        assertEquals(w.shape(), x.shape(), c.name() + " " + name);
                        for (int i = 0; i < w.size(); i++) {
                            String at = c.name() + (grads ? " (gradients) " : " ") + name + "[" + i + "]";
                            assertEquals(w.get(i), x.get(i), 1e-4 * Math.max(1, Math.abs(w.get(i))), at);
                            assertEquals(Float.floatToIntBits((float) u.get(i)), Float.floatToIntBits((float) x.get(i)), at + " fused vs unfused");
                        }
                    }
                }
            }
        }
    }
}
