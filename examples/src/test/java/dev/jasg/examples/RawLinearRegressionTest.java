package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawLinearRegressionTest {
    @Test
    void learnsTwoXPlusOneOnTheCpu() {
        List<Double> losses = new ArrayList<>();
        try (Backend cpu = Backends.create("cpu")) {
            LinearRegression.Result r = RawLinearRegression.train(cpu, 60, (loss, epoch) -> losses.add(loss));
            assertEquals(2, r.w(), 0.01);
            assertEquals(1, r.b(), 0.01);
            assertTrue(losses.get(0) > 100 * losses.get(losses.size() - 1), "loss should fall: " + losses);
        }
    }

    @Test
    void cpuAndReferenceAgree() {
        try (Backend cpu = Backends.create("cpu"); Backend ref = Backends.create("reference")) {
            LinearRegression.Result a = RawLinearRegression.train(cpu, 20, (l, e) -> { });
            LinearRegression.Result b = RawLinearRegression.train(ref, 20, (l, e) -> { });
            assertEquals(b.w(), a.w(), 1e-5);
            assertEquals(b.b(), a.b(), 1e-5);
        }
    }
}
