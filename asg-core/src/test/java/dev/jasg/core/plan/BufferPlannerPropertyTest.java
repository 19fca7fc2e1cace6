package dev.jasg.core.plan;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random graphs (elementwise ops, broadcasts, reshapes that are views, transposes, reductions,
 * parameters, feeds, constants, several outputs, assignments) planned under every kind of
 * policy, each plan checked by the brute-force {@link PlanChecker}: no two values alive at once
 * share a byte, every read finds its value, nothing illegal is written over, the peak is right.
 */
class BufferPlannerPropertyTest {
    private static final int GRAPHS = 300;

    @Test
    void randomGraphsUnderEveryPolicy() {
        List<PlanPolicy> policies = List.of(
                TestPolicy.buffers(), TestPolicy.buffers().withInPlace(false), TestPolicy.buffers().withInputs(PlanPolicy.Storage.FED).withClasses(),
                TestPolicy.arena(4), TestPolicy.arena(16), TestPolicy.arena(64).withInPlace(true), TestPolicy.arena(16).withClasses().withInPlace(true));
        SplittableRandom r = new SplittableRandom(21);
        for (int i = 0; i < GRAPHS; i++) {
            long seed = r.nextLong();
            Graph graph = randomGraph(new SplittableRandom(seed));
            Program program = Program.of(List.of(graph));
            Map<String, HostTensor> feeds = new HashMap<>();
            for (var e : program.inputs().entrySet()) feeds.put(e.getKey(), HostTensor.zeros(e.getValue().dtype(), e.getValue().shape()));
            Program.Binding binding = program.bind(feeds);
            for (PlanPolicy policy : policies) {
                for (boolean reuse : new boolean[] {true, false}) {
                    BufferPlan plan = BufferPlanner.plan(program, binding, policy, reuse);
                    try {
                        PlanChecker.check(program, binding, policy, plan);
                        checkLowerBound(plan);
                    } catch (AssertionError e) {
                        throw new AssertionError("graph seed " + seed + ", policy " + policy + ", reuse " + reuse + ": " + e.getMessage() + "\n"
                                + graph.toText(), e);
                    }
                }
            }
        }
    }

    /** The peak is at least the bytes of the ranges alive at any one time (per class, they cannot share). */
    private static void checkLowerBound(BufferPlan plan) {
        for (BufferPlan.Range at : plan.ranges()) {
            long live = 0;
            for (BufferPlan.Range o : plan.ranges()) if (o.first() <= at.first() && at.first() <= o.last()) live += o.bytes();
            if (live > plan.peakBytes()) throw new AssertionError("at step " + at.first() + " " + live + " bytes are live but the peak is " + plan.peakBytes());
        }
    }

    static Graph randomGraph(SplittableRandom r) {
        GraphBuilder g = new GraphBuilder();
        Tensor w = g.parameter("w", Init.zeros(), 3, 4);
        List<Tensor> pool = new ArrayList<>(List.of(g.input("x", DType.F32, 3, 4), g.input("y", DType.F32, 12), w,
                g.constant(HostTensor.of(new float[] {1, 2, 3, 4}, 4))));
        int nodes = 3 + r.nextInt(25);
        for (int i = 0; i < nodes; i++) {
            Tensor a = pool.get(r.nextInt(pool.size()));
            Tensor made = switch (r.nextInt(8)) {
                case 0 -> a.exp();
                case 1 -> a.neg();
                case 2, 3 -> {
                    Tensor b = pool.get(r.nextInt(pool.size()));
                    yield compatible(a, b) ? (r.nextBoolean() ? a.add(b) : a.mul(b)) : a.neg();
                }
                case 4 -> a.shape().size() == 12 ? a.reshape(r.nextBoolean() ? new int[] {3, 4} : new int[] {12}) : a.reshape(a.shape().sizeInt());
                case 5 -> a.shape().rank() == 2 ? a.transpose(0, 1) : a.exp();
                case 6 -> a.shape().rank() == 2 ? a.sum(0) : a.sum();
                default -> a.cast(DType.I32).cast(DType.F32);
            };
            pool.add(made);
        }
        g.output("last", pool.get(pool.size() - 1));
        int outs = r.nextInt(3);
        for (int i = 0; i < outs; i++) g.output("o" + i, pool.get(r.nextInt(pool.size())));
        List<Tensor> like = pool.stream().filter(t -> Arrays.equals(t.shape().dims(), new int[] {3, 4})).toList();
        if (r.nextBoolean() && !like.isEmpty()) g.assign(w, like.get(r.nextInt(like.size())));
        return g.build();
    }

    /** True when {@code a} and {@code b} broadcast against each other. */
    private static boolean compatible(Tensor a, Tensor b) {
        int[] x = a.shape().dims(), y = b.shape().dims();
        for (int i = 1; i <= Math.min(x.length, y.length); i++) {
            int p = x[x.length - i], q = y[y.length - i];
            if (p != q && p != 1 && q != 1) return false;
        }
        return true;
    }
}
