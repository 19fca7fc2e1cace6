package dev.jasg.models.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.io.File;
import java.util.Map;

/**
 * The JASG side of {@code asg-models/parity/vit_b_16_parity.sh}: {@link VisionTransformer#vitB16()}
 * with the formula weights of {@link VisionTransformerParityTest}, one 224x224 image
 * {@code sin(0.11 i)}, logits compared with torchvision's (argument 1, JSON) on backend argument 2.
 * Prints the error and the time; exits 1 when it exceeds 1e-4 relative to the largest logit.
 */
public final class VitB16Parity {
    private VitB16Parity() {}

    /** {@code VitB16Parity TORCH_JSON [cpu|vulkan]}. */
    public static void main(String[] args) throws Exception {
        JsonNode want = JsonMapper.builder().build().readTree(new File(args[0])).get("logits");
        VisionTransformer vit = VisionTransformer.vitB16().eval();
        float[] x = new float[3 * 224 * 224];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.11 * i);
        GraphBuilder g = new GraphBuilder();
        Tensor in = g.input("x", DType.F32, Shape.of(1, 3, 224, 224));
        g.output("logits", vit.apply(in));
        try (Backend be = Backends.create(args.length > 1 ? args[1] : "cpu")) {
            var store = be.newParameters(0);
            try (Executable exe = be.compile(store, g.build())) {
                VisionTransformerParityTest.formulaWeights(vit.namedParameters()).forEach(store::set);
                long t0 = System.nanoTime();
                HostTensor got = exe.run(Map.of("x", HostTensor.of(x, 1, 3, 224, 224))).get("logits");
                double ms = (System.nanoTime() - t0) / 1e6;
                double scale = 0, err = 0;
                for (int i = 0; i < want.size(); i++) {
                    scale = Math.max(scale, Math.abs(want.get(i).asDouble()));
                    err = Math.max(err, Math.abs(got.get(i) - want.get(i).asDouble()));
                }
                System.out.printf("vit_b_16 on %s: max |logit - torchvision| = %.3g, largest logit %.3g, relative %.3g; forward %.0f ms (first run)%n",
                        be.name(), err, scale, err / scale, ms);
                if (err > 1e-4 * scale) System.exit(1);
            }
        }
    }
}
