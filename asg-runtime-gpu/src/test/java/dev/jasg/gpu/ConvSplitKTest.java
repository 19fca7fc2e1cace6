package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Program;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The convolution weight gradient split over workgroups through the plan's workspace (split-K over batch x spatial,
 * then a second pass adding the splits in a fixed order): shapes that split on this device, against the reference
 * interpreter, and two runs bit-identical.
 */
@Tag("gpu")
class ConvSplitKTest extends OnGpu {
    /** x [n, c, h, w], weight [o, c / groups, k, k]. */
    record Row(String name, int n, int c, int h, int w, int o, int k, ConvGeometry geo) {}

    static List<Row> rows() {
        return List.of(
                new Row("3x3, 16 -> 16 channels, 8 images", 8, 16, 16, 16, 16, 3, ConvGeometry.of(1, 1, 1, 1)),
                new Row("1x1, 20 -> 20 channels, 16 images", 16, 20, 10, 10, 20, 1, ConvGeometry.of(1, 0, 1, 1)),
                new Row("3x3 stride 2, two groups", 32, 32, 16, 16, 32, 3, ConvGeometry.of(2, 1, 1, 2)));
    }

    private static HostTensor random(long seed, int... dims) {
        int size = 1;
        for (int d : dims) size *= d;
        float[] v = new float[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return HostTensor.of(v, dims);
    }

    @TestFactory
    Stream<DynamicTest> splitWeightGradients() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            int ho = (row.h() + row.geo().padTop() + row.geo().padBottom() - row.k()) / row.geo().strideH() + 1;
            int wo = (row.w() + row.geo().padLeft() + row.geo().padRight() - row.k()) / row.geo().strideW() + 1;
            GraphBuilder gb = new GraphBuilder();
            Tensor x = gb.input("x", DType.F32, row.n(), row.c(), row.h(), row.w());
            Tensor g = gb.input("g", DType.F32, row.n(), row.o(), ho, wo);
            Tensor dw = x.conv2dWeightGrad(g, row.geo(), row.k(), row.k());
            gb.output("dw", dw);
            Graph graph = gb.build();
            Map<String, HostTensor> feeds = Map.of("x", random(1, row.n(), row.c(), row.h(), row.w()), "g", random(2, row.n(), row.o(), ho, wo));

            // the shape splits on this device: the plan hands the node a workspace
            Program p = Program.of(List.of(graph));
            Node node = graph.node(dw.id());
            long bytes = new Lowering(gpu.device, null).workspaceBytes(node, p.bind(feeds), null);
            assertTrue(bytes > 0, row.name() + ": no split on " + gpu.device.name);
            assertEquals(0, bytes % (4L * node.shape().size()), "whole splits of the output");

            HostTensor want;
            try (ReferenceBackend ref = new ReferenceBackend(); var e = ref.compile(graph)) {
                want = e.run(feeds).get("dw");
            }
            float[] first, second;
            try (var e = gpu.compile(graph)) {
                first = e.run(feeds).get("dw").floats();
                second = e.run(feeds).get("dw").floats();
            }
            float[] third;
            try (var e = gpu.compile(graph)) {
                third = e.run(feeds).get("dw").floats();
            }
            Gpu.assertClose(row.name(), want, HostTensor.of(first, want.shape().dims()), 1e-5);
            assertArrayEquals(first, second, "two runs of one plan differ");
            assertArrayEquals(first, third, "two plans differ");
        }));
    }

    /** How many splits: enough workgroups, at most MAX_SPLITS, four steps a slice, the workspace within the device's range. */
    @Test
    void splitsTable() {
        long big = 1L << 40;
        assertEquals(1, ConvKernels.splits(300, 10_000, 1, 100, big));                  // enough tiles already
        assertEquals(64, ConvKernels.splits(2, 10_000, 1, 100, big));                   // capped
        assertEquals(26, ConvKernels.splits(10, 10_000, 1, 100, big));                  // ceil(256 / 10)
        assertEquals(8, ConvKernels.splits(9, 512, 16, 100, big));                      // 512 steps / (4 x 16)
        assertEquals(1, ConvKernels.splits(9, 40, 16, 100, big));                       // too short to split
        assertEquals(5, ConvKernels.splits(2, 10_000, 1, 100, 4 * 100 * 5 + 3));        // the workspace limit
    }
}
