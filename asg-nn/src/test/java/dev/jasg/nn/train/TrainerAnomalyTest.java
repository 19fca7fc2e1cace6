package dev.jasg.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Anomaly;
import dev.jasg.core.AnomalyException;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.Tanh;
import dev.jasg.nn.optim.Adam;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Anomaly mode under the Trainer (issue 13 item 16): a step that makes a NaN throws and changes no weight or optimizer state. */
class TrainerAnomalyTest {
    @Test
    void aNaNStepThrowsAndLeavesEveryParameterAsItWas() {
        float[] x = {0.5f, -1, 2, 1, 0, -0.5f};
        Map<String, HostTensor> good = Map.of("x", HostTensor.of(x, 2, 3), "y", HostTensor.of(new float[] {1, -1}, 2, 1));
        Map<String, HostTensor> bad = Map.of("x", HostTensor.of(x, 2, 3), "y", HostTensor.of(new float[] {1, Float.NaN}, 2, 1));
        for (String backend : new String[] {"reference", "cpu"}) {
            try (Backend b = Backends.create(backend);
                    Trainer t = Trainer.builder(b, new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 1)))
                            .input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1)
                            .loss((out, y) -> out.sub(y).square().mean()).optimizer(new Adam(0.01)).seed(3).build()) {
                t.step(good);
                Map<String, float[]> before = new TreeMap<>();
                for (String name : t.parameters().names()) before.put(name, t.parameters().get(name).floats().clone());
                try (var on = Anomaly.enable()) {
                    AnomalyException e = assertThrows(AnomalyException.class, () -> t.step(bad), backend);
                    assertEquals("y", e.path(), e.getMessage());
                    assertTrue(e.fedIn());
                }
                assertEquals(1, t.steps(), backend + ": the failed step is not counted");
                for (var p : before.entrySet()) {
                    assertArrayEquals(p.getValue(), t.parameters().get(p.getKey()).floats(), backend + ": " + p.getKey() + " changed");
                }
                assertTrue(Double.isFinite(t.step(good)), backend + ": training goes on");
            }
        }
    }
}
