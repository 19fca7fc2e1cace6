package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The fused attention kernels ({@link AttentionKernels}) as a table: each row builds {@code o = attention(q, k, v)},
 * {@code lse = attention_stats(q, k)} and the three {@code attention_grad}s of an output gradient {@code g}, and runs them
 * on the Vulkan backend against the reference backend within the row-kernel tolerance (2e-5 relative to the tensor's scale;
 * the half rows round their inputs to the type, and the results are f32 either way), twice with the same bits. The rows
 * cover small odd shapes, causal with {@code Lq > Lk} and {@code Lq < Lk}, {@code Lk = 1}, {@code E != Ev}, E = 64 and 128,
 * E past 128 (operands staged in chunks), lengths crossing the blocks, ranks 3 and 4, F32, F16 and BF16 (this backend
 * refuses F64), no query (no key is a shape error), a NaN in a query
 * and one in a value only later queries attend (causal: earlier rows stay finite), and the smallest tile (16x16x64 through
 * the tile properties) so that every block, chunk and column-chunk loop runs several times on small shapes.
 */
@Tag("gpu")
class AttentionKernelsTest {
    static final double TOL = 2e-5;

    /** {@code lead} leading axes; {@code nan}: 0 none, 1 in q, 2 in v; {@code tiles}: both tile properties, or null. */
    record Row(int[] lead, int lq, int lk, int e, int ev, boolean causal, double scale, DType dtype, int nan, String tiles) {
        String name() {
            return dtype.label() + Arrays.toString(lead) + " Lq=" + lq + " Lk=" + lk + " E=" + e + " Ev=" + ev + (causal ? " causal" : "")
                    + " scale=" + scale + (nan == 1 ? " NaN in q" : nan == 2 ? " NaN in v" : "") + (tiles == null ? "" : " tiles " + tiles);
        }
    }

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        for (boolean causal : new boolean[] {false, true}) {
            r.add(new Row(new int[] {2}, 5, 7, 3, 5, causal, 0.6, DType.F32, 0, null));
            r.add(new Row(new int[] {2}, 9, 4, 6, 6, causal, 0.4, DType.F32, 0, null));
            r.add(new Row(new int[] {1}, 3, 10, 8, 4, causal, 0.35, DType.F32, 0, null));
            r.add(new Row(new int[] {3}, 6, 1, 5, 7, causal, 0.5, DType.F32, 0, null));
            r.add(new Row(new int[] {2, 2}, 70, 70, 64, 64, causal, 0.125, DType.F32, 0, null));
            r.add(new Row(new int[] {1, 2}, 40, 33, 128, 128, causal, 1 / Math.sqrt(128), DType.F32, 0, null));
            r.add(new Row(new int[] {2}, 21, 19, 16, 100, causal, 0.25, DType.F32, 0, null));
            r.add(new Row(new int[] {1}, 20, 23, 150, 20, causal, 0.08, DType.F32, 0, null));
            r.add(new Row(new int[] {2}, 37, 29, 70, 130, causal, 0.3, DType.F32, 0, "16x16x64"));
            r.add(new Row(new int[] {1, 2}, 37, 33, 64, 64, causal, 0.125, DType.BF16, 0, null));
            r.add(new Row(new int[] {1}, 20, 20, 8, 8, causal, 0.35, DType.F16, 0, null));
            r.add(new Row(new int[] {1, 2}, 9, 9, 8, 8, causal, 0.35, DType.F32, 1, null));
            r.add(new Row(new int[] {1, 2}, 9, 9, 8, 8, causal, 0.35, DType.F32, 2, null));
        }
        r.add(new Row(new int[] {2}, 34, 34, 20, 20, true, 1.7, DType.F32, 2, "16x16x64"));
        // no query (zero key and value gradients); no key is a shape error (ShapeRules), so the kernels never see one
        r.add(new Row(new int[] {2}, 0, 3, 4, 5, true, 0.5, DType.F32, 0, null));
        return r;
    }

    private static VulkanBackend gpu;

    @BeforeAll
    static void open() {
        // the half rows check these f32 kernels; WorkgroupAttentionTest checks the tensor-core ones the H200 would take
        System.setProperty(WorkgroupAttentionKernels.PROPERTY, "false");
        gpu = Gpu.open();
    }

    @AfterAll
    static void close() {
        System.clearProperty(WorkgroupAttentionKernels.PROPERTY);
        if (gpu != null) gpu.close();
    }

    static Graph graph(Row row) {
        GraphBuilder b = new GraphBuilder();
        int[] lead = row.lead();
        Tensor q = b.input("q", DType.F32, Shape.of(dims(lead, row.lq(), row.e())));
        Tensor k = b.input("k", DType.F32, Shape.of(dims(lead, row.lk(), row.e())));
        Tensor v = b.input("v", DType.F32, Shape.of(dims(lead, row.lk(), row.ev())));
        Tensor g = b.input("g", DType.F32, Shape.of(dims(lead, row.lq(), row.ev())));
        if (row.dtype() != DType.F32) {
            q = q.cast(row.dtype());
            k = k.cast(row.dtype());
            v = v.cast(row.dtype());
        }
        Tensor o = b.apply(new Op.Attention(row.scale(), row.causal()), q, k, v);
        Tensor lse = b.apply(new Op.AttentionStats(row.scale(), row.causal()), q, k);
        b.output("o", o);
        b.output("lse", lse);
        String[] names = {"dq", "dk", "dv"};
        for (int wrt = 0; wrt < 3; wrt++) b.output(names[wrt], b.apply(new Op.AttentionGrad(row.scale(), row.causal(), wrt), q, k, v, o, g, lse));
        return b.build();
    }

    private static int[] dims(int[] lead, int l, int e) {
        int[] d = Arrays.copyOf(lead, lead.length + 2);
        d[lead.length] = l;
        d[lead.length + 1] = e;
        return d;
    }

    static Map<String, HostTensor> feeds(Row row, Graph graph) {
        Map<String, HostTensor> f = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(row.name().hashCode());
        for (String name : List.of("g", "k", "q", "v")) {
            int[] d = switch (name) {
                case "q" -> dims(row.lead(), row.lq(), row.e());
                case "k" -> dims(row.lead(), row.lk(), row.e());
                case "v" -> dims(row.lead(), row.lk(), row.ev());
                default -> dims(row.lead(), row.lq(), row.ev());
            };
            float[] v = new float[(int) Shape.of(d).size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * 1.5);
            // a NaN in the second batch matrix: in q at its row 4, or in v at its key 5 (causal: queries 0-4 do not attend it)
            int second = row.lq() * row.e();
            if (row.nan() == 1 && name.equals("q")) v[second + 4 * row.e() + 1] = Float.NaN;
            if (row.nan() == 2 && name.equals("v")) v[row.lk() * row.ev() + 5 * row.ev() + 2] = Float.NaN;
            f.put(name, HostTensor.of(v, d));
        }
        return f;
    }

    @TestFactory
    Stream<DynamicTest> attentionMatchesTheReference() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Graph graph = graph(row);
            Map<String, HostTensor> feeds = feeds(row, graph);
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(graph)) {
                Outputs o = e.run(feeds);
                for (String n : o.names()) want.put(n, o.get(n));
            }
            if (row.tiles() != null) {
                System.setProperty(AttentionKernels.TILES_PROPERTY, row.tiles());
                System.setProperty(AttentionKernels.GRAD_TILES_PROPERTY, row.tiles());
            }
            try (Executable e = gpu.compile(graph)) {
                Outputs o = e.run(feeds);
                Map<String, float[]> first = new TreeMap<>();
                for (String n : want.keySet()) {
                    RowGradientTest.assertClose(row.name() + ": " + n, want.get(n), o.get(n), TOL);
                    first.put(n, o.get(n).floats());
                }
                if (row.nan() != 0) assertNaNs(row, o.get("o"));
                Outputs again = e.run(feeds);
                for (var f : first.entrySet()) assertArrayEquals(f.getValue(), again.get(f.getKey()).floats(), row.name() + ": " + f.getKey() + " run twice");
            } finally {
                System.clearProperty(AttentionKernels.TILES_PROPERTY);
                System.clearProperty(AttentionKernels.GRAD_TILES_PROPERTY);
            }
        }));
    }

    /**
     * The NaN reaches the output rows that read it and no other: a query's whole row; a value's column in every row that
     * attends its key (all of the second matrix's rows non-causal, rows 5 on causal).
     */
    private static void assertNaNs(Row row, HostTensor o) {
        int ev = row.ev(), lq = row.lq(), col = row.nan() == 1 ? 0 : 2;
        for (int i = 0; i < lq; i++) {
            boolean nan = Double.isNaN(o.get((lq + i) * ev + col));
            boolean expect = row.nan() == 1 ? i == 4 : !row.causal() || i >= 5;
            assertEquals(expect, nan, row.name() + ": row " + i + " of the second matrix NaN");
            assertTrue(!Double.isNaN(o.get(i * ev)), row.name() + ": the first matrix stays finite");
        }
    }

    /**
     * A training graph: the gradients asg-autograd writes for {@code loss = sum(attention(q, k, v) * c)} (one shared
     * {@code attention_stats}, an {@code attention_grad} per operand, beside the other nodes' workspace users) match the reference.
     */
    @Test
    void autogradGradientsMatchTheReference() {
        for (boolean causal : new boolean[] {false, true}) {
            GraphBuilder b = new GraphBuilder();
            Tensor q = b.input("q", DType.F32, Shape.of(2, 3, 20, 16));
            Tensor k = b.input("k", DType.F32, Shape.of(2, 3, 24, 16));
            Tensor v = b.input("v", DType.F32, Shape.of(2, 3, 24, 12));
            Tensor c = b.input("c", DType.F32, Shape.of(2, 3, 20, 12));
            Tensor o = b.apply(new Op.Attention(0.25, causal), q, k, v);
            Tensor loss = o.mul(c).sum();
            b.output("loss", loss);
            Graph forward = b.build();
            Graph grads = dev.jasg.autograd.Autograd.gradients(forward, loss, List.of(q, k, v));
            Map<String, HostTensor> feeds = new TreeMap<>();
            SplittableRandom r = new SplittableRandom(causal ? 7 : 3);
            for (var e : dev.jasg.core.Program.of(List.of(forward, grads)).inputs().entrySet()) {
                float[] x = new float[(int) e.getValue().shape().size()];
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
                feeds.put(e.getKey(), HostTensor.of(x, e.getValue().shape().dims()));
            }
            Map<String, HostTensor> want = new TreeMap<>();
            try (ReferenceBackend ref = new ReferenceBackend(); Executable e = ref.compile(forward, grads)) {
                Outputs out = e.run(feeds);
                for (String n : out.names()) want.put(n, out.get(n));
            }
            try (Executable e = gpu.compile(forward, grads)) {
                Outputs out = e.run(feeds);
                for (String n : want.keySet()) RowGradientTest.assertClose("autograd" + (causal ? " causal" : "") + ": " + n, want.get(n), out.get(n), TOL);
            }
        }
    }

    /** The default tiles fit the H200's 48 KiB and shrink to a smaller device's shared memory; a tile property that does not fit is refused. */
    @Test
    void tilesFitTheSharedMemory() {
        for (AttentionKernels.Kind kind : AttentionKernels.Kind.values()) {
            for (int e : new int[] {1, 64, 128, 1000}) {
                for (int shared : new int[] {48 * 1024, 32 * 1024, 16 * 1024}) {
                    assertTrue(AttentionKernels.tiles(kind, e, e, shared).sharedBytes(kind) <= shared, kind + " E=" + e + " in " + shared);
                }
            }
        }
        assertEquals(new AttentionKernels.Tiles(64, 32, 64), AttentionKernels.tiles(AttentionKernels.Kind.FORWARD, 64, 64, 48 * 1024));
        assertEquals(new AttentionKernels.Tiles(32, 64, 64), AttentionKernels.tiles(AttentionKernels.Kind.GRAD_K, 64, 64, 48 * 1024));
        System.setProperty(AttentionKernels.TILES_PROPERTY, "128x128x128");
        try {
            assertThrows(IllegalArgumentException.class, () -> AttentionKernels.tiles(AttentionKernels.Kind.FORWARD, 64, 64, 48 * 1024));
        } finally {
            System.clearProperty(AttentionKernels.TILES_PROPERTY);
        }
        assertThrows(IllegalArgumentException.class, () -> new AttentionKernels.Tiles(24, 16, 64));
        assertThrows(IllegalArgumentException.class, () -> new AttentionKernels.Tiles(16, 16, 32));
    }
}
