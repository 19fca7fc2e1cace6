package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CnnClassifierTest {
    @Test
    void dataIsBalancedAndLabelled() {
        CnnClassifier.Data d = CnnClassifier.data(300, 5);
        int[] counts = new int[CnnClassifier.CLASSES];
        for (int i = 0; i < 300; i++) counts[(int) d.labels().get(i)]++;
        for (int c : counts) assertTrue(c > 70, "class counts " + java.util.Arrays.toString(counts));
        assertEquals(300 * CnnClassifier.SIZE * CnnClassifier.SIZE, d.images().size());
    }

    @Test
    void reachesNinetyEightPercentHeldOut() {
        try (Backend cpu = Backends.create("cpu")) {
            CnnClassifier.Result r = CnnClassifier.train(cpu, 600, (step, loss) -> { });
            assertTrue(r.testAccuracy() >= 0.98, "held-out accuracy " + r.testAccuracy() + ", last loss " + r.lastLoss());
        }
    }
}
