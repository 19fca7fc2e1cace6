package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Products whose A is a permute swapping its last two axes (a weight gradient's {@code x^T g}) as a table: the permute is
 * absorbed ({@link Fusion#transposedA}: no copy, the f32 kernel reads A transposed, {@code matmul.comp TRANS_A}) where
 * nothing else reads it, and kept where something does; every row against the reference, with sizes on and off the
 * tiles (aligned and bounds-checked variants), batches, a fused epilogue, and {@code -Djasg.vulkan.transposedOperands=false}
 * giving the same values through the copy. Rows of half operands take the tensor-core kernels where the device has
 * them, A transposed while its packing to 16-bit storage ({@code pack_half_t.comp}).
 */
@Tag("gpu")
class TransposedOperandTest {
    private static VulkanBackend gpu;

    @BeforeAll
    static void open() {
        gpu = Gpu.open();
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
    }

    /**
     * {@code absorbed}: whether the permute should be absorbed; {@code half}: the product's operands are half (the rows the
     * tensor-core kernels take where the device has them: the packing transposes A), compared within {@code 1e-3}.
     */
    record Row(String name, int[] x, int[] y, boolean absorbed, boolean half, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {
        Row(String name, int[] x, int[] y, boolean absorbed, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {
            this(name, x, y, absorbed, false, build);
        }
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("x^T y, 128-aligned", new int[] {256, 128}, new int[] {256, 128}, true, (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("x^T y, odd sizes", new int[] {37, 21}, new int[] {37, 19}, true, (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("batched x^T y", new int[] {3, 40, 24}, new int[] {3, 40, 36}, true, (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("batched x^T times a shared matrix", new int[] {2, 33, 17}, new int[] {33, 9}, true, (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("x^T y with bias and relu", new int[] {64, 96}, new int[] {64, 80}, true,
                (x, y) -> Map.of("c", x.mT().matmul(y).add(y.sum(0)).relu())));
        r.add(new Row("x^T also an output: kept", new int[] {20, 12}, new int[] {20, 8}, false,
                (x, y) -> {
                    Tensor xt = x.mT();
                    return Map.of("c", xt.matmul(y), "xt", xt);
                }));
        r.add(new Row("x^T read twice: kept", new int[] {20, 12}, new int[] {20, 12}, false,
                (x, y) -> {
                    Tensor xt = x.mT();
                    return Map.of("c", xt.matmul(y).add(xt.exp().sum(1, true)));
                }));
        // half operands: on a device with tensor-core kernels, the subgroup-scope kernel (128- and 64-aligned) or the
        // workgroup-scope one (M off the tiles) with A transposed while packed; elsewhere the f32 kernel
        r.add(new Row("bf16 x^T y, tensor-core tiles", new int[] {256, 128}, new int[] {256, 128}, true, true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).mT().matmul(y.cast(DType.BF16)))));
        r.add(new Row("f16 x^T y, M off the tiles", new int[] {264, 200}, new int[] {264, 136}, true, true,
                (x, y) -> Map.of("c", x.cast(DType.F16).mT().matmul(y.cast(DType.F16)))));
        r.add(new Row("bf16 batched x^T times a shared matrix", new int[] {2, 128, 64}, new int[] {128, 64}, true, true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).mT().matmul(y.cast(DType.BF16)))));
        r.add(new Row("f16 x^T y with bias and relu", new int[] {128, 128}, new int[] {128, 128}, true, true,
                (x, y) -> Map.of("c", x.cast(DType.F16).mT().matmul(y.cast(DType.F16)).add(y.sum(0)).relu())));
        r.add(new Row("B transposed: untouched", new int[] {30, 20}, new int[] {25, 20}, false, (x, y) -> Map.of("c", x.matmul(y.mT()))));
        return r;
    }

    private static Graph graph(Row row) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.of(row.x())), y = b.input("y", DType.F32, Shape.of(row.y()));
        for (var e : new TreeMap<>(row.build().apply(x, y)).entrySet()) b.output(e.getKey(), e.getValue());
        return b.build();
    }

    private static Map<String, HostTensor> feeds(Row row) {
        return feeds(row.name(), row.x(), row.y());
    }

    /** Inputs {@code x} and {@code y} of the given dims, uniform in [-1, 1), seeded by {@code seed}'s hash. */
    static Map<String, HostTensor> feeds(String seed, int[] x, int[] y) {
        SplittableRandom r = new SplittableRandom(seed.hashCode());
        Map<String, HostTensor> f = new TreeMap<>();
        for (String n : List.of("x", "y")) {
            int[] d = n.equals("x") ? x : y;
            float[] v = new float[(int) Shape.of(d).size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
            f.put(n, HostTensor.of(v, d));
        }
        return f;
    }

    @TestFactory
    Stream<DynamicTest> productsReadATransposed() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Graph graph = graph(row);
            Map<String, HostTensor> feeds = feeds(row);
            Program p = Program.of(List.of(graph));
            Fusion f = Fusion.plan(p, p.bind(feeds), 64, true, n -> true);
            long absorbed = p.schedule().stream().filter(n -> n.op() instanceof dev.jasg.core.Op.Permute && f.absorbed(n.id())).count();
            assertEquals(row.absorbed() ? 1 : 0, absorbed, row.name() + ": absorbed permutes");
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                Outputs o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            for (String copies : new String[] {null, "false"}) {
                if (copies != null) System.setProperty(Lowering.TRANSPOSED_PROPERTY, copies);
                try (Executable e = gpu.compile(graph)) {
                    Outputs o = e.run(feeds);
                    for (String n : want.keySet()) {
                        Gpu.assertClose(row.name() + " " + n + (copies == null ? "" : " (copies)"), want.get(n), o.get(n), row.half() ? 1e-3 : 2e-5);
                    }
                } finally {
                    System.clearProperty(Lowering.TRANSPOSED_PROPERTY);
                }
            }
            if (row.absorbed() && row.half() && gpu.device().coopMatrix.supports(DType.BF16) && gpu.device().coopMatrix.supports(DType.F16)) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("pack_t_")), "the transposing pack ran: " + gpu.kernelNames());
            } else if (row.absorbed()) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.contains("_ta")), "a transposed-A kernel ran: "
                        + gpu.kernelNames());
            }
        }));
    }
}
