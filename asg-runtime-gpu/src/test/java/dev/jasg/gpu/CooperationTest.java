package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How {@link Cooperation} shares out a workgroup: a table of (outputs, R, contiguous) to (tpoBits, lo). */
class CooperationTest {
    @Test
    void table() {
        Object[][] rows = {
                // outputs, R, contiguous, tpoBits, lo
                {64L, 10L, true, 1, 0},            // short rows: two invocations per row, 128 rows a workgroup
                {64L, 8L, true, 0, 0},
                {64L, 1L, true, 0, 0},
                {4096L, 768L, true, 7, 0},         // a transformer's layer norm row
                {1L, 1_000_000L, true, 8, 0},      // a whole-tensor sum: the full workgroup
                {128L, 64L, false, 3, 5},          // bias gradient: 32 adjacent outputs, 8 invocations each
                {3L, 2500L, false, 6, 2},          // 4 output slots, 64 invocations each
                {100_000L, 4L, false, 0, 8},       // many short strided outputs: one invocation each
        };
        for (Object[] r : rows) {
            Cooperation c = Cooperation.of((Long) r[0], (Long) r[1], (Boolean) r[2]);
            assertEquals(new Cooperation((Integer) r[3], (Integer) r[4]), c, java.util.Arrays.toString(r));
        }
        assertEquals(128, new Cooperation(1, 0).outputsPerGroup());
        assertEquals(3, new Cooperation(7, 0).groups(5));
    }
}
