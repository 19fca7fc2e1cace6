package dev.jasg.nn.optim;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.JasgException;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clip_grad_norm_(..., error_if_nonfinite=True)}: a step whose gradient norm is infinite or NaN changes no
 * parameter, no optimizer state and not the step counter, and {@link GradientClipping#requireFinite} raises, naming the
 * norm; a finite step goes through; without the flag the non-finite gradient reaches the parameters, as in PyTorch.
 */
class ClipGradNormNonfiniteTest {
    /** loss = sum(w * c) with c fed, so dloss/dw = c; Adam, clipped at norm 1. Returns {w, exp_avg, step} after one step. */
    private static double[][] step(Backend b, boolean errorIfNonfinite, double c0, List<Double> norm) {
        GraphBuilder g = new GraphBuilder();
        Tensor w = g.parameter("w", Shape.of(2), DType.F32, Init.ones(), true);
        Tensor c = g.input("c", DType.F32, 2);
        Tensor loss = w.mul(c).sum();
        g.output("loss", loss);
        Graph fwd = g.build();
        Graph grads = Autograd.gradients(fwd, loss, List.of(w));
        GradientClipping clip = GradientClipping.gradNorm(1.0, 2, errorIfNonfinite);
        Graph update = new Adam(0.1).update(grads, clip);
        try (Executable e = b.compile(fwd, grads, update)) {
            Outputs o = e.run(Map.of("lr", HostTensor.scalar(0.1f), "c", HostTensor.of(new float[] {(float) c0, 1f}, 2)));
            norm.add(o.scalar(GradientClipping.GRAD_NORM_OUTPUT));
            return new double[][] {e.parameters().get("w").toDoubles(), e.parameters().get("optim.exp_avg.w").toDoubles(),
                {e.parameters().get(Optimizer.STEP_STATE).item()}};
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void aNonFiniteNormSkipsTheStepAndRaises(String backend) {
        try (Backend b = Backends.create(backend)) {
            for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN}) {
                List<Double> norm = new java.util.ArrayList<>();
                double[][] after = step(b, true, bad, norm);
                assertArrayEquals(new double[] {1, 1}, after[0], "w unchanged after a gradient " + bad);
                assertArrayEquals(new double[] {0, 0}, after[1], "exp_avg unchanged");
                assertEquals(0, after[2][0], "step counter unchanged");
                assertTrue(!Double.isFinite(norm.get(0)));
                JasgException e = assertThrows(JasgException.class, () -> GradientClipping.requireFinite(GradientClipping.gradNorm(1, 2, true), norm.get(0)));
                assertTrue(e.getMessage().contains("clip_grad_norm_") && e.getMessage().contains("order 2.0") && e.getMessage().contains(String.valueOf(norm.get(0))),
                        e.getMessage());
            }
            List<Double> norm = new java.util.ArrayList<>();
            double[][] ok = step(b, true, 3, norm);
            assertEquals(1 - 0.1, ok[0][0], 1e-6);
            assertEquals(1, ok[2][0]);
            GradientClipping.requireFinite(GradientClipping.gradNorm(1, 2, true), norm.get(0));
            // PyTorch's default: no check, the infinite gradient reaches the parameter
            double[][] unchecked = step(b, false, Double.POSITIVE_INFINITY, new java.util.ArrayList<>());
            assertTrue(Double.isNaN(unchecked[0][0]), "inf * clip coefficient 0 is NaN in w, got " + unchecked[0][0]);
            assertEquals(1, unchecked[2][0]);
            GradientClipping.requireFinite(GradientClipping.gradNorm(1, 2), Double.POSITIVE_INFINITY);
        }
    }
}
