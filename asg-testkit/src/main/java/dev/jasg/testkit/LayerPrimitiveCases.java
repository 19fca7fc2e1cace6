package dev.jasg.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Gather, scatter-add, the dropout mask and normalisation on a device backend: the mask bit-identical to the
 * reference's, out-of-range indices kept inside the buffers, and shapes larger than one workgroup. The Vulkan and
 * OpenCL backends' {@code LayerPrimitivesTest} run these.
 *
 * <p>Stateless.
 */
public final class LayerPrimitiveCases {
    private LayerPrimitiveCases() {}

    private static Map<String, HostTensor> run(Backend device, Graph g, Map<String, HostTensor> feeds) {
        try (var e = device.compile(g)) {
            Outputs o = e.run(feeds);
            Map<String, HostTensor> copy = new java.util.LinkedHashMap<>();
            for (String name : o.names()) copy.put(name, o.get(name));
            return copy;
        }
    }

    /** The dropout mask is bit-identical to the reference's for three seeds, keeping 70% at p = 0.3. */
    public static void dropoutMaskIsBitIdenticalToTheReference(Backend device) {
        int n = 100_003;
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, n);
        Tensor seed = g.input("seed", DType.I32);
        g.output("m", x.dropoutMask(0.3, 0x1234_5678_9ABCL, seed));
        Graph graph = g.build();
        for (int s : new int[] {0, -77, 16_000_000}) {
            Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(new float[n], n), "seed", HostTensor.ofInts(new int[] {s}));
            float[] got = run(device, graph, feeds).get("m").floats();
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
            assertArrayEquals(want, got, "seed " + s);
            assertEquals(0.7, kept / (double) n, 0.01);
        }
    }

    /** Gather writes zeros for bad indices and scatter-add drops their updates, inside the buffers. */
    public static void outOfRangeIndicesStayInsideTheBuffers(Backend device) {
        GraphBuilder g = new GraphBuilder();
        Tensor t = g.input("t", DType.F32, 3, 2);
        Tensor i = g.input("i", DType.I32, 4);
        g.output("gather", t.gather(i));
        Tensor u = g.input("u", DType.F32, 4, 2);
        g.output("scatter", u.scatterAdd(i, 3));
        Map<String, HostTensor> feeds = Map.of("t", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), "i", HostTensor.ofInts(new int[] {2, 7, -1, 0}, 4),
                "u", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2));
        Map<String, HostTensor> o = run(device, g.build(), feeds);
        // gather writes zeros for the rows of bad indices
        assertArrayEquals(new float[] {5, 6, 0, 0, 0, 0, 1, 2}, o.get("gather").floats());
        // scatter-add drops the updates of bad indices
        assertArrayEquals(new float[] {7, 8, 0, 0, 1, 2}, o.get("scatter").floats());
    }

    /** Gather, scatter-add and normalisation over shapes larger than one workgroup. */
    public static void largeShapesMatchTheReference(Backend device) {
        SplittableRandom r = new SplittableRandom(5);
        int v = 40, d = 9, n = 600;
        int[] idx = new int[n];
        for (int k = 0; k < n; k++) idx[k] = r.nextInt(v);
        float[] table = new float[v * d], xs = new float[4 * 3 * 20 * 30];
        for (int k = 0; k < table.length; k++) table[k] = (float) (r.nextDouble() * 2 - 1);
        for (int k = 0; k < xs.length; k++) xs[k] = (float) (r.nextDouble() * 4 - 1);
        GraphBuilder g = new GraphBuilder();
        Tensor t = g.input("t", DType.F32, v, d);
        Tensor i = g.input("i", DType.I32, n);
        Tensor x = g.input("x", DType.F32, 4, 3, 20, 30);
        g.output("scatter", t.gather(i).scatterAdd(i, v));
        g.output("ln", x.normalize(new int[] {2, 3}, 1e-5));
        g.output("bn", x.normalize(new int[] {0, 2, 3}, 1e-5));
        Graph graph = g.build();
        Map<String, HostTensor> feeds = Map.of("t", HostTensor.of(table, v, d), "i", HostTensor.ofInts(idx, n), "x", HostTensor.of(xs, 4, 3, 20, 30));
        Map<String, HostTensor> got = run(device, graph, feeds);
        try (ReferenceBackend ref = new ReferenceBackend(); var e = ref.compile(graph)) {
            Outputs want = e.run(feeds);
            for (String name : want.names()) SmallOpCases.assertClose(name, want.get(name), got.get(name), 1e-4);
        }
    }
}
