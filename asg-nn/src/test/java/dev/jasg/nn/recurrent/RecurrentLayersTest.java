package dev.jasg.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.FeedException;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Recurrent layers beyond the PyTorch fixtures ({@link RecurrentFixturesTest}): gradients against central
 * differences in double precision, parameter names and initialisation, dropout between layers, unbatched
 * inputs, and the errors a wrong input raises.
 */
class RecurrentLayersTest {
    private static final ReferenceBackend REFERENCE = new ReferenceBackend();

    // ---- gradients through time against central differences ---------------------------------

    static Stream<Arguments> gradientCases() {
        return Stream.of(
                Arguments.of("LSTM 2 layers, bidirectional, lengths, h0, c0", new LSTM(2, 2, 2, true, false, 0, true), true),
                Arguments.of("GRU bidirectional, lengths, h0", new GRU(2, 2, 1, true, false, 0, true), false),
                Arguments.of("RNN relu, batch_first, lengths, h0", new RNN(2, 2, 1, "relu", true, true, 0, false), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCases")
    void gradientsMatchCentralDifferences(String name, RecurrentLayer layer, boolean lstm) {
        int steps = 3, n = 2, in = 2, hid = 2, states = layer.numLayers() * layer.directions();
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, layer.batchFirst() ? Shape.of(n, steps, in) : Shape.of(steps, n, in));
        Tensor h0 = g.input("h0", DType.F32, states, n, hid);
        Tensor c0 = lstm ? g.input("c0", DType.F32, states, n, hid) : null;
        Tensor lengths = g.input("lengths", DType.I32, n);
        RecurrentOutput r = switch (layer) {
            case LSTM l -> l.apply(x, h0, c0, lengths);
            case GRU l -> l.apply(x, h0, lengths);
            case RNN l -> l.apply(x, h0, lengths);
            default -> throw new IllegalStateException();
        };
        Tensor loss = r.output().mul(g.input("wo", DType.F32, r.output().shape())).sum()
                .add(r.hN().mul(g.input("wh", DType.F32, r.hN().shape())).sum());
        if (lstm) loss = loss.add(r.cN().mul(g.input("wc", DType.F32, r.cN().shape())).sum());
        g.output("loss", loss);
        Graph fwd = g.build();
        List<Tensor> wrt = new ArrayList<>(List.of(x, h0));
        if (lstm) wrt.add(c0);
        for (Node p : fwd.parameters().values()) wrt.add(g.tensor(p.id()));
        Graph grad = Autograd.gradients(fwd, loss, wrt);

        Random rnd = new Random(14);
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        for (String input : fwd.inputs().keySet()) {
            if (input.equals("lengths")) continue;
            feeds.put(input, randomDoubles(rnd, fwd.inputs().get(input).shape().dims()));
        }
        feeds.put("lengths", HostTensor.ofInts(new int[] {3, 1}, n));
        Parameters store = REFERENCE.newParameters(5);
        double h = 1e-6;
        try (Executable f = REFERENCE.compile(store, fwd); Executable gr = REFERENCE.compile(store, grad)) {
            var analytic = gr.run(feeds);
            int checked = 0;
            for (Tensor w : wrt) {
                String wName = Autograd.outputName(w.node()).substring("grad:".length());
                double[] ga = analytic.get("grad:" + wName).toDoubles();
                boolean isInput = feeds.containsKey(wName);
                HostTensor orig = isInput ? feeds.get(wName) : store.get(wName);
                double[] v0 = orig.toDoubles();
                int[] dims = orig.shape().dims();
                Consumer<double[]> put = v -> {
                    if (isInput) feeds.put(wName, HostTensor.ofDoubles(v, dims));
                    else store.set(wName, HostTensor.ofDoubles(v, dims));
                };
                for (int i = 0; i < v0.length; i++) {
                    double[] p = v0.clone(), m = v0.clone();
                    p[i] += h;
                    m[i] -= h;
                    put.accept(p);
                    double lp = f.run(feeds).scalar("loss");
                    put.accept(m);
                    double lm = f.run(feeds).scalar("loss");
                    double numeric = (lp - lm) / (2 * h);
                    if (!(Math.abs(ga[i] - numeric) <= 1e-6 * Math.max(1, Math.abs(numeric)))) {
                        fail(name + ": d loss / d " + wName + "[" + i + "]: analytic " + ga[i] + ", numeric " + numeric);
                    }
                    checked++;
                }
                put.accept(v0);
            }
            assertTrue(checked > 20, "checked " + checked + " derivatives");
        }
    }

    private static HostTensor randomDoubles(Random rnd, int... dims) {
        int size = 1;
        for (int d : dims) size *= d;
        double[] v = new double[size];
        for (int i = 0; i < size; i++) v[i] = 2 * rnd.nextDouble() - 1;
        return HostTensor.ofDoubles(v, dims);
    }

    // ---- names, shapes, initialisation, printing ---------------------------------------------

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(new LSTM(2, 3, 2, true, false, 0, true), "LSTM(2, 3, num_layers=2, bidirectional=true)", Map.of(
                        "weight_ih_l0", Shape.of(12, 2), "weight_hh_l0", Shape.of(12, 3), "bias_ih_l0", Shape.of(12), "bias_hh_l0", Shape.of(12),
                        "weight_ih_l0_reverse", Shape.of(12, 2), "weight_hh_l0_reverse", Shape.of(12, 3),
                        "bias_ih_l0_reverse", Shape.of(12), "bias_hh_l0_reverse", Shape.of(12),
                        "weight_ih_l1", Shape.of(12, 6), "weight_hh_l1", Shape.of(12, 3)),
                        List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
                                "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse")),
                Arguments.of(new GRU(4, 3, 1, false, true, 0, false), "GRU(4, 3, bias=false, batch_first=true)",
                        Map.of("weight_ih_l0", Shape.of(9, 4), "weight_hh_l0", Shape.of(9, 3)), List.of("weight_ih_l0", "weight_hh_l0")),
                Arguments.of(new RNN(4, 3, 1, "relu", true, false, 0, false), "RNN(4, 3, nonlinearity='relu')",
                        Map.of("weight_ih_l0", Shape.of(3, 4), "bias_hh_l0", Shape.of(3)),
                        List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")),
                Arguments.of(new LSTMCell(4, 3), "LSTMCell(4, 3)", Map.of("weight_ih", Shape.of(12, 4), "weight_hh", Shape.of(12, 3)),
                        List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")),
                Arguments.of(new GRUCell(4, 3, false), "GRUCell(4, 3, bias=false)", Map.of("weight_ih", Shape.of(9, 4)),
                        List.of("weight_ih", "weight_hh")),
                Arguments.of(new RNNCell(4, 3, true, "tanh"), "RNNCell(4, 3)", Map.of("weight_hh", Shape.of(3, 3)),
                        List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    void namesShapesAndPrintingFollowPyTorch(Layer layer, String repr, Map<String, Shape> shapes, List<String> names) {
        Map<String, ParameterSpec> params = layer.namedParameters();
        assertEquals(names, List.copyOf(params.keySet()));
        shapes.forEach((n, s) -> assertEquals(s, params.get(n).shape(), n));
        assertEquals(repr, layer.toString());
    }

    @Test
    void initialisationIsUniformWithinOneOverSqrtHidden() {
        int hid = 16;
        LSTM lstm = new LSTM(3, hid, 1, true, false, 0, false);
        GraphBuilder g = new GraphBuilder();
        g.output("y", lstm.apply(g.input("x", DType.F32, 2, "N", 3)));
        Backend cpu = Backends.create("cpu");
        try (cpu; Executable e = cpu.compile(cpu.newParameters(3), g.build())) {
            double bound = 1 / Math.sqrt(hid);
            for (String n : lstm.namedParameters().keySet()) {
                double[] v = e.parameters().get(n).toDoubles();
                double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
                for (double d : v) {
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                }
                assertTrue(min >= -bound && max <= bound, n + " outside +-1/sqrt(hidden): [" + min + ", " + max + "]");
                assertTrue(max - min > bound, n + " does not spread over the interval: [" + min + ", " + max + "]");
            }
        }
    }

    // ---- dropout, unbatched inputs -------------------------------------------------------------

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        LSTM lstm = new LSTM(3, 8, 2, true, false, 0.5, false);
        assertEquals(List.of("dropout.seed"), List.copyOf(lstm.namedBuffers().keySet()));
        HostTensor x = randomFloats(new Random(2), 5, 4, 3);
        double[][] train = hiddenStates(lstm.train(), x), eval = hiddenStates(lstm.eval(), x);
        double[][] plain = hiddenStates(new LSTM(3, 8, 2, true, false, 0, false), x);
        assertArrayEquals(plain[0], eval[0], 1e-6, "eval: no dropout anywhere");
        assertArrayEquals(plain[1], eval[1], 1e-6, "eval: no dropout anywhere");
        assertArrayEquals(eval[0], train[0], 1e-6, "layer 0's own state has no dropout");
        double diff = 0;
        for (int i = 0; i < eval[1].length; i++) diff = Math.max(diff, Math.abs(eval[1][i] - train[1][i]));
        assertTrue(diff > 1e-3, "training: layer 1 reads layer 0's output through dropout, max change " + diff);
    }

    /** h_n of layer 0 and layer 1 on the CPU over a store seeded with 9. */
    private static double[][] hiddenStates(LSTM lstm, HostTensor x) {
        GraphBuilder g = new GraphBuilder();
        RecurrentOutput r = lstm.apply(g.input("x", DType.F32, 5, "N", 3), null, null, null);
        g.output("h0", r.hN().select(0, 0));
        g.output("h1", r.hN().select(0, 1));
        Backend cpu = Backends.create("cpu");
        try (cpu; Executable e = cpu.compile(cpu.newParameters(9), g.build())) {
            var out = e.run(Map.of("x", x));
            return new double[][] {out.get("h0").toDoubles(), out.get("h1").toDoubles()};
        }
    }

    @Test
    void unbatchedInputIsABatchOfOne() {
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0, true);
        GraphBuilder g = new GraphBuilder();
        RecurrentOutput one = lstm.apply(g.input("x", DType.F32, 5, 3), null, null, null);
        RecurrentOutput batch = lstm.apply(g.input("xb", DType.F32, 5, 1, 3), null, null, null);
        assertEquals(Shape.of(5, 8), one.output().shape());
        assertEquals(Shape.of(4, 4), one.hN().shape());
        g.output("y", one.output());
        g.output("c", one.cN());
        g.output("yb", batch.output());
        g.output("cb", batch.cN());
        HostTensor x = randomFloats(new Random(4), 5, 3);
        try (Executable e = REFERENCE.compile(REFERENCE.newParameters(1), g.build())) {
            var out = e.run(Map.of("x", x, "xb", x.reshape(5, 1, 3)));
            assertArrayEquals(out.get("yb").toDoubles(), out.get("y").toDoubles(), 1e-12);
            assertArrayEquals(out.get("cb").toDoubles(), out.get("c").toDoubles(), 1e-12);
        }
    }

    private static HostTensor randomFloats(Random rnd, int... dims) {
        int size = 1;
        for (int d : dims) size *= d;
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) (2 * rnd.nextDouble() - 1);
        return HostTensor.of(v, dims);
    }

    // ---- errors ----------------------------------------------------------------------------------

    private interface Build {
        void on(GraphBuilder g);
    }

    static Stream<Arguments> badInputs() {
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0, false);
        GRU gru = new GRU(3, 4, 1, true, true, 0, false);
        return Stream.of(
                Arguments.of("wrong input_size", (Build) g -> lstm.apply(g.input("x", DType.F32, 5, "N", 2)),
                        "LSTM: input_size is 3 but the input [5,N,2] has 2 features"),
                Arguments.of("symbolic sequence length", (Build) g -> lstm.apply(g.input("x", DType.F32, "T", "N", 3)),
                        "so its length (axis 0 of [T,N,3]) must be a concrete size"),
                Arguments.of("rank 4 input", (Build) g -> lstm.apply(g.input("x", DType.F32, 5, 2, 2, 3)),
                        "LSTM: input must be [T, N, 3] or unbatched [T, 3], got [5,2,2,3]"),
                Arguments.of("integer input", (Build) g -> lstm.apply(g.input("x", DType.I32, 5, 2, 3)),
                        "LSTM: input must be a float tensor [T, N, 3], got i32[5,2,3]"),
                Arguments.of("h0 for one layer of two", (Build) g -> lstm.apply(g.input("x", DType.F32, 5, "N", 3),
                                g.input("h0", DType.F32, 1, "N", 4), null, null),
                        "LSTM: h0 must be [2,N,4] ([num_layers * directions, N, hidden_size]), got [1,N,4]"),
                Arguments.of("c0 of another batch", (Build) g -> lstm.apply(g.input("x", DType.F32, 5, "N", 3), null,
                                g.input("c0", DType.F32, 2, "M", 4), null),
                        "LSTM: c0 must be [2,N,4]"),
                Arguments.of("float lengths", (Build) g -> gru.apply(g.input("x", DType.F32, "N", 5, 3), null,
                                g.input("len", DType.F32, "N")),
                        "GRU: lengths must be i32[N] (one per sequence of the input [5,N,3] read as [T, N, features]), got f32[N]"),
                Arguments.of("lengths of another batch", (Build) g -> gru.apply(g.input("x", DType.F32, 2, 5, 3), null,
                                g.input("len", DType.I32, 3)),
                        "GRU: lengths must be i32[2]"),
                Arguments.of("lengths for an unbatched input", (Build) g -> gru.apply(g.input("x", DType.F32, 5, 3), null,
                                g.input("len", DType.I32, 1)),
                        "GRU: lengths need a batched input"),
                Arguments.of("cell input_size", (Build) g -> new LSTMCell(3, 4).apply(g.input("x", DType.F32, "N", 5), null, null),
                        "LSTMCell: input must be a float [N, 3] or [3], got f32[N,5]"),
                Arguments.of("cell state", (Build) g -> new GRUCell(3, 4).apply(g.input("x", DType.F32, "N", 3), g.input("h", DType.F32, "N", 3)),
                        "GRUCell: state hx must be [N,4] for the input, got [N,3]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void wrongInputsAreShapeErrorsNamingTheLayerAndShapes(String what, Build build, String message) {
        ShapeException e = assertThrows(ShapeException.class, () -> build.on(new GraphBuilder()));
        assertTrue(e.getMessage().contains(message), what + ": message was: " + e.getMessage());
    }

    @Test
    void badConstructorArgumentsAreRefused() {
        Map<String, Runnable> bad = new HashMap<>();
        bad.put("RNN: unknown nonlinearity 'sigmoid'", () -> new RNN(2, 3, 1, "sigmoid", true, false, 0, false));
        bad.put("LSTM: input_size, hidden_size and num_layers must be positive, got 2, 0 and 1", () -> new LSTM(2, 0));
        bad.put("GRU: dropout must be in [0, 1], got 1.5", () -> new GRU(2, 3, 2, true, false, 1.5, false));
        bad.put("RNNCell: unknown nonlinearity 'gelu'", () -> new RNNCell(2, 3, true, "gelu"));
        bad.forEach((message, r) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
        });
    }

    @Test
    void lengthsOutsideOneToTAreRefusedWhenFed() {
        GRU gru = new GRU(2, 3);
        GraphBuilder g = new GraphBuilder();
        g.output("y", gru.apply(g.input("x", DType.F32, 4, "N", 2), null, g.input("lengths", DType.I32, "N")).output());
        try (Executable e = REFERENCE.compile(REFERENCE.newParameters(1), g.build())) {
            HostTensor x = randomFloats(new Random(1), 4, 2, 2);
            e.run(Map.of("x", x, "lengths", HostTensor.ofInts(new int[] {4, 1}, 2)));
            for (int bad : new int[] {0, 5}) {
                FeedException ex = assertThrows(FeedException.class,
                        () -> e.run(Map.of("x", x, "lengths", HostTensor.ofInts(new int[] {2, bad}, 2))));
                assertTrue(ex.getMessage().contains("lengths") && ex.getMessage().contains(String.valueOf(bad)), ex.getMessage());
            }
        }
    }
}
