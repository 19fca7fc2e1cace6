package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reshapes are views of their operand's range on the GPU (issue 21): a view of a parameter that
 * is an output reads the value before the run's assignment (a snapshot), a view of a feed or of
 * a computed value keeps that range alive until its own last read, and views of views chain.
 */
class ViewPlanTest {
    @Test
    void viewsOfParametersFeedsAndValues() {
        try (VulkanBackend vk = Gpu.open()) {
            GraphBuilder g = new GraphBuilder();
            Tensor w = g.parameter("w", Init.zeros(), 2, 3);
            Tensor x = g.input("x", DType.F32, 6);
            g.output("w_flat", w.reshape(6));                  // view of a parameter the run reassigns
            g.output("x_grid", x.reshape(2, 3));               // view of a feed, an output
            Tensor a = x.mul(x.reshape(3, 2).reshape(6));      // a view of a view as an operand
            Tensor v = a.reshape(3, 2);                        // keeps a's range alive past a's last direct read
            Tensor c = a.neg();
            g.output("sum", v.reshape(6).add(c.mul(2)));       // a + (-2a) = -a
            g.assign(w, w.add(x.reshape(2, 3)));
            Parameters p = vk.newParameters(0);
            float[] xs = {1, 2, 3, 4, 5, 6};
            try (Executable e = vk.compile(p, g.build())) {
                for (int run = 0; run < 3; run++) {
                    Outputs o = e.run(Map.of("x", HostTensor.of(xs, 6)));
                    float[] before = new float[6];
                    for (int i = 0; i < 6; i++) before[i] = run * xs[i];
                    assertArrayEquals(before, o.get("w_flat").floats(), "run " + run + ": the parameter as it was before the assignment");
                    assertArrayEquals(xs, o.get("x_grid").floats());
                    float[] want = new float[6];
                    for (int i = 0; i < 6; i++) want[i] = -xs[i] * xs[i];
                    assertArrayEquals(want, o.get("sum").floats(), 1e-6f);
                }
                float[] after = new float[6];
                for (int i = 0; i < 6; i++) after[i] = 3 * xs[i];
                assertArrayEquals(after, p.get("w").floats());
            }
        }
    }
}
