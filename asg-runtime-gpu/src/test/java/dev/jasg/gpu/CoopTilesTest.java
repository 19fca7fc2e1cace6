package dev.jasg.gpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which tensor-core tile a product gets ({@link CoopMatMulKernel#choose}): no device needed. */
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
    @CsvSource({"49152, 2", "0, 0"})
    void tilesThatDoNotFitTheSharedMemoryAreLeftOut(int shared, int count) {
        assertEquals(count, CoopMatMulKernel.tiles(shared).size());
    }
}
