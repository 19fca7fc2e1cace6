package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.PoolWindow;
import dev.jasg.testkit.ConvPoolCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The convolution and max-pooling kernels against the reference interpreter over {@link ConvPoolCases}' grid. */
@Tag("gpu")
class ConvKernelsTest {
    private static VulkanBackend DEV;

    @BeforeAll
    static void open() {
        DEV = Gpu.open();
    }

    @AfterAll
    static void close() {
        if (DEV != null) DEV.close();
    }

    @TestFactory
    Stream<DynamicTest> convolutionsMatchTheReference() {
        return ConvPoolCases.convs().stream().map(cv -> DynamicTest.dynamicTest(cv.name(), () -> ConvPoolCases.checkConvolution(DEV, cv)));
    }

    /** Each of the tiled kernels' layout choices turned from its default in turn: the tiled cases again. */
    @TestFactory
    Stream<DynamicTest> everyLayoutChoiceMatchesTheReference() {
        return Stream.of(ConvKernels.Layout.values()).map(l -> DynamicTest.dynamicTest(l + (l.byDefault ? " off" : " on"), () -> {
            System.setProperty(l.property, String.valueOf(!l.byDefault));
            try {
                for (ConvPoolCases.Conv cv : ConvPoolCases.convs()) {
                    if (cv.name().startsWith("gemm")) ConvPoolCases.checkConvolution(DEV, cv);
                }
                ConvPoolCases.convolutionWithWideTiles(DEV);
                ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
            } finally {
                System.clearProperty(l.property);
            }
        }));
    }

    @Test
    void transposedConvolutionsWithOutputPaddingAndGroups() {
        ConvPoolCases.transposedConvolutionsWithOutputPaddingAndGroups(DEV);
    }

    @Test
    void transposedConvolutionWithLargeTiles() {
        ConvPoolCases.transposedConvolutionWithLargeTiles(DEV);
    }

    @Test
    void convolutionWithWideTiles() {
        // both convolutions take the 64 x 256 tile here (as on the H200), so CI runs it
        assertEquals(256, ConvKernels.tiles(64, 2048, 16, 16, 32768, 128).bn());
        assertEquals(256, ConvKernels.tiles(64, 2048, 18, 16, 32768, 128).bn());
        ConvPoolCases.convolutionWithWideTiles(DEV);
        // both read their weight tap-major: the plans' workspaces held the copies
        for (String conv : new String[] {"conv2d_gemm_64x256", "conv_transpose2d_gemm_64x256"}) {
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(conv) && nm.contains("_tm")), conv + " tap-major: " + DEV.kernelNames());
        }
    }

    @Test
    void weightGradientWithLongReductionAndLargeTiles() {
        ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
    }

    @TestFactory
    Stream<DynamicTest> maxPoolingMatchesTheReference() {
        return ConvPoolCases.windows().stream().map(win -> DynamicTest.dynamicTest(win.toString(), () -> ConvPoolCases.checkMaxPool(DEV, win)));
    }

    @Test
    void maxPoolOnWidePlanes() {
        ConvPoolCases.maxPoolOnWidePlanes(DEV);
    }

    @Test
    void everyTileShapeFitsSmallSharedMemory() {
        // lavapipe's 32 KiB must offer every shape the H200's 48 KiB does, so CI runs the same kernels
        for (int shared : new int[] {32768, 49152}) {
            assertEquals(128, ConvKernels.tiles(256, 4096, 1152, 8, shared, 128).bm());
            assertEquals(256, ConvKernels.tiles(64, 4096, 1152, 1, shared, 16).bn());
            assertEquals(64, ConvKernels.tiles(64, 4096, 1152, 1, shared, 64).bn());
            assertEquals(4, ConvKernels.tiles(64, 576, 4096, 1, shared, 32).slices());
            assertEquals(16, ConvKernels.tiles(64, 576, 100_000, 1, shared, 256).slices());
            ConvKernels.Tiles t = ConvKernels.tiles(64, 576, 100_000, 1, shared, 256);
            assertTrue(t.sharedBytes() <= shared / 2, t + " in " + shared);
        }
    }

    @Test
    void windowClosedFormMatchesEveryPosition() {
        for (PoolWindow win : ConvPoolCases.windows()) {
            for (int n = 1; n < 40; n++) {
                if (win.outSize(0, n) > 0) assertNotNull(PoolKernels.windowAxis(win, 0, n), win + " rows, n=" + n);
                if (win.outSize(1, n) > 0) assertNotNull(PoolKernels.windowAxis(win, 1, n), win + " columns, n=" + n);
            }
        }
        // 32-bit overflow of o * A is refused rather than computed wrong
        assertNull(PoolKernels.windowAxis(new PoolWindow.Adaptive(70_000, 1), 0, 70_000));
    }
}
