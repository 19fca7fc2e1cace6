package dev.jasg.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layers of issue 14 against PyTorch: outputs and the gradients of {@code sum(y * gy)} with
 * respect to the inputs and parameters, from {@code layers/layers_fixtures.json}, written by
 * {@code layers/make_layers_fixtures.py} (python3-torch 1.13). Every case runs on the reference
 * interpreter and the CPU backend; a few cheap ones on Vulkan too (tagged gpu). Float inputs
 * keep a symbolic batch axis, so the composites are checked with an unbound batch too.
 */
class LayersFixturesTest {
    private static final JsonNode FIXTURES = load();

    /** How a case applies its layer to its inputs: outputs by name, "y" first. */
    interface Run {
        Map<String, Tensor> apply(Layer layer, Map<String, Tensor> inputs);
    }

    record Case(Supplier<Layer> layer, Run run) {}

    private static Case layer(Supplier<Layer> s) {
        return new Case(s, (l, in) -> Map.of("y", l.apply(in.get("x"))));
    }

    private static ConvOptions o() {
        return ConvOptions.defaults();
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        CASES.put("conv1d stride 2 pad 1", layer(() -> new Conv1d(2, 3, 3, o().stride(2).padding(1))));
        CASES.put("conv1d groups dilation no bias", layer(() -> new Conv1d(4, 2, 3, o().dilation(2).groups(2).bias(false))));
        CASES.put("conv1d same", layer(() -> new Conv1d(2, 2, 4, o().padding("same"))));
        CASES.put("conv1d reflect", layer(() -> new Conv1d(2, 3, 3, o().padding(2).paddingMode("reflect"))));
        CASES.put("conv1d replicate", layer(() -> new Conv1d(2, 2, 3, o().stride(2).padding(2).paddingMode("replicate"))));
        CASES.put("conv1d circular", layer(() -> new Conv1d(2, 2, 3, o().padding(3).paddingMode("circular"))));
        CASES.put("conv2d reflect", layer(() -> new Conv2d(2, 2, 3, o().padding(1, 2).paddingMode("reflect"))));
        CASES.put("conv2d replicate", layer(() -> new Conv2d(1, 2, 3, o().stride(2).padding(1).paddingMode("replicate"))));
        CASES.put("conv2d circular", layer(() -> new Conv2d(2, 2, 2, 3, o().padding(1, 1).paddingMode("circular"))));
        CASES.put("conv3d", layer(() -> new Conv3d(2, 3, 2, 3, 3, o().stride(2, 1, 2).padding(1, 1, 0))));
        CASES.put("conv3d groups dilation", layer(() -> new Conv3d(4, 2, 3, o().groups(2).dilation(2, 1, 1).padding(1).bias(false))));
        CASES.put("conv3d replicate", layer(() -> new Conv3d(1, 2, 2, o().padding(1).paddingMode("replicate"))));
        CASES.put("conv_transpose1d", layer(() -> new ConvTranspose1d(2, 3, 3, o().stride(2).padding(1).outputPadding(1))));
        CASES.put("conv_transpose1d groups dilation", layer(() -> new ConvTranspose1d(4, 2, 3, o().groups(2).dilation(2).bias(false))));

        CASES.put("max_pool1d", layer(() -> new MaxPool1d(3, 2, 1, 1, false)));
        CASES.put("max_pool1d ceil dilation", layer(() -> new MaxPool1d(2, 2, 0, 2, true)));
        CASES.put("max_pool3d", layer(() -> new MaxPool3d(new int[] {2, 2, 3}, new int[] {1, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, false)));
        CASES.put("max_pool3d ceil", layer(() -> new MaxPool3d(2, 2, 0, 1, true)));
        CASES.put("avg_pool1d", layer(() -> new AvgPool1d(3, 2, 1, false, true)));
        CASES.put("avg_pool1d ceil no pad count", layer(() -> new AvgPool1d(3, 2, 1, true, false)));
        CASES.put("avg_pool3d", layer(() -> new AvgPool3d(2)));
        CASES.put("avg_pool3d pad ceil", layer(() -> new AvgPool3d(new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, true, false, 0)));
        CASES.put("avg_pool3d divisor", layer(() -> new AvgPool3d(new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {0, 0, 0}, false, true, 3)));
        CASES.put("adaptive_avg_pool1d", layer(() -> new AdaptiveAvgPool1d(3)));
        CASES.put("adaptive_max_pool1d", layer(() -> new AdaptiveMaxPool1d(3)));
        Run withIndices = (l, in) -> {
            MaxPool2d.Pooled p = ((MaxPool2d) l).applyWithIndices(in.get("x"));
            return Map.of("y", p.output(), "indices", p.indices());
        };
        CASES.put("max_pool2d indices", new Case(() -> new MaxPool2d(2), withIndices));
        CASES.put("max_pool2d indices overlapping", new Case(() -> new MaxPool2d(3, 2, 1), withIndices));
        CASES.put("max_unpool2d", new Case(() -> new MaxUnpool2d(2), (l, in) -> Map.of("y", ((MaxUnpool2d) l).apply(in.get("x"), in.get("indices")))));
        CASES.put("max_unpool2d output size", new Case(() -> new MaxUnpool2d(2),
                (l, in) -> Map.of("y", ((MaxUnpool2d) l).apply(in.get("x"), in.get("indices"), 5, 7))));

        CASES.put("group_norm", layer(() -> new GroupNorm(2, 4)));
        CASES.put("group_norm no affine", layer(() -> new GroupNorm(3, 6, 1e-3, false)));
        CASES.put("instance_norm1d", layer(() -> new InstanceNorm1d(3)));
        CASES.put("instance_norm2d affine", layer(() -> new InstanceNorm2d(2, 1e-5, true, false)));
        CASES.put("local_response_norm", layer(() -> new LocalResponseNorm(3)));
        CASES.put("local_response_norm 3d input", layer(() -> new LocalResponseNorm(2, 1e-2, 0.5, 2)));

        CASES.put("upsample nearest x2", layer(() -> new Upsample(2)));
        CASES.put("upsample nearest size", layer(() -> new Upsample(new int[] {5, 7}, "nearest", null)));
        CASES.put("upsample nearest 1d", layer(() -> new Upsample(new int[] {5}, "nearest", null)));
        CASES.put("upsample nearest scale 1.7", layer(() -> new Upsample(new double[] {1.7}, "nearest", null)));
        CASES.put("upsample nearest-exact", layer(() -> new Upsample(new int[] {5, 3}, "nearest-exact", null)));
        CASES.put("upsample bilinear x2", layer(() -> new Upsample(new double[] {2}, "bilinear", null)));
        CASES.put("upsample bilinear align size", layer(() -> new Upsample(new int[] {5, 3}, "bilinear", true)));
        CASES.put("upsample bilinear scale 1.5", layer(() -> new Upsample(new double[] {1.5}, "bilinear", false)));
        CASES.put("upsample bicubic size", layer(() -> new Upsample(new int[] {5, 6}, "bicubic", null)));
        CASES.put("upsample bicubic align x2", layer(() -> new Upsample(new double[] {2}, "bicubic", true)));
        CASES.put("upsample linear 1d", layer(() -> new Upsample(new int[] {7}, "linear", null)));
        CASES.put("upsample trilinear", layer(() -> new Upsample(new int[] {3, 4, 2}, "trilinear", null)));
        CASES.put("pixel_shuffle", layer(() -> new PixelShuffle(2)));
        CASES.put("pixel_unshuffle", layer(() -> new PixelUnshuffle(2)));

        CASES.put("relu6", layer(ReLU6::new));
        CASES.put("hardtanh", layer(() -> new Hardtanh(-0.5, 1.5)));
        CASES.put("hardsigmoid", layer(Hardsigmoid::new));
        CASES.put("hardswish", layer(Hardswish::new));
        CASES.put("prelu", layer(PReLU::new));
        CASES.put("prelu per channel", layer(() -> new PReLU(3, 0.25)));
        CASES.put("selu", layer(SELU::new));
        CASES.put("celu", layer(() -> new CELU(0.7)));
        CASES.put("mish", layer(Mish::new));
        CASES.put("softsign", layer(Softsign::new));
        CASES.put("logsigmoid", layer(LogSigmoid::new));
        CASES.put("glu", layer(GLU::new));
        CASES.put("glu dim 1", layer(() -> new GLU(1)));
        CASES.put("threshold", layer(() -> new Threshold(0.3, -2)));

        Run lookup = (l, in) -> Map.of("y", l.apply(in.get("indices")));
        CASES.put("embedding max_norm", new Case(() -> new Embedding(6, 4, null, 1.0, 2, false), lookup));
        CASES.put("embedding max_norm p1", new Case(() -> new Embedding(6, 4, null, 2.0, 1, false), lookup));
        CASES.put("embedding scale_grad_by_freq", new Case(() -> new Embedding(6, 4, null, null, 2, true), lookup));
        CASES.put("embedding padding_idx loaded row", new Case(() -> new Embedding(6, 4, 3), lookup));
    }

    private static JsonNode load() {
        try (InputStream in = LayersFixturesTest.class.getResourceAsStream("layers/layers_fixtures.json")) {
            if (in == null) throw new IllegalStateException("layers/layers_fixtures.json is missing from the test resources");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode fixture(String name) {
        for (JsonNode c : FIXTURES.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError("no fixture named '" + name + "' in layers_fixtures.json");
    }

    private static int[] shape(JsonNode t) {
        int[] s = new int[t.get("shape").size()];
        for (int i = 0; i < s.length; i++) s[i] = t.get("shape").get(i).asInt();
        return s;
    }

    private static double[] data(JsonNode t) {
        double[] d = new double[t.get("data").size()];
        for (int i = 0; i < d.length; i++) d[i] = t.get("data").get(i).asDouble();
        return d;
    }

    private static HostTensor floats(JsonNode t) {
        return HostTensor.fromDoubles(DType.F32, Shape.of(shape(t)), data(t));
    }

    private static Object[] batchSymbolic(int[] s) {
        Object[] d = new Object[s.length];
        for (int i = 0; i < s.length; i++) d[i] = s[i];
        if (s.length >= 2) d[0] = "B";
        return d;
    }

    @Test
    void everyFixtureHasACaseAndEveryCaseAFixture() {
        List<String> names = new ArrayList<>();
        for (JsonNode c : FIXTURES.get("cases")) names.add(c.get("name").asText());
        assertEquals(names, new ArrayList<>(CASES.keySet()));
    }

    static Stream<Arguments> referenceAndCpu() {
        return CASES.keySet().stream().flatMap(n -> Stream.of(Arguments.of("reference", n), Arguments.of("cpu", n)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("referenceAndCpu")
    void matchesPyTorch(String backend, String name) {
        check(backend, name);
    }

    @Tag("gpu")
    @ParameterizedTest(name = "{0} on vulkan")
    @MethodSource("cheapOnVulkan")
    void matchesPyTorchOnVulkan(String name) {
        check("vulkan", name);
    }

    static Stream<String> cheapOnVulkan() {
        return Stream.of("conv1d reflect", "conv3d", "max_pool3d", "avg_pool3d pad ceil", "max_pool2d indices", "max_unpool2d", "group_norm",
                "local_response_norm", "upsample bicubic size", "pixel_shuffle", "prelu per channel", "glu", "embedding max_norm",
                "embedding padding_idx loaded row");
    }

    private static void check(String backend, String name) {
        JsonNode fx = fixture(name);
        Case c = CASES.get(name);
        Layer inner = c.layer().get();
        LayerBackends.wrap("m", inner);   // registers it as "m", so it opens that scope and its parameters are m.*
        GraphBuilder g = new GraphBuilder();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        Map<String, HostTensor> feeds = new HashMap<>();
        List<Tensor> wrt = new ArrayList<>();
        List<String> wrtNames = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fx.get("inputs").fields(); it.hasNext(); ) {
            var e = it.next();
            Tensor t = g.input(e.getKey(), DType.F32, batchSymbolic(shape(e.getValue())));
            inputs.put(e.getKey(), t);
            feeds.put(e.getKey(), floats(e.getValue()));
            wrt.add(t);
            wrtNames.add(e.getKey());
        }
        if (fx.has("intInputs")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = fx.get("intInputs").fields(); it.hasNext(); ) {
                var e = it.next();
                int[] s = shape(e.getValue());
                Tensor t = g.input(e.getKey(), DType.I32, batchSymbolic(s));
                inputs.put(e.getKey(), t);
                double[] d = data(e.getValue());
                int[] ints = new int[d.length];
                for (int i = 0; i < d.length; i++) ints[i] = (int) d[i];
                feeds.put(e.getKey(), HostTensor.ofInts(ints, s));
            }
        }
        Map<String, Tensor> outs = c.run().apply(inner, inputs);
        Tensor y = outs.get("y");
        for (var e : outs.entrySet()) g.output(e.getKey(), e.getValue());
        Tensor gy = g.input("gy", DType.F32, y.shape());
        feeds.put("gy", floats(fx.get("gy")));
        Tensor loss = y.mul(gy).sum();
        Graph fwd = g.build();
        for (Iterator<String> it = fx.get("grads").fieldNames(); it.hasNext(); ) {
            String p = it.next();
            if (inputs.containsKey(p)) continue;
            var spec = fwd.parameters().get("m." + p);
            if (spec == null) fail(name + ": the layer has no parameter '" + p + "'; it has " + fwd.parameters().keySet());
            wrt.add(g.tensor(spec.id()));
            wrtNames.add("m." + p);
        }
        Graph grad = Autograd.gradients(fwd, loss, wrt);
        try (Backend b = LayerBackends.open(backend); Executable e = b.compile(b.newParameters(1), fwd, grad)) {
            for (Iterator<Map.Entry<String, JsonNode>> it = fx.get("params").fields(); it.hasNext(); ) {
                var p = it.next();
                assertTrue(e.parameters().names().contains("m." + p.getKey()), name + ": no parameter m." + p.getKey() + " in " + e.parameters().names());
                e.parameters().set("m." + p.getKey(), floats(p.getValue()));
            }
            Outputs o = e.run(feeds);
            for (Iterator<Map.Entry<String, JsonNode>> it = fx.get("outputs").fields(); it.hasNext(); ) {
                var out = it.next();
                HostTensor got = o.get(out.getKey());
                assertArrayEquals(shape(out.getValue()), got.shape().dims(), name + ": shape of " + out.getKey());
                close(name + " " + out.getKey() + " on " + backend, data(out.getValue()), got.toDoubles());
            }
            for (int i = 0; i < wrtNames.size(); i++) {
                String key = wrtNames.get(i);
                JsonNode want = fx.get("grads").get(key.startsWith("m.") ? key.substring(2) : key);
                close(name + " grad of " + key + " on " + backend, data(want), o.get("grad:" + key).toDoubles());
            }
        }
    }

    private static void close(String what, double[] want, double[] got) {
        assertEquals(want.length, got.length, what + ": size");
        for (int i = 0; i < want.length; i++) {
            double tol = 2e-4 * Math.max(1, Math.abs(want[i]));
            if (!(Math.abs(want[i] - got[i]) <= tol)) fail(what + " [" + i + "]: expected " + want[i] + ", got " + got[i]);
        }
    }
}
