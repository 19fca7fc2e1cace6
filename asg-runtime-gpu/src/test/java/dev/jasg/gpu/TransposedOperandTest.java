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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Products whose A or B (or both) is a permute swapping its last two axes (a weight gradient's {@code x^T g}, a Linear layer's
 * {@code x W^T}, attention's {@code q k^T}) as a table: the permute is absorbed ({@link Fusion#layout}: no copy, the f32
 * kernel reads the operand transposed, {@code matmul.comp TRANS_A}, {@code TRANS_B}) where every reader reads it so, and kept
 * where something else reads it; a permute of such a permute ({@code (W^T)^T}, as the backward reads a weight) is then its
 * operand as it is, a view. Every row against the reference, with sizes on and off the tiles (aligned and bounds-checked
 * variants), batches (on either side), a fused epilogue, and {@code -Djasg.vulkan.transposedOperands=false} giving the same
 * values through the copies. Rows of half operands take the tensor-core kernels where the device has them, the operand
 * transposed while its packing to 16-bit storage ({@code pack_half_t.comp}).
 */
@Tag("gpu")
class TransposedOperandTest extends OnGpu {

    /**
     * {@code absorbed}: how many permutes should be absorbed; {@code kernel}: what the name of an f32 product kernel that ran
     * holds ({@code _ta}, {@code _tb}, {@code _ta_tb}; null: no check); {@code half}: the product's operands are half (the rows
     * the tensor-core kernels take where the device has them: the packing transposes the operand), compared within {@code 1e-3};
     * {@code results}: how many products should compute their result transposed ({@link Fusion#transposedResult}).
     */
    record Row(String name, int[] x, int[] y, int absorbed, String kernel, boolean half, int results, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {
        Row(String name, int[] x, int[] y, int absorbed, String kernel, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {
            this(name, x, y, absorbed, kernel, false, 0, build);
        }

        Row(String name, int[] x, int[] y, int absorbed, String kernel, boolean half, BiFunction<Tensor, Tensor, Map<String, Tensor>> build) {
            this(name, x, y, absorbed, kernel, half, 0, build);
        }
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("x^T y, 128-aligned", new int[] {256, 128}, new int[] {256, 128}, 1, "_ta", (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("x^T y, odd sizes", new int[] {37, 21}, new int[] {37, 19}, 1, "_ta", (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("batched x^T y", new int[] {3, 40, 24}, new int[] {3, 40, 36}, 1, "_ta", (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("batched x^T times a shared matrix", new int[] {2, 33, 17}, new int[] {33, 9}, 1, "_ta", (x, y) -> Map.of("c", x.mT().matmul(y))));
        r.add(new Row("x^T y with bias and relu", new int[] {64, 96}, new int[] {64, 80}, 1, "_ta",
                (x, y) -> Map.of("c", x.mT().matmul(y).add(y.sum(0)).relu())));
        r.add(new Row("x^T also an output: kept", new int[] {20, 12}, new int[] {20, 8}, 0, null,
                (x, y) -> {
                    Tensor xt = x.mT();
                    return Map.of("c", xt.matmul(y), "xt", xt);
                }));
        r.add(new Row("x^T read twice: kept", new int[] {20, 12}, new int[] {20, 12}, 0, null,
                (x, y) -> {
                    Tensor xt = x.mT();
                    return Map.of("c", xt.matmul(y).add(xt.exp().sum(1, true)));
                }));
        // B transposed (TRANS_B): a Linear layer's x W^T, attention's q k^T
        r.add(new Row("x y^T, 128-aligned", new int[] {128, 256}, new int[] {256, 256}, 1, "_tb", (x, y) -> Map.of("c", x.matmul(y.mT()))));
        r.add(new Row("x y^T, odd sizes", new int[] {30, 21}, new int[] {25, 21}, 1, "_tb", (x, y) -> Map.of("c", x.matmul(y.mT()))));
        r.add(new Row("batched q k^T", new int[] {2, 3, 40, 24}, new int[] {2, 3, 36, 24}, 1, "_tb", (x, y) -> Map.of("c", x.matmul(y.mT()))));
        r.add(new Row("batched x times a shared matrix transposed", new int[] {2, 33, 17}, new int[] {9, 17}, 1, "_tb",
                (x, y) -> Map.of("c", x.matmul(y.mT()))));
        r.add(new Row("a shared matrix times batched y^T", new int[] {33, 17}, new int[] {2, 9, 17}, 1, "_tb", (x, y) -> Map.of("c", x.matmul(y.mT()))));
        r.add(new Row("x y^T with bias and relu", new int[] {64, 96}, new int[] {80, 96}, 1, "_tb",
                (x, y) -> Map.of("c", x.matmul(y.mT()).add(y.sum(1)).relu())));
        r.add(new Row("y^T also read by exp: kept", new int[] {20, 12}, new int[] {16, 12}, 0, null,
                (x, y) -> {
                    Tensor yt = y.mT();
                    return Map.of("c", x.matmul(yt).add(yt.exp().sum(0, true)));
                }));
        // both transposed
        r.add(new Row("x^T y^T, 128-aligned", new int[] {256, 128}, new int[] {128, 256}, 2, "_ta_tb", (x, y) -> Map.of("c", x.mT().matmul(y.mT()))));
        r.add(new Row("batched x^T y^T, odd sizes", new int[] {3, 37, 21}, new int[] {3, 19, 37}, 2, "_ta_tb", (x, y) -> Map.of("c", x.mT().matmul(y.mT()))));
        r.add(new Row("x^T x^T: one permute read as both", new int[] {24, 24}, new int[] {1, 1}, 1, "_ta_tb", (x, y) -> {
            Tensor xt = x.mT();
            return Map.of("c", xt.matmul(xt).add(y));
        }));
        // (W^T)^T, as the backward of x W^T reads the weight: W^T read transposed, (W^T)^T is W's storage (a view)
        r.add(new Row("W^T forward, (W^T)^T backward", new int[] {20, 12}, new int[] {16, 12}, 2, "_tb", (x, w) -> {
            Tensor wt = w.mT();
            return Map.of("c", x.matmul(wt).matmul(wt.mT()));
        }));
        r.add(new Row("(W^T)^T read by exp", new int[] {20, 12}, new int[] {16, 12}, 2, "_tb", (x, w) -> {
            Tensor wt = w.mT();
            return Map.of("c", x.matmul(wt), "d", wt.mT().exp());
        }));
        r.add(new Row("(W^T)^T an output: kept", new int[] {20, 12}, new int[] {16, 12}, 0, null, (x, w) -> {
            Tensor wt = w.mT();
            return Map.of("c", x.matmul(wt), "d", wt.mT());
        }));
        // a product whose only reader transposes its result computes it transposed, B^T A^T (a weight gradient (x^T g)^T)
        r.add(new Row("(x^T g)^T, a weight gradient as W", new int[] {40, 24}, new int[] {40, 16}, 1, "_ta", false, 1,
                (x, y) -> Map.of("c", x.mT().matmul(y).mT())));
        r.add(new Row("(x y)^T, odd sizes", new int[] {37, 21}, new int[] {21, 19}, 0, "_ta_tb", false, 1, (x, y) -> Map.of("c", x.matmul(y).mT())));
        r.add(new Row("(x y^T)^T, 128-aligned", new int[] {128, 256}, new int[] {128, 256}, 1, null, false, 1,
                (x, y) -> Map.of("c", x.matmul(y.mT()).mT())));
        r.add(new Row("batched (q^T g)^T, heads merged after", new int[] {2, 3, 40, 24}, new int[] {2, 3, 40, 36}, 1, "_ta", false, 1,
                (x, y) -> Map.of("c", x.mT().matmul(y).mT().permute(0, 2, 1, 3))));
        r.add(new Row("(x y)^T with x shared by the batch", new int[] {33, 20}, new int[] {2, 20, 9}, 0, "_ta_tb", false, 1,
                (x, y) -> Map.of("c", x.matmul(y).mT())));
        r.add(new Row("(x y)^T, x y also read: kept", new int[] {20, 12}, new int[] {12, 8}, 0, null, false, 0, (x, y) -> {
            Tensor c = x.matmul(y);
            return Map.of("c", c.mT(), "d", c.exp());
        }));
        r.add(new Row("(x y)^T, the result larger than x: kept", new int[] {20, 2}, new int[] {2, 30}, 0, null, false, 0,
                (x, y) -> Map.of("c", x.matmul(y).mT())));
        // half operands: on a device with tensor-core kernels, the subgroup-scope kernel (128- and 64-aligned) or the
        // workgroup-scope one (M off the tiles) with the operand transposed while packed; elsewhere the f32 kernel
        r.add(new Row("bf16 x^T y, tensor-core tiles", new int[] {256, 128}, new int[] {256, 128}, 1, "_ta", true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).mT().matmul(y.cast(DType.BF16)))));
        r.add(new Row("f16 x^T y, M off the tiles", new int[] {264, 200}, new int[] {264, 136}, 1, "_ta", true,
                (x, y) -> Map.of("c", x.cast(DType.F16).mT().matmul(y.cast(DType.F16)))));
        r.add(new Row("bf16 batched x^T times a shared matrix", new int[] {2, 128, 64}, new int[] {128, 64}, 1, "_ta", true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).mT().matmul(y.cast(DType.BF16)))));
        r.add(new Row("f16 x^T y with bias and relu", new int[] {128, 128}, new int[] {128, 128}, 1, "_ta", true,
                (x, y) -> Map.of("c", x.cast(DType.F16).mT().matmul(y.cast(DType.F16)).add(y.sum(0)).relu())));
        r.add(new Row("bf16 x y^T, tensor-core tiles", new int[] {128, 256}, new int[] {128, 256}, 1, "_tb", true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).matmul(y.cast(DType.BF16).mT()))));
        r.add(new Row("f16 x y^T, M off the tiles", new int[] {264, 200}, new int[] {136, 200}, 1, "_tb", true,
                (x, y) -> Map.of("c", x.cast(DType.F16).matmul(y.cast(DType.F16).mT()))));
        r.add(new Row("bf16 batched q k^T", new int[] {2, 2, 128, 64}, new int[] {2, 2, 128, 64}, 1, "_tb", true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).matmul(y.cast(DType.BF16).mT()))));
        r.add(new Row("bf16 x^T y^T with bias", new int[] {128, 128}, new int[] {128, 128}, 2, "_ta_tb", true,
                (x, y) -> Map.of("c", x.cast(DType.BF16).mT().matmul(y.cast(DType.BF16).mT()).add(y.sum(0)))));
        r.add(new Row("bf16 (x^T g)^T, tensor-core tiles", new int[] {256, 128}, new int[] {256, 128}, 1, "_ta", true, 1,
                (x, y) -> Map.of("c", x.cast(DType.BF16).mT().matmul(y.cast(DType.BF16)).mT())));
        return r;
    }

    /**
     * Every f32 tile (forced, {@value MatMulKernel#SCHEDULE_PROPERTY}: large, middle, narrow, small; each its own depth BK and
     * so its own swizzle of the shared tiles, {@code matmul.comp SWZ}) reading A and B as they are, A, B or both transposed,
     * aligned to every tile and not, through one shared stage and two ({@value MatMulKernel#STAGES_PROPERTY}), against the reference.
     */
    @TestFactory
    Stream<DynamicTest> everyTileReadsTransposed() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int tile = 0; tile < 4; tile++) {
            // K of an even and an odd number of steps for every depth, and of one step (two stages: the unrolled loop's ends)
            for (int[] mnk : new int[][] {{256, 256, 64}, {45, 71, 37}, {33, 20, 5}}) {
                for (int cfg = 0; cfg < 6; cfg++) {
                    // one stage in every layout; two on the large tile with both operands as they are and both transposed (each
                    // its own store), and on the middle one as they are (each variant is seconds of shaderc on a cold cache)
                    int layout = cfg < 4 ? cfg : (cfg == 4 ? 0 : 3), stages = cfg < 4 ? 1 : 2;
                    if ((mnk[2] == 5 && stages == 1) || (stages == 2 && (tile > 1 || (tile == 1 && layout != 0)))) continue;
                    boolean ta = (layout & 1) != 0, tb = (layout & 2) != 0;
                    int m = mnk[0], n = mnk[1], k = mnk[2], forced = tile;
                    String name = "tile " + tile + ", " + m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + ", " + stages + " stage(s)";
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        Row row = new Row(name, ta ? new int[] {k, m} : new int[] {m, k}, tb ? new int[] {n, k} : new int[] {k, n}, 0, null,
                                (x, y) -> Map.of("c", (ta ? x.mT() : x).matmul(tb ? y.mT() : y)));
                        Graph graph = graph(row);
                        Map<String, HostTensor> feeds = feeds(row);
                        HostTensor want;
                        try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                            want = e.run(feeds).get("c");
                        }
                        System.setProperty(MatMulKernel.SCHEDULE_PROPERTY, forced + "/1");
                        System.setProperty(MatMulKernel.STAGES_PROPERTY, String.valueOf(stages));
                        // the large tile 8 deep, as named (16 deep is MatMulDeepTileTest's)
                        System.setProperty(MatMulKernel.DEEP_LARGE_PROPERTY, "false");
                        try (Executable e = gpu.compile(graph)) {
                            Gpu.assertClose(name, want, e.run(feeds).get("c"), 2e-5);
                        } finally {
                            System.clearProperty(MatMulKernel.SCHEDULE_PROPERTY);
                            System.clearProperty(MatMulKernel.STAGES_PROPERTY);
                            System.clearProperty(MatMulKernel.DEEP_LARGE_PROPERTY);
                        }
                        if (stages == 2) {
                            assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.endsWith("_s2")),
                                    "a two-stage kernel ran: " + gpu.kernelNames());
                        }
                    }));
                }
            }
        }
        return tests.stream();
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
            assertEquals(row.absorbed(), absorbed, row.name() + ": absorbed permutes");
            assertEquals(row.results(), p.schedule().stream().filter(n -> f.transposedResult(n.id()) >= 0).count(), row.name() + ": results transposed");
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
            boolean coop = gpu.device().coopMatrix.supports(DType.BF16) && gpu.device().coopMatrix.supports(DType.F16);
            if (row.absorbed() > 0 && row.half() && coop) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("pack_t_")), "the transposing pack ran: " + gpu.kernelNames());
            } else if (row.kernel() != null) {
                assertTrue(gpu.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.contains(row.kernel())),
                        "a kernel reading " + row.kernel() + " ran: " + gpu.kernelNames());
            }
        }));
    }
}
