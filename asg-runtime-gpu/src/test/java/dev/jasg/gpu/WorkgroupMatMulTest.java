package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The workgroup-scope tensor-core product ({@code matmul_wg.comp}, {@code VK_NV_cooperative_matrix2}), which takes half
 * products the subgroup-scope kernel's tiles do not divide: tile rules on any machine; on a device that has the extension (an NVIDIA GPU; lavapipe has none, so there the device rows are skipped
 * with the device's answer), products against the reference, including edges the tile does not cover, batches,
 * broadcasts and a fused epilogue.
 */
class WorkgroupMatMulTest {
    private static final CoopMatrix.Workgroup H200_LIKE = new CoopMatrix.Workgroup(true, true, 256, 16, 16, 16, 256, true);

    @Test
    void tilesFollowTheDevicesGranularity() {
        assertEquals(List.of(new WorkgroupMatMulKernel.Tiles(128, 256, 64, 4), new WorkgroupMatMulKernel.Tiles(128, 128, 64),
                new WorkgroupMatMulKernel.Tiles(64, 64, 32)), WorkgroupMatMulKernel.tiles(H200_LIKE));
        CoopMatrix.Workgroup coarse = new CoopMatrix.Workgroup(true, false, 128, 128, 128, 64, 128, true);
        assertEquals(List.of(new WorkgroupMatMulKernel.Tiles(128, 128, 64)), WorkgroupMatMulKernel.tiles(coarse)); // 256 > its largest side
        CoopMatrix.Workgroup small = new CoopMatrix.Workgroup(true, false, 128, 16, 16, 16, 64, true);
        assertEquals(List.of(new WorkgroupMatMulKernel.Tiles(64, 64, 32)), WorkgroupMatMulKernel.tiles(small));
    }

    @Test
    void theTileShrinksWhenTooFewWorkgroupsWouldRun() {
        List<WorkgroupMatMulKernel.Tiles> t = WorkgroupMatMulKernel.tiles(H200_LIKE);
        assertEquals(t.get(0), WorkgroupMatMulKernel.choose(t, 8192, 1024, 1));     // 64 x 4 = 256 workgroups
        assertEquals(t.get(1), WorkgroupMatMulKernel.choose(t, 2048, 1000, 1));     // 16 x 4 = 64 of 128x256, 16 x 8 = 128 of 128x128
        assertEquals(t.get(2), WorkgroupMatMulKernel.choose(t, 512, 512, 1));       // 16 of 128x128: 64 of 64x64
        assertEquals(t.get(0), WorkgroupMatMulKernel.choose(t, 128, 256, 128));     // 128 batches of one
        assertEquals(t.get(2), WorkgroupMatMulKernel.choose(t, 100, 8, 1));         // none makes enough: the smallest
        assertNull(WorkgroupMatMulKernel.choose(List.of(), 100, 8, 1));
    }

    @ParameterizedTest
    @CsvSource({"8192,768,768,true", "1,8,8,true", "100,136,72,true", "64,100,64,false", "64,64,100,false", "0,8,8,false"})
    void onlyAlignedBatchMatricesFit(int m, int n, int k, boolean fits) {
        assertEquals(fits, WorkgroupMatMulKernel.fits(m, n, k));
    }

    @Test
    void aTileIsParsedOrRefused() {
        assertEquals(new WorkgroupMatMulKernel.Tiles(128, 256, 64), WorkgroupMatMulKernel.Tiles.parse("128x256x64"));
        assertEquals(new WorkgroupMatMulKernel.Tiles(128, 256, 64, 4), WorkgroupMatMulKernel.Tiles.parse("128x256x64u4"));
        assertThrows(IllegalArgumentException.class, () -> WorkgroupMatMulKernel.Tiles.parse("128x256"));
        assertThrows(IllegalArgumentException.class, () -> WorkgroupMatMulKernel.Tiles.parse("128x256x64u"));
        assertThrows(IllegalArgumentException.class, () -> WorkgroupMatMulKernel.Tiles.parse("128x256x64u0"));
        assertThrows(IllegalArgumentException.class, () -> WorkgroupMatMulKernel.Tiles.parse("128x256xab"));
        assertThrows(IllegalArgumentException.class, () -> new WorkgroupMatMulKernel.Tiles(0, 128, 32));
    }

    @Tag("gpu")
    @ParameterizedTest
    @CsvSource({"F16", "BF16"})
    void productsMatchTheReference(String type) {
        CoopMatMulTest.DEV = Gpu.open();
        try {
            DType t = DType.valueOf(type);
            VulkanDevice d = CoopMatMulTest.DEV.device();
            Assumptions.assumeTrue(d.coopMatrix.workgroup() != null && d.coopMatrix.workgroup().supports(t),
                    d.name + " has no workgroup-scope cooperative matrices for " + type + " (" + d.coopMatrix.summary() + ")");
            String prefix = "matmul_wg_" + t.label();
            CoopMatMulTest.check(t, new int[] {200, 384}, new int[] {384, 264});        // the subgroup-scope tiles do not divide it
            assertTrue(CoopMatMulTest.DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(prefix)), "the workgroup kernel ran: "
                    + CoopMatMulTest.DEV.kernelNames());
            CoopMatMulTest.check(t, new int[] {2, 120, 1024}, new int[] {1024, 136});   // batched, B broadcast
            CoopMatMulTest.check(t, new int[] {3, 100, 64}, new int[] {3, 64, 136});    // partial tiles in M and N, batched both
            CoopMatMulTest.check(t, new int[] {130, 264}, new int[] {264, 72});         // K not a multiple of the tile's depth
            CoopMatMulTest.check(t, new int[] {1, 8}, new int[] {8, 8});                // one row
            CoopMatMulTest.checkEpilogue(t, 200, 128, 392);
            assertTrue(CoopMatMulTest.DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith(prefix) && nm.contains("_epilogue_")),
                    "the workgroup kernel with an epilogue ran: " + CoopMatMulTest.DEV.kernelNames());
            // an unrolled tile (4 steps a loop iteration) over K = 13 steps (3 unrolled iterations and one more), inner
            // tiles unclamped and edge tiles clamped; then every tile clamped
            for (String opts : new String[] {"true", "false"}) {
                System.setProperty(WorkgroupMatMulKernel.TILES_PROPERTY, "64x64x32u4");
                System.setProperty(WorkgroupMatMulKernel.FAST_PATH_PROPERTY, opts);
                try {
                    CoopMatMulTest.check(t, new int[] {2, 150, 416}, new int[] {416, 200});
                    CoopMatMulTest.check(t, new int[] {130, 200}, new int[] {200, 136});   // K 6.25 steps: the clamped path's remainder
                } finally {
                    System.clearProperty(WorkgroupMatMulKernel.TILES_PROPERTY);
                    System.clearProperty(WorkgroupMatMulKernel.FAST_PATH_PROPERTY);
                }
                boolean clamped = "false".equals(opts);
                assertTrue(CoopMatMulTest.DEV.kernelNames().stream().anyMatch(nm -> nm.startsWith("matmul_wg_" + t.label() + "_64x64x32_")
                        && nm.contains("_u4") && nm.contains("_clamped") == clamped), "the 64x64x32u4 kernel ran (clamped " + clamped + "): "
                        + CoopMatMulTest.DEV.kernelNames());
            }
            long before = CoopMatMulTest.DEV.kernelNames().stream().filter(nm -> nm.startsWith("matmul_wg")).count();
            CoopMatMulTest.check(t, new int[] {100, 70}, new int[] {70, 50});           // K, N not multiples of 8: another kernel
            assertFalse(CoopMatMulTest.DEV.kernelNames().stream().filter(nm -> nm.startsWith("matmul_wg")).count() > before,
                    "an unaligned product took the workgroup kernel");
        } finally {
            CoopMatMulTest.DEV.close();
            CoopMatMulTest.DEV = null;
        }
    }
}
