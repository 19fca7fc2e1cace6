package dev.jasg.nn.optim;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Scheduler curves at chosen epochs, against torch.optim.lr_scheduler's formulas, and state round trips. */
class LrSchedulerTest {
    private static final SGD OPT = new SGD(0.1);

    @Test
    void stepLR() {
        StepLR s = new StepLR(OPT, 3, 0.5);
        assertEquals(0.1, s.getLastLr(), 1e-15);
        double[] want = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025};
        for (int e = 0; e < want.length; e++) {
            assertEquals(want[e], s.getLastLr(), 1e-15, "epoch " + e);
            assertEquals(e, s.lastEpoch());
            s.step();
        }
        assertEquals(0.1 * 0.1, new StepLR(OPT, 2).lr(3), 1e-15);
    }

    @Test
    void exponentialLR() {
        ExponentialLR s = new ExponentialLR(OPT, 0.9);
        assertEquals(0.1, s.lr(0), 1e-15);
        assertEquals(0.1 * 0.9 * 0.9 * 0.9, s.lr(3), 1e-15);
    }

    @Test
    void cosineAnnealingLR() {
        CosineAnnealingLR s = new CosineAnnealingLR(OPT, 10, 0.01);
        assertEquals(0.1, s.lr(0), 1e-15);
        assertEquals(0.055, s.lr(5), 1e-15); // halfway: the mean of base and eta_min
        assertEquals(0.01, s.lr(10), 1e-15);
        assertEquals(0.01 + 0.09 * (1 + Math.cos(Math.PI * 0.3)) / 2, s.lr(3), 1e-15);
    }

    @Test
    void linearWarmupLR() {
        LinearWarmupLR s = new LinearWarmupLR(OPT, 4);
        assertEquals(0, s.lr(0), 1e-15);
        assertEquals(0.025, s.lr(1), 1e-15);
        assertEquals(0.075, s.lr(3), 1e-15);
        assertEquals(0.1, s.lr(4), 1e-15);
        assertEquals(0.1, s.lr(100), 1e-15);
    }

    @Test
    void warmupCosineAnnealingLR() {
        WarmupCosineAnnealingLR s = new WarmupCosineAnnealingLR(OPT, 2, 12, 0.0);
        assertEquals(0, s.lr(0), 1e-15);
        assertEquals(0.05, s.lr(1), 1e-15);
        assertEquals(0.1, s.lr(2), 1e-15);
        assertEquals(0.05, s.lr(7), 1e-15);
        assertEquals(0, s.lr(12), 1e-15);
        assertEquals(0, s.lr(20), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineAnnealingLR(OPT, 5, 5));
    }

    @Test
    void oneCycleLR() {
        // max_lr 1, 10 steps, pct_start 0.3: up from 0.04 over steps 0..2, down to 4e-6 at step 9.
        OneCycleLR s = new OneCycleLR(1.0, 10);
        assertEquals(0.04, s.lr(0), 1e-12);
        assertEquals(0.04 + 0.96 * 0.5, s.lr(1), 1e-12);
        assertEquals(1.0, s.lr(2), 1e-12);
        double q = (5 - 2) / 7.0;
        assertEquals(4e-6 + (1 - 4e-6) / 2 * (Math.cos(Math.PI * q) + 1), s.lr(5), 1e-12);
        assertEquals(4e-6, s.lr(9), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> s.lr(11));
    }

    @Test
    void stateRoundTrip() {
        CosineAnnealingLR a = new CosineAnnealingLR(OPT, 10);
        for (int i = 0; i < 4; i++) a.step();
        Map<String, Object> st = a.state();
        assertEquals(4, st.get("last_epoch"));
        CosineAnnealingLR b = new CosineAnnealingLR(OPT, 10);
        b.load(st);
        assertEquals(a.getLastLr(), b.getLastLr(), 0);
        b.step();
        assertEquals(a.lr(5), b.getLastLr(), 0);
        assertThrows(IllegalArgumentException.class, () -> new StepLR(OPT, 2).load(st));
    }
}
