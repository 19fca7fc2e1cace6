package dev.jasg.testkit;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Profile;
import dev.jasg.core.Profiling;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The profiling table every backend with the {@link Profiling} capability runs (issue 17): a
 * profiled run gives one entry per node of the graph, leaves with no time, computed nodes with a
 * non-negative time whose sum fits in the run's total, and each node's memory as
 * {@code elements * dtype bytes}; with profiling off nothing is recorded.
 */
public final class ProfilingCases {
    private ProfilingCases() {}

    /** One row: a name and a check run against a backend. */
    public record Case(String name, Consumer<Backend> check) {}

    /** Every row. */
    public static List<Case> all() {
        return List.of(
                new Case("mlp layer with a symbolic batch: every node, times and sizes", b -> profiled(b, mlp(), Map.of("x", random(16 * 64, 16, 64)))),
                new Case("elementwise chain with a cast to i32", b -> profiled(b, chain(), Map.of("x", random(1000, 1000)))),
                new Case("a step with an assignment and a parameter output", b -> profiled(b, step(), Map.of("x", random(8, 8)))),
                new Case("off: nothing is recorded, and the switch reads back", ProfilingCases::off));
    }

    /** {@code relu(x @ w + b).sum()}, x {@code [B, 64]}. */
    static Graph mlp() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 64);
        Tensor w, bias;
        try (var s = g.scope("fc")) {
            w = g.parameter("weight", Shape.of(64, 32), DType.F32, Init.normal(0, 0.1), true);
            bias = g.parameter("bias", Shape.of(32), DType.F32, Init.zeros(), true);
        }
        g.output("y", x.matmul(w).add(bias).relu().sum());
        return g.build();
    }

    /** {@code (exp(2x + 1) > 3)} as i32, and the mean of {@code exp(2x + 1)}. */
    static Graph chain() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 1000);
        Tensor e = x.mul(2).add(1).exp();
        g.output("mask", e.gt(3).cast(DType.I32));
        g.output("mean", e.mean());
        return g.build();
    }

    /** {@code w <- w - 0.1 x}, with {@code w} an output too. */
    static Graph step() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 8);
        Tensor w = g.parameter("w", Shape.of(8), DType.F32, Init.ones(), true);
        g.output("w", w);
        g.output("norm", w.mul(w).sum());
        g.assign(w, w.sub(x.mul(0.1)));
        return g.build();
    }

    static HostTensor random(int n, int... dims) {
        Random r = new Random(n);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return HostTensor.of(a, dims);
    }

    private static void profiled(Backend backend, Graph g, Map<String, HostTensor> feeds) {
        try (Executable exe = backend.compile(g)) {
            Profiling p = Profiling.of(exe).orElseThrow(() -> new AssertionError(backend + " executables have no Profiling capability"));
            p.setProfiling(true);
            check(p.isProfiling(), "the switch reads back on");
            exe.run(feeds);
            Profile first = p.lastProfile().orElseThrow(() -> new AssertionError("no profile after a profiled run"));
            exe.run(feeds);
            Profile prof = p.lastProfile().orElseThrow();
            check(prof != first, "each profiled run makes a new profile");
            TreeSet<Integer> want = new TreeSet<>();
            for (Node n : g.nodes()) want.add(n.id());
            TreeSet<Integer> got = new TreeSet<>();
            for (Profile.Entry e : prof.entries()) check(got.add(e.node()), "node " + e.node() + " appears once");
            check(want.equals(got), "an entry for every node: want " + want + ", got " + got);
            long computed = 0;
            for (Profile.Entry e : prof.entries()) {
                Node n = g.node(e.node());
                check(e.nanos() >= 0, e.path() + " time " + e.nanos());
                Shape concrete = e.shape();
                check(concrete.isConcrete() && concrete.rank() == n.shape().rank(), e.path() + " shape " + concrete + " for " + n.shape());
                check(e.bytes() == concrete.size() * n.dtype().bytes(), e.path() + ": " + e.bytes() + " bytes for " + n.dtype().label() + concrete);
                check(e.dtype() == n.dtype() && e.path().equals(n.path()), e.path() + " names its node");
                boolean leaf = n.op() instanceof Op.Input || n.op() instanceof Op.Parameter || n.op() instanceof Op.Constant;
                if (leaf) check(e.nanos() == 0, "leaf " + e.path() + " has no time of its own: " + e.nanos());
                else computed += e.nanos();
            }
            check(computed > 0, "some computed node took time: " + prof.entries());
            check(prof.nodeNanos() <= prof.totalNanos(), "nodes " + prof.nodeNanos() + " ns within the run's " + prof.totalNanos() + " ns");
            check(prof.totalNanos() < 10_000_000_000L, "a plausible total: " + prof.totalNanos());
            Profile.Entry in = prof.entries().stream().filter(e -> g.node(e.node()).op() instanceof Op.Input).findFirst().orElseThrow();
            check(in.shape().dim(0) == feeds.values().iterator().next().shape().dim(0), "the input's bound shape " + in.shape());
            List<Integer> path = prof.hottestPath(g);
            check(!path.isEmpty(), "a hottest path");
            for (int i = 1; i < path.size(); i++) {
                int a = path.get(i - 1), b = path.get(i);
                boolean edge = false;
                for (int k : g.node(b).inputs()) edge |= k == a;
                check(edge, "the hottest path follows edges: " + path);
            }
            p.setProfiling(false);
            exe.run(feeds);
            check(p.lastProfile().orElseThrow() == prof, "an unprofiled run leaves the last profile");
        }
    }

    private static void off(Backend backend) {
        try (Executable exe = backend.compile(mlp())) {
            Profiling p = Profiling.of(exe).orElseThrow();
            check(!p.isProfiling(), "off by default");
            exe.run(Map.of("x", random(4 * 64, 4, 64)));
            check(p.lastProfile().isEmpty(), "no profile without profiling");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    /** The names of every row, for completeness checks. */
    public static List<String> names() {
        List<String> l = new ArrayList<>();
        for (Case c : all()) l.add(c.name());
        return l;
    }
}
