package dev.jasg.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Central-difference gradient check in double precision: the model's output is contracted
 * with fixed random weights into a scalar loss, so every entry of the Jacobian matters.
 */
final class GradCheck {
    private static final double H = 1e-6;

    private GradCheck() {}

    /** The oracle: plain double-precision loops, float outputs come back as F64. */
    private static final ReferenceBackend REFERENCE = new ReferenceBackend();
    /** Compiled once per graph, since central differences run the same graph many times. */
    private static final Map<Graph, Executable> COMPILED = Collections.synchronizedMap(new IdentityHashMap<>());

    /** Runs the chain ending at {@code g} on the reference backend and returns {@code g}'s outputs as doubles. */
    static Map<String, double[]> run(Graph g, Map<String, HostTensor> feeds) {
        Outputs out = COMPILED.computeIfAbsent(g, REFERENCE::compile).run(feeds);
        Map<String, double[]> values = new LinkedHashMap<>();
        for (String name : out.names()) values.put(name, out.get(name).toDoubles());
        return values;
    }

    /** Random F64 values uniform in [lo, hi). */
    static HostTensor random(Random rnd, Shape shape, double lo, double hi) {
        double[] d = new double[shape.sizeInt()];
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rnd.nextDouble();
        return HostTensor.ofDoubles(d, shape.dims());
    }

    /**
     * Checks the gradients of {@code sum(model(x0, x1, ...) * r)} with respect to every
     * input against central differences; inputs are F64 {@code x0, x1, ...} fed with
     * {@code values}.
     */
    static void check(String what, Function<Tensor[], Tensor> model, List<HostTensor> values, double tol) {
        GraphBuilder b = new GraphBuilder();
        Tensor[] xs = new Tensor[values.size()];
        for (int i = 0; i < xs.length; i++) xs[i] = b.input("x" + i, values.get(i).dtype(), values.get(i).shape());
        Tensor y = model.apply(xs);
        Random rnd = new Random(what.hashCode());
        Tensor loss = y.rank() == 0 ? y : y.mul(b.constant(random(rnd, y.shape(), 0.5, 1.5))).sum();
        b.output("loss", loss);
        Graph fwd = b.build();
        List<Tensor> wrt = new ArrayList<>();
        for (Tensor x : xs) if (x.dtype().isFloat()) wrt.add(x);
        Graph grad = Autograd.gradients(fwd, loss, wrt);

        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < xs.length; i++) feeds.put("x" + i, values.get(i));
        Map<String, double[]> out = run(grad, feeds);
        for (Tensor x : wrt) {
            String name = ((dev.jasg.core.Op.Input) x.node().op()).name();
            double[] analytic = out.get("grad:" + name);
            double[] base = feeds.get(name).toDoubles();
            assertEquals(base.length, analytic.length, what + ": gradient size of " + name);
            for (int k = 0; k < base.length; k++) {
                double[] p = base.clone(), m = base.clone();
                p[k] += H;
                m[k] -= H;
                feeds.put(name, HostTensor.ofDoubles(p, feeds.get(name).shape().dims()));
                double lp = run(fwd, feeds).get("loss")[0];
                feeds.put(name, HostTensor.ofDoubles(m, feeds.get(name).shape().dims()));
                double lm = run(fwd, feeds).get("loss")[0];
                feeds.put(name, HostTensor.ofDoubles(base, feeds.get(name).shape().dims()));
                double numeric = (lp - lm) / (2 * H);
                double err = Math.abs(numeric - analytic[k]) / Math.max(1, Math.abs(numeric));
                if (!(err <= tol)) {
                    fail(what + ": d loss / d " + name + "[" + k + "] analytic " + analytic[k] + " numeric " + numeric + "\n" + grad.toText());
                }
            }
        }
    }

    static void check(String what, Function<Tensor[], Tensor> model, List<HostTensor> values) {
        check(what, model, values, 1e-6);
    }

    /** Shapes filled with values uniform in [lo, hi). */
    static List<HostTensor> inputs(long seed, double lo, double hi, Shape... shapes) {
        Random rnd = new Random(seed);
        List<HostTensor> l = new ArrayList<>();
        for (Shape s : shapes) l.add(random(rnd, s, lo, hi));
        return l;
    }
}
