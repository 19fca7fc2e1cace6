package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Gather, scatter-add, the dropout mask and normalisation on the CPU backend, beyond the op table's small rows. */
class LayerPrimitivesTest {

    @Test
    void dropoutMaskIsBitIdenticalToTheReference() {
        int n = 100_003;
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, n);
        Tensor seed = g.input("seed", DType.I32);
        g.output("m", x.dropoutMask(0.3, 0x1234_5678_9ABCL, seed));
        Graph graph = g.build();
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(new float[n], n), "seed", HostTensor.ofInts(new int[] {-77}));
        float[] cpu = Cpu.run1(graph, "m", feeds).floats();
        double[] ref;
        try (ReferenceBackend r = new ReferenceBackend(); var e = r.compile(graph)) {
            ref = e.run(feeds).get("m").toDoubles();
        }
        float[] want = new float[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            want[i] = (float) ref[i];
            if (ref[i] != 0) kept++;
        }
        assertArrayEquals(want, cpu);
        assertEquals(0.7, kept / (double) n, 0.01);
    }

    @Test
    void gatherOutOfRangeThrowsNamingTheNode() {
        GraphBuilder g = new GraphBuilder();
        Tensor t = g.input("t", DType.F32, 4, 3);
        Tensor i = g.input("i", DType.I32, 2);
        Tensor y;
        try (var s = g.scope("embed")) {
            y = t.gather(i);
        }
        g.output("y", y);
        BackendException e = assertThrows(BackendException.class,
                () -> Cpu.run1(g.build(), "y", Map.of("t", HostTensor.of(new float[12], 4, 3), "i", HostTensor.ofInts(new int[] {0, -1}, 2))));
        assertTrue(e.getMessage().contains("index -1") && e.getMessage().contains("embed/gather"), e.getMessage());
    }

    @Test
    void scatterAddThrowsForAnIndexBeyondTheSize() {
        GraphBuilder g = new GraphBuilder();
        Tensor u = g.input("u", DType.F32, 2, 3);
        Tensor i = g.input("i", DType.I32, 2);
        g.output("y", u.scatterAdd(i, 4));
        BackendException e = assertThrows(BackendException.class,
                () -> Cpu.run1(g.build(), "y", Map.of("u", HostTensor.of(new float[6], 2, 3), "i", HostTensor.ofInts(new int[] {4, 0}, 2))));
        assertTrue(e.getMessage().contains("index 4") && e.getMessage().contains("[0, 4)"), e.getMessage());
    }

    @Test
    void largeGatherScatterAndNormalizeMatchTheReference() {
        Random r = new Random(3);
        int v = 50, d = 33, n = 700;
        int[] idx = new int[n];
        for (int k = 0; k < n; k++) idx[k] = r.nextInt(v);
        GraphBuilder g = new GraphBuilder();
        Tensor t = g.input("t", DType.F32, v, d);
        Tensor i = g.input("i", DType.I32, n);
        Tensor x = g.input("x", DType.F32, 8, 6, 5, 7);
        g.output("gather", t.gather(i));
        g.output("scatter", t.gather(i).mul(2).scatterAdd(i, v));
        g.output("ln", x.normalize(new int[] {2, 3}, 1e-5));
        g.output("bn", x.normalize(new int[] {0, 2, 3}, 1e-5));
        Graph graph = g.build();
        Map<String, HostTensor> feeds = Map.of("t", HostTensor.of(Cpu.random(r, v * d), v, d), "i", HostTensor.ofInts(idx, n),
                "x", HostTensor.of(Cpu.random(r, 8 * 6 * 5 * 7), 8, 6, 5, 7));
        try (ReferenceBackend ref = new ReferenceBackend(); var re = ref.compile(graph); CpuBackend cpu = new CpuBackend(); var ce = cpu.compile(graph)) {
            var want = re.run(feeds);
            var got = ce.run(feeds);
            for (String name : want.names()) Cpu.close(want.get(name).toDoubles(), got.get(name), 1e-5);
        }
    }
}
