package dev.jasg.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Assigned values a backend writes straight into their parameters (the CPU's and Vulkan's in-place rule) as a table:
 * each row a graph with assignments and how many of them may go in place; {@link #check} runs it three times against the
 * reference interpreter (outputs after every run, parameters after the last), so a value written in place too early (a
 * later reader of the old parameter, an output of the parameter itself) shows as a wrong number, not only as a wrong count.
 */
public final class AssignmentCases {
    private AssignmentCases() {}

    /** One row: a name, the graph, and the assignments written in place. */
    public record Case(String name, Consumer<GraphBuilder> build, int inPlace) {}

    private static Tensor param(GraphBuilder g, String name, double init, int... dims) {
        return g.parameter(name, Shape.of(dims), DType.F32, init == 0 ? Init.zeros() : new Init.Constant(init), true);
    }

    /** Every row. */
    public static List<Case> all() {
        return List.of(
                new Case("an elementwise update, nothing reading the parameter after it", g -> {
                    Tensor p = param(g, "p", 0.5, 6, 5);
                    Tensor x = g.input("x", DType.F32, 6, 5);
                    g.output("y", p.mul(x).sum());
                    g.assign(p, p.sub(x.mul(0.1)));
                }, 1),
                new Case("AdamW-like: both moments and the parameter, the moments read by the parameter's update", g -> {
                    Tensor p = param(g, "p", 0.25, 40), m = param(g, "m", 0, 40), v = param(g, "v", 0, 40);
                    Tensor grad = g.input("g", DType.F32, 40);
                    g.output("loss", p.mul(grad).sum());  // built first, so scheduled before the updates
                    Tensor m1 = m.add(grad.sub(m).mul(0.1));
                    Tensor v1 = v.mul(0.999).add(grad.mul(grad).mul(0.001));
                    g.assign(m, m1);
                    g.assign(v, v1);
                    g.assign(p, p.mul(0.99).sub(m1.div(v1.sqrt().add(1e-8)).mul(1e-3)));
                }, 3),
                new Case("merged updates: the parameter's reads the old moment besides the new one, so the moment is copied", g -> {
                    // the moment's kernel merges into the parameter's (one kernel, two outputs); a member of it reads the old m
                    // for the parameter only, and would read the new one if m1 were stored over m first
                    Tensor p = param(g, "p", 0.25, 40), m = param(g, "m", 0.5, 40);
                    Tensor grad = g.input("g", DType.F32, 40);
                    g.output("loss", p.mul(grad).sum());
                    Tensor m1 = m.mul(0.9).add(grad);
                    g.assign(m, m1);
                    g.assign(p, p.sub(m1.mul(1e-2)).add(m.mul(0.5)));
                }, 1),
                new Case("the same update with the parameter read after it (built later): that one is copied", g -> {
                    Tensor p = param(g, "p", 0.25, 40), m = param(g, "m", 0, 40);
                    Tensor grad = g.input("g", DType.F32, 40);
                    Tensor m1 = m.add(grad.sub(m).mul(0.1));
                    g.assign(m, m1);
                    g.assign(p, p.sub(m1.mul(1e-3)));
                    g.output("loss", p.mul(grad).sum());
                }, 1),
                new Case("a parameter read after its update keeps the copy", g -> {
                    Tensor p = param(g, "p", 2, 7);
                    Tensor x = g.input("x", DType.F32, 7);
                    Tensor p1 = p.add(x);
                    g.assign(p, p1);
                    g.output("y", p1.mul(p).sum());  // reads the old p after p1 is computed
                }, 0),
                new Case("views of the value (a reshape read by a later op, a reshape as an output) follow it", g -> {
                    Tensor p = param(g, "p", 0.5, 4, 6);
                    Tensor x = g.input("x", DType.F32, 4, 6);
                    g.output("y", p.mul(x).sum());
                    Tensor p1 = p.sub(x.mul(0.25));
                    g.assign(p, p1);
                    g.output("flat", p1.reshape(24));
                    g.output("rows", p1.reshape(6, 4).exp().sum(1));
                }, 1),
                new Case("an output that is the parameter itself wants the old value: copied", g -> {
                    Tensor w = param(g, "w", 1, 2, 2);
                    g.output("w", w);
                    g.output("wr", w.reshape(4));
                    g.assign(w, w.add(1));
                }, 0),
                new Case("an assigned value that is also an output keeps the copy", g -> {
                    Tensor p = param(g, "p", 1, 9);
                    Tensor p1 = p.mul(1.5);
                    g.assign(p, p1);
                    g.output("p1", p1);
                }, 0),
                new Case("a product is not elementwise: its result is copied", g -> {
                    Tensor w = param(g, "w", 0.125, 8, 8);
                    Tensor x = g.input("x", DType.F32, 8, 8);
                    g.assign(w, x.matmul(w));
                    g.output("s", x.sum());
                }, 0),
                new Case("a counter: a scalar parameter plus one", g -> {
                    Tensor t = g.parameter("t", Shape.scalar(), DType.F32, Init.zeros(), false);
                    Tensor x = g.input("x", DType.F32, 3);
                    g.output("y", x.mul(t).sum());
                    g.assign(t, t.add(1));
                }, 1));
    }

    /**
     * Runs {@code c} three times on {@code backend} and on the reference interpreter, compares every output (each run) and
     * parameter (after the last) within {@code tol}, and the assignments {@code inPlace} says the executable wrote in place.
     */
    public static void check(Backend backend, Case c, ToIntFunction<Executable> inPlace, double tol) {
        GraphBuilder gb = new GraphBuilder();
        c.build().accept(gb);
        Graph g = gb.build();
        Map<String, HostTensor> feeds = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(42);
        for (var e : Program.of(List.of(g)).inputs().entrySet()) {
            float[] v = new float[(int) e.getValue().shape().size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
            feeds.put(e.getKey(), HostTensor.of(v, e.getValue().shape().dims()));
        }
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Parameters rp = ref.newParameters(1), bp = backend.newParameters(1);
            try (Executable re = ref.compile(rp, g); Executable be = backend.compile(bp, g)) {
                for (int run = 0; run < 3; run++) {
                    var want = re.run(feeds);
                    var got = be.run(feeds);
                    for (String n : want.names()) SmallOpCases.assertClose(c.name() + ", run " + run + ": " + n, want.get(n), got.get(n), tol);
                }
                assertEquals(c.inPlace(), inPlace.applyAsInt(be), "assignments written in place: " + c.name());
            }
            for (String n : rp.names()) SmallOpCases.assertClose(c.name() + ": parameter " + n, rp.get(n), bp.get(n), tol);
        }
    }
}
