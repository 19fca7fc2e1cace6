package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.HostTensor;
import java.util.Map;
import java.util.Random;

/** Test helpers: run a graph on a fresh CPU backend, random data, tolerant comparisons. */
final class Cpu {
    private Cpu() {}

    /**
     * The unary functions the vector kernels compute in f32 lanes, within a few ulps of the double reference
     * ({@code VectorMathTest} bounds them) rather than as its value rounded once: erf, both GELUs and their derivatives.
     */
    static boolean f32Lanes(dev.jasg.core.UnaryOp k) {
        return switch (k) {
            case ERF, GELU, GELU_TANH, GELU_DERIVATIVE, GELU_TANH_DERIVATIVE -> true;
            default -> false;
        };
    }

    /**
     * A trainable F32 parameter. Goes through the Shape overload because
     * {@code GraphBuilder.parameter(String, Init, int...)} passes its int[] to
     * {@code Shape.symbolic(Object...)} as one object (a core bug reported to the lead).
     */
    static Tensor param(GraphBuilder g, String name, Init init, int... dims) {
        return g.parameter(name, Shape.of(dims), DType.F32, init, true);
    }

    static HostTensor run1(Graph g, String output, Map<String, HostTensor> feeds) {
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g)) {
            return exe.run(feeds).get(output);
        }
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static void close(double[] want, HostTensor got, double tol) {
        assertEquals(want.length, got.size(), "size");
        for (int i = 0; i < want.length; i++) {
            double w = want[i], g = got.get(i);
            if (Double.isNaN(w)) {
                assertEquals(Double.NaN, g, "element " + i);
                continue;
            }
            assertEquals(w, g, tol * Math.max(1, Math.abs(w)), "element " + i + " of " + got);
        }
    }

    static void close(float[] want, HostTensor got, double tol) {
        double[] w = new double[want.length];
        for (int i = 0; i < w.length; i++) w[i] = want[i];
        close(w, got, tol);
    }
}
