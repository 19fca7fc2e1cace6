package dev.jasg.cpu;

import static dev.jasg.testkit.OpCase.row;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import org.junit.jupiter.api.Test;
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

    /**
     * Tolerance factor of the rows whose forward convolution {@link KernelChoice#winograd} sends to {@link WinogradConv}
     * (3x3, stride 1, 16 channels or more, a strip of tiles): its F(4x4, 3x3) transforms round about ten times more than
     * the direct sum ({@code WinogradConvTest} bounds it against the sum's magnitudes); {@link #gemmPathRowsMatchTheReference}
     * runs the same rows on the GEMM lowering at the plain tolerance.
     */
    static final double WINOGRAD = 5;

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
                // ConvGemm.Forward's blocks: inside one image, across images (scratch tile), 1x1 read in place, groups
                row("conv2d blocks inside images").arg(2, 16, 32, 32).arg(16, 16, 3, 3).tolerance(WINOGRAD)
                        .expect(new int[] {2, 16, 32, 32}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                row("conv2d blocks across images, 16 images of 10x10").arg(16, 8, 10, 10).arg(16, 8, 3, 3)
                        .expect(new int[] {16, 16, 10, 10}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                row("conv2d 1x1 blocks inside images").arg(8, 32, 16, 16).arg(32, 32, 1, 1)
                        .expect(new int[] {8, 32, 16, 16}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.unit()).sin()),
                row("conv2d 1x1 blocks across images, 40 images of 7x7").arg(40, 64, 7, 7).arg(32, 64, 1, 1)
                        .expect(new int[] {40, 32, 7, 7}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.unit()).sin()),
                row("conv2d 1x1 stride 2, 12 images").arg(12, 32, 14, 14).arg(48, 32, 1, 1)
                        .expect(new int[] {12, 48, 7, 7}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 0, 1, 1)).sin()),
                row("conv2d 3x3 stride 2, asymmetric padding, 8 images").arg(8, 16, 15, 15).arg(24, 16, 3, 3)
                        .expect(new int[] {8, 24, 8, 7}, (g, a) -> a.get(0).conv2d(a.get(1), new ConvGeometry(2, 2, 1, 2, 0, 1, 1, 1, 1)).tanh()),
                // ConvKernels.unfoldPacked (output rows a whole number of vectors wide): a 7x7 stride-2 stem, stride 1 with a
                // last strip partly empty, stride 2 with dilation 2
                row("conv2d 7x7 stride 2 pad 3 (unfolded into the packed panel)").arg(2, 3, 64, 64).arg(8, 3, 7, 7)
                        .expect(new int[] {2, 8, 32, 32}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 3, 1, 1)).tanh()),
                row("conv2d 3x3 stride 1, 16-wide rows (unfolded into the packed panel)").arg(1, 4, 5, 16).arg(8, 4, 3, 3)
                        .expect(new int[] {1, 8, 5, 16}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                // its input gradient, the flipped convolution, reads from a column left of the image's first (offset -1)
                row("conv2d 64 channels pad 3, flipped input gradient unfolded into the packed panel").arg(1, 64, 48, 48).arg(8, 64, 3, 3)
                        .expect(new int[] {1, 8, 52, 52}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 3, 1, 1)).tanh()),
                row("conv2d 3x3 stride 2 dilation 2 (unfolded into the packed panel)").arg(2, 5, 20, 31).arg(6, 5, 3, 3)
                        .expect(new int[] {2, 6, 10, 16}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 2, 2, 1)).tanh()),
                // the stride-1 input gradient as the flipped convolution (64 input channels): padding past the kernel's reach too
                row("conv2d 64 channels, flipped input gradient").arg(4, 64, 9, 9).arg(16, 64, 3, 3).tolerance(WINOGRAD)
                        .expect(new int[] {4, 16, 9, 9}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                // the stride-1 input gradient as the flipped convolution on WinogradConv (64 channels to 32, 128 tiles), and
                // with padding past the kernel's reach (offset -1: the GEMM lowering)
                row("conv2d 32 to 64 channels, 8 images, Winograd input gradient").arg(8, 32, 14, 14).arg(64, 32, 3, 3).tolerance(WINOGRAD)
                        .expect(new int[] {8, 64, 14, 14}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                row("conv2d 32 to 64 channels, padding 3").arg(8, 32, 10, 10).arg(64, 32, 3, 3).tolerance(WINOGRAD)
                        .expect(new int[] {8, 64, 14, 14}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 3, 1, 1)).tanh()),
                row("conv2d 64 channels, dilation 2, padding 5").arg(2, 64, 6, 7).arg(8, 64, 3, 3)
                        .expect(new int[] {2, 8, 12, 13}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 5, 2, 1)).tanh()),
                // the kernel gradient split by columns (short K), by rows of K, image by image (one image)
                row("conv2d one channel in, 16 images (direct forward, columns-split gradient)").arg(16, 1, 28, 28).arg(8, 1, 3, 3)
                        .expect(new int[] {16, 8, 28, 28}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                row("conv2d one image, 128 channels 7x7").arg(1, 128, 7, 7).arg(64, 128, 3, 3)
                        .expect(new int[] {1, 64, 7, 7}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 1)).tanh()),
                // DirectConv: depthwise (stride 1 on the padded plane, stride 2 in plain loops), a channel multiplier, padding past the kernel
                row("depthwise 3x3, 16 channels").arg(3, 16, 15, 15).arg(16, 1, 3, 3)
                        .expect(new int[] {3, 16, 15, 15}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 16)).tanh()),
                row("depthwise 3x3 stride 2").arg(2, 12, 13, 14).arg(12, 1, 3, 3)
                        .expect(new int[] {2, 12, 7, 7}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(2, 1, 1, 12)).tanh()),
                row("depthwise 5x5 dilation 2, padding 5").arg(2, 8, 9, 11).arg(8, 1, 5, 5)
                        .expect(new int[] {2, 8, 11, 13}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 5, 2, 8)).tanh()),
                row("depthwise with a channel multiplier of 2").arg(2, 8, 12, 12).arg(16, 1, 3, 3)
                        .expect(new int[] {2, 16, 12, 12}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 8)).tanh()),
                // an infinity read only by the columns the padded plane computes and drops must not turn a zero into NaN
                row("depthwise with infinities").arg(new Domain.Choice(1, -2, 0.5, Double.POSITIVE_INFINITY), 2, 4, 9, 9).arg(4, 1, 3, 3)
                        .expect(new int[] {2, 4, 9, 9}, (g, a) -> a.get(0).conv2d(a.get(1), ConvGeometry.of(1, 1, 1, 4))),
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

    /**
     * The rows with one input channel per group again, through the paths this machine does not take by default: the
     * plain loops of {@link DirectConv} (no Vector API) and the GEMM lowering ({@code -Djasg.cpu.conv}).
     */
    @TestFactory
    Stream<DynamicTest> oneChannelPerGroupRowsMatchTheReferenceOnEveryPath() {
        return Stream.of("plain", "gemm").flatMap(path -> rows().stream()
                .filter(c -> c.name().startsWith("depthwise") || c.name().startsWith("conv2d one channel in"))
                .map(c -> DynamicTest.dynamicTest(path + ": " + c.name(), () -> {
                    String before = System.getProperty(ConvKernels.PATH_PROPERTY);
                    System.setProperty(ConvKernels.PATH_PROPERTY, path);
                    try {
                        OpCheck.againstReference(cpu, c);
                    } finally {
                        if (before == null) System.clearProperty(ConvKernels.PATH_PROPERTY);
                        else System.setProperty(ConvKernels.PATH_PROPERTY, before);
                    }
                })));
    }

    /** Every conv2d row on the GEMM lowering ({@code -Djasg.cpu.conv=gemm}, no Winograd) at the plain tolerance. */
    @TestFactory
    Stream<DynamicTest> gemmPathRowsMatchTheReference() {
        return rows().stream().filter(c -> c.name().startsWith("conv2d")).map(c -> DynamicTest.dynamicTest("gemm: " + c.name(), () -> {
            String before = System.getProperty(ConvKernels.PATH_PROPERTY);
            System.setProperty(ConvKernels.PATH_PROPERTY, "gemm");
            try {
                OpCheck.againstReference(cpu, new OpCase(c.name(), c.args(), c.body(), c.expected(), 1, c.noGradientCheck()));
            } finally {
                if (before == null) System.clearProperty(ConvKernels.PATH_PROPERTY);
                else System.setProperty(ConvKernels.PATH_PROPERTY, before);
            }
        }));
    }

    /**
     * Which input gradients of stride-1 3x3 convolutions run their flipped convolution on {@link WinogradConv}: where that
     * convolution is one {@link ConvKernels#winograd} takes (with the Vector API: 16 channels each way and a strip of
     * tiles), not with padding past the kernel's reach (a negative offset), not past stride 1, and not on the GEMM path.
     */
    @Test
    void stride1InputGradientsRunWinogradWhereTheFlippedConvolutionFits() {
        assumeTrue(Gemm.VECTOR, "WinogradConv is taken with the Vector API only");
        ConvKernels.Conv v = new ConvKernels.Conv(8, 1, 32, 14, 14, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1);
        assertTrue(ConvKernels.winogradFlipped(v));
        assertFalse(ConvKernels.winogradFlipped(new ConvKernels.Conv(8, 1, 32, 10, 10, 64, 14, 14, 3, 3, 1, 1, 3, 3, 1, 1)));
        assertFalse(ConvKernels.winogradFlipped(new ConvKernels.Conv(8, 1, 32, 14, 14, 8, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1)));
        // stride 2: its input gradient is no forward convolution
        assertFalse(ConvKernels.winogradFlipped(new ConvKernels.Conv(8, 1, 32, 14, 14, 64, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1)));
        String before = System.getProperty(ConvKernels.PATH_PROPERTY);
        System.setProperty(ConvKernels.PATH_PROPERTY, "gemm");
        try {
            assertFalse(ConvKernels.winogradFlipped(v));
        } finally {
            if (before == null) System.clearProperty(ConvKernels.PATH_PROPERTY);
            else System.setProperty(ConvKernels.PATH_PROPERTY, before);
        }
    }

    @TestFactory
    Stream<DynamicTest> largeConvolutionsMatchTheReference() {
        return rows().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpCheck.shape(c);
            OpCheck.againstReference(cpu, c);
        }));
    }
}
