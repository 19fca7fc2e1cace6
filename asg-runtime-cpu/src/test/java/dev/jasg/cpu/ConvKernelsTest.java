package dev.jasg.cpu;

import static dev.jasg.testkit.OpCase.row;

import dev.jasg.core.Backend;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.PoolWindow;
import dev.jasg.testkit.OpCase;
import dev.jasg.testkit.OpCase.Domain;
import dev.jasg.testkit.OpCheck;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Convolutions and pooling large enough to take the split paths of {@link ConvKernels} (work
 * over the parallel threshold; more images than workers, and fewer; 1x1 kernels that skip the
 * unfolding), forward and gradient graphs against the reference interpreter. The op table's
 * rows are small and run every product on one thread.
 */
class ConvKernelsTest {
    private static Backend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    private static List<OpCase> rows() {
        return List.of(
                row("conv2d 3x3 pad 1, 6 images").arg(6, 8, 12, 12).arg(16, 8, 3, 3)
                        .expect(new int[] {6, 16, 12, 12}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                row("conv2d one image, split products").arg(1, 16, 20, 20).arg(32, 16, 3, 3)
                        .expect(new int[] {1, 32, 10, 10}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 1, 1, 1)).square()),
                row("conv2d 1x1").arg(5, 24, 9, 9).arg(20, 24, 1, 1)
                        .expect(new int[] {5, 20, 9, 9}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.unit()).sin()),
                row("conv2d 1x1 stride 2").arg(5, 24, 9, 9).arg(20, 24, 1, 1)
                        .expect(new int[] {5, 20, 5, 5}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 0, 1, 1)).sin()),
                row("conv2d groups 4, dilation 2").arg(4, 16, 14, 13).arg(32, 4, 3, 3)
                        .expect(new int[] {4, 32, 12, 11}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 2, 4)).tanh()),
                row("conv_transpose2d stride 2, 3 images").arg(3, 16, 8, 8).arg(16, 8, 4, 4)
                        .expect(new int[] {3, 8, 16, 16}, (g, a) -> a.get(0).convTranspose2d(a.get(1), ConvGeometry.of(2, 1, 1, 1), 0, 0).tanh()),
                row("conv_transpose2d 1x1").arg(4, 16, 7, 7).arg(16, 12, 1, 1)
                        .expect(new int[] {4, 12, 7, 7}, (g, a) -> a.get(0).convTranspose2d(a.get(1), ConvGeometry.unit(), 0, 0).tanh()),
                row("max_pool2d 2x2 over 32 channels").arg(4, 32, 16, 16)
                        .expect(new int[] {4, 32, 8, 8}, (g, a) -> a.get(0).maxPool2d(PoolWindow.Fixed.of(2, 2, 0)).square()),
                // ties, NaN and infinities: the arg-max rule must pick the reference's element
                row("max_pool select and scatter with ties, NaN and -inf").arg(new Domain.Choice(1, 1, 2, Double.NaN, Double.NEGATIVE_INFINITY, 0), 2, 3, 7, 7)
                        .arg(2, 3, 7, 7).arg(2, 3, 4, 4)
                        .expect(new int[] {2, 3, 7, 7}, (g, a) -> a.get(0).maxPoolScatter(a.get(2), new PoolWindow.Fixed(3, 3, 2, 2, 1, 1, 1, 1, false))
                                .add(a.get(0).maxPoolSelect(a.get(1), new PoolWindow.Fixed(3, 3, 2, 2, 1, 1, 1, 1, false)).sum())),
                row("max_pool scatter over disjoint windows with ties, NaN, -inf and signed zeros")
                        .arg(new Domain.Choice(1, 1, 2, Double.NaN, Double.NEGATIVE_INFINITY, 0, -0.0), 2, 3, 8, 8).arg(2, 3, 4, 4)
                        .expect(new int[] {2, 3, 8, 8}, (g, a) -> a.get(0).maxPoolScatter(a.get(1), PoolWindow.Fixed.of(2, 2, 0))),
                row("max_pool scatter, disjoint windows with padding, ceil mode and a gap").arg(new Domain.Choice(1, 2, 3, 2, -1), 2, 2, 9, 11)
                        .arg(2, 2, 4, 4)
                        .expect(new int[] {2, 2, 9, 11}, (g, a) -> a.get(0).maxPoolScatter(a.get(1), new PoolWindow.Fixed(2, 2, 3, 3, 1, 1, 1, 1, true))),
                row("max_pool2d with NaN and -inf, padding, ceil").arg(new Domain.Choice(1, 2, Double.NaN, Double.NEGATIVE_INFINITY, 0, -3), 2, 3, 8, 7)
                        .expect(new int[] {2, 3, 5, 4}, (g, a) -> a.get(0).maxPool2d(new PoolWindow.Fixed(3, 3, 2, 2, 1, 1, 1, 1, true))),
                row("max_pool2d dilation 2, padding, ceil").arg(3, 4, 11, 10)
                        .expect(new int[] {3, 4, 5, 5}, (g, a) -> a.get(0).maxPool2d(new PoolWindow.Fixed(3, 3, 2, 2, 1, 1, 2, 2, true))),
                row("adaptive max pool, more outputs than inputs").arg(2, 3, 4, 5)
                        .expect(new int[] {2, 3, 6, 7}, (g, a) -> a.get(0).maxPool2d(new PoolWindow.Adaptive(6, 7))));
    }

    @TestFactory
    Stream<DynamicTest> largeConvolutionsMatchTheReference() {
        return rows().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpCheck.shape(c);
            OpCheck.againstReference(cpu, c);
        }));
    }
}
