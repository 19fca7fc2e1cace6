package dev.jasg.models.vision;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.models.Inference;
import dev.jasg.models.spec.ZooSpecs;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ParameterSpec;
import dev.jasg.nn.spec.GraphModel;
import dev.jasg.nn.spec.ModelSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zoo as builder specs: each spec validates, survives JSON, builds a model with the zoo
 * model's parameter names (dots as '_') and counts, and given the zoo model's weights computes
 * the zoo model's logits (1e-5) on a small input.
 */
class ZooSpecsTest {
    record Case(String template, Supplier<Layer> zoo, long parameters) {}

    // parameter counts of torchvision's resnet18(num_classes=10) and mobilenet_v2(num_classes=10) (trainable, without buffers)
    static final List<Case> CASES = List.of(
            new Case("ResNet-18", () -> ResNet.resnet18(10), 11_181_642L),
            new Case("MobileNetV2", () -> MobileNetV2.mobilenetV2(10, 1.0), 2_236_682L));

    private static final class Maps {
        static Map<String, HostTensor> keysOnly(java.util.Set<String> keys) {
            Map<String, HostTensor> m = new java.util.LinkedHashMap<>();
            for (String k : keys) m.put(k, null);
            return m;
        }
    }

    private static long count(Map<String, ParameterSpec> p) {
        return p.values().stream().filter(ParameterSpec::trainable).mapToLong(s -> s.shape().size()).sum();
    }

    @Test
    void specsBuildTheZooModels() {
        assertEquals(CASES.stream().map(Case::template).toList(), ZooSpecs.names());
        Random r = new Random(3);
        float[] x = new float[2 * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        HostTensor input = HostTensor.of(x, 2, 3, 32, 32);
        for (Case c : CASES) {
            ModelSpec spec = ZooSpecs.load(c.template()).validate();
            assertEquals(spec.toJson(), ModelSpec.parse(spec.toJson()).toJson(), c.template() + " survives JSON");
            assertTrue(spec.layout().keySet().containsAll(spec.nodes().stream().map(ModelSpec.Node::id).toList()), c.template() + ": every node has a position");
            GraphModel built = spec.build();
            Layer zoo = c.zoo().get();
            assertEquals(c.parameters(), count(zoo.namedParameters()), c.template() + " zoo count");
            assertEquals(count(zoo.namedParameters()), count(built.namedParameters()), c.template() + " parameter count");
            Map<String, HostTensor> weights = VisionWeights.of(zoo);
            TreeSet<String> zooNames = new TreeSet<>(zoo.namedParameters().keySet());
            zooNames.addAll(zoo.namedBuffers().keySet());
            TreeSet<String> specNames = new TreeSet<>(built.namedParameters().keySet());
            specNames.addAll(built.namedBuffers().keySet());
            assertEquals(new TreeSet<>(ZooSpecs.toSpecNames(Maps.keysOnly(zooNames)).keySet()), specNames, c.template() + " names");
            try (Backend cpu = Backends.create("cpu");
                 Inference a = Inference.compile(zoo, cpu, 2, 3, 32, 32);
                 Inference b = Inference.compile(built, cpu, 2, 3, 32, 32)) {
                assertEquals(List.of(), a.load(weights).stream().filter(k -> !k.endsWith("num_batches_tracked")).toList());
                assertEquals(List.of(), b.load(ZooSpecs.toSpecNames(weights)).stream().filter(k -> !k.endsWith("num_batches_tracked")).toList());
                float[] want = a.run(input).floats();
                float[] got = b.run(input).floats();
                assertEquals(20, want.length);
                double worst = 0, scale = 0;
                for (int i = 0; i < want.length; i++) {
                    worst = Math.max(worst, Math.abs(want[i] - got[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                assertTrue(scale > 0.01, c.template() + ": logits are not all ~0");
                assertTrue(worst <= 1e-5 * Math.max(1, scale), c.template() + ": max |diff| " + worst + " (max |logit| " + scale + ")");
            }
        }
    }

    @Test
    void zooWeightsLoadIntoASpecModel() {
        Layer zoo = ResNet.resnet18(10);
        // a torchvision state_dict: the weights and every batch norm's num_batches_tracked
        Map<String, HostTensor> weights = new java.util.LinkedHashMap<>(VisionWeights.of(zoo));
        for (String k : zoo.namedBuffers().keySet()) if (k.endsWith("num_batches_tracked")) weights.put(k, HostTensor.ofInts(new int[] {3}));
        assertEquals(122, weights.size(), "resnet18's state_dict entries");
        GraphModel built = ZooSpecs.load("ResNet-18").build();
        var keys = ZooSpecs.loadZooWeights(built, weights);
        assertEquals(List.of(), keys.missingKeys());
        assertEquals(List.of(), keys.unexpectedKeys());
        assertThrows(IllegalArgumentException.class, () -> ZooSpecs.load("GPT-2"));
    }
}
