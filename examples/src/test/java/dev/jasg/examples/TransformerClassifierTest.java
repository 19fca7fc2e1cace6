package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformerClassifierTest {
    @Test
    void dataHasExactlyOneRepeatedTokenNamedByTheLabel() {
        TransformerClassifier.Data d = TransformerClassifier.data(50, 1);
        for (int i = 0; i < 50; i++) {
            int[] count = new int[TransformerClassifier.VOCAB];
            for (int p = 0; p < TransformerClassifier.LENGTH; p++) count[(int) d.tokens().get(i * TransformerClassifier.LENGTH + p)]++;
            int label = (int) d.labels().get(i);
            assertEquals(2, count[label]);
            for (int v = 0; v < count.length; v++) if (v != label) assertTrue(count[v] <= 1);
        }
    }

    @Test
    void reachesNinetyFivePercentHeldOut() {
        try (Backend cpu = Backends.create("cpu")) {
            TransformerClassifier.Result r = TransformerClassifier.train(cpu, 400, (step, loss) -> { });
            assertTrue(r.testAccuracy() >= 0.95, "held-out accuracy " + r.testAccuracy() + ", last loss " + r.lastLoss());
        }
    }
}
