package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Ints;
import dev.jasg.core.Outputs;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.DType;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Products that store a permute of their result themselves ({@link Fusion#permutedResult}, {@link MatMulKernel.Remap},
 * {@code matmul.comp REMAP}) as a table: attention's heads split after a projection (with its bias epilogue) and merged after
 * the per-head products, a transposed result merged too, and the permutes that keep their copy (the last axis moved, runs of
 * columns not a multiple of 4, the product read by something else). Every row against the reference, and again with
 * {@code -Djasg.vulkan.permutedResults=false} (the copies).
 */
@Tag("gpu")
class PermutedResultTest extends OnGpu {

    /** {@code permuted}: how many permutes the product under them stores; {@code results}: how many products compute a transposed result. */
    record Row(String name, int[] x, int[] y, int permuted, int results, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {}

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("projection with bias split into heads", new int[] {2, 8, 24}, new int[] {24, 24}, 1, 0,
                (x, y) -> Map.of("h", x.matmul(y).add(y.sum(0)).reshape(2, 8, 3, 8).permute(0, 2, 1, 3))));
        r.add(new Row("flat rows split into batch and sequence, and heads", new int[] {16, 24}, new int[] {24, 24}, 1, 0,
                (x, y) -> Map.of("h", x.matmul(y).add(y.sum(0)).reshape(2, 8, 3, 8).permute(0, 2, 1, 3))));
        r.add(new Row("projection split into heads, 128-aligned", new int[] {2, 128, 256}, new int[] {256, 256}, 1, 0,
                (x, y) -> Map.of("h", x.matmul(y).reshape(2, 128, 4, 64).permute(0, 2, 1, 3))));
        r.add(new Row("projection split into heads of 4, odd rows", new int[] {3, 5, 12}, new int[] {12, 12}, 1, 0,
                (x, y) -> Map.of("h", x.matmul(y).reshape(3, 5, 3, 4).permute(0, 2, 1, 3))));
        r.add(new Row("heads merged after the per-head product", new int[] {2, 3, 8, 8}, new int[] {2, 3, 8, 8}, 1, 0,
                (x, y) -> Map.of("o", x.matmul(y).permute(0, 2, 1, 3).reshape(2, 8, 24))));
        r.add(new Row("heads merged, odd sizes", new int[] {2, 3, 5, 12}, new int[] {2, 3, 12, 8}, 1, 0,
                (x, y) -> Map.of("o", x.matmul(y).permute(0, 2, 1, 3).reshape(2, 5, 24))));
        r.add(new Row("heads merged, 128-aligned", new int[] {2, 2, 128, 64}, new int[] {2, 2, 64, 64}, 1, 0,
                (x, y) -> Map.of("o", x.matmul(y).permute(0, 2, 1, 3))));
        r.add(new Row("heads merged after a scale epilogue", new int[] {2, 3, 8, 16}, new int[] {2, 3, 16, 8}, 1, 0,
                (x, y) -> Map.of("o", x.matmul(y).mul(0.125).permute(0, 2, 1, 3).reshape(2, 8, 24))));
        r.add(new Row("a transposed result merged (dK)", new int[] {2, 3, 16, 12}, new int[] {2, 3, 16, 8}, 1, 1,
                (x, y) -> Map.of("o", x.mT().matmul(y).mT().permute(0, 2, 1, 3).reshape(2, 8, 36))));
        r.add(new Row("the last axis moved: kept", new int[] {2, 3, 8, 8}, new int[] {2, 3, 8, 8}, 0, 0,
                (x, y) -> Map.of("o", x.matmul(y).permute(0, 3, 1, 2))));
        r.add(new Row("runs of 2 columns: kept", new int[] {2, 8, 6}, new int[] {6, 6}, 0, 0,
                (x, y) -> Map.of("h", x.matmul(y).reshape(2, 8, 3, 2).permute(0, 2, 1, 3))));
        r.add(new Row("the product also read: kept", new int[] {2, 3, 8, 8}, new int[] {2, 3, 8, 8}, 0, 0, (x, y) -> {
            Tensor c = x.matmul(y);
            return Map.of("o", c.permute(0, 2, 1, 3), "e", c.exp());
        }));
        r.add(new Row("the reshape also an output: kept", new int[] {2, 8, 24}, new int[] {24, 24}, 0, 0, (x, y) -> {
            Tensor c = x.matmul(y).reshape(2, 8, 3, 8);
            return Map.of("h", c.permute(0, 2, 1, 3), "c", c);
        }));
        r.add(new Row("a half product: kept", new int[] {2, 3, 8, 8}, new int[] {2, 3, 8, 8}, 0, 0,
                (x, y) -> Map.of("o", x.cast(DType.BF16).matmul(y.cast(DType.BF16)).permute(0, 2, 1, 3).cast(DType.F32))));
        return r;
    }

    @TestFactory
    Stream<DynamicTest> productsStoreThePermute() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.input("x", DType.F32, Shape.of(row.x())), y = b.input("y", DType.F32, Shape.of(row.y()));
            for (var e : new TreeMap<>(row.build().apply(x, y)).entrySet()) b.output(e.getKey(), e.getValue());
            Graph graph = b.build();
            Map<String, HostTensor> feeds = TransposedOperandTest.feeds(row.name(), row.x(), row.y());
            Program p = Program.of(List.of(graph));
            Program.Binding binding = p.bind(feeds);
            Fusion f = Fusion.plan(p, binding, 64, true, n -> true,
                    (o, res, ad, bd, e, sl, l) -> o == DType.F32 && res == DType.F32);
            assertEquals(row.permuted(), p.schedule().stream().filter(n -> f.permutedResult(n.id()) != null).count(), row.name() + ": permuted results");
            assertEquals(row.results(), p.schedule().stream().filter(n -> f.transposedResult(n.id()) >= 0).count(), row.name() + ": results transposed");
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                Outputs o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            boolean half = row.name().contains("half");
            for (String copies : new String[] {null, "false"}) {
                if (copies != null) System.setProperty(Lowering.PERMUTED_RESULTS_PROPERTY, copies);
                try (Executable e = gpu.compile(graph)) {
                    Outputs o = e.run(feeds);
                    for (String n : want.keySet()) {
                        Gpu.assertClose(row.name() + " " + n + (copies == null ? "" : " (copies)"), want.get(n), o.get(n), half ? 2e-2 : 2e-5);
                    }
                } finally {
                    System.clearProperty(Lowering.PERMUTED_RESULTS_PROPERTY);
                }
                if (copies == null) {
                    boolean ran = gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.contains("_remap"));
                    if (row.permuted() > 0) assertTrue(ran, row.name() + ": a kernel storing permuted ran: " + gpu.kernelNames());
                }
            }
        }));
    }

    /** The remap's index for every element against the permute's own index arithmetic, and the layouts it refuses. */
    @Test
    void remapIndexes() {
        record Case(long batches, int m, int n, int[] source, int[] perm) {}
        List<Case> cases = List.of(new Case(1, 16, 24, new int[] {2, 8, 3, 8}, new int[] {0, 2, 1, 3}),
                new Case(6, 5, 8, new int[] {2, 3, 5, 8}, new int[] {0, 2, 1, 3}),
                new Case(6, 8, 12, new int[] {2, 3, 8, 12}, new int[] {0, 2, 1, 3}),
                new Case(4, 6, 16, new int[] {4, 6, 2, 8}, new int[] {2, 1, 0, 3}),
                new Case(1, 40, 16, new int[] {40, 16}, new int[] {0, 1}));
        for (Case c : cases) {
            MatMulKernel.Remap rm = MatMulKernel.Remap.of(c.batches(), c.m(), c.n(), c.source(), Ints.of(c.perm()));
            assertNotNull(rm, c.toString());
            int[] od = new int[c.source().length];
            for (int i = 0; i < od.length; i++) od[i] = c.source()[c.perm()[i]];
            int[] os = dev.jasg.core.Strides.contiguous(od), ss = dev.jasg.core.Strides.contiguous(c.source());
            boolean[] hit = new boolean[(int) (c.batches() * c.m() * c.n())];
            for (long z = 0; z < c.batches(); z++) {
                for (int r = 0; r < c.m(); r++) {
                    for (int col = 0; col < c.n(); col++) {
                        long flat = (z * c.m() + r) * c.n() + col, at = 0;
                        for (int i = 0; i < od.length; i++) at += (flat / ss[c.perm()[i]] % c.source()[c.perm()[i]]) * os[i];
                        assertEquals(at, rm.at(z, r, col), c + " at " + z + "," + r + "," + col);
                        hit[(int) at] = true;
                    }
                }
            }
            for (boolean h : hit) assertTrue(h, c + ": every element written");
        }
        // the last axis moved; runs of 2 columns; a row index split in three digits
        assertNull(MatMulKernel.Remap.of(6, 8, 8, new int[] {2, 3, 8, 8}, Ints.of(0, 3, 1, 2)));
        assertNull(MatMulKernel.Remap.of(1, 16, 6, new int[] {2, 8, 3, 2}, Ints.of(0, 2, 1, 3)));
        assertNull(MatMulKernel.Remap.of(1, 32, 8, new int[] {2, 4, 4, 8}, Ints.of(1, 0, 2, 3)));
    }
}
