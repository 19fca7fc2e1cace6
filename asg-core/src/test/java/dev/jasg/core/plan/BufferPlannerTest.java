package dev.jasg.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table tests of the buffer planner: lifetimes, views, in-place legality, snapshots, alignment and peak. */
class BufferPlannerTest {
    /** A planned program: the graph, its binding, and node ids by name. */
    record Planned(Program program, Program.Binding binding, BufferPlan plan, Map<String, Integer> ids) {
        int id(String name) {
            return ids.get(name);
        }
    }

    /** Builds a graph with {@code body} (which names the nodes it will ask about), binds zero feeds and plans it. */
    static Planned plan(PlanPolicy policy, boolean reuse, Consumer<Builder> body) {
        Builder b = new Builder();
        body.accept(b);
        Graph graph = b.g.build();
        Program program = Program.of(List.of(graph));
        Map<String, HostTensor> feeds = new HashMap<>();
        for (var e : program.inputs().entrySet()) feeds.put(e.getKey(), HostTensor.zeros(e.getValue().dtype(), e.getValue().shape()));
        Program.Binding binding = program.bind(feeds);
        BufferPlan plan = BufferPlanner.plan(program, binding, policy, reuse);
        PlanChecker.check(program, binding, policy, plan);
        return new Planned(program, binding, plan, b.ids);
    }

    /** A graph builder that names nodes for the assertions. */
    static final class Builder {
        final GraphBuilder g = new GraphBuilder();
        final Map<String, Integer> ids = new HashMap<>();

        Tensor name(String name, Tensor t) {
            ids.put(name, t.id());
            return t;
        }
    }

    static Stream<Arguments> rows() {
        TestPolicy buf = TestPolicy.buffers(), arena = TestPolicy.arena(16);
        return Stream.of(
                // a chain of elementwise ops runs in one buffer in place: each result over the last
                Arguments.of("chain in place", buf, true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 8);
                    Tensor a = b.name("a", x.exp()), c = b.name("c", a.neg()), d = b.name("d", c.exp());
                    b.g.output("d", d);
                }, (Consumer<Planned>) p -> {
                    assertEquals(-1, p.plan().inPlaceOf(p.id("a")), "x is a feed: never written over");
                    assertEquals(p.id("a"), p.plan().inPlaceOf(p.id("c")));
                    assertEquals(p.id("c"), p.plan().inPlaceOf(p.id("d")));
                    assertEquals(1, p.plan().bufferCount());
                    assertEquals(32, p.plan().peakBytes());
                }),
                // without in place the chain alternates between two buffers
                Arguments.of("chain without in place", buf.withInPlace(false), true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 8);
                    b.g.output("d", x.exp().neg().exp());
                }, (Consumer<Planned>) p -> {
                    assertEquals(2, p.plan().bufferCount());
                    assertEquals(64, p.plan().peakBytes());
                }),
                // a value read later is never written over, even when another operand dies at the op
                Arguments.of("no in place over a value read later", buf, true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 8);
                    Tensor a = b.name("a", x.exp());
                    Tensor c = b.name("c", a.neg());
                    Tensor d = b.name("d", a.add(c));
                    b.g.output("d", d);
                }, (Consumer<Planned>) p -> {
                    assertEquals(-1, p.plan().inPlaceOf(p.id("c")), "a is read again by d");
                    assertNotEquals(-1, p.plan().inPlaceOf(p.id("d")), "a and c both die at d");
                }),
                // parameters, feeds, constants and outputs are never written over
                Arguments.of("no in place over leaves or outputs", buf, true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 4);
                    Tensor w = b.g.parameter("w", Init.zeros(), 4);
                    Tensor k = b.g.constant(HostTensor.of(new float[] {1, 2, 3, 4}, 4));
                    Tensor o = b.name("o", x.exp());
                    b.g.output("o", o);
                    b.g.output("p", b.name("p", o.neg()));
                    b.g.output("q", b.name("q", w.neg()));
                    b.g.output("r", b.name("r", k.neg()));
                }, (Consumer<Planned>) p -> {
                    for (String n : List.of("o", "p", "q", "r")) assertEquals(-1, p.plan().inPlaceOf(p.id(n)), n);
                }),
                // a fed input (written before the first step) is never written over either
                Arguments.of("no in place over fed storage", buf.withInputs(PlanPolicy.Storage.FED), true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 4);
                    b.g.output("a", b.name("a", x.exp()));
                }, (Consumer<Planned>) p -> assertEquals(-1, p.plan().inPlaceOf(p.id("a")))),
                // a view shares its operand's storage and keeps it alive to its own last read
                Arguments.of("view extends its source", buf, true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 2, 4);
                    Tensor a = b.name("a", x.exp());
                    Tensor v = b.name("v", a.reshape(8));
                    Tensor c = b.name("c", a.neg()); // a dies here, but its view v is read later
                    Tensor d = b.name("d", v.exp());
                    b.g.output("s", c.reshape(8).add(d));
                }, (Consumer<Planned>) p -> {
                    BufferPlan plan = p.plan();
                    assertEquals(p.id("a"), plan.viewOf(p.id("v")));
                    assertEquals(p.id("a"), plan.root(p.id("v")));
                    assertEquals(plan.rangeOf(p.id("a")), plan.rangeOf(p.id("v")));
                    assertEquals(-1, plan.inPlaceOf(p.id("c")), "a's storage is still read through v");
                    assertTrue(plan.rangeOf(p.id("a")).last() >= p.program().schedule().indexOf(p.program().graph().node(p.id("d"))));
                }),
                // a view of a parameter that is an output gets a snapshot (assignments may overwrite the parameter)
                Arguments.of("snapshot of a parameter view", buf, true, (Consumer<Builder>) b -> {
                    Tensor w = b.g.parameter("w", Init.zeros(), 2, 2);
                    Tensor v = b.name("v", w.reshape(4));
                    b.g.output("v", v);
                    b.g.assign(w, w.neg());
                }, (Consumer<Planned>) p -> {
                    BufferPlan plan = p.plan();
                    assertFalse(plan.planned(p.id("v")));
                    assertTrue(plan.hasSnapshot(p.id("v")));
                    assertEquals(p.program().schedule().size(), plan.snapshotOf(p.id("v")).first());
                }),
                // a constant's view needs no snapshot: nothing writes a constant
                Arguments.of("no snapshot of a constant", buf, true, (Consumer<Builder>) b -> {
                    Tensor k = b.g.constant(HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2));
                    b.g.output("v", b.name("v", k.reshape(4)));
                }, (Consumer<Planned>) p -> assertFalse(p.plan().hasSnapshot(p.id("v")))),
                // arena: a chain needs two live values at a time; the feed is live from the start
                Arguments.of("arena peak of a chain", arena, true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 64);
                    b.g.output("d", x.exp().neg().exp());
                }, (Consumer<Planned>) p -> {
                    assertEquals(1, p.plan().bufferCount());
                    assertEquals(512, p.plan().peakBytes());
                }),
                // arena: a preloaded constant is never shared, so it adds to the peak
                Arguments.of("arena keeps preloaded values", arena, true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 64);
                    Tensor k = b.name("k", b.g.constant(HostTensor.of(new float[64], 64)));
                    b.g.output("d", x.exp().neg().exp().add(k));
                }, (Consumer<Planned>) p -> {
                    assertEquals(BufferPlan.END, p.plan().rangeOf(p.id("k")).last());
                    assertEquals(0, p.plan().rangeOf(p.id("k")).first());
                    assertEquals(768, p.plan().peakBytes());
                }),
                // alignment: a 12-byte value takes a 64-byte range at a multiple of 64
                Arguments.of("alignment", TestPolicy.arena(64), true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 3);
                    b.g.output("a", b.name("a", x.exp()));
                    b.g.output("c", b.name("c", x.neg()));
                }, (Consumer<Planned>) p -> {
                    assertEquals(64, p.plan().rangeOf(p.id("a")).bytes());
                    assertEquals(0, p.plan().offset(p.id("a")) % 64);
                    assertEquals(192, p.plan().peakBytes(), "x, a and c are live at once");
                }),
                // without reuse nothing shares and nothing runs in place
                Arguments.of("no reuse", buf, false, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 8);
                    b.g.output("d", b.name("d", x.exp().neg().exp()));
                }, (Consumer<Planned>) p -> {
                    assertEquals(3, p.plan().bufferCount());
                    assertEquals(-1, p.plan().inPlaceOf(p.id("d")));
                }),
                // storage classes never share: the integer value gets a buffer of its own
                Arguments.of("storage classes", buf.withClasses().withInPlace(false), true, (Consumer<Builder>) b -> {
                    Tensor x = b.g.input("x", DType.F32, 8);
                    Tensor a = b.name("a", x.exp());
                    Tensor i = b.name("i", a.cast(DType.I32));
                    Tensor c = b.name("c", i.cast(DType.F32).exp());
                    b.g.output("c", c);
                }, (Consumer<Planned>) p -> {
                    BufferPlan plan = p.plan();
                    int ci = plan.buffer(p.id("i"));
                    assertEquals(1, plan.bufferClass(ci));
                    for (int k = 0; k < plan.bufferCount(); k++) {
                        if (k != ci) assertEquals(0, plan.bufferClass(k));
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void row(String name, PlanPolicy policy, boolean reuse, Consumer<Builder> body, Consumer<Planned> check) {
        check.accept(plan(policy, reuse, body));
    }

    @Test
    void plansAreDeterministic() {
        Consumer<Builder> body = b -> {
            Tensor x = b.g.input("x", DType.F32, 4, 4);
            Tensor y = x.exp().add(x.neg()).reshape(16).exp();
            b.g.output("y", y.mul(y));
        };
        for (PlanPolicy policy : List.of(TestPolicy.buffers(), TestPolicy.arena(16))) {
            assertEquals(plan(policy, true, body).plan().ranges(), plan(policy, true, body).plan().ranges());
        }
    }

    @Test
    void refusesAViewOfANonOperand() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 4);
        Tensor a = x.exp(), c = a.neg();
        g.output("c", c);
        Program program = Program.of(List.of(g.build()));
        Program.Binding binding = program.bind(Map.of("x", HostTensor.zeros(DType.F32, x.shape())));
        PlanPolicy viewOfX = new PlanPolicy() {
            @Override
            public Packing packing() {
                return Packing.BUFFERS;
            }

            @Override
            public long alignment() {
                return 4;
            }

            @Override
            public long bytes(Node n, Program.Binding b) {
                return 16;
            }

            @Override
            public Storage storage(Node n) {
                return n.op() instanceof Op.Input ? Storage.EXTERNAL : Storage.COMPUTED;
            }

            @Override
            public int viewOf(Node n, Program.Binding b) {
                return n.id() == c.id() ? x.id() : -1;
            }

            @Override
            public boolean inPlace(Node n, int k, Program.Binding b) {
                return false;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> BufferPlanner.plan(program, binding, viewOfX));
        assertThrows(IllegalArgumentException.class, () -> BufferPlanner.plan(program, binding, TestPolicy.arena(12)));
    }
    /**
     * An assigned value the policy makes {@link PlanPolicy.Storage#ASSIGNED} (a backend writes it into its parameter) takes
     * no range and no snapshot, though it is kept; a view of it that is an output still gets a snapshot, as a view of a
     * parameter does; the other assigned value keeps its range to the end.
     */
    @Test
    void anAssignedValueInItsParameterTakesNoStorage() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 4);
        Tensor w = g.parameter("w", Init.zeros(), 4), u = g.parameter("u", Init.zeros(), 4);
        Tensor w1 = w.sub(x), u1 = u.add(x), view = w1.reshape(2, 2);
        g.assign(w, w1);
        g.assign(u, u1);
        g.output("view", view);
        Program program = Program.of(List.of(g.build()));
        Program.Binding binding = program.bind(Map.of("x", HostTensor.zeros(DType.F32, x.shape())));
        PlanPolicy.ViewRule reshapes = (n, b) -> n.op() instanceof Op.Reshape ? n.input(0) : -1;
        PlanPolicy inParameter = PlanPolicy.deviceArena(16, reshapes, (n, lastUse) -> lastUse, id -> id == w1.id(), id -> false);
        for (boolean reuse : new boolean[] {true, false}) {
            BufferPlan plan = BufferPlanner.plan(program, binding, inParameter, reuse);
            assertFalse(plan.planned(w1.id()), "no range of its own");
            assertFalse(plan.hasSnapshot(w1.id()), "no snapshot: it lives in its parameter");
            assertEquals(w1.id(), plan.root(w1.id()));
            assertTrue(plan.hasSnapshot(view.id()), "an output viewing it is copied out, as a view of a parameter is");
            assertTrue(plan.planned(u1.id()), "the other assigned value keeps its range");
            assertEquals(BufferPlan.END, plan.rangeOf(u1.id()).last());
        }
    }

    /**
     * {@link PlanPolicy#inPlaceAssignments} as a table: per row a graph and which of its assignments may be written in
     * place, with reshapes as views and every computed value elementwise except products.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("inPlaceRows")
    void inPlaceAssignments(String name, Consumer<GraphBuilder> build, boolean[] want) {
        GraphBuilder g = new GraphBuilder();
        build.accept(g);
        Program program = Program.of(List.of(g.build()));
        Map<String, HostTensor> feeds = new HashMap<>();
        for (var e : program.inputs().entrySet()) feeds.put(e.getKey(), HostTensor.zeros(DType.F32, e.getValue().shape()));
        Program.Binding binding = program.bind(feeds);
        boolean[] got = PlanPolicy.inPlaceAssignments(program, binding, (n, b) -> n.op() instanceof Op.Reshape ? n.input(0) : -1,
                (n, lastUse) -> lastUse, id -> !(program.graph().node(id).op() instanceof Op.MatMul));
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(got), name);
    }

    static Stream<Arguments> inPlaceRows() {
        return Stream.of(
                Arguments.of("an update nothing reads the old parameter after", (Consumer<GraphBuilder>) g -> {
                    Tensor p = g.parameter("p", Init.zeros(), 4), x = g.input("x", DType.F32, 4);
                    g.output("y", p.mul(x).sum());
                    g.assign(p, p.sub(x));
                }, new boolean[] {true}),
                Arguments.of("the old parameter read after the update", (Consumer<GraphBuilder>) g -> {
                    Tensor p = g.parameter("p", Init.zeros(), 4), x = g.input("x", DType.F32, 4);
                    Tensor p1 = p.add(x);
                    g.assign(p, p1);
                    g.output("y", p1.mul(p).sum());
                }, new boolean[] {false}),
                Arguments.of("a view of the old parameter read after the update", (Consumer<GraphBuilder>) g -> {
                    Tensor p = g.parameter("p", Init.zeros(), 4), x = g.input("x", DType.F32, 4);
                    Tensor p1 = p.add(x);
                    g.assign(p, p1);
                    g.output("y", p1.mul(p.reshape(2, 2).reshape(4)).sum());
                }, new boolean[] {false}),
                Arguments.of("the parameter is an output", (Consumer<GraphBuilder>) g -> {
                    Tensor p = g.parameter("p", Init.zeros(), 4);
                    g.output("p", p.reshape(2, 2));
                    g.assign(p, p.add(1));
                }, new boolean[] {false}),
                Arguments.of("the value is an output, a view, or a product", (Consumer<GraphBuilder>) g -> {
                    Tensor p = g.parameter("p", Init.zeros(), 4), q = g.parameter("q", Init.zeros(), 2, 2), w = g.parameter("w", Init.zeros(), 2, 2);
                    Tensor x = g.input("x", DType.F32, 4);
                    Tensor p1 = p.add(x);
                    g.output("p1", p1);
                    g.assign(p, p1);
                    g.assign(q, x.reshape(2, 2));
                    g.assign(w, w.matmul(x.reshape(2, 2)));
                }, new boolean[] {false, false, false}),
                Arguments.of("one value assigned to two parameters (neither), a one-element update from a sum (in place)", (Consumer<GraphBuilder>) g -> {
                    Tensor p = g.parameter("p", Init.zeros(), 4), q = g.parameter("q", Init.zeros(), 4), r = g.parameter("r", Init.zeros(), 1);
                    Tensor x = g.input("x", DType.F32, 4);
                    Tensor both = x.mul(2);
                    g.assign(p, both);
                    g.assign(q, both);
                    g.assign(r, x.sum().reshape(1).add(r));
                }, new boolean[] {false, false, true}));
    }
}
