package dev.jasg.nn.train;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.nn.Linear;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.GradientClipping;
import dev.jasg.nn.optim.Optimizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clip_grad_norm_(..., error_if_nonfinite=True)} through {@link Trainer#step}: a batch whose gradient is
 * infinite or NaN raises a {@link JasgException} naming the norm, leaves every parameter and optimizer state (and
 * the step counters) as they were and tells update listeners the step failed; the next finite batch trains.
 */
class TrainerClipNonfiniteTest {
    private static Map<String, HostTensor> batch(float x0) {
        return Map.of("x", HostTensor.of(new float[] {x0, 1f, 0.5f, -1f}, 2, 2), "y", HostTensor.of(new float[] {1f, 0f}, 2, 1));
    }

    private static Map<String, double[]> snapshot(Trainer t) {
        Map<String, double[]> m = new TreeMap<>();
        for (String n : t.parameters().names()) m.put(n, t.parameters().get(n).toDoubles());
        return m;
    }

    @ParameterizedTest(name = "{0}, x = {1}")
    @CsvSource({"reference, Infinity", "reference, NaN", "cpu, Infinity", "cpu, NaN"})
    void aNonFiniteGradientRaisesThroughStepAndChangesNothing(String backend, float bad) {
        try (Backend b = Backends.create(backend);
             Trainer t = Trainer.builder(b, new Linear(2, 1)).input("x", DType.F32, "B", 2).target("y", DType.F32, "B", 1)
                     .loss((out, y) -> out.sub(y).square().mean()).optimizer(new Adam(0.1))
                     .clipping(GradientClipping.gradNorm(1.0, 2, true)).seed(3).build()) {
            List<ComputeUpdate> updates = new ArrayList<>();
            t.addUpdateListener(updates::add);
            t.step(batch(2f));  // a finite step first, so the optimizer state is non-zero
            Map<String, double[]> before = snapshot(t);
            JasgException e = assertThrows(JasgException.class, () -> t.step(batch(bad)));
            assertTrue(e.getMessage().contains("clip_grad_norm_") && e.getMessage().contains("order 2.0"), e.getMessage());
            Map<String, double[]> after = snapshot(t);
            assertEquals(before.keySet(), after.keySet());
            before.forEach((n, v) -> assertArrayEquals(v, after.get(n), 0, n + " changed by the refused step"));
            assertEquals(1, t.steps());
            assertEquals(1, t.parameters().get(Optimizer.STEP_STATE).item());
            assertTrue(updates.get(updates.size() - 1) instanceof ComputeUpdate.Failed, "listeners hear of the failure: " + updates);
            assertTrue(!Double.isFinite(t.lastGradNorm()), "the refused step's norm: " + t.lastGradNorm());
            t.step(batch(2f));
            assertEquals(2, t.steps());
            assertEquals(2, t.parameters().get(Optimizer.STEP_STATE).item());
        }
    }
}
