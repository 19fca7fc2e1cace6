package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.AttentionHarness.BACKENDS;
import static dev.jasg.nn.attention.AttentionHarness.CPU;
import static dev.jasg.nn.attention.AttentionHarness.assertClose;
import static dev.jasg.nn.attention.AttentionHarness.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/** Sinusoidal, learned, rotary and ALiBi position information. */
class PositionalEncodingTest {

    @Test
    void sinusoidalTableAndSlicing() {
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(10, 4);
        assertArrayEquals(new double[] {Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01)}, pe.row(1), 1e-12);
        assertArrayEquals(new double[] {0, 1, 0, 1}, pe.row(0), 0);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3, 4);
        g.output("y", pe.apply(x));
        g.output("y2", pe.apply(x, 7));
        double[] expected = new double[24], expected2 = new double[24];
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 3; t++) {
                System.arraycopy(pe.row(t), 0, expected, (b * 3 + t) * 4, 4);
                System.arraycopy(pe.row(t + 7), 0, expected2, (b * 3 + t) * 4, 4);
            }
        }
        for (Backend be : BACKENDS) {
            try (Executable e = be.compile(g.build())) {
                Outputs o = e.run(Map.of("x", HostTensor.zeros(DType.F32, Shape.of(2, 3, 4))));
                assertClose("sinusoidal on " + be.name(), expected, o.get("y").toDoubles(), 1e-6);
                assertClose("sinusoidal offset 7 on " + be.name(), expected2, o.get("y2").toDoubles(), 1e-6);
            }
        }
        assertThrows(ShapeException.class, () -> pe.apply(new GraphBuilder().input("x", DType.F32, 1, 11, 4)));
        assertThrows(ShapeException.class, () -> pe.apply(x, 8));
    }

    @Test
    void learnedEmbeddingSlicesItsTable() {
        LearnedPositionalEmbedding pos = new LearnedPositionalEmbedding(6, 3);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4, 3);
        g.output("y", pos.apply(x));
        g.output("y2", pos.apply(x, 2));
        Parameters store = CPU.newParameters(1);
        try (Executable e = CPU.compile(store, g.build())) {
            Outputs o = e.run(Map.of("x", HostTensor.zeros(DType.F32, Shape.of(1, 4, 3))));
            double[] w = store.get("weight").toDoubles();
            assertClose("rows 0..3", Arrays.copyOfRange(w, 0, 12), o.get("y").toDoubles(), 0);
            assertClose("rows 2..5", Arrays.copyOfRange(w, 6, 18), o.get("y2").toDoubles(), 0);
        }
        assertEquals(Shape.of(6, 3), pos.namedParameters().get("weight").shape());
        assertThrows(ShapeException.class, () -> pos.apply(x, 3));
    }

    @Test
    void rotaryMatchesHandValues() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 8);
        assertArrayEquals(new double[] {1, 0.01}, rope.inverseFrequencies(), 1e-15);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 1, 4);
        g.output("p1", rope.rotate(x, 1));
        g.output("p0", rope.rotate(x, 0));
        HostTensor v = HostTensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        double c1 = Math.cos(1), s1 = Math.sin(1), c2 = Math.cos(0.01), s2 = Math.sin(0.01);
        double[] expected = {1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2};
        for (Backend be : BACKENDS) {
            try (Executable e = be.compile(g.build())) {
                Outputs o = e.run(Map.of("x", v));
                assertClose("rope at 1 on " + be.name(), expected, o.get("p1").toDoubles(), 1e-6);
                assertClose("rope at 0 on " + be.name(), new double[] {1, 2, 3, 4}, o.get("p0").toDoubles(), 1e-7);
            }
        }
    }

    @Test
    void rotaryOffsetContinuesTheSequenceAndScoresDependOnDistance() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 16);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 5, 6); // 6 features, the last 2 pass unchanged
        Tensor tail = g.input("tail", DType.F32, 2, 3, 6);
        g.output("all", rope.rotate(x));
        g.output("tail", rope.rotate(tail, 2));
        Random rnd = new Random(3);
        HostTensor xs = random(rnd, 2, 5, 6);
        float[] t = new float[2 * 3 * 6];
        for (int b = 0; b < 2; b++) System.arraycopy(xs.floats(), (b * 5 + 2) * 6, t, b * 18, 18);
        try (Executable e = CPU.compile(g.build())) {
            Outputs o = e.run(Map.of("x", xs, "tail", HostTensor.of(t, 2, 3, 6)));
            double[] all = o.get("all").toDoubles(), rotTail = o.get("tail").toDoubles();
            double[] expected = new double[36];
            for (int b = 0; b < 2; b++) System.arraycopy(all, (b * 5 + 2) * 6, expected, b * 18, 18);
            assertClose("offset 2 == positions 2..4", expected, rotTail, 1e-6);
            for (int i = 0; i < 10; i++) assertEquals(xs.get(i * 6 + 4), all[i * 6 + 4], 0, "pass-through feature");
        }
        // <R(q, m), R(k, n)> depends on m - n only
        GraphBuilder g2 = new GraphBuilder();
        Tensor q = g2.input("q", DType.F32, 1, 4), k = g2.input("k", DType.F32, 1, 4);
        g2.output("d31", rope.rotate(q, 3).mul(rope.rotate(k, 1)).sum());
        g2.output("d75", rope.rotate(q, 7).mul(rope.rotate(k, 5)).sum());
        g2.output("d30", rope.rotate(q, 3).mul(rope.rotate(k, 0)).sum());
        try (Executable e = CPU.compile(g2.build())) {
            Outputs o = e.run(Map.of("q", random(rnd, 1, 4), "k", random(rnd, 1, 4)));
            assertEquals(o.scalar("d31"), o.scalar("d75"), 1e-5);
            assertEquals(false, Math.abs(o.scalar("d31") - o.scalar("d30")) < 1e-4);
        }
        assertThrows(ShapeException.class, () -> rope.rotate(x, 12));
        assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(5, 8));
    }

    @Test
    void alibiSlopes() {
        double[] eight = Alibi.slopes(8);
        for (int h = 0; h < 8; h++) assertEquals(1.0 / (2 << h), eight[h], 1e-15, "8 heads, head " + h);
        assertArrayEquals(new double[] {0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125}, Alibi.slopes(6), 1e-15);
        assertArrayEquals(new double[] {Math.pow(2, -0.5), 0.5, Math.pow(2, -1.5), 0.25, Math.pow(2, -2.5), 0.125,
                Math.pow(2, -3.5), 0.0625, Math.pow(2, -4.5), 0.03125}, Arrays.copyOf(Alibi.slopes(16), 10), 1e-15);
        // 3 heads: slopes(2) = [1/16, 1/256] then slopes(4)[0] = 1/4
        assertArrayEquals(new double[] {0.0625, 0.00390625, 0.25}, Alibi.slopes(3), 1e-15);
    }

    @Test
    void alibiBiasAsAFloatAttentionMask() {
        double[] bias = Alibi.biasValues(2, 3, 3, 0);
        // head 0 slope 1/16 (2 heads: 2^-4, 2^-8): query 2, key 0 -> -2/16
        assertEquals(-2 / 16.0, bias[2 * 3 + 0], 1e-15);
        assertEquals(0, bias[2 * 3 + 2], 0);
        assertEquals(-1 / 256.0, bias[9 + 1 * 3 + 0], 1e-15);
        MultiHeadAttention mha = new MultiHeadAttention(8, 2);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 5, 8);
        Tensor y = mha.apply(x, null, Alibi.bias(g, 2, 5, 5), true);
        g.output("y", y);
        try (Executable e = CPU.compile(g.build())) {
            double[] out = e.run(Map.of("x", random(new Random(4), 2, 5, 8))).get("y").toDoubles();
            for (double v : out) assertEquals(false, Double.isNaN(v));
        }
    }
}
