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
 * The products' launch order in bands of rows of tiles ({@link MatMulKernel#RASTER_PROPERTY}, {@code matmul.comp RASTER}):
 * a table of products, each with bands that split its rows of tiles unevenly or exceed them, against the reference and bit
 * for bit against the same product in the plain order. Only which workgroup computes a tile moves, so the bits do not.
 */
class MatMulRasterTest extends OnGpu {

    @Test
    void theBandHeightIsCheckedWhereItIsRead() {
        Gpu.refusedByName(MatMulKernel.RASTER_PROPERTY, List.of("-1", "65", "two"), MatMulKernel::raster);
        assertEquals(0, MatMulKernel.raster());
    }

    record Row(String name, int[] x, int[] y, BinaryOperator<Tensor> build, int raster, String schedule) {}

    static List<Row> rows() {
        return List.of(
                new Row("5 rows of large tiles in bands of 2 (the last band 1 row), aligned", new int[] {640, 256}, new int[] {256, 768},
                        Tensor::matmul, 2, "0/1"),
                new Row("bands of 8 over 2 rows of tiles", new int[] {256, 128}, new int[] {128, 1024}, Tensor::matmul, 8, "0/1"),
                new Row("odd sizes (bounds-checked) in bands of 3", new int[] {300, 200}, new int[] {200, 270}, Tensor::matmul, 3, "0/1"),
                new Row("a batch of 3 products in bands of 2", new int[] {3, 384, 64}, new int[] {3, 64, 512}, Tensor::matmul, 2, "0/1"),
                new Row("x y^T (B read transposed) with a bias and ReLU as the epilogue, bands of 2", new int[] {640, 128},
                        new int[] {512, 128}, (x, y) -> x.matmul(y.mT()).add(y.sum(1)).relu(), 2, "0/1"),
                new Row("x^T y (A read transposed), split in K, bands of 2", new int[] {1024, 384}, new int[] {1024, 512},
                        (x, y) -> x.mT().matmul(y), 2, "0/2"),
                new Row("the middle tile, bands of 4", new int[] {1152, 64}, new int[] {64, 384}, Tensor::matmul, 4, "1/1"));
    }

    @Tag("gpu")
    @TestFactory
    Stream<DynamicTest> bandedProductsMatchTheReferenceAndThePlainOrdersBits() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Graph graph = Gpu.product(row.x(), row.y(), row.build());
            Map<String, HostTensor> feeds = TransposedOperandTest.feeds(row.name(), row.x(), row.y());
            HostTensor want = Gpu.reference(graph, feeds);
            boolean banded;
            System.setProperty(MatMulKernel.SCHEDULE_PROPERTY, row.schedule());
            System.setProperty(MatMulKernel.RASTER_PROPERTY, Integer.toString(row.raster()));
            // banded, then the plain order
            try {
                banded = Gpu.sameBitsTwoWays(row.name(), graph, feeds, want, gpu, () -> System.clearProperty(MatMulKernel.RASTER_PROPERTY), 1e-4)
                        .stream().anyMatch(n -> n.startsWith("matmul_") && n.contains("_r" + row.raster()));
            } finally {
                System.clearProperty(MatMulKernel.SCHEDULE_PROPERTY);
                System.clearProperty(MatMulKernel.RASTER_PROPERTY);
            }
            assertTrue(banded, row.name() + ": a banded product kernel ran");
        }));
    }
}
