package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XorTest {
    @Test
    void reachesALossBelowOneThousandthAndPredictsXor() {
        try (Backend cpu = Backends.create("cpu")) {
            Xor.Result r = Xor.train(cpu, 5000, (step, loss) -> { });
            assertTrue(r.loss() < Xor.TARGET_LOSS, "loss " + r.loss() + " after " + r.steps() + " steps");
            double[] p = r.predictions();
            assertEquals(4, p.length);
            double[] want = {0, 1, 1, 0};
            for (int i = 0; i < 4; i++) assertEquals(want[i], p[i], 0.05, "prediction " + i);
        }
    }
}
