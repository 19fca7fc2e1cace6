package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The large tile 16 deep ({@link MatMulKernel#deep}): which products take it, then a table of products forced onto the large
 * tile, each against the reference and bit for bit against the same product 8 deep ({@code -Djasg.vulkan.matmul.deepLarge=false}):
 * every invocation adds its products in K's order whatever the depth of a step, so the bits do not move.
 */
class MatMulDeepTileTest extends OnGpu {
    private static final MatMulKernel.Tiles LARGE = new MatMulKernel.Tiles(128, 256, 8, 8, 16), MID = new MatMulKernel.Tiles(128, 128, 16, 8, 8);
    private static final MatMulKernel.Layout PLAIN = MatMulKernel.Layout.PLAIN, TRANS_A = new MatMulKernel.Layout(true, false),
            TRANS_B = new MatMulKernel.Layout(false, true);

    @Test
    void whichProductsGoDeep() {
        MatMulKernel.Tiles deep = new MatMulKernel.Tiles(128, 256, 16, 8, 16);
        assertEquals(deep, MatMulKernel.deep(LARGE, PLAIN, 4096, 48 * 1024));
        assertEquals(deep, MatMulKernel.deep(LARGE, TRANS_B, 4096, 32 * 1024));  // 24 KiB in one shared stage
        assertEquals(deep, MatMulKernel.deep(LARGE, PLAIN, 4100, 48 * 1024));    // bounds-checked either way
        assertEquals(LARGE, MatMulKernel.deep(LARGE, TRANS_A, 4096, 48 * 1024)); // weight gradients: slower 16 deep
        assertEquals(LARGE, MatMulKernel.deep(LARGE, PLAIN, 4104, 48 * 1024));   // 8 divides K, 16 does not: keep the aligned kernel
        assertEquals(LARGE, MatMulKernel.deep(LARGE, PLAIN, 4096, 16 * 1024));   // the shared memory does not hold it
        assertEquals(MID, MatMulKernel.deep(MID, PLAIN, 4096, 48 * 1024));       // only the large tile
        System.setProperty(MatMulKernel.DEEP_LARGE_PROPERTY, "false");
        try {
            assertEquals(LARGE, MatMulKernel.deep(LARGE, PLAIN, 4096, 48 * 1024));
        } finally {
            System.clearProperty(MatMulKernel.DEEP_LARGE_PROPERTY);
        }
        System.setProperty(MatMulKernel.TILES_PROPERTY, "128x256x8");
        try {
            assertEquals(LARGE, MatMulKernel.deep(LARGE, PLAIN, 4096, 48 * 1024));  // a tile named for tuning is kept as named
        } finally {
            System.clearProperty(MatMulKernel.TILES_PROPERTY);
        }
    }

    record Row(String name, int[] x, int[] y, BinaryOperator<Tensor> build, boolean deep, boolean nan) {}

    static List<Row> rows() {
        return List.of(
                new Row("x y, aligned", new int[] {256, 512}, new int[] {512, 512}, Tensor::matmul, true, false),
                new Row("x y^T (a Linear layer), B read transposed, aligned", new int[] {256, 512}, new int[] {512, 512},
                        (x, y) -> x.matmul(y.mT()), true, false),
                new Row("x y, odd sizes (bounds-checked), K not a multiple of 16", new int[] {200, 300}, new int[] {300, 270},
                        Tensor::matmul, true, false),
                new Row("x y, K of 520 (8 divides it, 16 does not): 8 deep, aligned", new int[] {256, 520}, new int[] {520, 256},
                        Tensor::matmul, false, false),
                new Row("a batch of 3 products, aligned", new int[] {3, 128, 256}, new int[] {3, 256, 256}, Tensor::matmul, true, false),
                new Row("x^T y (A read transposed): 8 deep", new int[] {512, 256}, new int[] {512, 256}, (x, y) -> x.mT().matmul(y), false, false),
                new Row("NaN in x: its row's results NaN", new int[] {256, 512}, new int[] {512, 256}, Tensor::matmul, true, true));
    }

    @Tag("gpu")
    @TestFactory
    Stream<DynamicTest> deepProductsMatchTheReferenceAndTheShallowBits() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Graph graph = Gpu.product(row.x(), row.y(), row.build());
            Map<String, HostTensor> feeds = TransposedOperandTest.feeds(row.name(), row.x(), row.y());
            if (row.nan()) {
                float[] v = feeds.get("x").floats().clone();
                v[5 * row.x()[1] + 19 * 16 + 3] = Float.NaN;
                feeds.put("x", HostTensor.of(v, row.x()));
            }
            HostTensor want = Gpu.reference(graph, feeds);
            boolean ranDeep;
            System.setProperty(MatMulKernel.SCHEDULE_PROPERTY, "0/1");  // the large tile, unsplit
            // 16 deep, then 8 deep
            try {
                ranDeep = Gpu.sameBitsTwoWays(row.name(), graph, feeds, want, gpu,
                        () -> System.setProperty(MatMulKernel.DEEP_LARGE_PROPERTY, "false"), 1e-4).stream()
                        .anyMatch(n -> n.startsWith("matmul_128x256x16_"));
            } finally {
                System.clearProperty(MatMulKernel.SCHEDULE_PROPERTY);
                System.clearProperty(MatMulKernel.DEEP_LARGE_PROPERTY);
            }
            // the NaN's row: NaN in the reference, so in both results too (assertClose holds NaN to NaN)
            if (row.nan()) assertTrue(Float.isNaN(want.floats()[5 * row.y()[1] + 7]), row.name() + ": the NaN's row");
            assertEquals(row.deep(), ranDeep, row.name() + ": the 16-deep kernel ran");
        }));
    }
}
