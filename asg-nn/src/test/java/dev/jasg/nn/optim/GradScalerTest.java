package dev.jasg.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link GradScaler#update} as {@code torch._amp_update_scale_} defines it: back off and reset on an
 * overflow, grow after {@code growthInterval} good steps in a row, never grow to infinity.
 */
class GradScalerTest {
    /** Overflow flags of consecutive steps and the scale and tracker after each, interval 3. */
    @Test
    void scaleFollowsPyTorchsRule() {
        GradScaler s = new GradScaler(1024, 2, 0.5, 3);
        boolean[] found = {false, false, false, false, true, false, false, true, true, false, false, false};
        double[] scale = {1024, 1024, 2048, 2048, 1024, 1024, 1024, 512, 256, 256, 256, 512};
        int[] tracker = {1, 2, 0, 1, 0, 1, 2, 0, 0, 1, 2, 0};
        for (int i = 0; i < found.length; i++) {
            s.update(found[i]);
            assertEquals(scale[i], s.scale(), "scale after step " + (i + 1));
            assertEquals(tracker[i], s.growthTracker(), "tracker after step " + (i + 1));
        }
        assertEquals(3, s.skippedSteps());
    }

    @Test
    void defaultsArePyTorchs() {
        GradScaler s = new GradScaler();
        assertEquals(65536.0, s.scale());
        for (int i = 0; i < 1999; i++) s.update(false);
        assertEquals(65536.0, s.scale());
        s.update(false);
        assertEquals(131072.0, s.scale());
    }

    @Test
    void neverGrowsToInfinity() {
        GradScaler s = new GradScaler(Double.MAX_VALUE / 1.5, 2, 0.5, 1);
        s.update(false);
        assertEquals(Double.MAX_VALUE / 1.5, s.scale());
        assertEquals(0, s.growthTracker());
    }

    @Test
    void stateRoundTripsAndArgumentsAreChecked() {
        GradScaler a = new GradScaler(8, 2, 0.5, 4);
        a.update(false);
        a.update(true);
        a.update(false);
        GradScaler b = new GradScaler(8, 2, 0.5, 4);
        b.load(a.state());
        assertEquals(Map.of("scale", 4.0, "growth_tracker", 1), b.state());
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(0, 2, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(Double.POSITIVE_INFINITY, 2, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 1, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler(1, 2, 0.5, 0));
    }
}
