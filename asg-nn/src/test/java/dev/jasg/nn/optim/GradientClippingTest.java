package dev.jasg.nn.optim;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jasg.nn.optim.OptimizerHarness.grad;
import static dev.jasg.nn.optim.OptimizerHarness.initial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Clipping inside the step, observed through plain SGD with lr 1: the parameter moves by exactly the clipped gradient. */
class GradientClippingTest {
    private static double[] moved(List<double[]> after) {
        double[] p0 = initial(), d = new double[5];
        for (int i = 0; i < 5; i++) d[i] = p0[i] - after.get(0)[i];
        return d;
    }

    private void checkNorm(Backend b, double maxNorm, double p, double tol) {
        double[] g = grad(initial());
        double total = 0;
        for (double x : g) total = Double.isInfinite(p) ? Math.max(total, Math.abs(x)) : total + Math.pow(Math.abs(x), p);
        if (!Double.isInfinite(p)) total = Math.pow(total, 1 / p);
        double coef = Math.min(1, maxNorm / (total + 1e-6));
        List<Double> norms = new ArrayList<>();
        double[] d = moved(OptimizerHarness.run(b, new SGD(1), GradientClipping.gradNorm(maxNorm, p), norms, 1.0));
        assertEquals(total, norms.get(0), tol * total, "total norm, p=" + p);
        for (int i = 0; i < 5; i++) assertEquals(g[i] * coef, d[i], tol, "clipped gradient " + i + ", p=" + p);
    }

    @Test
    void clipGradNormReturnsTheTotalNormAndScalesTheGradients() {
        try (Backend ref = Backends.create("reference"); Backend cpu = Backends.create("cpu")) {
            checkNorm(ref, 0.5, 2, 1e-6);
            checkNorm(ref, 0.5, 1, 1e-6);
            checkNorm(ref, 0.5, 3, 1e-6);
            checkNorm(ref, 0.5, Double.POSITIVE_INFINITY, 1e-6);
            checkNorm(ref, 100, 2, 1e-6); // within bounds: unchanged
            checkNorm(cpu, 0.5, 2, 1e-5);
        }
    }

    @Test
    void clipGradValueClampsEachElement() {
        try (Backend ref = Backends.create("reference")) {
            double[] g = grad(initial());
            double[] d = moved(OptimizerHarness.run(ref, new SGD(1), GradientClipping.gradValue(0.6), 1.0));
            for (int i = 0; i < 5; i++) assertEquals(Math.max(-0.6, Math.min(0.6, g[i])), d[i], 1e-7, "element " + i);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.gradNorm(-1));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.gradNorm(1, 0));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.gradValue(Double.NaN));
    }
}
