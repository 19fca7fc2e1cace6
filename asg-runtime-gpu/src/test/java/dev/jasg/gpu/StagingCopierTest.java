package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link StagingCopier}: how a feed is split, and that every split copies every float to its place (no device needed). */
class StagingCopierTest {
    @ParameterizedTest(name = "{0} floats on {1} threads: {2} parts")
    @CsvSource({
        "0, 4, 1",
        "1048575, 4, 1",        // under PARALLEL_FLOATS: the caller alone
        "1048576, 1, 1",        // one thread
        "1048576, 4, 4",
        "1048576, 8, 4",        // parts of at least MIN_PART_FLOATS
        "6291456, 4, 4",        // GPT-2's [8, 1024, 768]
        "6291456, 64, 24",
    })
    void splits(int floats, int threads, int parts) {
        assertEquals(parts, StagingCopier.parts(floats, threads));
        int p = StagingCopier.parts(floats, threads);
        assertEquals(0, StagingCopier.bound(floats, p, 0));
        assertEquals(floats, StagingCopier.bound(floats, p, p));
        for (int k = 1; k < p; k++) {
            assertEquals(0, StagingCopier.bound(floats, p, k) % 16, "part " + k + " starts on a cache line");
            assertTrue(StagingCopier.bound(floats, p, k) > StagingCopier.bound(floats, p, k - 1), "part " + (k - 1) + " is not empty");
        }
    }

    @ParameterizedTest(name = "{0} floats at {1} on {2} threads")
    @CsvSource({
        "1000, 0, 4",
        "1048576, 0, 4",
        "1048583, 37, 3",       // an odd length at an odd offset: the last part takes the tail
        "2621447, 5, 8",
        "2621447, 5, 1",
    })
    void copiesEveryFloatToItsPlace(int floats, int at, int threads) {
        float[] src = new float[floats];
        for (int i = 0; i < floats; i++) src[i] = i * 0.25f - 7;
        FloatBuffer staging = ByteBuffer.allocateDirect(4 * (floats + at + 9)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < staging.capacity(); i++) staging.put(i, Float.NaN);
        StagingCopier.copy(staging, at, src, threads);
        float[] back = new float[floats];
        staging.get(at, back);
        assertArrayEquals(src, back);
        for (int i = 0; i < at; i++) assertTrue(Float.isNaN(staging.get(i)), "float " + i + " before the feed untouched");
        for (int i = at + floats; i < staging.capacity(); i++) assertTrue(Float.isNaN(staging.get(i)), "float " + i + " after the feed untouched");
    }

    @Test
    void aBadThreadCountIsRefusedByName() {
        Gpu.refusedByName(StagingCopier.THREADS_PROPERTY, java.util.List.of("0", "65", "four"), StagingCopier::threads);
    }
}
