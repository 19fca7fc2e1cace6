package dev.jasg.nn.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * RNN, LSTM and GRU layers and cells against PyTorch: every case of {@code recurrent_fixtures.json} (written by
 * {@code make_recurrent_fixtures.py} with torch 1.13, PyTorch's weights loaded by name) on the reference and CPU
 * backends: output, h_n, c_n, and the gradients of {@code sum(output * w_out) + sum(h_n * w_h) [+ sum(c_n * w_c)]}
 * with respect to the input and one weight. The batch axis is symbolic in every graph.
 */
class RecurrentFixturesTest {
    private static final double TOL = 1e-5;
    private static final JsonNode FIXTURES = load();
    private static final Backend CPU = Backends.create("cpu");
    private static final List<Backend> BACKENDS = List.of(new ReferenceBackend(), CPU);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static JsonNode load() {
        try (InputStream in = RecurrentFixturesTest.class.getResourceAsStream("recurrent_fixtures.json")) {
            if (in == null) throw new IllegalStateException("recurrent_fixtures.json is missing from the test resources");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> layerCases() {
        return cases("layers");
    }

    static Stream<Arguments> cellCases() {
        return cases("cells");
    }

    private static Stream<Arguments> cases(String group) {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : FIXTURES.get(group)) for (Backend b : BACKENDS) out.add(Arguments.of(c.get("name").asText(), b.name(), c));
        return out.stream();
    }

    private static Backend backend(String name) {
        return BACKENDS.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("layerCases")
    void layerMatchesPyTorch(String name, String backendName, JsonNode c) {
        String kind = c.get("kind").asText();
        int in = c.get("input_size").asInt(), hid = c.get("hidden_size").asInt(), layers = c.get("num_layers").asInt();
        boolean bias = c.get("bias").asBoolean(), batchFirst = c.get("batch_first").asBoolean(), bidir = c.get("bidirectional").asBoolean();
        RecurrentLayer layer = switch (kind) {
            case "LSTM" -> new LSTM(in, hid, layers, bias, batchFirst, 0, bidir);
            case "GRU" -> new GRU(in, hid, layers, bias, batchFirst, 0, bidir);
            case "RNN" -> new RNN(in, hid, layers, c.get("nonlinearity").asText(), bias, batchFirst, 0, bidir);
            default -> throw new IllegalArgumentException(kind);
        };
        int[] xd = dims(c.get("x"));
        int steps = batchFirst ? xd[1] : xd[0];
        int states = layers * (bidir ? 2 : 1);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, batchFirst ? Shape.symbolic("N", steps, in) : Shape.symbolic(steps, "N", in));
        Tensor h0 = c.has("h0") ? g.input("h0", DType.F32, Shape.symbolic(states, "N", hid)) : null;
        Tensor c0 = c.has("c0") ? g.input("c0", DType.F32, Shape.symbolic(states, "N", hid)) : null;
        Tensor lengths = c.has("lengths") ? g.input("lengths", DType.I32, Shape.symbolic("N")) : null;
        RecurrentOutput r = switch (layer) {
            case LSTM l -> l.apply(x, h0, c0, lengths);
            case GRU l -> l.apply(x, h0, lengths);
            case RNN l -> l.apply(x, h0, lengths);
            default -> throw new IllegalStateException();
        };
        Tensor loss = weighted(g, "w_out", r.output()).add(weighted(g, "w_h", r.hN()));
        if (r.cN() != null) loss = loss.add(weighted(g, "w_c", r.cN()));
        g.output("output", r.output());
        g.output("h_n", r.hN());
        if (r.cN() != null) g.output("c_n", r.cN());
        g.output("loss", loss);
        check(backend(backendName), layer.namedParameters().keySet().stream().toList(), g, x, loss, c);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cellCases")
    void cellMatchesPyTorch(String name, String backendName, JsonNode c) {
        String kind = c.get("kind").asText();
        int in = c.get("input_size").asInt(), hid = c.get("hidden_size").asInt();
        boolean bias = c.get("bias").asBoolean();
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, Shape.symbolic("N", in));
        Tensor h0 = c.has("h0") ? g.input("h0", DType.F32, Shape.symbolic("N", hid)) : null;
        Tensor c0 = c.has("c0") ? g.input("c0", DType.F32, Shape.symbolic("N", hid)) : null;
        RecurrentCell cell;
        Tensor h1, c1 = null;
        switch (kind) {
            case "LSTM" -> {
                LSTMCell l = new LSTMCell(in, hid, bias);
                LSTMCell.State s = l.apply(x, h0, c0);
                cell = l;
                h1 = s.h();
                c1 = s.c();
            }
            case "GRU" -> {
                GRUCell l = new GRUCell(in, hid, bias);
                cell = l;
                h1 = l.apply(x, h0);
            }
            case "RNN" -> {
                RNNCell l = new RNNCell(in, hid, bias, c.get("nonlinearity").asText());
                cell = l;
                h1 = l.apply(x, h0);
            }
            default -> throw new IllegalArgumentException(kind);
        }
        Tensor loss = weighted(g, "w_h", h1);
        if (c1 != null) loss = loss.add(weighted(g, "w_c", c1));
        g.output("h_n", h1);
        if (c1 != null) g.output("c_n", c1);
        g.output("loss", loss);
        check(backend(backendName), cell.namedParameters().keySet().stream().toList(), g, x, loss, c);
    }

    /** {@code sum(t * w)} with {@code w} an input of t's shape named {@code name}. */
    private static Tensor weighted(GraphBuilder g, String name, Tensor t) {
        return t.mul(g.input(name, DType.F32, t.shape())).sum();
    }

    /** Loads the weights, runs forward and gradient graphs and compares every tensor the fixture has. */
    private static void check(Backend backend, List<String> names, GraphBuilder g, Tensor x, Tensor loss, JsonNode c) {
        List<String> torchNames = new ArrayList<>();
        c.get("params").fieldNames().forEachRemaining(torchNames::add);
        assertEquals(torchNames, names, "parameter names and order");
        Graph fwd = g.build();
        String gp = c.get("grad_param_name").asText();
        Graph grad = Autograd.gradients(fwd, loss, List.of(x, g.tensor(fwd.parameters().get(gp).id())));
        Parameters store = backend.newParameters(1);
        Map<String, HostTensor> feeds = new HashMap<>();
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (fwd.inputs().containsKey(f)) {
                feeds.put(f, f.equals("lengths") ? lengths(c.get(f)) : host(c.get(f)));
            }
        }
        String where = c.get("name").asText() + " on " + backend.name();
        try (Executable fe = backend.compile(store, fwd); Executable ge = backend.compile(store, grad)) {
            // The store holds the parameters once a graph reading them is compiled; a cell run from a zero
            // state never reads weight_hh (W_hh 0 is skipped), and PyTorch's gradient for it is zero.
            for (String n : names) if (store.contains(n)) store.set(n, host(c.get("params").get(n)));
            Outputs out = fe.run(feeds);
            for (String o : List.of("output", "h_n", "c_n")) {
                if (c.has(o)) assertClose(where + ": " + o, c.get(o), out.get(o));
            }
            Outputs grads = ge.run(feeds);
            assertClose(where + ": grad x", c.get("grad_x"), grads.get("grad:x"));
            assertClose(where + ": grad " + gp, c.get("grad_param"), grads.get("grad:" + gp));
        }
    }

    private static int[] dims(JsonNode t) {
        JsonNode s = t.get("shape");
        int[] d = new int[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = s.get(i).asInt();
        return d;
    }

    private static double[] data(JsonNode t) {
        JsonNode a = t.get("data");
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
        return v;
    }

    private static HostTensor host(JsonNode t) {
        double[] d = data(t);
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) d[i];
        return HostTensor.of(f, dims(t));
    }

    private static HostTensor lengths(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return HostTensor.ofInts(v, v.length);
    }

    private static void assertClose(String what, JsonNode expected, HostTensor got) {
        assertEquals(Shape.of(dims(expected)), got.shape(), what + ": shape");
        double[] e = data(expected), a = got.toDoubles();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= TOL * Math.max(1, Math.abs(e[i])))) {
                fail(what + ": element " + i + " is " + a[i] + ", PyTorch has " + e[i] + "\n got   " + Arrays.toString(a)
                        + "\n torch " + Arrays.toString(e));
            }
        }
    }
}
