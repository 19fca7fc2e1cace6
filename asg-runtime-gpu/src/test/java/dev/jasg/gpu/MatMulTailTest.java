package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unsplit products whose last wave of tiles is part empty, run with their last tiles in stream-K runs
 * ({@link MatMulKernel#tail}, {@code matmul.comp TAIL}, {@code stream_tail.comp}): the rule, then a table of products on a
 * device told of 4 compute units with the tail form forced, against the reference, the same bits run to run (and exactly
 * doubled with A doubled, so no run reads what an earlier one left), and against the whole-tile product
 * ({@code -Djasg.vulkan.matmul.tail=false}) within the reference's tolerance (the runs' partial sums round differently).
 */
class MatMulTailTest extends OnGpu {
    private static final MatMulKernel.Tiles LARGE_DEEP = new MatMulKernel.Tiles(128, 256, 16, 8, 16);

    /** 4096^3 on the large tile 16 deep over 132 units: 512 tiles, 3 whole waves and 116 tiles; the head is two waves. */
    @Test
    void theTailsShape() {
        System.setProperty(MatMulKernel.TAIL_PROPERTY, "force");
        try {
            MatMulKernel.Tail t = MatMulKernel.tail(LARGE_DEEP, 4096, 4096, 4096, 132, false, 65535);
            assertEquals(new MatMulKernel.Tail(264, 248, 481, 2), t);
            assertEquals(264 + 132, t.groups(256));
            assertNull(MatMulKernel.tail(LARGE_DEEP, 4096, 4096, 4096, 132, false, 300), "more workgroups than the grid takes");
        } finally {
            System.clearProperty(MatMulKernel.TAIL_PROPERTY);
        }
    }

    /** Where the tail form is left out (whole waves, under one wave, one K step, unknown units, switched off, too little gain), and one where it is not. */
    @ParameterizedTest
    @CsvSource({
        "4096, 4224, 4096, 132, ''",      // 32 x 17 = 544 tiles: 4.12 waves, the fifth nearly empty: taken by its cost (checked below)
        "4224, 4096, 4096, 132, ''",     // 33 x 16 = 528 tiles = 4 whole waves
        "1024, 1024, 4096, 132, force",  // 32 tiles: under one wave (split K's case)
        "4096, 4096, 16, 132, force",    // one K step: nothing to deal out
        "4096, 4096, 4096, 0, force",    // units unknown
        "4096, 4096, 4096, 132, false",  // switched off
        "4096, 4096, 4096, 132, ''"})    // 3.88 waves: the partials' traffic outweighs the eighth of a wave by the costs
    void leftOut(int m, int n, int k, int units, String property) {
        if (!property.isEmpty()) System.setProperty(MatMulKernel.TAIL_PROPERTY, property);
        try {
            MatMulKernel.Tail t = MatMulKernel.tail(LARGE_DEEP, m, n, k, units, false, 65535);
            if (m == 4096 && n == 4224) assertTrue(t != null, "4.12 waves take a tail");
            else assertNull(t, m + "x" + n + "x" + k + " on " + units + " units, " + property);
        } finally {
            System.clearProperty(MatMulKernel.TAIL_PROPERTY);
        }
    }

    /** Costed, a product whose last wave holds a single tile of 133 takes the tail (nearly half its time was that tile). */
    @Test
    void aNearlyEmptyLastWaveTakesTheTail() {
        // 133 tiles of 128x256 (7 x 19) over 132 units, K 4096: two waves, the second one tile
        MatMulKernel.Tail t = MatMulKernel.tail(LARGE_DEEP, 7 * 128, 19 * 256, 4096, 132, false, 65535);
        assertEquals(new MatMulKernel.Tail(0, 133, 258, 2), t);
    }

    record Row(String name, int[] x, int[] y, BinaryOperator<Tensor> build, String schedule, boolean nan) {}

    static List<Row> rows() {
        return List.of(
                new Row("x y on the large tile, aligned: 10 tiles over 4 units", new int[] {640, 256}, new int[] {256, 512}, Tensor::matmul, "0/1", false),
                new Row("odd sizes (bounds-checked), the large tile", new int[] {700, 300}, new int[] {300, 530}, Tensor::matmul, "0/1", false),
                new Row("x y^T (B read transposed), the middle tile", new int[] {640, 192}, new int[] {640, 192}, (x, y) -> x.matmul(y.mT()), "1/1", false),
                new Row("x^T y (A read transposed), odd sizes", new int[] {300, 650}, new int[] {300, 530}, (x, y) -> x.mT().matmul(y), "0/1", false),
                new Row("NaN in one tail tile's A", new int[] {640, 256}, new int[] {256, 512}, Tensor::matmul, "0/1", true),
                new Row("two tail products in one plan, the workspace shared", new int[] {640, 256}, new int[] {256, 512},
                        (x, y) -> x.matmul(y).add(x.exp().matmul(y)), "0/1", false));
    }

    private static VulkanBackend withUnits;

    @BeforeAll
    static void openWithUnits() {
        withUnits = Gpu.openWithUnits(4);
    }

    @AfterAll
    static void closeWithUnits() {
        if (withUnits != null) withUnits.close();
        withUnits = null;
    }

    @Tag("gpu")
    @TestFactory
    Stream<DynamicTest> tailProductsMatchTheReference() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Graph graph = Gpu.product(row.x(), row.y(), row.build());
            Map<String, HostTensor> feeds = TransposedOperandTest.feeds(row.name(), row.x(), row.y());
            if (row.nan()) {
                float[] x = feeds.get("x").floats().clone();
                x[600 * row.x()[1] + 7] = Float.NaN;   // row 600: the last row of tiles, in the tail
                feeds.put("x", HostTensor.of(x, row.x()));
            }
            HostTensor want = Gpu.reference(graph, feeds);
            float[] first;
            System.setProperty(MatMulKernel.SCHEDULE_PROPERTY, row.schedule());
            System.setProperty(MatMulKernel.TAIL_PROPERTY, "force");
            try (Executable e = withUnits.compile(graph)) {
                first = e.run(feeds).get("c").floats();
                Gpu.assertClose(row.name(), want, HostTensor.of(first, want.shape().dims()), 1e-4);
                Map<String, HostTensor> doubled = new HashMap<>(feeds);
                float[] x2 = feeds.get("x").floats().clone();
                for (int i = 0; i < x2.length; i++) x2[i] *= 2;
                doubled.put("x", HostTensor.of(x2, row.x()));
                boolean linear = !row.name().startsWith("two");   // exp(2x) is not twice exp(x)
                for (int run = 0; run < 2; run++) {
                    if (run == 0 && !linear) continue;
                    float[] again = e.run(run == 0 ? doubled : feeds).get("c").floats();
                    for (int i = 0; i < first.length; i++) {
                        float expect = run == 0 ? first[i] * 2 : first[i];
                        assertEquals(Float.floatToRawIntBits(expect), Float.floatToRawIntBits(again[i]), row.name() + ": run " + (run + 2) + ", element " + i);
                    }
                }
            } finally {
                System.clearProperty(MatMulKernel.TAIL_PROPERTY);
            }
            try {
                assertTrue(withUnits.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.endsWith("_tail")), "a tail product ran: "
                        + withUnits.kernelNames());
                assertTrue(withUnits.kernelNames().contains("stream_tail"), "the tail's partials were added: " + withUnits.kernelNames());
                System.setProperty(MatMulKernel.TAIL_PROPERTY, "false");
                try (Executable e = withUnits.compile(graph)) {
                    Gpu.assertClose(row.name() + " (whole tiles)", want, e.run(feeds).get("c"), 1e-4);
                }
            } finally {
                System.clearProperty(MatMulKernel.TAIL_PROPERTY);
                System.clearProperty(MatMulKernel.SCHEDULE_PROPERTY);
            }
            if (row.nan()) {
                int cols = row.y()[1];
                for (int j = 0; j < cols; j++) assertTrue(Float.isNaN(first[600 * cols + j]), "NaN reaches row 600, column " + j);
                assertTrue(!Float.isNaN(first[0]), "rows without the NaN stay numbers");
            }
        }));
    }
}
