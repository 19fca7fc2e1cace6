package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend against the reference interpreter (found through the ServiceLoader, so
 * this compiles before the interpreter exists and is skipped while it is absent).
 */
@SuppressWarnings("try") // scopes opened with try-with-resources are not referenced in the body
class ReferenceComparisonTest {

    private static void compare(Graph g, Map<String, HostTensor> feeds, double tol) {
        try (Backend cpu = new CpuBackend(); var ce = cpu.compile(g)) {
            Outputs o = ce.run(feeds);
            for (String name : g.outputs().keySet()) o.get(name); // runs and fetches even without the reference
        }
        assumeTrue(Backends.available().contains("reference"), "reference backend not on the class path");
        try (Backend ref = Backends.create("reference"); Backend cpu = new CpuBackend();
             var re = ref.compile(g); var ce = cpu.compile(g)) {
            Outputs want = re.run(feeds), got = ce.run(feeds);
            for (String name : g.outputs().keySet()) {
                HostTensor w = want.get(name), c = got.get(name);
                assertEquals(w.shape(), c.shape(), name);
                // the reference keeps float results in double; the cpu gives the node's own dtype
                assertEquals(g.output(name).dtype(), c.dtype(), name);
                for (int i = 0; i < w.size(); i++) {
                    double a = w.get(i), b = c.get(i);
                    if (Double.isNaN(a) && Double.isNaN(b)) continue;
                    assertEquals(a, b, tol * Math.max(1, Math.abs(a)), name + " element " + i);
                }
            }
        }
    }

    private static HostTensor randn(Random r, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        return HostTensor.of(Cpu.random(r, n), dims);
    }

    @Test
    void randomMlpForwardPass() {
        Random r = new Random(42);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 20);
        Tensor labels = g.input("y", DType.I32, "B");
        Tensor h;
        try (var s = g.scope("fc1")) {
            Tensor w = Cpu.param(g, "weight", new Init.Values(randn(r, 20, 64)), 20, 64);
            Tensor b = Cpu.param(g, "bias", new Init.Values(randn(r, 64)), 64);
            h = x.matmul(w).add(b).gelu();
        }
        Tensor logits;
        try (var s = g.scope("fc2")) {
            // small weights keep tanh off its saturated tails, where f32 rounds distinct logits to
            // equal ones and arg-max ties would differ from the double reference for a legitimate reason
            HostTensor w0 = randn(r, 64, 10);
            float[] wv = w0.floats();
            for (int i = 0; i < wv.length; i++) wv[i] *= 0.05f;
            Tensor w = Cpu.param(g, "weight", new Init.Values(w0), 64, 10);
            logits = h.matmul(w).tanh().mul(3);
        }
        Tensor logp = logits.logSoftmax(1);
        Tensor correct = logits.argmax(1).eq(labels).cast(DType.F32).mean();
        g.output("logp", logp);
        g.output("probs", logits.softmax(1));
        g.output("loss", logp.max(1, false).neg().mean());
        g.output("acc", correct);
        int[] y = new int[32];
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(10);
        compare(g.build(), Map.of("x", randn(r, 32, 20), "y", HostTensor.ofInts(y, 32)), 1e-5);
    }

    @Test
    void shapeOpsAndReductions() {
        Random r = new Random(5);
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3, 4, 5);
        Tensor p = a.permute(3, 1, 0, 2);
        g.output("p", p);
        g.output("sum", p.sum(new int[] {0, 2}, true));
        g.output("var", a.var(new int[] {1, 3}, true, false));
        g.output("slice", a.slice(3, 1, 5, 2).exp());
        g.output("cat", Tensor.concat(2, a, a.slice(2, 0, 1).sqrt().abs()));
        g.output("mm", a.matmul(a.mT()));
        g.output("where", Tensor.where(a.lt(g.scalar(0)), a.sigmoid(), a.mul(a)));
        g.output("cnt", a.count(0, 2));
        compare(g.build(), Map.of("a", randn(r, 2, 3, 4, 5)), 1e-5);
    }

    @Test
    void integerAndMaskOps() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.I32, "B", 4), b = g.input("b", DType.I32, 4);
        g.output("div", a.div(b));
        g.output("mix", a.mul(b).sub(a).maximum(b.neg()).abs());
        g.output("sum", a.sum(0));
        g.output("mask", a.ge(b).cast(DType.I32).add(a.cast(DType.BOOL).cast(DType.I32)));
        g.output("where", Tensor.where(a.lt(b), a, b.expand("B", 4)));
        g.output("toF", a.cast(DType.F32).div(3));
        compare(g.build(), Map.of("a", HostTensor.ofInts(new int[] {7, -7, 0, 5, -3, 2, 9, -1}, 2, 4),
                "b", HostTensor.ofInts(new int[] {2, 3, -4, 5}, 4)), 1e-6); // integers are exact at this tolerance
    }
}
