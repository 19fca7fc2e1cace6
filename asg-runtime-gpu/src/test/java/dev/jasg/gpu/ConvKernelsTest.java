package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;
import dev.jasg.testkit.TestTensors;
import dev.jasg.testkit.ConvPoolCases;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
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

    /** Each of the tiled kernels' layout choices turned from its default in turn: the tiled cases again (Winograd off, so 3x3 stride 1 too). */
    @TestFactory
    Stream<DynamicTest> everyLayoutChoiceMatchesTheReference() {
        return Stream.of(ConvKernels.Layout.values()).map(l -> DynamicTest.dynamicTest(l + (l.byDefault ? " off" : " on"),
                () -> withProperties(() -> {
                    for (ConvPoolCases.Conv cv : ConvPoolCases.convs()) {
                        if (cv.name().startsWith("gemm")) ConvPoolCases.checkConvolution(DEV, cv);
                    }
                    wideOnShortReductions(() -> ConvPoolCases.convolutionWithWideTiles(DEV));
                    ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
                }, l.property, String.valueOf(!l.byDefault), "jasg.vulkan.conv.winograd", "false")));
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
        // the conv2d case's reduction (16) is below the wide tile's threshold: lowered here so that CI runs the tile on
        // a small case; the transposed one never takes it
        wideOnShortReductions(() -> {
            assertEquals(256, ConvKernels.tiles(64, 2048, 16, 16, 32768, 128, ConvKernels.wide(ConvKernels.Conv.FORWARD, 16)).bn());
            assertEquals(64, ConvKernels.tiles(64, 2048, 18, 16, 32768, 128, ConvKernels.wide(ConvKernels.Conv.TRANSPOSED, 18)).bn());
            ConvPoolCases.convolutionWithWideTiles(DEV);
        });
        // both read their weight tap-major: the plans' workspaces held the copies
        for (String conv : new String[] {"conv2d_gemm_64x256", "conv_transpose2d_gemm_64x64"}) {
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(conv) && nm.contains("_tm")), conv + " tap-major: " + DEV.kernelNames());
        }
    }

    /**
     * The weight gradient's two tile choices for long reductions: by default (a workgroup target of 1,
     * {@code jasg.vulkan.conv.wgradMinGroups}) the unsliced 64 x 64 tile split across workgroups, with a target of 256 the
     * sliced small tiles; both, and a shallower step ({@code jasg.vulkan.conv.wgradBk}), match the reference (Winograd off).
     */
    @Test
    void weightGradientOnUnslicedOrSlicedTiles() {
        // the long-reduction case is 3x3, stride 1, over 16 channels: Winograd by default
        withProperties(ConvKernelsTest::weightGradientTiles, "jasg.vulkan.conv.winograd", "false");
    }

    private static void weightGradientTiles() {
        ConvKernels.Tiles t = ConvKernels.tiles(32, 144, 2700, 1, 32768, ConvKernels.wgradMinGroups(), false);
        assertEquals(1, t.slices());
        ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
        // a shallower step, one that does not divide the rows of 30 columns
        withProperties(() -> {
            assertEquals(8, ConvKernels.wgradDepth(t, 32768).bk());
            ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
        }, "jasg.vulkan.conv.wgradBk", "8");
        for (String tile : new String[] {"64x64x32", "64x64x8"}) {
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith("conv2d_weight_grad_gemm_" + tile + "_s1_") && nm.contains("_splitk")),
                    "the " + tile + " tile split across workgroups: " + DEV.kernelNames());
        }
        withProperties(() -> {
            ConvKernels.Tiles sliced = ConvKernels.tiles(32, 144, 2700, 1, 32768, ConvKernels.wgradMinGroups(), false);
            assertTrue(sliced.slices() > 1, sliced.toString());
            ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
            String name = "conv2d_weight_grad_gemm_" + sliced.bm() + "x" + sliced.bn() + "x" + sliced.bk() + "_s" + sliced.slices() + "_";
            assertTrue(DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(name)), name + ": " + DEV.kernelNames());
        }, "jasg.vulkan.conv.wgradMinGroups", "256");
        // a depth the tile's invocations cannot take is ignored
        withProperties(() -> {
            ConvKernels.Tiles sliced = ConvKernels.tiles(64, 576, 100_000, 1, 32768, 256, false);
            assertEquals(sliced, ConvKernels.wgradDepth(sliced, 32768));
        }, "jasg.vulkan.conv.wgradBk", "32");
    }

    /**
     * 1 x 1 convolutions as matrix products (the default; {@code jasg.vulkan.conv.pointwiseMatmul}): the forward, the input
     * gradient (the weight read transposed) and the weight gradient beside them match the reference, and the products
     * ran; with the switch off the same cases run on the conv kernels.
     */
    @Test
    void pointwiseConvolutionsAsMatrixProductsOrConvKernels() {
        Set<String> names = kernelsOf("gemm 1x1");
        assertTrue(names.stream().anyMatch(nm -> nm.startsWith("matmul_") && !nm.contains("_ta")), "forward product: " + names);
        assertTrue(names.stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.contains("_ta")), "input gradient's product: " + names);
        assertFalse(names.stream().anyMatch(nm -> nm.startsWith("conv2d_gemm_")), "no conv kernel for the forward: " + names);
        withProperties(() -> {
            Set<String> off = kernelsOf("gemm 1x1");
            assertTrue(off.stream().anyMatch(nm -> nm.startsWith("conv2d_gemm_") && nm.contains("_k1x1")), "1x1 conv kernel: " + off);
            assertFalse(off.stream().anyMatch(nm -> nm.startsWith("matmul_")), "no products: " + off);
        }, "jasg.vulkan.conv.pointwiseMatmul", "false");
    }

    /**
     * The forward's workgroup target ({@code jasg.vulkan.conv.minGroups}): the 128 x 128 case takes its 128 x 128 tile by
     * default and a smaller one under a target it cannot reach, both matching the reference.
     */
    @Test
    void forwardTileFollowsItsWorkgroupTarget() {
        Set<String> names = kernelsOf("gemm 128x128 tiles");
        assertTrue(names.stream().anyMatch(nm -> nm.startsWith("conv2d_gemm_128x128")), "default target: " + names);
        withProperties(() -> {
            Set<String> small = kernelsOf("gemm 128x128 tiles");
            assertTrue(small.stream().anyMatch(nm -> nm.startsWith("conv2d_gemm_")), "a tiled forward: " + small);
            assertFalse(small.stream().anyMatch(nm -> nm.startsWith("conv2d_gemm_128x128")), "smaller tiles for a target of 10^6: " + small);
        }, "jasg.vulkan.conv.minGroups", "1000000");
    }

    /**
     * 3x3 stride-1 convolutions over 16 channels and more in Winograd F(2x2, 3x3) form (the default,
     * {@code jasg.vulkan.conv.winograd}): conv2d, its input gradient (a transposed convolution, its weight turned) and its
     * kernel gradient (of a full and of a cropped output gradient; the tiles in one chunk, and in three, the last padded)
     * match the reference, with symmetric padding over odd sizes and with asymmetric padding, and ran the transforms and no
     * tiled kernel; with the switch off, under a channel minimum above the case's, or a workspace cap below its operands,
     * the tiled kernels.
     */
    @Test
    void winogradConvolutionsMatchTheReference() {
        for (String chunks : new String[] {"1", "3"}) {
            withProperties(() -> {
                for (String name : new String[] {"gemm 3x3", "winograd 3x3 asymmetric pad"}) {
                    Set<String> names = kernelsOf(name);
                    for (String k : new String[] {"winograd_weight", "winograd_weight_flip", "winograd_input", "winograd_output", "winograd_gradient",
                            "winograd_weight_grad"}) {
                        assertTrue(names.contains(k), name + " ran " + k + ": " + names);
                    }
                    assertTrue(names.stream().anyMatch(nm -> nm.startsWith("matmul_") && nm.contains("_tb")), name + "'s products, B read transposed: " + names);
                    assertFalse(names.stream().anyMatch(nm -> nm.contains("_gemm_")), name + " without tiled conv kernels: " + names);
                }
            }, "jasg.vulkan.conv.winogradChunks", chunks);
        }
        for (String[] off : new String[][] {{"jasg.vulkan.conv.winograd", "false"}, {"jasg.vulkan.conv.winogradMinChannels", "21"},
                {"jasg.vulkan.conv.winogradMaxBytes", "100000"}}) {
            withProperties(() -> {
                Set<String> names = kernelsOf("gemm 3x3");
                assertFalse(names.stream().anyMatch(nm -> nm.startsWith("winograd_")), String.join("=", off) + ": " + names);
                assertTrue(names.stream().anyMatch(nm -> nm.startsWith("conv2d_gemm_")), String.join("=", off) + ": " + names);
            }, off);
        }
    }

    /**
     * Half operands (autocast's convolutions: f16 or bf16, f32 accumulation, an f32 result) take the Winograd path too, in
     * f32: conv2d, its input gradient and its kernel gradient match the reference over the half-rounded values.
     */
    @Test
    void winogradTakesHalfOperands() {
        for (DType h : new DType[] {DType.F16, DType.BF16}) {
            SplittableRandom r = new SplittableRandom(h.ordinal());
            GraphBuilder b = new GraphBuilder();
            ConvGeometry g = ConvGeometry.of(1, 1, 1, 1);
            Tensor x = b.input("x", DType.F32, 2, 16, 9, 9).cast(h), w = b.input("w", DType.F32, 24, 16, 3, 3).cast(h);
            Tensor gy = b.input("gy", DType.F32, 2, 24, 9, 9).cast(h);
            b.output("y", x.conv2d(w, g));
            b.output("dx", gy.convTranspose2d(w, g, 0, 0));
            b.output("dw", x.conv2dWeightGrad(gy, g, 3, 3));
            Map<String, HostTensor> feeds = Map.of("x", TestTensors.uniform(r, 2, 16, 9, 9), "w", TestTensors.uniform(r, 24, 16, 3, 3),
                    "gy", TestTensors.uniform(r, 2, 24, 9, 9));
            try (VulkanBackend gpu = Gpu.open()) {
                ConvPoolCases.compare(gpu, h.toString(), b, feeds, 1e-5);
                Set<String> names = Set.copyOf(gpu.kernelNames());
                for (String k : new String[] {"winograd_weight", "winograd_weight_flip", "winograd_gradient"}) {
                    assertTrue(names.contains(k), h + " ran " + k + ": " + names);
                }
            }
        }
    }

    /** The Winograd kernel gradient's chunks: one per 256 tiles, at most 8 (timed on an H100), or as forced. */
    @Test
    void winogradKernelGradientChunks() {
        assertEquals(1, ConvKernels.winogradChunks(100));
        assertEquals(6, ConvKernels.winogradChunks(1568));      // 3x3, 256 channels, 14x14, batch 32
        assertEquals(8, ConvKernels.winogradChunks(6272));
        assertEquals(8, ConvKernels.winogradChunks(25088));
        withProperties(() -> {
            assertEquals(3, ConvKernels.winogradChunks(25088));
            assertEquals(2, ConvKernels.winogradChunks(2));
        }, "jasg.vulkan.conv.winogradChunks", "3");
    }

    /** The kernels a fresh backend compiled to run conv table case {@code name} against the reference (which it must match). */
    private static Set<String> kernelsOf(String name) {
        ConvPoolCases.Conv cv = ConvPoolCases.convs().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        try (VulkanBackend gpu = Gpu.open()) {
            ConvPoolCases.checkConvolution(gpu, cv);
            return Set.copyOf(gpu.kernelNames());
        }
    }

    /** Runs {@code body} with the wide tile's reduction threshold lowered to 16, so that small cases take it. */
    private static void wideOnShortReductions(Runnable body) {
        withProperties(body, "jasg.vulkan.conv.wideMinK", "16");
    }

    /** Runs {@code body} with the system properties {@code keyValues} (key, value, ...) set, then clears them. */
    private static void withProperties(Runnable body, String... keyValues) {
        for (int i = 0; i < keyValues.length; i += 2) System.setProperty(keyValues[i], keyValues[i + 1]);
        try {
            body.run();
        } finally {
            for (int i = 0; i < keyValues.length; i += 2) System.clearProperty(keyValues[i]);
        }
    }

    /** Which convolutions may take the 64 x 256 tile: conv2d over reductions of 512 and up (timed on an H100), with WIDE on. */
    @Test
    void theWideTileIsForLongConv2dReductions() {
        assertTrue(ConvKernels.wide(ConvKernels.Conv.FORWARD, 576));    // 3x3 over 64 channels
        assertFalse(ConvKernels.wide(ConvKernels.Conv.FORWARD, 256));   // 1x1 over 256
        assertFalse(ConvKernels.wide(ConvKernels.Conv.TRANSPOSED, 576));
        assertFalse(ConvKernels.wide(ConvKernels.Conv.WEIGHT_GRAD, 100_000));
        assertEquals(64, ConvKernels.tiles(64, 3136 * 32, 256, 1, 49152, 128, ConvKernels.wide(ConvKernels.Conv.FORWARD, 256)).bn());
        assertEquals(256, ConvKernels.tiles(64, 3136 * 32, 576, 1, 49152, 128, ConvKernels.wide(ConvKernels.Conv.FORWARD, 576)).bn());
        withProperties(() -> assertFalse(ConvKernels.wide(ConvKernels.Conv.FORWARD, 576)), ConvKernels.Layout.WIDE.property, "false");
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
            assertEquals(128, ConvKernels.tiles(256, 4096, 1152, 8, shared, 128, true).bm());
            assertEquals(256, ConvKernels.tiles(64, 4096, 1152, 1, shared, 16, true).bn());
            assertEquals(64, ConvKernels.tiles(64, 4096, 1152, 1, shared, 64, true).bn());
            assertEquals(4, ConvKernels.tiles(64, 576, 4096, 1, shared, 32, false).slices());
            assertEquals(16, ConvKernels.tiles(64, 576, 100_000, 1, shared, 256, false).slices());
            ConvKernels.Tiles t = ConvKernels.tiles(64, 576, 100_000, 1, shared, 256, false);
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
