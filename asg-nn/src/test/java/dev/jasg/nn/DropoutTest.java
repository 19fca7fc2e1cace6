package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final int N = 100_000;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "vulkan"})
    void keepRateScalingNewMaskEachStepAndTheGradientUsesTheSameMask(String backend) {
        double p = 0.3;
        Layer net = LayerBackends.wrap("drop", new Dropout(p));
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, N);
        Tensor y = net.apply(x);
        Tensor loss = y.mul(x).sum(); // d loss / d x = 2 x mask, so with x = 1 the gradient is twice the mask
        g.output("y", y);
        g.output("loss", loss);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(x));
        float[] ones = new float[N];
        Arrays.fill(ones, 1);
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(ones, N));
        try (Backend b = LayerBackends.open(backend); Executable e = b.compile(b.newParameters(3), fwd, grad)) {
            double seed0 = e.parameters().get("drop.seed").get(0);
            Outputs o1 = e.run(feeds);
            float[] m1 = o1.get("y").floats(), g1 = o1.get("grad:x").floats();
            assertEquals(seed0 + 1, e.parameters().get("drop.seed").get(0), "the step advances the seed");
            float[] m2 = e.run(feeds).get("y").floats();
            int kept = 0, differ = 0;
            for (int i = 0; i < N; i++) {
                assertTrue(m1[i] == 0 || Math.abs(m1[i] - 1 / (1 - p)) < 1e-6, "value " + m1[i]);
                assertEquals(2 * m1[i], g1[i], 1e-6, "gradient reuses the forward mask at " + i);
                if (m1[i] != 0) kept++;
                if ((m1[i] != 0) != (m2[i] != 0)) differ++;
            }
            assertEquals(1 - p, kept / (double) N, 0.01, "keep rate");
            assertEquals(2 * p * (1 - p), differ / (double) N, 0.01, "the next step draws a new, independent mask");
        }
    }

    @Test
    void evalIsTheIdentityAndLayersDrawDifferentMasks() {
        Dropout d = new Dropout();
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 4);
        d.eval();
        assertSame(x, d.apply(x));

        final class Two extends Layer {
            final Dropout a = register("a", new Dropout(0.5));
            final Dropout b = register("b", new Dropout(0.5));

            @Override
            public Tensor forward(Tensor t) {
                return a.apply(t).sub(b.apply(t));
            }
        }
        GraphBuilder h = new GraphBuilder();
        Tensor in = h.input("x", DType.F32, 1000);
        h.output("y", new Two().apply(in));
        float[] ones = new float[1000];
        Arrays.fill(ones, 1);
        try (Backend b = LayerBackends.open("cpu"); Executable e = b.compile(b.newParameters(1), h.build())) {
            // same seed in both layers, so only the salt can make the masks differ
            e.parameters().set("a.seed", HostTensor.ofInts(new int[] {9}));
            e.parameters().set("b.seed", HostTensor.ofInts(new int[] {9}));
            float[] y = e.run(Map.of("x", HostTensor.of(ones, 1000))).get("y").floats();
            int nonzero = 0;
            for (float v : y) if (v != 0) nonzero++;
            assertTrue(nonzero > 400, "masks of two layers differ in about half the elements, got " + nonzero);
        }
    }

    @Test
    void seedIsANonTrainableI32Buffer() {
        Dropout d = new Dropout(0.2);
        assertTrue(d.namedParameters().isEmpty());
        assertEquals(DType.I32, d.namedBuffers().get("seed").dtype());
        assertEquals("p=0.2, inplace=false", d.extraRepr());
    }
}
