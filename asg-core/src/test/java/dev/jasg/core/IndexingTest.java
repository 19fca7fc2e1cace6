package dev.jasg.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Row-major and broadcast index arithmetic. */
class IndexingTest {

    @Test
    void stridesAndFlatIndices() {
        int[] dims = {2, 3, 4};
        assertArrayEquals(new int[] {12, 4, 1}, Indexing.strides(dims));
        assertArrayEquals(new int[0], Indexing.strides(new int[0]));
        assertEquals(24, Indexing.size(dims));
        assertEquals(1, Indexing.size(new int[0]));
        for (int f = 0; f < 24; f++) assertEquals(f, Indexing.offset(Indexing.unravel(f, dims), Indexing.strides(dims)));
        assertArrayEquals(new int[] {1, 2, 3}, Indexing.unravel(23, dims));
    }

    @Test
    void broadcastStridesAreZeroOnStretchedAxes() {
        assertArrayEquals(new int[] {0, 1, 0}, Indexing.broadcastStrides(new int[] {3, 1}, new int[] {2, 3, 4}));
        assertArrayEquals(new int[] {0, 0}, Indexing.broadcastStrides(new int[0], new int[] {2, 2}));
        assertArrayEquals(new int[] {0, 1, 2, 3, 0, 1, 2, 3}, Indexing.broadcastMap(new int[] {1, 4}, new int[] {2, 4}));
        assertArrayEquals(new int[] {0, 0, 1, 1}, Indexing.broadcastMap(new int[] {2, 1}, new int[] {2, 2}));
        assertThrows(IllegalArgumentException.class, () -> Indexing.broadcastStrides(new int[] {3}, new int[] {4}));
        assertThrows(IllegalArgumentException.class, () -> Indexing.broadcastStrides(new int[] {2, 2}, new int[] {2}));
    }
}
