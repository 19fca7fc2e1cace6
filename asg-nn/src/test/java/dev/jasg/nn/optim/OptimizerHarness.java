package dev.jasg.nn.optim;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A two-parameter problem with a known gradient: {@code loss = sum(a1 w1^2 + b1 w1) + sum(a2 w2^2 + b2 w2)},
 * so {@code dloss/dw = 2 a w + b}, an optimizer's update graph over it, and the host-side
 * formulas the tests compare with. All constants are exact in float.
 */
final class OptimizerHarness {
    static final double[] W1 = {0.5, -1.25, 2.0};
    static final double[] W2 = {-0.75, 1.5};
    static final double[] A1 = {0.5, 1.0, 0.25};
    static final double[] B1 = {0.25, -0.5, 1.0};
    static final double[] A2 = {2.0, 0.5};
    static final double[] B2 = {-1.0, 0.125};

    private OptimizerHarness() {}

    /** Parameter values w1 then w2 (concatenated) after each of {@code lrs.length} steps. */
    static List<double[]> run(Backend backend, Optimizer opt, GradientClipping clipping, double... lrs) {
        return run(backend, opt, clipping, null, lrs);
    }

    /** As {@link #run(Backend, Optimizer, GradientClipping, double...)}; collects grad_norm per step into {@code norms} when non-null. */
    static List<double[]> run(Backend backend, Optimizer opt, GradientClipping clipping, List<Double> norms, double... lrs) {
        GraphBuilder g = new GraphBuilder();
        Tensor w1 = g.parameter("w1", Shape.of(3), DType.F32, new Init.Values(f32(W1)), true);
        Tensor w2 = g.parameter("w2", Shape.of(2), DType.F32, new Init.Values(f32(W2)), true);
        Tensor loss = term(g, w1, A1, B1).add(term(g, w2, A2, B2));
        g.output("loss", loss);
        Graph forward = g.build();
        Graph grads = Autograd.gradients(forward, loss, List.of(w1, w2));
        Graph update = opt.update(grads, clipping);
        List<double[]> out = new ArrayList<>();
        try (Executable step = backend.compile(forward, grads, update)) {
            for (double lr : lrs) {
                var o = step.run(Map.of("lr", HostTensor.scalar((float) lr)));
                if (norms != null) norms.add(o.scalar(GradientClipping.GRAD_NORM_OUTPUT));
                double[] a = step.parameters().get("w1").toDoubles(), b = step.parameters().get("w2").toDoubles();
                double[] both = new double[5];
                System.arraycopy(a, 0, both, 0, 3);
                System.arraycopy(b, 0, both, 3, 2);
                out.add(both);
            }
            double steps = step.parameters().get(Optimizer.STEP_STATE).item();
            if (steps != lrs.length) throw new AssertionError("optim.step is " + steps + " after " + lrs.length + " steps");
        }
        return out;
    }

    private static Tensor term(GraphBuilder g, Tensor w, double[] a, double[] b) {
        Tensor ca = g.constant(f32(a));
        Tensor cb = g.constant(f32(b));
        return w.square().mul(ca).add(w.mul(cb)).sum();
    }

    static HostTensor f32(double[] v) {
        return HostTensor.fromDoubles(DType.F32, Shape.of(v.length), v);
    }

    static double[] initial() {
        return new double[] {W1[0], W1[1], W1[2], W2[0], W2[1]};
    }

    /** The gradient at {@code w} (w1 then w2). */
    static double[] grad(double[] w) {
        double[] a = {A1[0], A1[1], A1[2], A2[0], A2[1]}, b = {B1[0], B1[1], B1[2], B2[0], B2[1]};
        double[] g = new double[5];
        for (int i = 0; i < 5; i++) g[i] = 2 * a[i] * w[i] + b[i];
        return g;
    }
}
