package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.BackendException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.FeedException;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostParameters;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Planning, buffer reuse, aliasing, bindings, parameters and the executable's contract. */
@SuppressWarnings("try") // scopes opened with try-with-resources are not referenced in the body
class ExecutionTest {

    @Test
    void longChainReusesBuffers() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 16);
        Tensor y = x;
        for (int i = 0; i < 100; i++) y = i % 2 == 0 ? y.mul(1.01) : y.add(0.5);
        g.output("y", y);
        try (CpuBackend b = new CpuBackend(); CpuExecutable exe = (CpuExecutable) b.compile(g.build())) {
            float[] in = new float[32];
            HostTensor out = exe.run(Map.of("x", HostTensor.of(in, 2, 16))).get("y");
            double want = 0;
            for (int i = 0; i < 100; i++) want = i % 2 == 0 ? (float) (want * (float) 1.01) : (float) (want + 0.5);
            assertEquals(want, out.get(0), 1e-5);
            assertTrue(exe.plannedBufferCount() <= 3, "100 chained ops should need ~2 buffers, planned " + exe.plannedBufferCount());
            assertTrue(exe.lastPlanStats().nodes() > 200);
        }
    }

    @Test
    void diamondWithLongLifetimesIsNotCorrupted() {
        // a and r = reshape(t) stay alive across a long chain that churns through free buffers;
        // t's own last direct reader runs early, so only the alias keeps its buffer alive
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 4, 6);
        Tensor a = x.exp();
        Tensor t = x.mul(3);
        Tensor r = t.reshape(6, 4);
        Tensor left = a.mul(2);
        Tensor chain = t.add(1);
        for (int i = 0; i < 30; i++) chain = chain.mul(0.5).add(left);
        Tensor right = chain.sub(a);
        g.output("out", right.add(r.reshape(4, 6)).add(a));
        g.output("r", r);
        Random rnd = new Random(1);
        float[] xv = Cpu.random(rnd, 24);
        try (CpuBackend b = new CpuBackend(); CpuExecutable exe = (CpuExecutable) b.compile(g.build())) {
            Outputs out = exe.run(Map.of("x", HostTensor.of(xv, 4, 6)));
            double[] want = new double[24], wr = new double[24];
            for (int i = 0; i < 24; i++) {
                float av = (float) Math.exp(xv[i]), tv = xv[i] * 3f, lv = av * 2f;
                float c = tv + 1f;
                for (int k = 0; k < 30; k++) c = c * 0.5f + lv;
                want[i] = ((c - av) + tv) + av;
                wr[i] = tv;
            }
            Cpu.close(want, out.get("out"), 1e-6);
            HostTensor rv = out.get("r");
            assertArrayEquals(new int[] {6, 4}, rv.shape().dims());
            Cpu.close(wr, rv, 0);
            assertTrue(exe.lastPlanStats().aliases() >= 2);
        }
    }

    @Test
    void twoBatchSizesThroughOneExecutable() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3);
        Tensor w = Cpu.param(g, "w", new Init.Values(HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2)), 3, 2);
        g.output("y", x.matmul(w).sum(1));
        try (CpuBackend b = new CpuBackend(); CpuExecutable exe = (CpuExecutable) b.compile(g.build())) {
            Outputs o1 = exe.run(Map.of("x", HostTensor.of(new float[] {1, 0, 0, 0, 1, 0}, 2, 3)));
            Cpu.close(new double[] {3, 7}, o1.get("y"), 0);
            PlanStats first = exe.lastPlanStats();
            Outputs o2 = exe.run(Map.of("x", HostTensor.of(new float[] {0, 0, 1, 1, 1, 1, 2, 0, 0}, 3, 3)));
            Cpu.close(new double[] {11, 21, 6}, o2.get("y"), 0);
            Outputs o3 = exe.run(Map.of("x", HostTensor.of(new float[] {0, 1, 0, 0, 0, 1}, 2, 3)));
            Cpu.close(new double[] {7, 11}, o3.get("y"), 0);
            assertSame(first, exe.lastPlanStats(), "the plan of B=2 is reused, not rebuilt");
            assertEquals(2, exe.cachedPlanCount());
            assertThrows(FeedException.class, () -> exe.run(Map.of("x", HostTensor.of(new float[4], 2, 2))));
            assertThrows(FeedException.class, () -> exe.run(Map.of("x", HostTensor.ofInts(new int[6], 2, 3))));
            assertThrows(FeedException.class, () -> exe.run(Map.of()));
        }
    }

    @Test
    void assignmentsSwapTwoParameters() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = Cpu.param(g, "a", new Init.Values(HostTensor.of(new float[] {1, 2}, 2)), 2);
        Tensor b = Cpu.param(g, "b", new Init.Values(HostTensor.of(new float[] {3, 4}, 2)), 2);
        g.output("a", a);
        g.output("sum", a.add(b));
        g.assign(a, b);
        g.assign(b, a);
        try (CpuBackend be = new CpuBackend(); var exe = be.compile(g.build())) {
            Outputs o = exe.run(Map.of());
            Cpu.close(new double[] {1, 2}, o.get("a"), 0); // the value during the run, not after the assignments
            Cpu.close(new double[] {4, 6}, o.get("sum"), 0);
            Parameters p = exe.parameters();
            Cpu.close(new double[] {3, 4}, p.get("a"), 0);
            Cpu.close(new double[] {1, 2}, p.get("b"), 0);
            exe.run(Map.of());
            Cpu.close(new double[] {1, 2}, p.get("a"), 0);
            Cpu.close(new double[] {3, 4}, p.get("b"), 0);
        }
    }

    @Test
    void updateStepWritesParametersInPlaceAcrossExecutables() {
        GraphBuilder g = new GraphBuilder();
        Tensor w = Cpu.param(g, "w", new Init.Values(HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2)), 2, 2);
        Tensor x = g.input("x", DType.F32, 2);
        g.output("y", x.matmul(w));
        Graph forward = g.build();
        GraphBuilder u = new GraphBuilder(forward);
        Tensor wu = u.tensor(w.id());
        u.assign(wu, wu.reshape(4).mul(2).reshape(2, 2));
        Graph update = u.build();
        try (CpuBackend b = new CpuBackend()) {
            Parameters store = b.newParameters(0);
            var step = b.compile(store, update);
            var eval = b.compile(store, forward);
            step.run(Map.of("x", HostTensor.of(new float[] {1, 0}, 2)));
            Cpu.close(new double[] {2, 4}, eval.run(Map.of("x", HostTensor.of(new float[] {1, 0}, 2))).get("y"), 0);
            store.set("w", HostTensor.of(new float[] {0, 0, 0, 1}, 2, 2));
            Cpu.close(new double[] {0, 1}, eval.run(Map.of("x", HostTensor.of(new float[] {0, 1}, 2))).get("y"), 0);
        }
    }

    @Test
    void f64IsRejectedNamingTheNode() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F64, 2, 3);
        Tensor y;
        try (var s = g.scope("fc1")) {
            y = x.matmul(g.input("w", DType.F64, 3, 4));
        }
        g.output("y", y);
        try (CpuBackend b = new CpuBackend()) {
            BackendException e = assertThrows(BackendException.class, () -> b.compile(g.build()));
            assertEquals("the cpu backend computes in f32; node %0 (x) is f64 — use the reference backend for f64", e.getMessage());
        }
        GraphBuilder h = new GraphBuilder();
        Tensor a = h.input("a", DType.F32, 2);
        try (var s = h.scope("fc1")) {
            h.output("y", a.cast(DType.F64).add(1));
        }
        try (CpuBackend b = new CpuBackend()) {
            BackendException e = assertThrows(BackendException.class, () -> b.compile(h.build()));
            assertTrue(e.getMessage().contains("node %1 (fc1/cast) is f64"), e.getMessage());
        }
    }

    @Test
    void foreignParameterStoreIsRejected() {
        GraphBuilder g = new GraphBuilder();
        g.output("w", Cpu.param(g, "w", Init.zeros(), 2));
        try (CpuBackend b = new CpuBackend()) {
            BackendException e = assertThrows(BackendException.class, () -> b.compile(new HostParameters(0, DType.F32), g.build()));
            assertTrue(e.getMessage().contains("newParameters"), e.getMessage());
            // a store from another cpu backend instance is fine
            try (CpuBackend other = new CpuBackend()) {
                b.compile(other.newParameters(1), g.build()).close();
            }
        }
    }

    @Test
    void outputsExpireAndClosedThingsThrow() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2);
        g.output("y", x.mul(2));
        CpuBackend b = new CpuBackend();
        var exe = b.compile(g.build());
        Outputs o1 = exe.run(Map.of("x", HostTensor.of(new float[] {1, 2}, 2)));
        Outputs o2 = exe.run(Map.of("x", HostTensor.of(new float[] {3, 4}, 2)));
        assertThrows(IllegalStateException.class, () -> o1.get("y"));
        Cpu.close(new double[] {6, 8}, o2.get("y"), 0);
        assertThrows(IllegalArgumentException.class, () -> o2.get("nope"));
        assertEquals(java.util.Set.of("y"), o2.names());
        exe.close();
        assertThrows(IllegalStateException.class, () -> o2.get("y"));
        assertThrows(IllegalStateException.class, () -> exe.run(Map.of("x", HostTensor.of(new float[] {1, 2}, 2))));
        var exe2 = b.compile(g.build());
        b.close();
        assertThrows(IllegalStateException.class, () -> exe2.run(Map.of("x", HostTensor.of(new float[] {1, 2}, 2))));
        assertThrows(IllegalStateException.class, () -> b.compile(g.build()));
    }

    @Test
    void serviceLoaderPrefersCpu() {
        assertTrue(Backends.available().contains("cpu"));
        assertEquals("cpu", Backends.available().get(0));
        try (var b = Backends.create("CPU")) {
            assertEquals("cpu", b.name());
        }
    }

    @Test
    void inputAndConstantOutputsAndSymbolicReshape() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 2, 2);
        g.output("x", x);
        g.output("flat", x.reshape(-1, 4));
        g.output("k", g.constant(HostTensor.of(new float[] {5, 6}, 2)));
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            Outputs o = exe.run(Map.of("x", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)));
            assertEquals(Shape.of(2, 2, 2), o.get("x").shape());
            assertEquals(Shape.of(2, 4), o.get("flat").shape());
            Cpu.close(new double[] {5, 6}, o.get("k"), 0);
        }
    }

    /**
     * A binding whose buffers cannot exist on the heap is refused with a {@link BackendException}
     * naming the largest node, before anything is allocated, and the executable still runs a small
     * batch afterwards. Rows: a value with more elements than a float[] holds; buffers that each fit
     * an array but together exceed the heap.
     */
    @Test
    void aPlanLargerThanTheHeapIsABackendError() {
        int wide = 1 << 20;
        long perBuffer = 4L * (1 << 10) * wide;
        record Row(String what, int batch, int outputs, String expect) {}
        Row[] rows = {
            new Row("more elements than a float[] holds", 1 << 16, 1, "at most " + (Integer.MAX_VALUE - 8) + " elements"),
            new Row("more buffers than the heap holds", 1 << 10, (int) (Runtime.getRuntime().maxMemory() / perBuffer) + 1, "of heap"),
        };
        for (Row row : rows) {
            GraphBuilder g = new GraphBuilder();
            Tensor x = g.input("x", DType.F32, "B", 1);
            try (var s = g.scope("huge")) {
                for (int k = 0; k < row.outputs(); k++) g.output("y" + k, x.expand(-1, wide).mul(k + 2));
            }
            try (CpuBackend b = new CpuBackend(); Executable exe = b.compile(g.build())) {
                HostTensor big = HostTensor.of(new float[row.batch()], row.batch(), 1);
                BackendException e = assertThrows(BackendException.class, () -> exe.run(Map.of("x", big)), row.what());
                String m = e.getMessage();
                String shape = "f32[" + row.batch() + "," + wide + "]";
                for (String part : new String[] {shape, "GiB", "B=" + row.batch(), row.expect()}) {
                    assertTrue(m.contains(part), row.what() + ": '" + part + "' missing from: " + m);
                }
                // the node by id, scope path, op and shape (the broadcast and the product are equally large)
                assertTrue(m.matches(".*node \\d+ 'huge/(expand|mul)' \\((expand|mul), f32\\[.*"), row.what() + ": the node is not named in: " + m);
                // the failed binding left nothing behind: a small batch plans and runs
                Outputs o = exe.run(Map.of("x", HostTensor.of(new float[] {1, 2}, 2, 1)));
                HostTensor y = o.get("y0");
                assertEquals(Shape.of(2, wide), y.shape());
                assertEquals(2, y.get(0));
                assertEquals(4, y.get(2 * wide - 1));
            }
        }
    }
}
