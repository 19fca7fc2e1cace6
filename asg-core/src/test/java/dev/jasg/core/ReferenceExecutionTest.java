package dev.jasg.core;

import static dev.jasg.core.RefTesting.arange;
import static dev.jasg.core.RefTesting.assertExact;
import static dev.jasg.core.RefTesting.f64;
import static dev.jasg.core.RefTesting.feeds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.reference.ReferenceBackend;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference backend as a backend: parameters, assignments, feeds and their errors, lifecycle. */
class ReferenceExecutionTest {

    @Test
    void assignmentAppliesAfterTheRunAndAccumulates() {
        GraphBuilder g = new GraphBuilder();
        Tensor p = g.parameter("p", Shape.of(2), DType.F32, new Init.Constant(5), true);
        g.output("seen", p);
        g.assign(p, p.sub(1));
        try (Backend ref = new ReferenceBackend(); Executable e = ref.compile(g.build())) {
            assertExact(e.run(Map.of()).get("seen"), Shape.of(2), 5, 5);
            assertExact(e.run(Map.of()).get("seen"), Shape.of(2), 4, 4);
            HostTensor now = e.parameters().get("p");
            assertEquals(DType.F32, now.dtype());
            assertExact(now, Shape.of(2), 3, 3);
        }
    }

    @Test
    void assignmentInAContinuedGraphSharesTheStore() {
        GraphBuilder fb = new GraphBuilder();
        Tensor x = fb.input("x", DType.F32, 2);
        Tensor w = fb.parameter("w", Init.ones(), 2);
        fb.output("y", x.mul(w).sum());
        Graph forward = fb.build();
        GraphBuilder ub = new GraphBuilder(forward);
        Tensor wu = ub.tensor(w.id());
        ub.assign(wu, wu.mul(ub.tensor(x.id())));
        Graph update = ub.build();
        try (Backend ref = new ReferenceBackend()) {
            Parameters params = ref.newParameters(0);
            try (Executable train = ref.compile(params, forward, update); Executable eval = ref.compile(params, forward)) {
                HostTensor xv = f64(new double[] {2, 3}, 2);
                assertExact(train.run(feeds("x", xv)).get("y"), Shape.scalar(), 5);
                // w is now [2,3]; the eval executable sees it through the shared store.
                assertExact(eval.run(feeds("x", xv)).get("y"), Shape.scalar(), 13);
                assertExact(params.get("w"), Shape.of(2), 2, 3);
            }
        }
    }

    @Test
    void parametersAreInitialisedFromTheirInit() {
        GraphBuilder g = new GraphBuilder();
        Tensor p = g.parameter("v", Shape.of(3), DType.F32, new Init.Values(HostTensor.of(new float[] {1, 2, 3}, 3)), true);
        g.output("y", p.mul(2));
        try (Backend ref = new ReferenceBackend(); Executable e = ref.compile(g.build())) {
            assertExact(e.run(Map.of()).get("y"), Shape.of(3), 2, 4, 6);
            assertTrue(e.parameters().contains("v"));
        }
    }

    @Test
    void oneExecutableRunsTwoBatchSizes() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 2);
        Tensor y = g.input("y", DType.F32, "B");
        g.output("z", x.sum(1).add(y));
        try (Backend ref = new ReferenceBackend(); Executable e = ref.compile(g.build())) {
            assertExact(e.run(feeds("x", arange(1, 2), "y", f64(new double[] {10}, 1))).get("z"), Shape.of(1), 11);
            assertExact(e.run(feeds("x", arange(3, 2), "y", f64(new double[] {10, 20, 30}, 3))).get("z"), Shape.of(3), 11, 25, 39);
        }
    }

    @Test
    void feedErrorsNameTheInput() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 2);
        Tensor y = g.input("labels", DType.F32, "B");
        g.output("z", x.sum(1).add(y));
        try (Backend ref = new ReferenceBackend(); Executable e = ref.compile(g.build())) {
            HostTensor x3 = arange(3, 2);
            FeedException missing = assertThrows(FeedException.class, () -> e.run(feeds("x", x3)));
            assertTrue(missing.getMessage().contains("'labels'"), missing.getMessage());
            FeedException shape = assertThrows(FeedException.class, () -> e.run(feeds("x", arange(3, 4), "labels", arange(3))));
            assertTrue(shape.getMessage().contains("'x'") && shape.getMessage().contains("[3,4]"), shape.getMessage());
            FeedException rank = assertThrows(FeedException.class, () -> e.run(feeds("x", arange(6), "labels", arange(3))));
            assertTrue(rank.getMessage().contains("'x'"), rank.getMessage());
            FeedException symbol = assertThrows(FeedException.class, () -> e.run(feeds("x", x3, "labels", arange(4))));
            assertTrue(symbol.getMessage().contains("'labels'") && symbol.getMessage().contains("B=4") && symbol.getMessage().contains("B=3"),
                    symbol.getMessage());
            FeedException unknown = assertThrows(FeedException.class, () -> e.run(feeds("x", x3, "labels", arange(3), "lables", arange(3))));
            assertTrue(unknown.getMessage().contains("'lables'"), unknown.getMessage());
            FeedException dtype = assertThrows(FeedException.class,
                    () -> e.run(feeds("x", x3, "labels", HostTensor.ofInts(new int[] {1, 2, 3}, 3))));
            assertTrue(dtype.getMessage().contains("'labels'"), dtype.getMessage());
        }
    }

    @Test
    void integerInputsKeepTheirValuesAndDtype() {
        GraphBuilder g = new GraphBuilder();
        Tensor ix = g.input("i", DType.I32, 3);
        g.output("same", ix.add(ix));
        HostTensor out = RefTesting.run(g, "i", HostTensor.ofInts(new int[] {-4, 0, 9}, 3)).get("same");
        assertEquals(DType.I32, out.dtype());
        assertExact(out, Shape.of(3), -8, 0, 18);
    }

    @Test
    void unknownOutputNameListsTheOutputs() {
        GraphBuilder g = new GraphBuilder();
        g.output("loss", g.scalar(1).add(1));
        Outputs o = RefTesting.run(g);
        assertEquals(java.util.Set.of("loss"), o.names());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> o.get("los"));
        assertTrue(ex.getMessage().contains("'los'") && ex.getMessage().contains("loss"), ex.getMessage());
        assertEquals(2, o.scalar("loss"), 0);
    }

    @Test
    void closedExecutablesAndBackendsRefuseWork() {
        GraphBuilder g = new GraphBuilder();
        g.output("one", g.scalar(1));
        Graph graph = g.build();
        Backend ref = new ReferenceBackend();
        Executable e = ref.compile(graph);
        e.close();
        assertThrows(IllegalStateException.class, () -> e.run(Map.of()));
        Executable e2 = ref.compile(graph);
        ref.close();
        assertThrows(IllegalStateException.class, () -> e2.run(Map.of()));
        assertThrows(IllegalStateException.class, () -> ref.compile(graph));
        ref.close();
    }

    @Test
    void compileRejectsAForeignParameterStore() {
        GraphBuilder g = new GraphBuilder();
        g.output("p", g.parameter("p", Init.zeros(), 2));
        Graph graph = g.build();
        try (Backend ref = new ReferenceBackend(); Backend other = new ReferenceBackend()) {
            BackendException notHost = assertThrows(BackendException.class, () -> ref.compile(new Parameters() {
                @Override public java.util.Set<String> names() { return java.util.Set.of(); }
                @Override public HostTensor get(String name) { throw new IllegalArgumentException(name); }
                @Override public void set(String name, HostTensor value) { }
            }, graph));
            assertTrue(notHost.getMessage().contains("reference"), notHost.getMessage());
            assertThrows(BackendException.class, () -> ref.compile(new HostParameters(0, DType.F64), graph));
            assertThrows(BackendException.class, () -> ref.compile(other.newParameters(0), graph));
        }
    }

    @Test
    void parameterShapeClashIsAShapeError() {
        GraphBuilder a = new GraphBuilder();
        a.output("p", a.parameter("p", Init.zeros(), 2));
        GraphBuilder b = new GraphBuilder();
        b.output("p", b.parameter("p", Init.zeros(), 3));
        try (Backend ref = new ReferenceBackend()) {
            Parameters params = ref.newParameters(0);
            ref.compile(params, a.build()).close();
            ShapeException ex = assertThrows(ShapeException.class, () -> ref.compile(params, b.build()));
            assertTrue(ex.getMessage().contains("'p'"), ex.getMessage());
        }
    }

    @Test
    void foundThroughServiceLoader() {
        assertTrue(Backends.available().contains("reference"), Backends.available().toString());
        try (Backend b = Backends.create("Reference")) {
            assertInstanceOf(ReferenceBackend.class, b);
            assertEquals("reference", b.name());
        }
    }
}
