package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
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
 * A softmax over the rows of a product in one kernel ({@link SoftmaxProductKernel}, {@code matmul_softmax.comp}) as a table:
 * each row a graph {@code softmax(f(x y))}, its operands as they are or transposed (attention's {@code q k^T}), rows off the
 * 32-row blocks and the 256-column groups, batches on either side, masks as the epilogue, a NaN, against the reference; the
 * kernel that ran named ({@code null}: the rule must leave the graph to the separate kernels); the gradients of a loss
 * through it; and {@code -Djasg.vulkan.softmaxProducts=false} giving the same values through two kernels.
 */
@Tag("gpu")
class SoftmaxProductTest {
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
     * {@code kernel}: the kernel that should run (or its epilogue variant), or null where none of them may run; a device whose
     * shared memory the row's columns do not fit runs none.
     */
    record Row(String name, int[] x, int[] y, String kernel, BiFunction<Tensor, Tensor, Tensor> build) {}

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("q k^T over GPT-2's head width, rows of 1024", new int[] {1, 2, 40, 64}, new int[] {1, 2, 1024, 64}, "matmul_softmax_1024_tb",
                (x, y) -> x.mul(0.125).matmul(y.mT()).softmax(-1)));
        r.add(new Row("q k^T, rows past a block of 32, 36 of 256 columns", new int[] {2, 3, 40, 16}, new int[] {2, 3, 36, 16}, "matmul_softmax_256_tb",
                (x, y) -> x.matmul(y.mT()).softmax(-1)));
        r.add(new Row("x y, 300 columns of 512, one block", new int[] {3, 29, 16}, new int[] {3, 16, 300}, "matmul_softmax_512",
                (x, y) -> x.matmul(y).softmax(-1)));
        r.add(new Row("x^T y, M off a multiple of 4", new int[] {3, 24, 45}, new int[] {3, 24, 68}, "matmul_softmax_256_ta",
                (x, y) -> x.mT().matmul(y).softmax(-1)));
        r.add(new Row("x^T y^T, 768 columns", new int[] {2, 8, 70}, new int[] {2, 768, 8}, "matmul_softmax_768_ta_tb",
                (x, y) -> x.mT().matmul(y.mT()).softmax(-1)));
        r.add(new Row("a batch times a shared matrix", new int[] {2, 33, 24}, new int[] {24, 260}, "matmul_softmax_512",
                (x, y) -> x.matmul(y).softmax(-1)));
        r.add(new Row("a shared matrix times a batch transposed", new int[] {33, 24}, new int[] {2, 100, 24}, "matmul_softmax_256_tb",
                (x, y) -> x.matmul(y.mT()).softmax(-1)));
        r.add(new Row("a causal mask by where, the epilogue", new int[] {2, 2, 48, 8}, new int[] {2, 2, 48, 8}, "matmul_softmax_256_tb",
                (x, y) -> {
                    Tensor s = x.matmul(y.mT());
                    float[] keep = new float[48 * 48];
                    for (int i = 0; i < 48; i++) for (int j = 0; j <= i; j++) keep[i * 48 + j] = 1;
                    Tensor mask = x.builder().constant(HostTensor.of(keep, 48, 48)).gt(0);
                    return mask.where(s, -1e9).softmax(-1);
                }));
        r.add(new Row("an additive mask and a scale after the product, the epilogue", new int[] {3, 20, 16}, new int[] {3, 16, 44}, "matmul_softmax_256",
                (x, y) -> x.matmul(y).mul(0.3).add(x.builder().input("bias", DType.F32, 20, 44)).softmax(-1)));
        r.add(new Row("rows of 1028: apart", new int[] {4, 8}, new int[] {8, 1028}, null, (x, y) -> x.matmul(y).softmax(-1)));
        r.add(new Row("a depth of 12: apart", new int[] {4, 12}, new int[] {12, 16}, null, (x, y) -> x.matmul(y).softmax(-1)));
        r.add(new Row("rows of 18, not a multiple of 4: apart", new int[] {4, 8}, new int[] {8, 18}, null, (x, y) -> x.matmul(y).softmax(-1)));
        return r;
    }

    static Graph graph(Row row, boolean withGradients, List<Graph> out) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.of(row.x())), y = b.input("y", DType.F32, Shape.of(row.y()));
        Tensor w = row.build().apply(x, y);
        b.output("w", w);
        Tensor c = b.input("c", DType.F32, w.shape());
        Tensor loss = w.mul(c).sum();
        b.output("loss", loss);
        Graph forward = b.build();
        out.add(forward);
        if (withGradients) out.add(Autograd.gradients(forward, loss, List.of(x, y)));
        return forward;
    }

    static Map<String, HostTensor> feeds(List<Graph> graphs, boolean nan) {
        Map<String, HostTensor> f = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(7);
        for (var e : dev.jasg.core.Program.of(graphs).inputs().entrySet()) {
            int[] d = e.getValue().shape().dims();
            float[] v = new float[(int) e.getValue().shape().size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
            if (nan && e.getKey().equals("x")) v[3] = Float.NaN;
            f.put(e.getKey(), HostTensor.of(v, d));
        }
        return f;
    }

    private static Map<String, HostTensor> run(dev.jasg.core.Backend backend, List<Graph> graphs, Map<String, HostTensor> feeds) {
        Map<String, HostTensor> got = new TreeMap<>();
        try (Executable e = backend.compile(graphs.toArray(Graph[]::new))) {
            Outputs o = e.run(feeds);
            for (String n : o.names()) got.put(n, o.get(n));
        }
        return got;
    }

    @TestFactory
    Stream<DynamicTest> valuesAndGradientsMatchTheReference() {
        return rows().stream().flatMap(row -> Stream.of(false, true).map(grads -> DynamicTest.dynamicTest(row.name() + (grads ? ", with gradients" : ""), () -> {
            List<Graph> graphs = new ArrayList<>();
            graph(row, grads, graphs);
            Map<String, HostTensor> feeds = feeds(graphs, false);
            Map<String, HostTensor> want;
            try (ReferenceBackend ref = new ReferenceBackend()) {
                want = run(ref, graphs, feeds);
            }
            try (VulkanBackend fresh = Gpu.open()) {
                Map<String, HostTensor> got = run(fresh, graphs, feeds);
                for (String n : want.keySet()) Gpu.assertClose(row.name() + ": " + n, want.get(n), got.get(n), n.equals("loss") ? 1e-4 : 2e-5);
                boolean ran = fresh.kernelNames().stream().anyMatch(k -> k.startsWith("matmul_softmax_"));
                // a device with less shared memory than a row's columns need (lavapipe's 32 KiB for rows of 1024) keeps two kernels
                int n = got.get("w").shape().dims()[got.get("w").shape().rank() - 1];
                if (row.kernel() == null || SoftmaxProductKernel.sharedBytes(n) > fresh.device().maxSharedMemory) {
                    assertTrue(!ran, row.name() + ": no softmax product may run: " + fresh.kernelNames());
                } else {
                    assertTrue(fresh.kernelNames().stream().anyMatch(k -> k.equals(row.kernel()) || k.startsWith(row.kernel() + "_epilogue")),
                            row.name() + ": " + row.kernel() + " should run: " + fresh.kernelNames());
                }
            }
        })));
    }

    /** A NaN score gives its row NaN weights (and no other row's), as the separate softmax does. */
    @TestFactory
    Stream<DynamicTest> aNaNPropagatesToItsRow() {
        return Stream.of(rows().get(1), rows().get(7)).map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            List<Graph> graphs = new ArrayList<>();
            graph(row, false, graphs);
            Map<String, HostTensor> feeds = feeds(graphs, true);
            HostTensor want;
            try (ReferenceBackend ref = new ReferenceBackend()) {
                want = run(ref, graphs, feeds).get("w");
            }
            HostTensor got = run(gpu, graphs, feeds).get("w");
            Gpu.assertClose(row.name(), want, got, 2e-5);
            float[] v = got.floats();
            int n = got.shape().dims()[got.shape().rank() - 1], nanRows = 0;
            for (int i = 0; i < v.length; i += n) if (Float.isNaN(v[i])) nanRows++;
            assertEquals(1, nanRows, row.name() + ": the NaN's row only");
        }));
    }

    /** With the rule off ({@value SoftmaxProductKernel#PROPERTY}{@code =false}) the product and the softmax run apart, to the same values. */
    @TestFactory
    Stream<DynamicTest> theSwitchGivesTheSameValues() {
        return Stream.of(rows().get(0), rows().get(8)).map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            List<Graph> graphs = new ArrayList<>();
            graph(row, true, graphs);
            Map<String, HostTensor> feeds = feeds(graphs, false);
            Map<String, HostTensor> on = run(gpu, graphs, feeds), off;
            System.setProperty(SoftmaxProductKernel.PROPERTY, "false");
            try (VulkanBackend fresh = Gpu.open()) {
                off = run(fresh, graphs, feeds);
                assertTrue(fresh.kernelNames().stream().noneMatch(k -> k.startsWith("matmul_softmax_")), "no softmax product with the switch off");
            } finally {
                System.clearProperty(SoftmaxProductKernel.PROPERTY);
            }
            for (String n : on.keySet()) Gpu.assertClose(row.name() + ": " + n, off.get(n), on.get(n), n.equals("loss") ? 1e-4 : 2e-5);
        }));
    }
}
