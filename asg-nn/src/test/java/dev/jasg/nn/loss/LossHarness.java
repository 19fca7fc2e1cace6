package dev.jasg.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds a one-output graph from a loss over inputs {@code x0, x1, ...} and runs it on the
 * reference backend (double precision) and on the CPU backend (float), so every value test
 * covers both.
 */
final class LossHarness {
    static final ReferenceBackend REFERENCE = new ReferenceBackend();
    static final Backend CPU = Backends.create("cpu");
    static final List<Backend> BACKENDS = List.of(REFERENCE, CPU);

    private LossHarness() {}

    /** F32 tensor from doubles. */
    static HostTensor f32(double[] v, int... dims) {
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
        return HostTensor.of(f, dims);
    }

    /** I32 tensor. */
    static HostTensor i32(int[] v, int... dims) {
        return HostTensor.ofInts(v, dims);
    }

    /** The graph {@code loss(x0, x1, ...)} with inputs of the given values' dtypes and shapes. */
    static Graph graph(Function<Tensor[], Tensor> loss, HostTensor... in) {
        GraphBuilder b = new GraphBuilder();
        Tensor[] xs = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) xs[i] = b.input("x" + i, in[i].dtype(), in[i].shape());
        b.output("loss", loss.apply(xs));
        return b.build();
    }

    static Map<String, HostTensor> feeds(HostTensor... in) {
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        for (int i = 0; i < in.length; i++) feeds.put("x" + i, in[i]);
        return feeds;
    }

    /** The loss over {@code in} computed by {@code backend}. */
    static HostTensor run(Backend backend, Function<Tensor[], Tensor> loss, HostTensor... in) {
        Graph g = graph(loss, in);
        try (Executable e = backend.compile(g)) {
            return e.run(feeds(in)).get("loss");
        }
    }

    /**
     * Checks {@code loss(in)} against {@code expected} (flattened) on both backends, to a
     * relative tolerance of 1e-5 (the CPU backend computes in float).
     */
    static void check(String what, double[] expected, Function<Tensor[], Tensor> loss, HostTensor... in) {
        for (Backend backend : BACKENDS) {
            HostTensor out = run(backend, loss, in);
            double[] got = out.toDoubles();
            assertEquals(expected.length, got.length, what + " on " + backend.name() + ": size of " + out);
            for (int i = 0; i < got.length; i++) {
                double tol = 1e-5 * Math.max(1, Math.abs(expected[i]));
                if (!(Math.abs(got[i] - expected[i]) <= tol)) {
                    fail(what + " on " + backend.name() + ": element " + i + " is " + got[i] + ", expected " + expected[i]
                            + "\n got " + Arrays.toString(got) + "\n expected " + Arrays.toString(expected));
                }
            }
        }
    }

    /** Checks one loss under all three reductions against hand-computed per-element values. */
    static void checkReductions(String what, double[] perElement, Function<Reduction, Function<Tensor[], Tensor>> loss, HostTensor... in) {
        check(what + " none", perElement, loss.apply(Reduction.NONE), in);
        check(what + " sum", new double[] {sum(perElement)}, loss.apply(Reduction.SUM), in);
        check(what + " mean", new double[] {sum(perElement) / perElement.length}, loss.apply(Reduction.MEAN), in);
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    /** {@code log sum_j e^(x_j)} of one row, in plain double arithmetic. */
    static double logSumExp(double... row) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : row) m = Math.max(m, x);
        double s = 0;
        for (double x : row) s += Math.exp(x - m);
        return m + Math.log(s);
    }
}
