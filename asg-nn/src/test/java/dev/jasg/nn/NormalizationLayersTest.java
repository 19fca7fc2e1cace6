package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** LayerNorm, BatchNorm1d and BatchNorm2d against hand-computed statistics, on the CPU and the Vulkan backend. */
class NormalizationLayersTest {
    private static final double EPS = 1e-5;

    private static float[] random(Random r, int n, double scale, double shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale + shift);
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void layerNormMatchesTheFormula(String backend) {
        Layer net = LayerBackends.wrap("ln", new LayerNorm(2, 3));
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 2, 3);
        Tensor y = net.apply(x);
        g.output("y", y);
        Tensor loss = y.square().sum();
        Graph fwd = g.build();
        assertTrue(fwd.parameters().containsKey("ln.weight") && fwd.parameters().containsKey("ln.bias"));
        Graph grad = Autograd.gradients(fwd, loss, List.of(g.tensor(fwd.parameters().get("ln.weight").id())));
        Random r = new Random(1);
        float[] xs = random(r, 4 * 6, 2, 1), w = random(r, 6, 0.5, 1), bias = random(r, 6, 0.5, 0);
        try (Backend b = LayerBackends.open(backend); Executable e = b.compile(b.newParameters(1), fwd, grad)) {
            e.parameters().set("ln.weight", HostTensor.of(w, 2, 3));
            e.parameters().set("ln.bias", HostTensor.of(bias, 2, 3));
            Outputs o = e.run(Map.of("x", HostTensor.of(xs, 4, 2, 3)));
            float[] got = o.get("y").floats();
            assertEquals(6, o.get("grad:ln.weight").size());
            for (int s = 0; s < 4; s++) {
                double mean = 0, var = 0;
                for (int k = 0; k < 6; k++) mean += xs[s * 6 + k] / 6.0;
                for (int k = 0; k < 6; k++) var += Math.pow(xs[s * 6 + k] - mean, 2) / 6.0;
                for (int k = 0; k < 6; k++) {
                    double want = (xs[s * 6 + k] - mean) / Math.sqrt(var + EPS) * w[k] + bias[k];
                    assertEquals(want, got[s * 6 + k], 1e-4, "y[" + s + "," + k + "]");
                }
            }
        }
    }

    /** Per channel c of x viewed as [N, C, S]: mean, biased and unbiased variance. */
    private static double[][] stats(float[] x, int n, int c, int s) {
        double[][] out = new double[3][c];
        int m = n * s;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) mean += x[(i * c + ch) * s + k];
            mean /= m;
            double sq = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sq += Math.pow(x[(i * c + ch) * s + k] - mean, 2);
            out[0][ch] = mean;
            out[1][ch] = sq / m;
            out[2][ch] = sq / (m - 1);
        }
        return out;
    }

    private static void runningStatsAfterTwoStepsAndEval(String backend, BatchNorm layer, int n, int c, int... spatial) {
        int s = 1;
        for (int d : spatial) s *= d;
        int[] dims = new int[2 + spatial.length];
        dims[0] = n;
        dims[1] = c;
        System.arraycopy(spatial, 0, dims, 2, spatial.length);
        Layer net = LayerBackends.wrap("bn", layer);
        GraphBuilder g = new GraphBuilder();
        Object[] declared = new Object[dims.length];
        declared[0] = "B";
        for (int i = 1; i < dims.length; i++) declared[i] = dims[i];
        Tensor x = g.input("x", DType.F32, declared);
        g.output("y", net.apply(x));
        Graph train = g.build();
        assertEquals(3, train.assignments().size(), "running_mean, running_var and num_batches_tracked are assigned");
        net.eval();
        GraphBuilder ge = new GraphBuilder();
        ge.output("y", net.apply(ge.input("x", DType.F32, declared)));
        Graph eval = ge.build();
        assertEquals(0, eval.assignments().size());
        net.train();

        Random r = new Random(7);
        float[] x1 = random(r, n * c * s, 2, 3), x2 = random(r, n * c * s, 0.5, -1), x3 = random(r, n * c * s, 1, 0);
        float[] w = random(r, c, 0.3, 1), bias = random(r, c, 0.3, 0);
        try (Backend b = LayerBackends.open(backend)) {
            Parameters store = b.newParameters(2);
            try (Executable te = b.compile(store, train); Executable ee = b.compile(store, eval)) {
                store.set("bn.weight", HostTensor.of(w, c));
                store.set("bn.bias", HostTensor.of(bias, c));
                float[] y1 = te.run(Map.of("x", HostTensor.of(x1, dims))).get("y").floats();
                te.run(Map.of("x", HostTensor.of(x2, dims)));
                double[][] s1 = stats(x1, n, c, s), s2 = stats(x2, n, c, s);
                float[] rm = store.get("bn.running_mean").floats(), rv = store.get("bn.running_var").floats();
                for (int ch = 0; ch < c; ch++) {
                    double m1 = 0.1 * s1[0][ch], v1 = 0.9 + 0.1 * s1[2][ch];
                    assertEquals(0.9 * m1 + 0.1 * s2[0][ch], rm[ch], 1e-5, "running_mean[" + ch + "]");
                    assertEquals(0.9 * v1 + 0.1 * s2[2][ch], rv[ch], 1e-4, "running_var[" + ch + "] (unbiased batch variance)");
                }
                assertEquals(2, store.get("bn.num_batches_tracked").get(0));
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int k = 0; k < s; k++) {
                            int at = (i * c + ch) * s + k;
                            double want = (x1[at] - s1[0][ch]) / Math.sqrt(s1[1][ch] + EPS) * w[ch] + bias[ch];
                            assertEquals(want, y1[at], 1e-4, "train output uses the batch statistics at " + at);
                        }
                    }
                }
                float[] y3 = ee.run(Map.of("x", HostTensor.of(x3, dims))).get("y").floats();
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int k = 0; k < s; k++) {
                            int at = (i * c + ch) * s + k;
                            double want = (x3[at] - rm[ch]) / Math.sqrt(rv[ch] + EPS) * w[ch] + bias[ch];
                            assertEquals(want, y3[at], 1e-4, "eval output uses the running statistics at " + at);
                        }
                    }
                }
                assertEquals(2, store.get("bn.num_batches_tracked").get(0), "eval does not count batches");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void batchNorm1dOnNC(String backend) {
        runningStatsAfterTwoStepsAndEval(backend, new BatchNorm1d(3), 5, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void batchNorm1dOnNCL(String backend) {
        runningStatsAfterTwoStepsAndEval(backend, new BatchNorm1d(4), 3, 4, 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void batchNorm2d(String backend) {
        runningStatsAfterTwoStepsAndEval(backend, new BatchNorm2d(3), 2, 3, 4, 5);
    }

    @Test
    void batchNormNamesShapesAndChecks() {
        BatchNorm2d bn = new BatchNorm2d(8);
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.namedBuffers().keySet()));
        assertEquals(DType.I64, bn.namedBuffers().get("num_batches_tracked").dtype());
        assertEquals("8, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true", bn.extraRepr());
        GraphBuilder g = new GraphBuilder();
        assertThrows(IllegalArgumentException.class, () -> bn.apply(g.input("x", DType.F32, 2, 8, 3)));
        assertThrows(IllegalArgumentException.class, () -> bn.apply(g.input("y", DType.F32, 2, 7, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2).apply(g.input("z", DType.F32, 1, 2)));
    }

    @Test
    void cumulativeAverageWithoutMomentum() {
        Layer net = LayerBackends.wrap("bn", new BatchNorm1d(1, 1e-5, null, false, true));
        GraphBuilder g = new GraphBuilder();
        g.output("y", net.apply(g.input("x", DType.F32, 2, 1)));
        try (Backend b = LayerBackends.open("cpu"); Executable e = b.compile(b.newParameters(0), g.build())) {
            e.run(Map.of("x", HostTensor.of(new float[] {1, 3}, 2, 1)));
            e.run(Map.of("x", HostTensor.of(new float[] {5, 9}, 2, 1)));
            // means 2 and 7 averaged; unbiased variances 2 and 8 averaged
            assertEquals(4.5, e.parameters().get("bn.running_mean").get(0), 1e-6);
            assertEquals(5, e.parameters().get("bn.running_var").get(0), 1e-6);
        }
    }
}
