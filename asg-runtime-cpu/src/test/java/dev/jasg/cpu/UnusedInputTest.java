package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.FeedException;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A program with an input that no output reads (a training program's target when its loss does not use it): its runs
 * take the warm path (the last plan, found without a map of symbols, {@code CpuExecutable.planFor}) and still refuse
 * a feed the program has no input for, a used input of the wrong width, and re-plan for a new batch size. The unused
 * input itself is not read, so not checked (as before).
 */
class UnusedInputTest {
    @Test
    void aProgramWithAnUnusedInputRunsWarmAndStillChecksItsFeeds() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4);
        g.input("unused", DType.F32, "B", 3);
        g.output("y", x.mul(2));
        try (Executable e = new CpuBackend().compile(g.build())) {
            Map<String, HostTensor> ok = Map.of("x", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4), "unused", HostTensor.of(new float[6], 2, 3));
            e.run(ok);
            assertEquals(16f, e.run(ok).get("y").floats()[7]);
            Map<String, HostTensor> wrongWidth = Map.of("x", HostTensor.of(new float[6], 2, 3), "unused", ok.get("unused"));
            assertThrows(FeedException.class, () -> e.run(wrongWidth), "a fixed dimension of x is wrong");
            Map<String, HostTensor> extra = Map.of("x", ok.get("x"), "unused", ok.get("unused"), "z", ok.get("x"));
            assertThrows(FeedException.class, () -> e.run(extra), "a feed the program has no input for");
            // a new batch size for both: a new plan, then the warm path again
            Map<String, HostTensor> three = Map.of("x", HostTensor.of(new float[12], 3, 4), "unused", HostTensor.of(new float[9], 3, 3));
            e.run(three);
            assertEquals(2f * 8, e.run(ok).get("y").floats()[7]);
        }
    }
}
