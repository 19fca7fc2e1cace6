package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatternRecognitionTest {
    @Test
    void classifiesEveryHeldOutImage() {
        List<Double> losses = new ArrayList<>();
        try (Backend cpu = Backends.create("cpu")) {
            PatternRecognition.Result r = PatternRecognition.train(cpu, 10, (loss, epoch) -> losses.add(loss));
            assertEquals(1.0, r.heldOutAccuracy(), 0, "held-out accuracy");
            assertTrue(losses.get(losses.size() - 1) < 0.1 * losses.get(0), "loss should fall: " + losses);
        }
    }

    @Test
    void generatesBalancedLabelledImages() {
        PatternRecognition.Images set = PatternRecognition.generate(8, 5);
        assertEquals(List.of(8, 8, 8), List.of(set.images().shape().dim(0), set.images().shape().dim(1), set.images().shape().dim(2)));
        for (int i = 0; i < 8; i++) assertEquals(i % 4, (int) set.labels().get(i));
    }
}
