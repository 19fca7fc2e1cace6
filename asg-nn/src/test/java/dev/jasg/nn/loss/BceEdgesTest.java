package dev.jasg.nn.loss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Binary cross entropy where the probabilities are exactly 0 or 1 (issue 13 item 6): the loss and its
 * gradient against the values PyTorch computed ({@code bce_edges.json}, written by {@code make_fixtures.py}
 * next to it). Before, the gradient there was NaN (the clamp's zero times the log's infinite derivative).
 */
class BceEdgesTest {
    private static JsonNode fixture() throws IOException {
        try (InputStream in = BceEdgesTest.class.getResourceAsStream("bce_edges.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    private static Backend open(String name) {
        if (name.equals("vulkan")) {
            try {
                return Backends.create(name);
            } catch (BackendUnavailableException e) {
                String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
                if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
                Assumptions.abort("no vulkan backend: " + e.getMessage());
            }
        }
        return Backends.create(name);
    }

    /** Runs {@code loss(x, y)} and its gradient with respect to x; returns the outputs "loss" and "grad:x". */
    private static Outputs lossAndGradient(Backend b, BiFunction<Tensor, Tensor, Tensor> loss, float[] x, float[] y) {
        GraphBuilder g = new GraphBuilder();
        Tensor xt = g.input("x", DType.F32, x.length), yt = g.input("y", DType.F32, y.length);
        Tensor l = loss.apply(xt, yt);
        g.output("loss", l);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, l, List.of(xt));
        Executable e = b.compile(fwd, grad);
        return e.run(Map.of("x", HostTensor.of(x, x.length), "y", HostTensor.of(y, y.length)));
    }

    private static void close(String what, double want, double got) {
        double tol = 2e-5 * Math.max(1, Math.abs(want));
        if (Double.isNaN(got) || Math.abs(got - want) > tol) fail(what + ": " + got + ", PyTorch " + want);
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "vulkan"})
    void probabilitiesAtZeroAndOneHavePyTorchsFiniteGradient(String backend) throws IOException {
        JsonNode p = fixture().get("probabilities");
        float[] x = floats(p.get("x")), y = floats(p.get("y"));
        try (Backend b = open(backend)) {
            // the sum's gradient is the per-element gradient
            Outputs out = lossAndGradient(b, (xt, yt) -> Losses.binaryCrossEntropy(xt, yt, Reduction.SUM), x, y);
            double[] grad = out.get("grad:x").toDoubles();
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                close(backend + " d loss / d x[" + i + "] at x=" + x[i] + ", y=" + y[i], p.get("grad").get(i).asDouble(), grad[i]);
                sum += p.get("loss").get(i).asDouble();
            }
            close(backend + " loss", sum, out.scalar("loss"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})  // f32 backends: in double, sigmoid(17) is not 1
    void aSaturatedSigmoidGivesAFiniteGradient(String backend) throws IOException {
        JsonNode s = fixture().get("sigmoid");
        float[] z = floats(s.get("z")), y = floats(s.get("y"));
        try (Backend b = open(backend)) {
            Outputs out = lossAndGradient(b, (zt, yt) -> Losses.binaryCrossEntropy(zt.sigmoid(), yt), z, y);
            double[] grad = out.get("grad:x").toDoubles();
            for (int i = 0; i < z.length; i++) close(backend + " d loss / d z[" + i + "] at z=" + z[i], s.get("grad").get(i).asDouble(), grad[i]);
            close(backend + " loss", s.get("loss").asDouble(), out.scalar("loss"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void aNaNProbabilityStaysNaN(String backend) {
        try (Backend b = open(backend)) {
            Outputs out = lossAndGradient(b, (xt, yt) -> Losses.binaryCrossEntropy(xt, yt, Reduction.NONE).sum(), new float[] {Float.NaN, 0.5f}, new float[] {1, 1});
            assertEquals(Double.NaN, out.scalar("loss"));
        }
    }
}
