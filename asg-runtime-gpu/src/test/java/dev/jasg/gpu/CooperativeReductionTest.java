package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import java.util.stream.Stream;

/**
 * The cooperative reductions ({@code cooperative.glsl}: several invocations per output, a butterfly of subgroup shuffles
 * and shared memory) on rows long enough to use every level of the butterfly, contiguous and strided, against the
 * reference interpreter; on a device with subgroup shuffles and on the same device with them switched off
 * ({@code -Djasg.vulkan.noSubgroups=true}), which must agree bit for bit, and run to run.
 */
@Tag("gpu")
class CooperativeReductionTest {
    record Row(String name, int[] dims, Function<Tensor, Tensor> f) {}

    static List<Row> rows() {
        return List.of(
                new Row("sum last axis, 2000 long", new int[] {5, 2000}, x -> x.sum(1)),
                new Row("mean last axis, 777 long", new int[] {9, 777}, x -> x.mean(1)),
                new Row("max last axis, 1500 long", new int[] {4, 1500}, x -> x.max(1, false)),
                new Row("min last axis, 300 long", new int[] {33, 300}, x -> x.min(1, false)),
                new Row("sum over the batch axis (bias gradient)", new int[] {600, 70}, x -> x.sum(0)),
                new Row("mean over the batch axis, 3 outputs", new int[] {2500, 3}, x -> x.mean(0)),
                new Row("max over axis 1 of 3 (strided)", new int[] {3, 400, 20}, x -> x.max(1, true)),
                new Row("sum over axes 0 and 2", new int[] {40, 7, 50}, x -> x.sum(new int[] {0, 2}, false)),
                new Row("sum of everything", new int[] {300, 211}, Tensor::sum),
                new Row("softmax last axis, 1000 long", new int[] {6, 1000}, x -> x.softmax(-1)),
                new Row("softmax, many short rows", new int[] {700, 24}, x -> x.softmax(-1)),
                new Row("softmax last axis, 257 long", new int[] {7, 257}, x -> x.softmax(-1)),
                new Row("softmax last axis, 1024 long, 300 rows (attention's scores)", new int[] {3, 100, 1024}, x -> x.softmax(-1)),
                new Row("log_softmax last axis, 1024 long", new int[] {9, 1024}, x -> x.logSoftmax(1)),
                new Row("log_softmax last axis, 513 long", new int[] {5, 513}, x -> x.logSoftmax(1)),
                // rows longer than the registers keep (8 elements, or 8 vec4, an invocation of 256): read again for each pass
                new Row("softmax last axis, 9000 long (vec4, read three times)", new int[] {2, 9000}, x -> x.softmax(-1)),
                new Row("log_softmax last axis, 9000 long (vec4, read twice)", new int[] {2, 9000}, x -> x.logSoftmax(-1)),
                new Row("softmax last axis, 9001 long (scalar, read three times)", new int[] {2, 9001}, x -> x.softmax(-1)),
                new Row("softmax over axis 0 (strided)", new int[] {900, 17}, x -> x.softmax(0)),
                new Row("log_softmax over the middle axis", new int[] {2, 300, 5}, x -> x.logSoftmax(1)),
                new Row("layer norm statistics, 1024 wide", new int[] {6, 1024}, x -> x.normalize(new int[] {1}, 1e-5)),
                new Row("normalize over axis 0 (strided)", new int[] {800, 9}, x -> x.normalize(new int[] {0}, 1e-5)),
                // split reductions (Lowering.reduceSplits): a first pass of partials, a second over them
                new Row("mean of everything, split in 8", new int[] {4096}, Tensor::mean),
                new Row("sum over batch and sequence (a bias gradient), split in 4", new int[] {8, 256, 24}, x -> x.sum(new int[] {0, 1}, false)),
                new Row("mean of squares (a loss: the square is the mean's prologue), split in 16", new int[] {64, 128}, x -> x.square().mean()),
                new Row("max of everything, split", new int[] {2, 4096}, x -> x.max(new int[] {0, 1}, false)),
                new Row("min over the batch axis, split", new int[] {4096, 3}, x -> x.min(0, false)));
    }

    /** How many parts a reduction is split into: few outputs of long reductions split until the device is busy. */
    @TestFactory
    Stream<DynamicTest> longReductionsOverFewOutputsAreSplit() {
        record Split(int[] dims, int[] axes, int want) {}
        return Stream.of(
                new Split(new int[] {4096}, new int[] {0}, 8),              // one output: parts of 512 at least
                new Split(new int[] {8, 256, 24}, new int[] {0, 1}, 4),     // 24 outputs of 2048
                new Split(new int[] {8, 1024, 768}, new int[] {0, 1, 2}, 512),  // GPT-2's loss mean: 512 parts of 12288
                new Split(new int[] {8, 1024, 3072}, new int[] {0, 1}, 8),  // GPT-2's feed-forward bias gradient
                new Split(new int[] {4095}, new int[] {0}, 1),              // odd length: no equal parts
                new Split(new int[] {64, 1000}, new int[] {1}, 1),          // 64 rows of 1000: parts would be under 512
                new Split(new int[] {4096, 4096}, new int[] {1}, 1))        // 4096 outputs fill the device already
                .map(c -> DynamicTest.dynamicTest(java.util.Arrays.toString(c.dims()) + " over " + java.util.Arrays.toString(c.axes()), () -> {
                    GraphBuilder gb = new GraphBuilder();
                    Tensor y = gb.input("x", DType.F32, java.util.Arrays.stream(c.dims()).boxed().toArray()).sum(c.axes(), false);
                    gb.output("y", y);
                    Graph g = gb.build();
                    dev.jasg.core.Node n = g.node(y.id());
                    assertEquals(c.want(), new Lowering(shuffles.device, null).reduceSplits(n, (dev.jasg.core.Op.Reduce) n.op(), c.dims()));
                }));
    }

    private static VulkanBackend shuffles, shared;

    @BeforeAll
    static void open() {
        shuffles = Gpu.open();
        System.setProperty("jasg.vulkan.noSubgroups", "true");
        try {
            shared = Gpu.open();
        } finally {
            System.clearProperty("jasg.vulkan.noSubgroups");
        }
        assertTrue(!shared.device.subgroupShuffle, "the switch turns shuffles off");
        // lavapipe (CI) and NVIDIA have shuffles in compute shaders: there both paths are compared
        String name = shuffles.device.name.toLowerCase(java.util.Locale.ROOT);
        if (name.contains("llvmpipe") || name.contains("nvidia")) assertTrue(shuffles.device.subgroupShuffle, shuffles.device.name);
    }

    @AfterAll
    static void close() {
        if (shuffles != null) shuffles.close();
        if (shared != null) shared.close();
    }

    private static float[] data(int[] dims, long seed) {
        int n = 1;
        for (int d : dims) n *= d;
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 6 - 3);
        return v;
    }

    private static float[] run(dev.jasg.core.Backend b, Graph g, HostTensor x) {
        try (var e = b.compile(g)) {
            return e.run(Map.of("x", x)).get("y").floats();
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesTheReferenceWithAndWithoutShuffles() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GraphBuilder gb = new GraphBuilder();
            gb.output("y", row.f().apply(gb.input("x", DType.F32, java.util.Arrays.stream(row.dims()).boxed().toArray())));
            Graph g = gb.build();
            HostTensor x = HostTensor.of(data(row.dims(), row.name().hashCode()), row.dims());
            HostTensor want;
            try (ReferenceBackend ref = new ReferenceBackend(); var e = ref.compile(g)) {
                want = e.run(Map.of("x", x)).get("y");
            }
            float[] a = run(shuffles, g, x), b = run(shared, g, x), again = run(shuffles, g, x);
            Gpu.assertClose(row.name(), want, HostTensor.of(a, want.shape().dims()), 1e-5);
            assertArrayEquals(a, again, "two runs differ");
            assertArrayEquals(a, b, "subgroup shuffles and shared memory give different bits");
        }));
    }

    /** NaN anywhere in a long row reaches the row's max, min and softmax, whichever invocation read it. */
    @Test
    void nanReachesTheWholeRow() {
        int len = 1000;
        GraphBuilder gb = new GraphBuilder();
        Tensor x = gb.input("x", DType.F32, 3, len);
        gb.output("max", x.max(1, false));
        gb.output("min", x.min(1, false));
        gb.output("sm", x.softmax(1));
        Graph g = gb.build();
        float[] v = data(new int[] {3, len}, 7);
        v[len + 517] = Float.NaN;
        try (var e = shuffles.compile(g)) {
            var o = e.run(Map.of("x", HostTensor.of(v, 3, len)));
            float[] mx = o.get("max").floats(), mn = o.get("min").floats(), sm = o.get("sm").floats();
            assertTrue(!Float.isNaN(mx[0]) && Float.isNaN(mx[1]) && !Float.isNaN(mx[2]), java.util.Arrays.toString(mx));
            assertTrue(!Float.isNaN(mn[0]) && Float.isNaN(mn[1]) && !Float.isNaN(mn[2]), java.util.Arrays.toString(mn));
            for (int k = 0; k < len; k++) assertTrue(Float.isNaN(sm[len + k]), "softmax element " + k);
            assertEquals(false, Float.isNaN(sm[0]));
        }
    }
}
