package dev.jasg.nn.optim;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jasg.nn.optim.OptimizerHarness.grad;
import static dev.jasg.nn.optim.OptimizerHarness.initial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each optimizer against its torch.optim update written out on the host in double precision,
 * over a few steps with changing learning rates, on the reference backend (and a few on the CPU).
 */
class OptimizerTest {
    private static final double[] LRS = {0.1, 0.05, 0.1, 0.02};
    private static Backend ref;
    private static Backend cpu;

    @BeforeAll
    static void start() {
        ref = Backends.create("reference");
        cpu = Backends.create("cpu");
    }

    @AfterAll
    static void stop() {
        ref.close();
        cpu.close();
    }

    // ---- host formulas, one loop per torch.optim algorithm (single-tensor, non-maximize) ----------

    private static double[][] sgd(double momentum, double dampening, double wd, boolean nesterov) {
        double[] p = initial(), buf = null;
        double[][] out = new double[LRS.length][];
        for (int s = 0; s < LRS.length; s++) {
            double[] g = grad(p);
            for (int i = 0; i < 5; i++) g[i] += wd * p[i];
            if (momentum != 0) {
                if (buf == null) buf = g.clone();
                else for (int i = 0; i < 5; i++) buf[i] = momentum * buf[i] + (1 - dampening) * g[i];
                for (int i = 0; i < 5; i++) g[i] = nesterov ? g[i] + momentum * buf[i] : buf[i];
            }
            for (int i = 0; i < 5; i++) p[i] -= LRS[s] * g[i];
            out[s] = p.clone();
        }
        return out;
    }

    private static double[][] adam(double b1, double b2, double eps, double wd, boolean amsgrad, boolean decoupled) {
        double[] p = initial(), m = new double[5], v = new double[5], vmax = new double[5];
        double[][] out = new double[LRS.length][];
        for (int s = 0; s < LRS.length; s++) {
            int t = s + 1;
            double lr = LRS[s];
            double[] g = grad(p);
            for (int i = 0; i < 5; i++) {
                if (decoupled) p[i] *= 1 - lr * wd;
                else g[i] += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                vmax[i] = Math.max(vmax[i], v[i]);
                double denom = Math.sqrt(amsgrad ? vmax[i] : v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
            out[s] = p.clone();
        }
        return out;
    }

    private static double[][] rmsprop(double alpha, double eps, double wd, double momentum, boolean centered) {
        double[] p = initial(), sq = new double[5], ga = new double[5], buf = new double[5];
        double[][] out = new double[LRS.length][];
        for (int s = 0; s < LRS.length; s++) {
            double[] g = grad(p);
            for (int i = 0; i < 5; i++) {
                g[i] += wd * p[i];
                sq[i] = alpha * sq[i] + (1 - alpha) * g[i] * g[i];
                double avg;
                if (centered) {
                    ga[i] = alpha * ga[i] + (1 - alpha) * g[i];
                    avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
                } else {
                    avg = Math.sqrt(sq[i]) + eps;
                }
                if (momentum > 0) {
                    buf[i] = momentum * buf[i] + g[i] / avg;
                    p[i] -= LRS[s] * buf[i];
                } else {
                    p[i] -= LRS[s] * g[i] / avg;
                }
            }
            out[s] = p.clone();
        }
        return out;
    }

    private static void check(double[][] want, List<double[]> got, double tol) {
        assertEquals(want.length, got.size());
        for (int s = 0; s < want.length; s++) {
            for (int i = 0; i < 5; i++) {
                assertEquals(want[s][i], got.get(s)[i], tol * Math.max(1, Math.abs(want[s][i])), "step " + (s + 1) + " element " + i);
            }
        }
    }

    private static void check(double[][] want, Optimizer opt) {
        check(want, OptimizerHarness.run(ref, opt, GradientClipping.none(), LRS), 1e-6);
    }

    // ---- SGD -------------------------------------------------------------------------------

    @Test
    void sgdFirstStepByHand() {
        // g = 2 a w + b: for w1[0] = 0.5, a = 0.5, b = 0.25: g = 0.75, p = 0.5 - 0.1 * 0.75 = 0.425.
        List<double[]> got = OptimizerHarness.run(ref, new SGD(0.1), GradientClipping.none(), 0.1);
        assertEquals(0.425, got.get(0)[0], 1e-7);
    }

    @Test
    void sgdPlain() {
        check(sgd(0, 0, 0, false), new SGD(0.1));
    }

    @Test
    void sgdMomentumDampeningWeightDecay() {
        check(sgd(0.9, 0.1, 0.01, false), new SGD(0.1, 0.9, 0.1, 0.01, false));
    }

    @Test
    void sgdNesterov() {
        check(sgd(0.8, 0, 0.05, true), new SGD(0.1, 0.8, 0, 0.05, true));
    }

    @Test
    void sgdNesterovNeedsMomentumAndNoDampening() {
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.1, 0, 0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.1, 0.9, 0.1, 0, true));
    }

    // ---- Adam, AdamW ---------------------------------------------------------------------------

    @Test
    void adamFirstStepIsLrTimesSignOfGradient() {
        // Bias-corrected moments on the first step are g and g^2, so the update is lr * g / (|g| + eps).
        List<double[]> got = OptimizerHarness.run(ref, new Adam(0.1), GradientClipping.none(), 0.1);
        double[] g = grad(initial());
        for (int i = 0; i < 5; i++) assertEquals(initial()[i] - 0.1 * Math.signum(g[i]), got.get(0)[i], 1e-6);
    }

    @Test
    void adamDefaults() {
        check(adam(0.9, 0.999, 1e-8, 0, false, false), new Adam(0.1));
    }

    @Test
    void adamWeightDecayAmsgrad() {
        check(adam(0.8, 0.99, 1e-3, 0.1, true, false), new Adam(0.1, 0.8, 0.99, 1e-3, 0.1, true));
    }

    @Test
    void adamW() {
        check(adam(0.9, 0.999, 1e-8, 0.01, false, true), new AdamW(0.1));
        check(adam(0.7, 0.95, 1e-6, 0.5, true, true), new AdamW(0.1, 0.7, 0.95, 1e-6, 0.5, true));
    }

    @Test
    void adamOnTheCpuMatchesTheFormula() {
        check(adam(0.9, 0.999, 1e-8, 0.1, true, false),
                OptimizerHarness.run(cpu, new Adam(0.1, 0.9, 0.999, 1e-8, 0.1, true), GradientClipping.none(), LRS), 1e-5);
    }

    // ---- RMSprop ---------------------------------------------------------------------------------

    @Test
    void rmspropDefaults() {
        check(rmsprop(0.99, 1e-8, 0, 0, false), new RMSprop(0.01));
    }

    @Test
    void rmspropCenteredMomentumWeightDecay() {
        check(rmsprop(0.9, 1e-6, 0.05, 0.9, true), new RMSprop(0.01, 0.9, 1e-6, 0.05, 0.9, true));
    }

    @Test
    void rmspropOnTheCpuMatchesTheFormula() {
        check(rmsprop(0.9, 1e-6, 0.05, 0.9, true),
                OptimizerHarness.run(cpu, new RMSprop(0.01, 0.9, 1e-6, 0.05, 0.9, true), GradientClipping.none(), LRS), 1e-5);
    }

    @Test
    void stateLivesInNamedNonTrainableParameters() {
        var g = new dev.jasg.core.GraphBuilder();
        var w = g.parameter("w", dev.jasg.core.Init.zeros(), 2);
        var loss = w.square().sum();
        g.output("loss", loss);
        var f = g.build();
        var grads = dev.jasg.autograd.Autograd.gradients(f, loss, List.of(w));
        var update = new Adam(0.1, 0.9, 0.999, 1e-8, 0, true).update(grads);
        var params = update.parameters();
        for (String n : List.of("optim.step", "optim.exp_avg.w", "optim.exp_avg_sq.w", "optim.max_exp_avg_sq.w")) {
            var node = params.get(n);
            org.junit.jupiter.api.Assertions.assertNotNull(node, n + " in " + params.keySet());
            org.junit.jupiter.api.Assertions.assertFalse(((dev.jasg.core.Op.Parameter) node.op()).trainable(), n);
        }
        org.junit.jupiter.api.Assertions.assertTrue(update.inputs().containsKey("lr"));
    }
}
