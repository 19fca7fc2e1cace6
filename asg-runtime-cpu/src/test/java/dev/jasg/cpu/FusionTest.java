package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.autograd.Autograd;
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
 * Graphs where {@link Fusion} applies (and where it must not), forward and gradients, on the CPU
 * against the reference interpreter; each case also checks, through the plan's alias count, that
 * the fusion it is about did (or did not) happen, so a rule that silently stops firing fails too.
 */
class FusionTest {
    /** Builds a loss-free forward graph from inputs named a, b, c... of the given shapes. */
    private record Case(String name, int[][] shapes, Function<Tensor[], Tensor> body) {}

    /**
     * Runs {@code c} forward and, with {@code grads}, its gradients (loss {@code sum(out * r)} for a
     * random {@code r}) wrt every input on both backends; returns the CPU plan's alias count.
     */
    private static int check(Case c, boolean grads) {
        GraphBuilder g = new GraphBuilder();
        Tensor[] in = new Tensor[c.shapes().length];
        Map<String, HostTensor> feeds = new HashMap<>();
        Random r = new Random(c.name().hashCode());
        for (int i = 0; i < in.length; i++) {
            String n = String.valueOf((char) ('a' + i));
            in[i] = g.input(n, DType.F32, Shape.of(c.shapes()[i]));
            feeds.put(n, HostTensor.of(Cpu.random(r, Shape.of(c.shapes()[i]).sizeInt()), c.shapes()[i]));
        }
        Tensor out = c.body().apply(in);
        g.output("out", out);
        List<Graph> graphs = new ArrayList<>();
        if (grads) {
            int[] od = out.shape().dims();
            Tensor w = g.input("r", DType.F32, Shape.of(od));
            feeds.put("r", HostTensor.of(Cpu.random(r, out.shape().sizeInt()), od));
            Tensor loss = out.mul(w).sum();
            g.output("loss", loss);
            Graph f = g.build();
            graphs.add(f);
            graphs.add(Autograd.gradients(f, loss, List.of(in)));
        } else {
            graphs.add(g.build());
        }
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend();
             var re = ref.compile(graphs.toArray(Graph[]::new)); var ce = cpu.compile(graphs.toArray(Graph[]::new))) {
            Outputs want = re.run(feeds), got = ce.run(feeds);
            for (Graph gr : graphs) {
                for (String name : gr.outputs().keySet()) {
                    HostTensor w = want.get(name), x = got.get(name);
                    assertEquals(w.shape(), x.shape(), c.name() + " " + name);
                    for (int i = 0; i < w.size(); i++) {
                        assertEquals(w.get(i), x.get(i), 1e-4 * Math.max(1, Math.abs(w.get(i))), c.name() + " " + name + "[" + i + "]");
                    }
                }
            }
            return ((CpuExecutable) ce).lastPlanStats().aliases();
        }
    }

    private static int aliases(Case c, boolean grads) {
        return check(c, grads);
    }

    @Test
    void linearLayerForwardAndGradients() {
        // x W^T + b: the transpose is read in place, the bias is an epilogue, the weight gradient a transposed product
        Case lin = new Case("linear", new int[][] {{6, 5}, {7, 5}, {7}}, t -> t[0].matmul(t[1].mT()).add(t[2]));
        assertEquals(2, aliases(lin, false), "the transpose and the add share buffers");
        check(lin, true);
        // the same with the bias first and as [1, n]
        check(new Case("bias first", new int[][] {{6, 5}, {7, 5}, {1, 7}}, t -> t[2].add(t[0].matmul(t[1].mT()))), true);
        check(new Case("scalar bias", new int[][] {{6, 5}, {5, 7}, {}}, t -> t[0].matmul(t[1]).add(t[2])), true);
    }

    /** HF's Conv1D, {@code x.matmul(w).add(b)} with the bias leaf made after the product: still the epilogue. */
    @Test
    void biasLeafMadeAfterTheProductIsAnEpilogue() {
        for (boolean param : new boolean[] {false, true}) {
            GraphBuilder g = new GraphBuilder();
            Random r = new Random(5);
            Tensor x = g.input("x", DType.F32, Shape.of(2, 6, 5));
            Tensor w = g.input("w", DType.F32, Shape.of(5, 7));
            Tensor y = x.matmul(w);
            float[] bv = Cpu.random(r, 7);
            Tensor b = param ? Cpu.param(g, "b", new dev.jasg.core.Init.Values(HostTensor.of(bv, 7)), 7) : g.input("b", DType.F32, Shape.of(7));
            g.output("out", y.add(b));
            Map<String, HostTensor> feeds = new HashMap<>();
            feeds.put("x", HostTensor.of(Cpu.random(r, 60), 2, 6, 5));
            feeds.put("w", HostTensor.of(Cpu.random(r, 35), 5, 7));
            if (!param) feeds.put("b", HostTensor.of(bv, 7));
            Graph graph = g.build();
            try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(graph); var ce = cpu.compile(graph)) {
                HostTensor want = re.run(feeds).get("out"), got = ce.run(feeds).get("out");
                for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), 1e-5 * Math.max(1, Math.abs(want.get(i))), "out[" + i + "]");
                assertEquals(1, ((CpuExecutable) ce).lastPlanStats().aliases(), "the add shares the product's buffer (" + (param ? "parameter" : "feed") + " bias)");
            }
        }
    }

    @Test
    void attentionLikeBatchedProducts() {
        Case att = new Case("attention", new int[][] {{2, 3, 5, 4}, {2, 3, 5, 4}, {2, 3, 5, 4}},
                t -> t[0].matmul(t[1].transpose(-2, -1)).softmax(-1).matmul(t[2]));
        check(att, false);
        check(att, true);
        // a batched transposed left operand against one shared right matrix (the planner must not fold the batch)
        check(new Case("batched A^T", new int[][] {{3, 4, 5}, {4, 6}}, t -> t[0].transpose(-2, -1).matmul(t[1])), true);
        check(new Case("batched C^T", new int[][] {{2, 3, 4}, {2, 4, 5}}, t -> t[0].matmul(t[1]).transpose(-2, -1).mul(2)), true);
        check(new Case("shared B, C^T", new int[][] {{2, 3, 4}, {4, 5}}, t -> t[0].matmul(t[1]).transpose(-2, -1).mul(2)), true);
        check(new Case("double transpose", new int[][] {{4, 3}, {4, 5}}, t -> t[0].mT().mT().mT().matmul(t[1])), true);
    }

    /** {@link #check} with {@value Fusion#PERMUTED_OPERANDS_PROPERTY} set to {@code on}; returns the plan's alias count. */
    private static int withPermutedOperands(boolean on, Case c, boolean grads) {
        System.setProperty(Fusion.PERMUTED_OPERANDS_PROPERTY, String.valueOf(on));
        try {
            return check(c, grads);
        } finally {
            System.clearProperty(Fusion.PERMUTED_OPERANDS_PROPERTY);
        }
    }

    /**
     * Rules 1 and 2 beyond transposes: a permute read only by products (attention's heads, {@code [b, l, h, d]} read as
     * {@code [b, h, l, d]}, and that transposed for the keys) is read through a leading dimension and batch strides, and a
     * product read only by a permute that keeps the last axis last (the heads merged back) writes its results where the
     * permute's go, neither copied; one the products cannot read that way (no unit stride in the matrix's axes), one that
     * anything else reads, and one that moves the result's last axis are copied. Forward and gradients against the
     * reference, with the rules and without.
     */
    @Test
    void permutedOperandsAreReadInPlace() {
        Case heads = new Case("heads", new int[][] {{2, 5, 12}, {2, 5, 12}, {2, 5, 12}}, t -> {
            Tensor q = t[0].reshape(2, 5, 3, 4).permute(0, 2, 1, 3), k = t[1].reshape(2, 5, 3, 4).permute(0, 2, 1, 3);
            Tensor v = t[2].reshape(2, 5, 3, 4).permute(0, 2, 1, 3);
            return q.matmul(k.mT()).softmax(-1).matmul(v).permute(0, 2, 1, 3).reshape(2, 5, 12);
        });
        int on = withPermutedOperands(true, heads, false), off = withPermutedOperands(false, heads, false);
        assertEquals(4, on - off, "q, k (through two permutes) and v read in place, and the heads merged as P V writes them");
        withPermutedOperands(true, heads, true);
        // keys shared by a batch of queries: [b, l, h, d] keys against [b, h, l, d] queries broadcast over nothing, and a
        // left operand whose batch axes run in the other order
        check(new Case("batch order", new int[][] {{3, 2, 4, 5}, {2, 3, 5, 6}}, t -> t[0].permute(1, 0, 2, 3).matmul(t[1])), true);
        check(new Case("broadcast right", new int[][] {{2, 4, 3, 5}, {5, 6}}, t -> t[0].permute(0, 2, 1, 3).matmul(t[1])), true);
        check(new Case("rows from the batch", new int[][] {{4, 2, 3}, {4, 5}}, t -> t[0].permute(1, 2, 0).matmul(t[1])), true);
        // results written through a permute that keeps the last axis last, batched or not; one that moves it is copied
        Case through = new Case("result through a permute", new int[][] {{2, 3, 4, 5}, {2, 3, 5, 6}}, t -> t[0].matmul(t[1]).permute(2, 0, 1, 3).exp());
        assertEquals(1, withPermutedOperands(true, through, false) - withPermutedOperands(false, through, false), "the permute shares the product's buffer");
        check(through, true);
        check(new Case("one product's rows", new int[][] {{4, 5}, {5, 6}}, t -> t[0].reshape(2, 2, 5).matmul(t[1]).permute(1, 0, 2).mul(2)), true);
        Case moved = new Case("last axis moved", new int[][] {{2, 3, 4}, {4, 5}}, t -> t[0].matmul(t[1]).permute(2, 0, 1).exp());
        assertEquals(withPermutedOperands(false, moved, false), withPermutedOperands(true, moved, false), "the result's permute is copied");
        check(moved, true);
        // no unit stride along either matrix axis: copied
        Case none = new Case("no unit stride", new int[][] {{2, 3, 4, 5}, {4, 6}}, t -> t[0].permute(0, 3, 1, 2).matmul(t[1]));
        assertEquals(withPermutedOperands(false, none, false), withPermutedOperands(true, none, false), "the permute is copied");
        check(none, true);
        // also read by an add: copied
        Case shared = new Case("permute read twice", new int[][] {{2, 3, 4}, {2, 3, 4}}, t -> {
            Tensor p = t[0].permute(1, 0, 2);
            return p.matmul(t[1].permute(1, 0, 2).mT()).add(p.sum(-1, true));
        });
        assertEquals(1, withPermutedOperands(true, shared, false) - withPermutedOperands(false, shared, false), "only the right operand's permutes");
        check(shared, true);
    }

    @Test
    void summedBatchesOfProducts() {
        // a Linear on [batch, seq, features]: its weight gradient is sum_t x_t^T g_t
        Case seq = new Case("linear on sequences", new int[][] {{2, 3, 5}, {4, 5}, {4}}, t -> t[0].matmul(t[1].mT()).add(t[2]));
        check(seq, true);
        Case plain = new Case("sum of products", new int[][] {{3, 4, 5}, {3, 5, 2}}, t -> t[0].matmul(t[1]).sum(0));
        assertEquals(1, aliases(plain, false), "the sum shares the product's buffer");
        check(plain, true);
        Case at = new Case("sum of A^T B", new int[][] {{3, 5, 4}, {3, 5, 2}}, t -> t[0].transpose(-2, -1).matmul(t[1]).sum(new int[] {0}, true));
        assertEquals(2, aliases(at, false), "the transpose and the sum share buffers");
        check(at, true);
        check(new Case("sum of A B^T", new int[][] {{2, 3, 4, 5}, {2, 3, 2, 5}}, t -> t[0].matmul(t[1].transpose(-2, -1)).sum(new int[] {0, 1}, false)), true);
        // summing only some batch axes, or a broadcast batch, is not the fused sum
        Case part = new Case("partial batch sum", new int[][] {{2, 3, 4, 5}, {2, 3, 5, 2}}, t -> t[0].matmul(t[1]).sum(1));
        assertEquals(0, aliases(part, false));
        check(part, true);
        Case bcast = new Case("broadcast batch", new int[][] {{3, 4, 5}, {1, 5, 2}}, t -> t[0].matmul(t[1]).sum(0));
        assertEquals(0, aliases(bcast, false));
        check(bcast, true);
    }

    @Test
    void noFusionWhereAValueIsNeededAsItIs() {
        // the transpose is also read by an add: it must be materialised
        Case shared = new Case("shared transpose", new int[][] {{4, 4}, {4, 4}}, t -> {
            Tensor wt = t[1].mT();
            return t[0].matmul(wt).add(wt);
        });
        assertEquals(0, aliases(shared, false));
        check(shared, true);
        // the bias is computed after the product: no epilogue
        Case late = new Case("late bias", new int[][] {{3, 4}, {4, 5}, {5}}, t -> {
            Tensor y = t[0].matmul(t[1]);
            return y.add(t[2].mul(3));
        });
        assertEquals(0, aliases(late, false));
        check(late, true);
        // a full-shape addend is not a bias
        Case full = new Case("full addend", new int[][] {{3, 4}, {4, 5}, {3, 5}}, t -> t[0].matmul(t[1]).add(t[2]));
        assertEquals(0, aliases(full, false));
        // the product is read twice
        Case twice = new Case("two readers", new int[][] {{3, 4}, {4, 5}, {5}}, t -> {
            Tensor y = t[0].matmul(t[1]);
            return y.add(t[2]).mul(y);
        });
        assertEquals(0, aliases(twice, false));
        check(twice, true);
    }

    @Test
    void outputsKeepTheirOwnValues() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 3, 4), w = g.input("w", DType.F32, 5, 4), b = g.input("b", DType.F32, 5);
        Tensor wt = w.mT(), y = a.matmul(wt);
        g.output("wt", wt);
        g.output("y", y);
        g.output("z", y.add(b));
        g.output("yt", a.matmul(wt).mT());
        Random r = new Random(5);
        Map<String, HostTensor> feeds = Map.of("a", HostTensor.of(Cpu.random(r, 12), 3, 4), "w", HostTensor.of(Cpu.random(r, 20), 5, 4),
                "b", HostTensor.of(Cpu.random(r, 5), 5));
        try (Backend ref = new ReferenceBackend(); Backend cpu = new CpuBackend(); var re = ref.compile(g.build()); var ce = cpu.compile(g.build())) {
            Outputs want = re.run(feeds), got = ce.run(feeds);
            for (String name : List.of("wt", "y", "z", "yt")) {
                HostTensor x = want.get(name), c = got.get(name);
                assertEquals(x.shape(), c.shape(), name);
                for (int i = 0; i < x.size(); i++) assertEquals(x.get(i), c.get(i), 1e-5, name + "[" + i + "]");
            }
            // only the product behind the output yt may fuse (its transpose is an output, read from the product's buffer)
            assertEquals(1, ((CpuExecutable) ce).lastPlanStats().aliases());
        }
    }
}
