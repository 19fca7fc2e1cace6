package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Products that store their rows' softmax themselves ({@link Fusion#softmaxProduct}, {@code matmul.comp SOFTMAX}) as a
 * table: attention's scores over 128 to 2048 keys (B read transposed in place, or as it is), scaled queries or scores, a row of NaN,
 * rows of -inf and +inf, and the softmaxes that keep their pass (another axis, the product read by something else, rows the
 * tile does not divide, a half product). Every row against the reference, and again with
 * {@code -Djasg.vulkan.softmaxProducts=false}; the rows' values as the plain softmax kernel gives them.
 */
@Tag("gpu")
class SoftmaxProductTest extends OnGpu {

    /**
     * {@code fused}: how many softmaxes the product under them computes, where the device's shared memory holds the tile
     * (lavapipe's 32 KiB holds the tile of rows of 512 alone). The rows run on a backend told of no compute units, so
     * that their few workgroups do not keep them off the kernel ({@link #aWorkgroupAComputeUnit}).
     */
    record Row(String name, int[] x, int[] y, int fused, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {}

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("scores over 1024 keys", new int[] {1, 2, 64, 16}, new int[] {1, 2, 1024, 16}, 1,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-1))));
        r.add(new Row("scaled queries over 512 keys", new int[] {2, 64, 8}, new int[] {2, 512, 8}, 1,
                (q, k) -> Map.of("p", q.mul(0.125).matmul(k.mT()).softmax(-1))));
        r.add(new Row("scores scaled after the product (1/sqrt(8))", new int[] {2, 64, 8}, new int[] {2, 512, 8}, 1,
                (q, k) -> Map.of("p", q.matmul(k.mT()).mul(1 / Math.sqrt(8)).softmax(-1))));
        r.add(new Row("scores scaled by a tensor: kept", new int[] {2, 64, 8}, new int[] {2, 512, 8}, 0,
                (q, k) -> Map.of("p", q.matmul(k.mT()).mul(k.sum(-1, true).mT()).softmax(-1))));
        r.add(new Row("A read transposed too", new int[] {2, 16, 64}, new int[] {2, 512, 16}, 1,
                (q, k) -> Map.of("p", q.mT().matmul(k.mT()).softmax(-1))));
        r.add(new Row("B as it is, rows of 256", new int[] {128, 16}, new int[] {16, 256}, 1,
                (x, y) -> Map.of("p", x.matmul(y).softmax(1))));
        r.add(new Row("rows of 128, 512 of them", new int[] {512, 8}, new int[] {128, 8}, 1,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-1))));
        r.add(new Row("scores over 2048 keys: kept (no tile)", new int[] {16, 8}, new int[] {2048, 8}, 0,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-1))));
        r.add(new Row("with a NaN, -inf and +inf row", new int[] {2, 64, 8}, new int[] {2, 512, 8}, 1,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-1))));
        r.add(new Row("attention: P V after it", new int[] {2, 64, 16}, new int[] {2, 512, 16}, 1,
                (q, k) -> Map.of("o", q.matmul(k.mT()).softmax(-1).matmul(k))));
        r.add(new Row("along the rows' axis: kept", new int[] {2, 64, 8}, new int[] {2, 512, 8}, 0,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-2))));
        r.add(new Row("the product also read: kept", new int[] {2, 64, 8}, new int[] {2, 512, 8}, 0, (q, k) -> {
            Tensor s = q.matmul(k.mT());
            return Map.of("p", s.softmax(-1), "s", s.exp());
        }));
        r.add(new Row("rows the tile does not divide: kept", new int[] {40, 8}, new int[] {1024, 8}, 0,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-1))));
        r.add(new Row("rows of 1000: kept", new int[] {64, 8}, new int[] {1000, 8}, 0,
                (q, k) -> Map.of("p", q.matmul(k.mT()).softmax(-1))));
        r.add(new Row("a log-softmax: kept", new int[] {64, 8}, new int[] {512, 8}, 0,
                (q, k) -> Map.of("p", q.matmul(k.mT()).logSoftmax(-1))));
        r.add(new Row("a half product: kept", new int[] {64, 8}, new int[] {512, 8}, 0,
                (q, k) -> Map.of("p", q.cast(DType.BF16).matmul(k.cast(DType.BF16).mT()).softmax(-1).cast(DType.F32))));
        return r;
    }

    /** Inputs of {@code x} and {@code y}'s dims, with the NaN, -inf and +inf rows where the row's name asks for them. */
    static Map<String, HostTensor> feeds(Row row) {
        Map<String, HostTensor> f = TransposedOperandTest.feeds(row.name(), row.x(), row.y());
        if (!row.name().contains("NaN")) return f;
        float[] x = f.get("x").floats().clone();
        int k = row.x()[row.x().length - 1];
        x[3 * k] = Float.NaN;                                    // row 3: NaN
        for (int i = 0; i < k; i++) x[5 * k + i] = 0;            // row 5: every score 0 but one ...
        x[5 * k] = Float.POSITIVE_INFINITY;                      // ... +inf or -inf (or NaN) by its key's sign
        x[7 * k] = Float.MAX_VALUE;                              // row 7: very large scores
        return Map.of("x", HostTensor.of(x, row.x()), "y", f.get("y"));
    }

    /** The device told of no compute units (-Djasg.vulkan.computeUnits=0): every row's product may take the kernel. */
    private static VulkanBackend anyUnits;

    @BeforeAll
    static void openAnyUnits() {
        anyUnits = Gpu.openWithUnits(0);
    }

    @AfterAll
    static void closeAnyUnits() {
        if (anyUnits != null) anyUnits.close();
        anyUnits = null;
    }

    /** Where the device says how many compute units it has, the kernel takes products of at least a workgroup each. */
    @Test
    void aWorkgroupAComputeUnit() {
        try (VulkanBackend h100 = Gpu.openWithUnits(132)) {
            Lowering l = new Lowering(h100.device, null);
            int[] k = {8, 12, 64, 512};
            // 512 keys: 64 rows a workgroup; 8 x 12 heads of 1024 queries make 1536 workgroups, of 64 queries 96
            assertTrue(l.storesSoftmax(DType.F32, DType.F32, new int[] {8, 12, 1024, 64}, k, new MatMulKernel.Layout(false, false)));
            assertTrue(!l.storesSoftmax(DType.F32, DType.F32, new int[] {8, 12, 64, 64}, k, new MatMulKernel.Layout(false, false)));
            assertTrue(new Lowering(anyUnits.device, null).storesSoftmax(DType.F32, DType.F32, new int[] {8, 12, 64, 64}, k,
                    new MatMulKernel.Layout(false, false)));
        }
    }

    @TestFactory
    Stream<DynamicTest> productsStoreTheSoftmax() {
        VulkanBackend gpu = anyUnits;
        Lowering lowering = new Lowering(gpu.device, null);
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, Shape.of(row.x())), y = b.input("y", DType.F32, Shape.of(row.y()));
            for (var e : new TreeMap<>(row.build().apply(x, y)).entrySet()) b.output(e.getKey(), e.getValue());
            Graph graph = b.build();
            Map<String, HostTensor> feeds = feeds(row);
            Program p = Program.of(List.of(graph));
            Program.Binding binding = p.bind(feeds);
            Fusion f = Fusion.plan(p, binding, 64, true, n -> lowering.readsTransposed(n, binding, graph), (o, res, ad, bd, e, sl, l) -> false,
                    lowering::storesSoftmax);
            long fused = p.schedule().stream().filter(n -> f.softmaxProduct(n.id()) != null).count();
            // the rows' length: the product's N
            int cols = row.name().contains("as it is") ? row.y()[row.y().length - 1] : row.y()[row.y().length - 2];
            boolean fits = MatMulKernel.softmaxRows(cols, gpu.device.maxSharedMemory) != null;
            assertEquals(fits ? row.fused() : 0, fused, row.name() + ": softmaxes computed by their product");
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                Outputs o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            boolean half = row.name().contains("half");
            Map<String, HostTensor> plain = new TreeMap<>();
            for (String pass : new String[] {"false", null}) {
                if (pass != null) System.setProperty(Lowering.SOFTMAX_PRODUCTS_PROPERTY, pass);
                try (Executable e = gpu.compile(graph)) {
                    Outputs o = e.run(feeds);
                    for (String n : want.keySet()) {
                        Gpu.assertClose(row.name() + " " + n + (pass == null ? "" : " (a pass of its own)"), want.get(n), o.get(n), half ? 2e-2 : 2e-5);
                        if (pass != null) plain.put(n, o.get(n));
                        else if (row.name().contains("NaN")) assertNanRows(row, plain.get(n), o.get(n));
                    }
                } finally {
                    System.clearProperty(Lowering.SOFTMAX_PRODUCTS_PROPERTY);
                }
            }
            boolean ran = gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.endsWith("_softmax"));
            if (fused > 0) assertTrue(ran, row.name() + ": the softmax product ran: " + gpu.kernelNames());
            if (row.name().contains("transposed too")) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.endsWith("_ta_tb_softmax")), row.name() + ": A and B read transposed: " + gpu.kernelNames());
            }
        }));
    }

    /** Rows 3, 5 and 7 of every batch: NaN where the plain softmax gives NaN, and equal elsewhere (none silently a number). */
    private static void assertNanRows(Row row, HostTensor plain, HostTensor got) {
        float[] a = plain.floats(), g = got.floats();
        int n = row.y()[row.y().length - 2];
        int nan = 0;
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.isNaN(a[i]), Float.isNaN(g[i]), row.name() + ": NaN at " + i + " (plain " + a[i] + ", fused " + g[i] + ")");
            if (Float.isNaN(g[i])) nan++;
        }
        assertTrue(nan >= n, row.name() + ": the NaN row propagates (" + nan + " NaN)");
    }

    /** The tiles: whole rows of 32768 / n, and no tile where rows are not a power of two from 128 to 2048. */
    @Test
    void tiles() {
        MatMulKernel.Tiles t = MatMulKernel.softmaxRows(1024, 49152);
        assertNotNull(t);
        assertEquals(new MatMulKernel.Tiles(32, 1024, 8, 8, 16), t);
        assertNull(MatMulKernel.softmaxRows(2048, 49152));
        assertNull(MatMulKernel.softmaxRows(1024, 32768));
        assertEquals(new MatMulKernel.Tiles(64, 512, 8, 8, 16), MatMulKernel.softmaxRows(512, 32768));
        assertTrue(MatMulKernel.softmaxSharedBytes(t) <= 49152);
        for (int n : new int[] {0, 64, 1000, 4096}) assertNull(MatMulKernel.softmaxRows(n, 49152), "rows of " + n);
    }
}
