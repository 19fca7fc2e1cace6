package dev.jasg.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The index arithmetic the device backends share: merging, packing, reduction runs, lanes and matmul geometry. */
class StridesTest {
    @Test
    void packPutsDimsThenEachOperandsStridesInSlots() {
        Strides.Merged m = new Strides.Merged(new int[] {3, 4}, new int[][] {{4, 1}, {0, 1}});
        int[] args = new int[2 + 3 * 6];
        Strides.pack(m, args, 2, 6);
        assertArrayEquals(new int[] {0, 0, 3, 4, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, args);
    }

    @Test
    void reductionRunsMergeAdjacentAxesOfTheSameKind() {
        // [2, 3, 4, 5] over axes 1 and 2: kept runs {2 @ 60}, {5 @ 1}; reduced axes 1, 2 merge into {12 @ 5}
        Strides.ReduceRuns r = Strides.reduceRuns(new int[] {2, 3, 4, 5}, Ints.of(1, 2));
        assertEquals(10, r.nOut());
        assertEquals(12, r.count());
        assertEquals(2, r.width());
        assertArrayEquals(new int[] {10, 12, 2, 1, 2, 5, 60, 1, 12, 0, 5, 0}, r.pack(2));
        // size-1 axes are dropped; a full reduction keeps nothing
        Strides.ReduceRuns all = Strides.reduceRuns(new int[] {1, 6, 1}, Ints.of(0, 1, 2));
        assertEquals(List.of(), all.kept());
        assertArrayEquals(new int[] {1, 6, 0, 1, 0, 0, 6, 1}, all.pack(1));
        assertThrows(IllegalArgumentException.class, () -> r.pack(1));
    }

    @Test
    void lanesWalkOneAxis() {
        assertEquals(new Strides.Lanes(8, 3, 4), Strides.lanes(new int[] {2, 3, 4}, 1));
        assertEquals(new Strides.Lanes(12, 1, 1), Strides.lanes(new int[] {12, 1}, 1));
        assertEquals(new Strides.Lanes(1, 5, 1), Strides.lanes(new int[] {5}, 0));
    }

    @Test
    void matmulGeometryPromotesVectorsAndBroadcastsBatches() {
        Strides.MatmulGeometry vm = Strides.matmul(new int[] {7}, new int[] {7, 3});
        assertEquals(List.of(1, 7, 3, 1L), List.of(vm.m(), vm.k(), vm.n(), vm.batches()));
        // A [2, 1, 5, 6] x B [3, 6, 4]: batch [2, 3], A's stride 30 along the first axis and 0 along the second
        Strides.MatmulGeometry b = Strides.matmul(new int[] {2, 1, 5, 6}, new int[] {3, 6, 4});
        assertEquals(List.of(5, 6, 4, 6L), List.of(b.m(), b.k(), b.n(), b.batches()));
        assertArrayEquals(new int[] {2, 3}, b.batch().dims());
        assertArrayEquals(new int[] {30, 0}, b.batch().strides()[0]);
        assertArrayEquals(new int[] {0, 24}, b.batch().strides()[1]);
    }
}
