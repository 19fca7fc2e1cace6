package dev.jasg.gpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which tile a product gets ({@link CoopMatMulKernel#choose}, {@link MatMulKernel#choose}): no device needed. */
class CoopTilesTest {
    static final List<CoopMatMulKernel.Tiles> TILES = List.of(new CoopMatMulKernel.Tiles(256, 128, 32, 64, 64), new CoopMatMulKernel.Tiles(128, 128, 32, 64, 32));

    @ParameterizedTest(name = "{0}x{2}x{1}, {3} batches -> {4}")
    @CsvSource({
            "4096, 4096, 4096, 1, 256x128",   // 512 large workgroups: the large tile
            "2048, 2048, 2048, 1, 256x128",   // 128 large workgroups: still the large tile
            "1024, 1024, 1024, 1, 128x128",   // 32 large, 64 small workgroups: neither fills the device, the small makes more
            "1024, 1024, 1024, 4, 256x128",   // 4 batches: 128 large workgroups
            "128, 128, 64, 1, 128x128",       // only the small tile fits
            "256, 128, 64, 1, 128x128",       // both fit, neither fills the device: the one with more workgroups
            "4096, 4096, 48, 1, none",        // K not a multiple of 32
            "100, 128, 64, 1, none",          // M not a multiple of 128
    })
    void theLargestTileThatFitsAndFillsTheDevice(int m, int n, int k, long batches, String want) {
        CoopMatMulKernel.Tiles t = CoopMatMulKernel.choose(TILES, m, n, k, batches);
        assertEquals(want, t == null ? "none" : t.bm() + "x" + t.bn());
    }

    @ParameterizedTest(name = "shared {0} B -> {1} tiles")
    @CsvSource({"49152, 3", "15000, 1", "0, 0"})
    void tilesThatDoNotFitTheSharedMemoryAreLeftOut(int shared, int count) {
        assertEquals(count, CoopMatMulKernel.tiles(shared).size());
    }

    /** {@value CoopMatMulKernel#TILES_PROPERTY} names several tiles, first choice first; one that does not fit is left out. */
    @org.junit.jupiter.api.Test
    void theTilesPropertyTakesSeveralTiles() {
        System.setProperty(CoopMatMulKernel.TILES_PROPERTY, "128x128x32/64x64, 64x64x32/32x32,128x256x64/64x64");
        try {
            assertEquals(List.of(new CoopMatMulKernel.Tiles(128, 128, 32, 64, 64), new CoopMatMulKernel.Tiles(64, 64, 32, 32, 32)),
                    CoopMatMulKernel.tiles(49152));
            System.setProperty(CoopMatMulKernel.TILES_PROPERTY, "128x128x32");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> CoopMatMulKernel.tiles(49152));
        } finally {
            System.clearProperty(CoopMatMulKernel.TILES_PROPERTY);
        }
    }

    /** The ceiling measurement is off unless asked for, and a value it does not know is refused, not ignored. */
    @org.junit.jupiter.api.Test
    void thePeakPropertyIsChecked() {
        assertEquals(0, CoopMatMulKernel.peak());
        System.setProperty(CoopMatMulKernel.PEAK_PROPERTY, "5");
        try {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, CoopMatMulKernel::peak);
            System.setProperty(CoopMatMulKernel.PEAK_PROPERTY, "2");
            assertEquals(2, CoopMatMulKernel.peak());
        } finally {
            System.clearProperty(CoopMatMulKernel.PEAK_PROPERTY);
        }
    }

    /** The default tiles in order: attention's thin per-head products take the 64x64 tile. */
    @ParameterizedTest(name = "{0}x{2}x{1}, {3} batches -> {4}")
    @CsvSource({
            "4096, 4096, 4096, 1, 128x128x64",  // K a multiple of 64: the deep tile
            "4096, 4096, 96, 1, 128x128x32",    // K a multiple of 32 only
            "1024, 64, 1024, 96, 64x64x32",     // P V per head: N = 64 fits only the small tile
            "1024, 1024, 64, 96, 128x128x64",   // Q K^T per head
            "8192, 2304, 768, 1, 128x128x64",   // a GPT-2 QKV projection
    })
    void theDefaultTilesForTransformerShapes(int m, int n, int k, long batches, String want) {
        CoopMatMulKernel.Tiles t = CoopMatMulKernel.choose(CoopMatMulKernel.tiles(49152), m, n, k, batches);
        assertEquals(want, t == null ? "none" : t.bm() + "x" + t.bn() + "x" + t.bk());
    }

    /** The f32 kernel's tile ({@link MatMulKernel#choose}): the largest that fills the device without padding a thin product. */
    @ParameterizedTest(name = "{0}x{1}, {2} batches -> {3}")
    @CsvSource({
            "4096, 4096, 1, 128x256",   // 512 workgroups of the large tile
            "2048, 2048, 1, 128x256",   // 128: still the large tile
            "1024, 1024, 1, 64x64",     // 32 large, 64 middle: only the small tile fills the device
            "1024, 64, 96, 64x64",      // P V per head: the large tile would be three quarters padding
            "1024, 1024, 96, 128x256",  // Q K^T per head
            "8192, 768, 1, 128x256",    // 64 x 3 = 192 workgroups, no padding
            "8192, 100, 1, 64x64",      // 100 columns: 128 pads by 28%, 64 by 28%: the last, the smallest
            "8, 8, 1, 64x64",           // tiny: the smallest
    })
    void theF32TileFillsTheDeviceWithoutPadding(int m, int n, long batches, String want) {
        List<MatMulKernel.Tiles> t = List.of(MatMulKernel.large(49152), MatMulKernel.middle(49152), MatMulKernel.small(49152));
        MatMulKernel.Tiles c = MatMulKernel.choose(t, m, n, batches);
        assertEquals(want, c.bm() + "x" + c.bn());
    }
}
