package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.AttentionHarness.REFERENCE;
import static dev.jasg.nn.attention.AttentionHarness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.autograd.Autograd;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When {@link Attention} builds the fused {@code attention} op (no user mask, no dropout, no broadcasting,
 * one float dtype) and when the composite, and the fused op's values and gradients against PyTorch
 * (torch 1.13, float64, {@code softmax(q k^T scale [causal]) v}): fixture {@code fused_attention_fixtures.json},
 * written by {@code make_fused_attention_fixtures.py} next to it. On the reference backend: the other
 * backends' kernels are checked against it by the op table.
 */
class FusedAttentionTest {
    private static final JsonNode FIX = load();

    private static JsonNode load() {
        try (InputStream in = FusedAttentionTest.class.getResourceAsStream("fused_attention_fixtures.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(Tensor t, Class<? extends Op> type) {
        return t.builder().build().nodes().stream().filter(n -> type.isInstance(n.op())).count();
    }

    // the layers build the fused op only when asked (jasg.attention.fused=true): every test here asks
    private String saved;

    @org.junit.jupiter.api.BeforeEach
    void fusedOn() {
        saved = System.getProperty(Attention.FUSED_PROPERTY);
        System.setProperty(Attention.FUSED_PROPERTY, "true");
    }

    @org.junit.jupiter.api.AfterEach
    void restore() {
        if (saved == null) System.clearProperty(Attention.FUSED_PROPERTY);
        else System.setProperty(Attention.FUSED_PROPERTY, saved);
    }

    @Test
    void offByDefaultAndTheExplicitFunctionAlwaysFuses() {
        System.clearProperty(Attention.FUSED_PROPERTY);
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 3, 4), k = g.input("k", DType.F32, 2, 5, 4), v = g.input("v", DType.F32, 2, 5, 6);
        assertTrue(Attention.scaledDotProductAttention(q, k, v).node().op() instanceof Op.MatMul);
        assertEquals(new Op.Attention(0.5, true), Attention.fusedScaledDotProductAttention(q, k, v, true, Double.NaN).node().op());
        Tensor k2 = g.input("k2", DType.F32, 5, 4), v2 = g.input("v2", DType.F32, 5, 6);
        ShapeException e = assertThrows(ShapeException.class, () -> Attention.fusedScaledDotProductAttention(q, k2, v2, false, Double.NaN));
        assertTrue(e.getMessage().contains("equal leading axes"), e.getMessage());
    }

    @Test
    void theFusedCausalMaskTakesASymbolicLength() {
        GraphBuilder g = new GraphBuilder();
        Tensor qs = g.input("qs", DType.F32, 2, "L", 4), k = g.input("k", DType.F32, 2, 5, 4), v = g.input("v", DType.F32, 2, 5, 3);
        assertEquals(Shape.symbolic(2, "L", 3), Attention.scaledDotProductAttention(qs, k, v, null, true, 0).shape());
    }

    @Test
    void noMaskAndNoDropoutBuildOneFusedNode() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, "B", 2, 3, 4), k = g.input("k", DType.F32, "B", 2, 5, 4), v = g.input("v", DType.F32, "B", 2, 5, 6);
        Tensor o = Attention.scaledDotProductAttention(q, k, v, null, true, 0);
        assertTrue(o.node().op() instanceof Op.Attention, o.node().toString());
        assertEquals(new Op.Attention(0.5, true), o.node().op());
        assertEquals(Shape.symbolic("B", 2, 3, 6), o.shape());
        assertEquals(0, count(o, Op.Softmax.class));
        Tensor scaled = Attention.scaledDotProductAttention(q, k, v, null, false, 0, 0.25);
        assertEquals(new Op.Attention(0.25, false), scaled.node().op());
    }

    @Test
    void masksDropoutBroadcastingAndMixedTypesKeepTheComposite() {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 3, 4), k = g.input("k", DType.F32, 2, 5, 4), v = g.input("v", DType.F32, 2, 5, 6);
        Tensor mask = g.input("mask", DType.BOOL, 3, 5);
        assertTrue(Attention.scaledDotProductAttention(q, k, v, mask, false, 0).node().op() instanceof Op.MatMul);
        assertTrue(Attention.scaledDotProductAttention(q, k, v, null, false, 0.1).node().op() instanceof Op.MatMul);
        // k and v shared by a batch of queries: broadcast, which the fused op does not do
        Tensor k2 = g.input("k2", DType.F32, 5, 4), v2 = g.input("v2", DType.F32, 5, 6);
        assertTrue(Attention.scaledDotProductAttention(q, k2, v2).node().op() instanceof Op.MatMul);
        Tensor k3 = g.input("k3", DType.F32, 1, 5, 4), v3 = g.input("v3", DType.F32, 1, 5, 6);
        assertTrue(Attention.scaledDotProductAttention(q, k3, v3).node().op() instanceof Op.MatMul);
        assertEquals(0, count(q, Op.Attention.class));
    }

    @Test
    void multiHeadAttentionInEvalWithoutMasksIsFused() {
        MultiHeadAttention mha = new MultiHeadAttention(8, 2);
        mha.eval();
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 3, 8);
        Tensor y = mha.apply(x, null, null, false);
        assertEquals(Shape.symbolic("B", 3, 8), y.shape());
        assertEquals(1, count(y, Op.Attention.class));
        // asking for the weights needs the composite
        GraphBuilder g2 = new GraphBuilder();
        Tensor x2 = g2.input("x", DType.F32, 2, 3, 8);
        MultiHeadAttention.Result r = mha.apply(x2, x2, x2, null, true, null, true, false);
        assertEquals(0, count(r.output(), Op.Attention.class));
    }

    /** The fused graph against the composite one, values and gradients, through the public API on the reference backend. */
    @Test
    void fusedAndCompositeAgreeWithGradients() {
        Random rnd = new Random(7);
        Map<String, HostTensor> feeds = Map.of("q", AttentionHarness.random(rnd, 2, 2, 4, 3), "k", AttentionHarness.random(rnd, 2, 2, 6, 3),
                "v", AttentionHarness.random(rnd, 2, 2, 6, 5), "w", AttentionHarness.random(rnd, 2, 2, 4, 5));
        double[][] fused = valuesAndGradients(true, feeds), composite = valuesAndGradients(false, feeds);
        // the composite multiplies by 1/sqrt(3) as an f32 scalar, the fused op by the double: ~1e-8 apart
        for (int i = 0; i < fused.length; i++) assertClose("output " + i, composite[i], fused[i], 1e-6);
    }

    private static double[][] valuesAndGradients(boolean fused, Map<String, HostTensor> feeds) {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 2, 2, 4, 3), k = g.input("k", DType.F32, 2, 2, 6, 3), v = g.input("v", DType.F32, 2, 2, 6, 5);
        Tensor o = fused ? Attention.attend(q, k, v, List.of(), true, (java.util.function.UnaryOperator<Tensor>) null, Double.NaN)
                : Attention.weights(q, k, List.of(), true, Double.NaN).matmul(v);
        Tensor loss = o.mul(g.input("w", DType.F32, 2, 2, 4, 5)).sum();
        g.output("o", o);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(q, k, v));
        try (Executable e = REFERENCE.compile(fwd, grad)) {
            Outputs out = e.run(feeds);
            return new double[][] {out.get("o").toDoubles(), out.get("grad:q").toDoubles(), out.get("grad:k").toDoubles(), out.get("grad:v").toDoubles()};
        }
    }

    static Stream<String> torchCases() {
        List<String> names = new ArrayList<>();
        for (JsonNode c : FIX.get("cases")) names.add(c.get("name").asText());
        return names.stream();
    }

    private static HostTensor tensor(JsonNode t) {
        int[] dims = new int[t.get("shape").size()];
        for (int i = 0; i < dims.length; i++) dims[i] = t.get("shape").get(i).asInt();
        double[] v = values(t);
        return HostTensor.ofDoubles(v, dims);
    }

    private static double[] values(JsonNode t) {
        JsonNode data = t.get("data");
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = data.get(i).asDouble();
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchCases")
    void fusedOpMatchesPyTorch(String name) {
        JsonNode c = null;
        for (JsonNode x : FIX.get("cases")) if (x.get("name").asText().equals(name)) c = x;
        HostTensor qv = tensor(c.get("q")), kv = tensor(c.get("k")), vv = tensor(c.get("v")), wv = tensor(c.get("w"));
        boolean causal = c.get("causal").asBoolean();
        double scale = c.get("scale").isNull() ? 1 / Math.sqrt(qv.shape().dim(qv.shape().rank() - 1)) : c.get("scale").asDouble();
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F64, qv.shape()), k = g.input("k", DType.F64, kv.shape()), v = g.input("v", DType.F64, vv.shape());
        Tensor o = g.apply(new Op.Attention(scale, causal), q, k, v);
        Tensor loss = o.mul(g.input("w", DType.F64, wv.shape())).sum();
        g.output("o", o);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(q, k, v));
        try (Executable e = REFERENCE.compile(fwd, grad)) {
            Outputs out = e.run(Map.of("q", qv, "k", kv, "v", vv, "w", wv));
            assertClose(name + " o", values(c.get("o")), out.get("o").toDoubles(), 1e-9);
            assertClose(name + " dq", values(c.get("dq")), out.get("grad:q").toDoubles(), 1e-9);
            assertClose(name + " dk", values(c.get("dk")), out.get("grad:k").toDoubles(), 1e-9);
            assertClose(name + " dv", values(c.get("dv")), out.get("grad:v").toDoubles(), 1e-9);
        }
    }
}
