package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Initializers.FanMode;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InitializersTest {
    private static final int[] LINEAR = {4, 3};
    private static final int[] CONV = {8, 4, 3, 3};

    @Test
    void fansFollowPyTorch() {
        assertArrayEquals(new long[] {3, 4}, Initializers.fans(LINEAR));
        assertArrayEquals(new long[] {36, 72}, Initializers.fans(CONV));
        assertArrayEquals(new long[] {5, 5}, Initializers.fans(new int[] {5}));
        assertEquals(36, Initializers.fan(CONV, FanMode.FAN_IN));
        assertEquals(72, Initializers.fan(CONV, FanMode.FAN_OUT));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Initializers.fans(new int[0]));
        assertTrue(e.getMessage().contains("0-d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Initializers.xavierUniform().forShape(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Initializers.kaimingNormal().forShape(new int[0]));
    }

    @Test
    void gainsMatchCalculateGain() {
        for (String linear : List.of("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid")) {
            assertEquals(1.0, Initializers.calculateGain(linear), linear);
        }
        assertEquals(5.0 / 3, Initializers.calculateGain("tanh"));
        assertEquals(Math.sqrt(2), Initializers.calculateGain("relu"));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Initializers.calculateGain("leaky_relu"));
        assertEquals(Math.sqrt(2 / 1.04), Initializers.calculateGain("leaky_relu", 0.2));
        assertEquals(0.75, Initializers.calculateGain("selu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Initializers.calculateGain("swish"));
        assertTrue(e.getMessage().contains("swish"), e.getMessage());
    }

    @Test
    void boundsAndDeviations() {
        assertEquals(new Init.Uniform(-2 * Math.sqrt(6.0 / 7), 2 * Math.sqrt(6.0 / 7)), Initializers.xavierUniform(2).forShape(LINEAR));
        assertEquals(new Init.Uniform(-Math.sqrt(6.0 / 108), Math.sqrt(6.0 / 108)), Initializers.xavierUniform().forShape(CONV));
        assertEquals(new Init.Normal(0, 0.5 * Math.sqrt(2.0 / 7)), Initializers.xavierNormal(0.5).forShape(LINEAR));
        double relu = Math.sqrt(2);
        assertEquals(new Init.Uniform(-relu * Math.sqrt(3.0 / 36), relu * Math.sqrt(3.0 / 36)),
                Initializers.kaimingUniform(0, FanMode.FAN_IN, "relu").forShape(CONV));
        assertEquals(new Init.Uniform(-relu * Math.sqrt(3.0 / 72), relu * Math.sqrt(3.0 / 72)),
                Initializers.kaimingUniform(0, FanMode.FAN_OUT, "relu").forShape(CONV));
        double leaky = Math.sqrt(2 / 1.04);
        assertEquals(new Init.Normal(0, leaky / Math.sqrt(72)), Initializers.kaimingNormal(0.2, FanMode.FAN_OUT, "leaky_relu").forShape(CONV));
        // torch's default a = 0 with leaky_relu gives the ReLU gain
        assertEquals(new Init.Normal(0, relu / Math.sqrt(3)), Initializers.kaimingNormal().forShape(LINEAR));
        assertEquals(new Init.Uniform(-relu * Math.sqrt(3), relu * Math.sqrt(3)), Initializers.kaimingUniform().forShape(new int[] {2, 1}));
        assertEquals(new Init.Normal(0, 5.0 / 3 / Math.sqrt(5)), Initializers.kaimingNormal(0, FanMode.FAN_IN, "tanh").forShape(new int[] {5}));
    }

    @Test
    void plainInitializersIgnoreTheShape() {
        assertEquals(Init.zeros(), Initializers.zeros().forShape(LINEAR));
        assertEquals(Init.ones(), Initializers.ones().forShape(CONV));
        assertEquals(new Init.Constant(0.5), Initializers.constant(0.5).forShape(new int[0]));
        assertEquals(Init.uniform(-2, 3), Initializers.uniform(-2, 3).forShape(LINEAR));
        assertEquals(Init.normal(1, 0.1), Initializers.normal(1, 0.1).forShape(LINEAR));
        assertThrows(IllegalArgumentException.class, () -> Initializers.uniform(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Initializers.normal(0, -1));
        // zero-element tensors are left as they are, as torch does
        assertEquals(Init.zeros(), Initializers.kaimingUniform().forShape(new int[] {0, 3}));
        assertEquals(Init.zeros(), Initializers.xavierNormal().forShape(new int[] {3, 0}));
    }

    @Test
    void linearDefaults() {
        Init w = Initializers.linearDefaultWeight().forShape(new int[] {10, 25});
        Init.Uniform u = assertInstanceOf(Init.Uniform.class, w);
        assertEquals(-0.2, u.low(), 1e-15);
        assertEquals(0.2, u.high(), 1e-15);
        assertEquals(new Init.Uniform(-0.2, 0.2), Initializers.linearDefaultBias(25).forShape(new int[] {10}));
        assertEquals(new Init.Uniform(-0.0, 0.0), Initializers.linearDefaultBias(0).forShape(new int[] {10}));
        assertThrows(IllegalArgumentException.class, () -> Initializers.linearDefaultBias(-1));
    }

    private static double[] moments(double[] v) {
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double var = 0;
        for (double x : v) var += (x - mean) * (x - mean);
        return new double[] {mean, Math.sqrt(var / v.length)};
    }

    @Test
    void sampledStatistics() {
        int[] shape = {400, 250};
        Shape s = Shape.of(shape);
        int n = 100_000;

        double bound = Math.sqrt(6.0 / 650);
        double[] xu = Initializers.xavierUniform().forShape(shape).sample(s, 7, "fc.weight");
        assertEquals(n, xu.length);
        for (double x : xu) assertTrue(x >= -bound && x <= bound, "xavier uniform sample " + x + " outside +-" + bound);
        double[] m = moments(xu);
        double std = bound / Math.sqrt(3);
        assertEquals(0, m[0], 5 * std / Math.sqrt(n), "xavier uniform mean");
        assertEquals(std, m[1], 0.01 * std, "xavier uniform std");

        std = Math.sqrt(2) / Math.sqrt(250);
        m = moments(Initializers.kaimingNormal(0, FanMode.FAN_IN, "relu").forShape(shape).sample(s, 7, "fc.weight"));
        assertEquals(0, m[0], 5 * std / Math.sqrt(n), "kaiming normal mean");
        assertEquals(std, m[1], 0.01 * std, "kaiming normal std");

        std = Math.sqrt(2.0 / 650);
        m = moments(Initializers.xavierNormal().forShape(shape).sample(s, 3, "w"));
        assertEquals(0, m[0], 5 * std / Math.sqrt(n), "xavier normal mean");
        assertEquals(std, m[1], 0.01 * std, "xavier normal std");

        m = moments(Initializers.linearDefaultWeight().forShape(shape).sample(s, 3, "w"));
        assertEquals(1 / Math.sqrt(250) / Math.sqrt(3), m[1], 0.01 / Math.sqrt(750), "linear default std");
    }

    @Test
    void samplingIsReproducibleForSeedAndName() {
        int[] shape = {16, 8};
        Shape s = Shape.of(shape);
        Init init = Initializers.kaimingUniform().forShape(shape);
        double[] a = init.sample(s, 42, "fc1.weight");
        assertArrayEquals(a, init.sample(s, 42, "fc1.weight"));
        assertFalse(java.util.Arrays.equals(a, init.sample(s, 42, "fc2.weight")), "another name draws other values");
        assertFalse(java.util.Arrays.equals(a, init.sample(s, 43, "fc1.weight")), "another seed draws other values");
    }

    @Test
    void parametersInitialiseInABackendStore() {
        int[] shape = {6, 5};
        double bound = 1 / Math.sqrt(5);
        double[] first = null;
        try (Backend cpu = Backends.create("cpu")) {
            for (int round = 0; round < 2; round++) {
                GraphBuilder b = new GraphBuilder();
                Tensor w;
                try (var scope = b.scope("fc1")) {
                    w = b.parameter("weight", Shape.of(shape), DType.F32, Initializers.linearDefaultWeight().forShape(shape), true);
                }
                b.output("w", w.mul(1.0));
                Parameters store = cpu.newParameters(11);
                try (Executable e = cpu.compile(store, b.build())) {
                    double[] got = e.run(Map.of()).get("w").toDoubles();
                    for (double x : got) assertTrue(Math.abs(x) <= bound + 1e-7, "sample " + x + " outside +-" + bound);
                    assertArrayEquals(got, store.get("fc1.weight").toDoubles());
                    if (first == null) first = got;
                    else assertArrayEquals(first, got, "same seed and name, same first values");
                }
            }
        }
    }

    @Test
    void orthogonalThroughAParameterStore() {
        int[] shape = {3, 2, 4}; // flattened to 3 x 8: orthonormal rows times the gain
        Init init = Initializers.orthogonal(2).forShape(shape);
        assertInstanceOf(Init.Orthogonal.class, init);
        assertThrows(IllegalArgumentException.class, () -> Initializers.orthogonal().forShape(new int[] {5}));
        try (Backend cpu = Backends.create("cpu")) {
            GraphBuilder b = new GraphBuilder();
            Tensor w = b.parameter("w", Shape.of(shape), DType.F32, init, true);
            b.output("w", w.mul(1.0));
            try (Executable e = cpu.compile(cpu.newParameters(5), b.build())) {
                double[] got = e.run(Map.of()).get("w").toDoubles();
                for (int p = 0; p < 3; p++) {
                    for (int q = 0; q < 3; q++) {
                        double dot = 0;
                        for (int i = 0; i < 8; i++) dot += got[p * 8 + i] * got[q * 8 + i];
                        assertEquals(p == q ? 4 : 0, dot, 1e-5, "row " + p + " . row " + q);
                    }
                }
            }
        }
    }
}
