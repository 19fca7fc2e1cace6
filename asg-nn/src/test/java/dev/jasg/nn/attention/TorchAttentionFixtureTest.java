package dev.jasg.nn.attention;

import static dev.jasg.nn.attention.AttentionHarness.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@link MultiHeadAttention} built from {@link MultiHeadAttention#options(int, int)} and
 * {@link Transformer} against {@code torch.nn.MultiheadAttention} and {@code torch.nn.Transformer}
 * (torch 1.13, float64, eval mode): weights load by their PyTorch {@code state_dict} names, and the
 * outputs, attention weights and input gradients of {@code sum(out * wsum)} agree to 1e-5 relative
 * on the reference and cpu backends. Fixture: {@code attention_fixtures.json}, written by
 * {@code make_attention_fixtures.py} next to it.
 */
class TorchAttentionFixtureTest {
    private static final double TOL = 1e-5;
    private static final JsonNode FIX = load();

    private static JsonNode load() {
        try (InputStream in = TorchAttentionFixtureTest.class.getResourceAsStream("attention_fixtures.json")) {
            return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HostTensor tensor(JsonNode t) {
        int[] dims = new int[t.get("shape").size()];
        for (int i = 0; i < dims.length; i++) dims[i] = t.get("shape").get(i).asInt();
        JsonNode data = t.get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) data.get(i).asDouble();
        DType dtype = "bool".equals(t.get("dtype").asText()) ? DType.BOOL : DType.F32;
        return HostTensor.of(dtype, Shape.of(dims), v);
    }

    private static double[] values(JsonNode t) {
        JsonNode data = t.get("data");
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = data.get(i).asDouble();
        return v;
    }

    private static Tensor input(GraphBuilder g, String name, HostTensor value) {
        return g.input(name, value.dtype(), value.shape());
    }

    static Stream<Arguments> mhaCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : FIX.get("mha")) for (Backend be : AttentionHarness.BACKENDS) out.add(Arguments.of(c.get("name").asText(), be.name()));
        return out.stream();
    }

    static Stream<Arguments> transformerCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : FIX.get("transformer").get("cases")) {
            for (Backend be : AttentionHarness.BACKENDS) out.add(Arguments.of(c.get("name").asText(), be.name()));
        }
        return out.stream();
    }

    // Backends go by name: JUnit closes AutoCloseable arguments after each invocation.
    private static Backend backend(String name) {
        return AttentionHarness.BACKENDS.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode named(JsonNode cases, String name) {
        for (JsonNode c : cases) if (c.get("name").asText().equals(name)) return c;
        throw new IllegalArgumentException("no fixture case " + name);
    }

    /** Checks that the module's parameters are exactly the state_dict's, in order and shape, and returns them as host tensors. */
    private static Map<String, HostTensor> stateDict(Layer module, JsonNode weights) {
        Map<String, HostTensor> sd = new HashMap<>();
        List<String> names = new ArrayList<>();
        weights.fieldNames().forEachRemaining(names::add);
        assertEquals(names, List.copyOf(module.namedParameters().keySet()), "parameter names vs the PyTorch state_dict");
        for (String n : names) {
            HostTensor t = tensor(weights.get(n));
            assertEquals(t.shape(), module.namedParameters().get(n).shape(), "shape of " + n);
            sd.put(n, t);
        }
        return sd;
    }

    /**
     * Runs {@code fwd} and its gradient graph on {@code be} with the PyTorch weights loaded by
     * name; returns the outputs {@code names} (copied before the executables close).
     */
    private static Map<String, HostTensor> run(Backend be, Graph fwd, Graph grad, Map<String, HostTensor> weights,
                                               Map<String, HostTensor> feeds, List<String> names) {
        var store = be.newParameters(0);
        try (Executable f = be.compile(store, fwd); Executable gr = be.compile(store, grad)) {
            weights.forEach(store::set);
            Outputs a = f.run(feeds), b = gr.run(feeds);
            Map<String, HostTensor> out = new HashMap<>();
            for (String n : names) {
                HostTensor t = n.startsWith("grad:") ? b.get(n) : a.get(n);
                out.put(n, HostTensor.ofDoubles(t.toDoubles(), t.shape().dims()));
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("mhaCases")
    void multiheadAttentionMatchesPyTorch(String name, String backend) {
        Backend be = backend(backend);
        JsonNode c = named(FIX.get("mha"), name);
        JsonNode in = FIX.get("inputs");
        int e = FIX.get("E").asInt(), heads = FIX.get("heads").asInt();
        MultiHeadAttention mha = new MultiHeadAttention(MultiHeadAttention.options(e, heads)
                .batchFirst(c.get("batch_first").asBoolean()).addBiasKv(c.get("add_bias_kv").asBoolean())
                .addZeroAttn(c.get("add_zero_attn").asBoolean()).kdim(c.get("kdim").asInt()).vdim(c.get("vdim").asInt())).eval();
        Map<String, HostTensor> weights = stateDict(mha, FIX.get("mha_weights").get(c.get("weights").asText()));

        Map<String, HostTensor> feeds = new HashMap<>();
        feeds.put("q", tensor(in.get(c.get("query").asText())));
        feeds.put("k", tensor(in.get(c.get("key").asText())));
        feeds.put("v", tensor(in.get(c.get("value").asText())));
        feeds.put("wsum", tensor(in.get(c.get("wsum").asText())));
        GraphBuilder g = new GraphBuilder();
        Tensor q = input(g, "q", feeds.get("q")), k = input(g, "k", feeds.get("k")), v = input(g, "v", feeds.get("v"));
        Tensor kpm = null, am = null;
        if (c.has("key_padding_mask")) {
            feeds.put("kpm", tensor(c.get("key_padding_mask")));
            kpm = input(g, "kpm", feeds.get("kpm"));
        }
        if (c.has("attn_mask")) {
            feeds.put("am", tensor(c.get("attn_mask")));
            am = input(g, "am", feeds.get("am"));
        }
        MultiHeadAttention.Result r = mha.apply(q, k, v, kpm, true, am, c.get("average_attn_weights").asBoolean(), false);
        Tensor loss = r.output().mul(input(g, "wsum", feeds.get("wsum"))).sum();
        g.output("out", r.output());
        g.output("attn", r.weights());
        g.output("loss", loss);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(q, k, v));

        Map<String, HostTensor> got = run(be, fwd, grad, weights, feeds, List.of("out", "attn", "grad:q", "grad:k", "grad:v"));
        assertEquals(tensor(c.get("out")).shape(), got.get("out").shape(), name + ": output shape");
        assertEquals(tensor(c.get("attn")).shape(), got.get("attn").shape(), name + ": attention weights shape");
        assertClose(name + " out", values(c.get("out")), got.get("out").toDoubles(), TOL);
        assertClose(name + " attn", values(c.get("attn")), got.get("attn").toDoubles(), TOL);
        assertClose(name + " grad query", values(c.get("grad_query")), got.get("grad:q").toDoubles(), TOL);
        assertClose(name + " grad key", values(c.get("grad_key")), got.get("grad:k").toDoubles(), TOL);
        assertClose(name + " grad value", values(c.get("grad_value")), got.get("grad:v").toDoubles(), TOL);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("transformerCases")
    void transformerMatchesPyTorch(String name, String backend) {
        Backend be = backend(backend);
        JsonNode tr = FIX.get("transformer");
        JsonNode c = named(tr.get("cases"), name);
        boolean batchFirst = c.get("batch_first").asBoolean();
        int e = FIX.get("E").asInt(), heads = FIX.get("heads").asInt();
        Transformer model = new Transformer(e, heads, 2, 2, tr.get("dim_feedforward").asInt(), 0.1, tr.get("activation").asText(), 1e-5,
                batchFirst, c.get("norm_first").asBoolean()).eval();
        Map<String, HostTensor> weights = stateDict(model, tr.get("weights"));

        Map<String, HostTensor> feeds = new HashMap<>();
        for (String n : List.of("src", "tgt", "twsum")) {
            HostTensor t = tensor(tr.get("inputs").get(n));
            feeds.put(n, batchFirst ? transpose01(t) : t);
        }
        GraphBuilder g = new GraphBuilder();
        Tensor src = input(g, "src", feeds.get("src")), tgt = input(g, "tgt", feeds.get("tgt"));
        Tensor y;
        if (c.get("masks").asBoolean()) {
            feeds.put("pad", tensor(tr.get("src_key_padding_mask")));
            Tensor pad = input(g, "pad", feeds.get("pad"));
            int t = FIX.get("T").asInt();
            assertArrayEquals(values(tr.get("tgt_mask")), Transformer.generateSquareSubsequentMask(t).toDoubles(), "generate_square_subsequent_mask");
            y = model.apply(src, tgt, null, Transformer.generateSquareSubsequentMask(g, t), null, pad, null, pad);
        } else {
            y = model.apply(src, tgt);
        }
        Tensor loss = y.mul(input(g, "twsum", feeds.get("twsum"))).sum();
        g.output("out", y);
        g.output("loss", loss);
        Graph fwd = g.build();
        Graph grad = Autograd.gradients(fwd, loss, List.of(src, tgt));

        Map<String, HostTensor> got = run(be, fwd, grad, weights, feeds, List.of("out", "grad:src", "grad:tgt"));
        assertEquals(tensor(c.get("out")).shape(), got.get("out").shape(), name + ": output shape");
        assertClose(name + " out", values(c.get("out")), got.get("out").toDoubles(), TOL);
        assertClose(name + " grad src", values(c.get("grad_src")), got.get("grad:src").toDoubles(), TOL);
        assertClose(name + " grad tgt", values(c.get("grad_tgt")), got.get("grad:tgt").toDoubles(), TOL);
    }

    private static HostTensor transpose01(HostTensor t) {
        int[] d = t.shape().dims();
        float[] src = t.floats(), dst = new float[src.length];
        for (int i = 0; i < d[0]; i++) {
            for (int j = 0; j < d[1]; j++) System.arraycopy(src, (i * d[1] + j) * d[2], dst, (j * d[0] + i) * d[2], d[2]);
        }
        return HostTensor.of(dst, d[1], d[0], d[2]);
    }

    @Test
    void pytorchNamesForEveryLayout() {
        record Row(MultiHeadAttention.Options options, List<String> names) {}
        List<Row> rows = List.of(
                new Row(MultiHeadAttention.options(8, 2), List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")),
                new Row(MultiHeadAttention.options(8, 2).bias(false), List.of("in_proj_weight", "out_proj.weight")),
                new Row(MultiHeadAttention.options(8, 2).addBiasKv(true),
                        List.of("in_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias")),
                new Row(MultiHeadAttention.options(8, 2).kdim(5).vdim(6),
                        List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")));
        for (Row r : rows) assertEquals(r.names(), List.copyOf(new MultiHeadAttention(r.options()).namedParameters().keySet()));
        MultiHeadAttention kv = new MultiHeadAttention(MultiHeadAttention.options(8, 2).kdim(5).vdim(6));
        assertEquals(Shape.of(8, 5), kv.namedParameters().get("k_proj_weight").shape());
        assertEquals(Shape.of(1, 1, 8), new MultiHeadAttention(MultiHeadAttention.options(8, 2).addBiasKv(true)).namedParameters().get("bias_k").shape());
        assertEquals(Shape.of(24, 8), new MultiHeadAttention(MultiHeadAttention.options(8, 2)).namedParameters().get("in_proj_weight").shape());
        Map<String, ?> layer = new TransformerDecoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false, false).namedParameters();
        for (String n : List.of("self_attn.in_proj_weight", "multihead_attn.in_proj_bias", "linear1.weight", "linear2.bias", "norm3.weight")) {
            assertEquals(true, layer.containsKey(n), n + " in " + layer.keySet());
        }
    }

    @Test
    void dropoutActsOnTheReturnedWeightsInTrainingOnly() {
        double p = 0.5;
        MultiHeadAttention mha = new MultiHeadAttention(MultiHeadAttention.options(8, 2).dropout(p).batchFirst(true));
        HostTensor x = AttentionHarness.random(new java.util.Random(5), 2, 6, 8);
        double[][] w = new double[2][];
        for (int mode = 0; mode < 2; mode++) {
            mha.train(mode == 1);
            GraphBuilder g = new GraphBuilder();
            Tensor in = g.input("x", DType.F32, 2, 6, 8);
            g.output("w", mha.apply(in, in, in, null, true, null, false, false).weights());
            w[mode] = AttentionHarness.run(AttentionHarness.CPU, 3, g.build(), "w", Map.of("x", x)).toDoubles();
        }
        int dropped = 0;
        for (int i = 0; i < w[0].length; i++) {
            if (w[1][i] == 0) dropped++;
            else assertEquals(w[0][i] / (1 - p), w[1][i], 1e-5, "kept weight " + i + " is scaled by 1/(1-p)");
        }
        assertEquals(true, dropped > 0 && dropped < w[0].length, dropped + " of " + w[0].length + " weights dropped");
    }

    @Test
    void sequenceFirstShapesAndErrors() {
        MultiHeadAttention mha = new MultiHeadAttention(MultiHeadAttention.options(8, 2));
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, 3, "N", 8), kv = g.input("kv", DType.F32, 4, "N", 8);
        MultiHeadAttention.Result r = mha.apply(q, kv, kv, null, true, null, true, false);
        assertEquals(Shape.symbolic(3, "N", 8), r.output().shape());
        assertEquals(Shape.symbolic("N", 3, 4), r.weights().shape());
        MultiHeadAttention.Result perHead = mha.apply(q, kv, kv, null, true, null, false, false);
        assertEquals(Shape.symbolic("N", 2, 3, 4), perHead.weights().shape());
        assertEquals(null, mha.apply(q, kv, kv, null, false, null, true, false).weights());
        // unbatched [L, E]
        Tensor q1 = g.input("q1", DType.F32, 3, 8), kv1 = g.input("kv1", DType.F32, 4, 8);
        assertEquals(Shape.of(3, 8), mha.apply(q1, kv1, kv1, null, null, false).shape());
        ShapeException bad = assertThrows(ShapeException.class, () -> mha.apply(g.input("x", DType.F32, 2, 3, 4, 8), null, null, false));
        assertEquals(true, bad.getMessage().contains("batch_first=false"), bad.getMessage());
        Tensor mask3 = g.input("m3", DType.BOOL, 5, 3, 4);
        ShapeException heads = assertThrows(ShapeException.class, () -> mha.apply(q, kv, kv, null, mask3, false));
        assertEquals(true, heads.getMessage().contains("N*num_heads"), heads.getMessage());
        // causal with appended keys: they stay visible to every query
        MultiHeadAttention extra = new MultiHeadAttention(MultiHeadAttention.options(8, 2).addBiasKv(true).addZeroAttn(true));
        GraphBuilder g2 = new GraphBuilder();
        Tensor q2 = g2.input("q", DType.F32, 3, "N", 8), kv2 = g2.input("kv", DType.F32, 4, "N", 8);
        assertEquals(Shape.symbolic("N", 3, 6), extra.apply(q2, kv2, kv2, null, true, null, true, true).weights().shape());
        Transformer t = new Transformer(8, 2, 1, 1, 16, 0, "relu", 1e-5, false, false);
        ShapeException batch = assertThrows(ShapeException.class,
                () -> t.apply(g.input("s", DType.F32, 4, 2, 8), g.input("t", DType.F32, 5, 3, 8)));
        assertEquals(true, batch.getMessage().contains("batch size"), batch.getMessage());
    }
}
