package dev.jasg.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.nn.GELU;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.GradScaler;
import dev.jasg.nn.optim.LBFGS;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.optim.SGD;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Trainer.Builder#mixedPrecision}: products in half with f32 master weights, dynamic loss
 * scaling that skips an overflowing step (forced here by a huge initial scale) and halves the
 * scale, growth after good steps, and training that follows the f32 run.
 */
class TrainerMixedPrecisionTest {
    private static Map<String, HostTensor> batch() {
        Random r = new Random(7);
        int n = 32;
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float) r.nextGaussian();
            y[i] = (x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0) + (x[i * 4 + 2] > 0.5 ? 1 : 0);
        }
        return Map.of("x", HostTensor.of(x, n, 4), "y", HostTensor.ofInts(y, n));
    }

    private static Trainer.Builder builder(Backend b, Optimizer opt) {
        return Trainer.builder(b, new Sequential(new Linear(4, 16), new GELU(), new Linear(16, 3)))
                .input("x", DType.F32, "B", 4).target("y", DType.I32, "B").loss(Losses::crossEntropy).optimizer(opt).seed(3);
    }

    private static Map<String, double[]> snapshot(Trainer t) {
        Map<String, double[]> m = new TreeMap<>();
        for (String n : t.parameters().names()) m.put(n, t.parameters().get(n).toDoubles());
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference", "cpu"})
    void aForcedOverflowSkipsTheStepAndHalvesTheScale(String backend) {
        double init = 0x1p40;  // |g| * 2^40 is far beyond f16's 65504: the first backward products overflow
        try (Backend b = Backends.create(backend);
             Trainer t = builder(b, new Adam(0.01)).mixedPrecision(DType.F16, new GradScaler(init, 2, 0.5, 1000)).build()) {
            Map<String, HostTensor> batch = batch();
            t.step(batch);  // the first step runs to create the store; it overflows too
            assertTrue(t.lastStepSkipped());
            Map<String, double[]> before = snapshot(t);
            double loss = t.step(batch);
            assertTrue(Double.isFinite(loss), "the unscaled loss is reported: " + loss);
            assertTrue(t.lastStepSkipped(), "2^39 still overflows");
            Map<String, double[]> after = snapshot(t);
            before.forEach((n, v) -> assertArrayEquals(v, after.get(n), 0, n + " changed by a skipped step"));
            assertEquals(0, t.parameters().get(Optimizer.STEP_STATE).item(), "Adam's step counter did not advance");
            assertEquals(init / 4, t.gradScaler().scale());
            // the scale halves until the gradients fit, then the steps train
            int skipped = 2;
            while (t.step(batch) > 0 && t.lastStepSkipped()) skipped++;
            assertTrue(skipped >= 15 && skipped < 40, "skipped " + skipped + " steps, scale now " + t.gradScaler().scale());
            assertEquals(skipped, t.gradScaler().skippedSteps());
            assertEquals(1, t.parameters().get(Optimizer.STEP_STATE).item(), "one step taken");
            double first = t.step(batch), last = first;
            for (int s = 0; s < 30; s++) last = t.step(batch);
            assertTrue(last < 0.8 * first, "trains after the backoff: " + first + " -> " + last);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"reference, F16", "reference, BF16", "cpu, F16", "cpu, BF16"})
    void mixedPrecisionFollowsTheF32Run(String backend, DType half) {
        try (Backend b = Backends.create(backend);
             Trainer f32 = builder(b, new SGD(0.1, 0.9)).build();
             Trainer mixed = builder(b, new SGD(0.1, 0.9)).mixedPrecision(half).build()) {
            assertEquals(half, mixed.mixedPrecision());
            if (half == DType.F16) assertNotNull(mixed.gradScaler(), "f16 scales the loss by default");
            else assertNull(mixed.gradScaler(), "bf16 needs no loss scaling");
            // the products read half operands, the weights stay f32
            assertTrue(mixed.forwardGraph().nodes().stream().anyMatch(n -> n.op() instanceof Op.Cast && n.dtype() == half));
            for (Node p : mixed.forwardGraph().parameters().values()) assertEquals(DType.F32, p.dtype(), p.toString());
            Map<String, HostTensor> batch = batch();
            double a0 = f32.step(batch), m0 = mixed.step(batch), a = a0, m = m0;
            double tol = half == DType.F16 ? 5e-3 : 3e-2;
            assertEquals(a0, m0, tol * a0, "first loss");
            for (int s = 0; s < 40; s++) {
                a = f32.step(batch);
                m = mixed.step(batch);
            }
            assertTrue(m < 0.6 * m0, half + " trains: " + m0 + " -> " + m);
            assertEquals(a, m, 0.1 * a + 0.02, half + " ends near the f32 run: f32 " + a + ", mixed " + m);
            if (half == DType.F16) assertEquals(0, mixed.gradScaler().skippedSteps(), "no overflow at 2^16 here");
            // evaluation runs the same products in half
            HostTensor p32 = f32.predict(batch.get("x")), pm = mixed.predict(batch.get("x"));
            assertEquals(p32.shape(), pm.shape());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference"})
    void theScaleGrowsAfterGoodSteps(String backend) {
        try (Backend b = Backends.create(backend);
             Trainer t = builder(b, new SGD(0.01)).mixedPrecision(DType.F16, new GradScaler(4, 2, 0.5, 3)).build()) {
            for (int s = 0; s < 7; s++) t.step(batch());
            assertFalse(t.lastStepSkipped());
            assertEquals(16, t.gradScaler().scale());
            assertEquals(1, t.gradScaler().growthTracker());
            assertEquals(Map.of("scale", 16.0, "growth_tracker", 1), t.state().get("grad_scaler"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference"})
    void badCombinationsAreRefused(String backend) {
        try (Backend b = Backends.create(backend)) {
            assertThrows(IllegalArgumentException.class, () -> builder(b, new SGD(0.1)).mixedPrecision(DType.F32));
            assertThrows(IllegalArgumentException.class, () -> Trainer.builder(b, new Linear(4, 3)).input("x", DType.F32, "B", 4)
                    .target("y", DType.I32, "B").loss(Losses::crossEntropy).lbfgs(new LBFGS(1)).mixedPrecision(DType.F16).build());
        }
    }
}
