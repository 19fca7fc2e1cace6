package dev.jasg.models.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.Tensor;
import dev.jasg.nn.ParameterSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link VisionTransformer} against torchvision 0.14's {@code VisionTransformer} of the same small
 * configuration (image 32, patch 8, 2 blocks, 2 heads, hidden 32, MLP 64, 10 classes): the parameter
 * names and shapes are the state_dict's, and with the weights both sides compute from one formula
 * the logits agree within 1e-4 relative (to the largest logit) on cpu and vulkan. Fixture:
 * {@code vit_fixtures.json}, written by {@code make_vit_fixtures.py} next to it (torch in float64).
 */
class VisionTransformerParityTest {
    private static final double TOL = 1e-4;
    private static final JsonNode FIX = load();

    private static JsonNode load() {
        try (InputStream in = VisionTransformerParityTest.class.getResourceAsStream("vit_fixtures.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static VisionTransformer.Config fixtureConfig() {
        JsonNode c = FIX.get("config");
        return new VisionTransformer.Config(c.get("image_size").asInt(), c.get("patch_size").asInt(), c.get("num_layers").asInt(),
                c.get("num_heads").asInt(), c.get("hidden_dim").asInt(), c.get("mlp_dim").asInt(), c.get("num_classes").asInt(), 0, 0);
    }

    /** The formula of make_vit_fixtures.py: parameter k of shape s, w[i] = base + scale * sin(0.37 i + 0.1 k). */
    static Map<String, HostTensor> formulaWeights(Map<String, ParameterSpec> params) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        int k = 0;
        for (var e : params.entrySet()) {
            int[] dims = e.getValue().shape().dims();
            int n = (int) e.getValue().shape().size();
            double scale = dims.length >= 2 ? 1 / Math.sqrt((double) n / dims[0]) : 0.1;
            String name = e.getKey();
            double base = name.endsWith("ln.weight") || name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") ? 1 : 0;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) (base + scale * Math.sin(0.37 * i + 0.1 * k));
            out.put(name, HostTensor.of(v, dims));
            k++;
        }
        return out;
    }

    static HostTensor fixtureInput() {
        int[] dims = new int[4];
        for (int i = 0; i < 4; i++) dims[i] = FIX.get("input_shape").get(i).asInt();
        float[] x = new float[dims[0] * dims[1] * dims[2] * dims[3]];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.11 * i);
        return HostTensor.of(x, dims);
    }

    private static Backend open(String name) {
        try {
            return Backends.create(name);
        } catch (BackendUnavailableException e) {
            String req = System.getProperty("JASG_REQUIRE_GPU", System.getenv("JASG_REQUIRE_GPU"));
            if ("1".equals(req) || "true".equalsIgnoreCase(req)) throw new AssertionError("JASG_REQUIRE_GPU is set: " + e.getMessage(), e);
            Assumptions.abort("no " + name + " backend, skipping (set JASG_REQUIRE_GPU=1 to fail instead): " + e.getMessage());
            throw e;
        }
    }

    private static void checkLogits(String backend) {
        VisionTransformer vit = new VisionTransformer(fixtureConfig()).eval();
        HostTensor x = fixtureInput();
        GraphBuilder g = new GraphBuilder();
        Tensor in = g.input("x", DType.F32, Shape.symbolic("N", 3, x.shape().dim(2), x.shape().dim(3)));
        g.output("logits", vit.apply(in));
        double[] want = new double[FIX.get("logits").get("data").size()];
        for (int i = 0; i < want.length; i++) want[i] = FIX.get("logits").get("data").get(i).asDouble();
        try (Backend be = open(backend)) {
            var store = be.newParameters(0);
            try (Executable exe = be.compile(store, g.build())) {
                formulaWeights(vit.namedParameters()).forEach(store::set);
                HostTensor got = exe.run(Map.of("x", x)).get("logits");
                assertEquals(Shape.of(2, 10), got.shape(), "logits shape");
                double scale = 0, err = 0;
                for (int i = 0; i < want.length; i++) {
                    scale = Math.max(scale, Math.abs(want[i]));
                    err = Math.max(err, Math.abs(got.get(i) - want[i]));
                }
                assertTrue(err <= TOL * scale, backend + ": max |logit - torchvision| = " + err + " > " + TOL + " * " + scale);
            }
        }
    }

    @Test
    void parameterNamesAndShapesAreTorchvisions() {
        VisionTransformer vit = new VisionTransformer(fixtureConfig());
        List<String> want = new ArrayList<>(), got = new ArrayList<>(vit.namedParameters().keySet());
        for (JsonNode p : FIX.get("parameters")) {
            want.add(p.get(0).asText());
            int[] dims = new int[p.get(1).size()];
            for (int i = 0; i < dims.length; i++) dims[i] = p.get(1).get(i).asInt();
            ParameterSpec spec = vit.namedParameters().get(p.get(0).asText());
            if (spec != null) assertEquals(Shape.of(dims), spec.shape(), "shape of " + p.get(0).asText());
        }
        assertEquals(want, got, "parameter names vs torchvision's state_dict");
        assertTrue(vit.namedBuffers().isEmpty(), "no buffers with dropout 0: " + vit.namedBuffers().keySet());
    }

    @Test
    void vitB16HasTorchvisionsSizes() {
        VisionTransformer vit = VisionTransformer.vitB16();
        // torchvision: sum(p.numel() for p in vit_b_16().parameters()) == 86567656
        assertEquals(86_567_656L, vit.parameterCount());
        assertEquals(Shape.of(1, 197, 768), vit.namedParameters().get("encoder.pos_embedding").shape());
        assertEquals(Shape.of(2304, 768), vit.namedParameters().get("encoder.layers.encoder_layer_11.self_attention.in_proj_weight").shape());
    }

    @Test
    void logitsMatchTorchvisionOnCpu() {
        checkLogits("cpu");
    }

    @Tag("gpu")
    @Test
    void logitsMatchTorchvisionOnVulkan() {
        checkLogits("vulkan");
    }

    @Test
    void wrongImageSizeIsAShapeErrorNamingBoth() {
        VisionTransformer vit = new VisionTransformer(fixtureConfig());
        GraphBuilder g = new GraphBuilder();
        Tensor in = g.input("x", DType.F32, Shape.of(1, 3, 28, 28));
        ShapeException e = assertThrows(ShapeException.class, () -> vit.apply(in));
        assertTrue(e.getMessage().contains("[N, 3, 32, 32]") && e.getMessage().contains("28"), e.getMessage());
    }

    @Test
    void badConfigNamesTheSize() {
        var e = assertThrows(IllegalArgumentException.class, () -> VisionTransformer.Config.small().withPatchSize(5));
        assertTrue(e.getMessage().contains("patch_size 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VisionTransformer.Config.small().withHeads(3));
        assertTrue(e.getMessage().contains("heads 3"), e.getMessage());
    }
}
