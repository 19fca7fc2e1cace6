package dev.jasg.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.models.vision.VisionTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

class ImageClassifyTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "alexnet      | unknown model 'alexnet' (vit_b_16, resnet18, mobilenet_v2)",
    })
    void modelsThisBuildLacksAreNamed(String name, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> ImageClassify.model(name));
        assertEquals(message, e.getMessage());
    }

    @Test
    void everyListedModelIsBuilt() {
        assertTrue(ImageClassify.model("vit_b_16") instanceof VisionTransformer);
        assertTrue(ImageClassify.model("resnet18") instanceof dev.jasg.models.vision.ResNet);
        assertTrue(ImageClassify.model("mobilenet_v2") instanceof dev.jasg.models.vision.MobileNetV2);
    }

    @Test
    void imagenetClassesAreTorchvisions() throws IOException {
        List<String> c = ImageClassify.imagenetClasses();
        assertEquals(1000, c.size());
        assertEquals("tench", c.get(0));
        assertEquals("toilet tissue", c.get(999));
    }

    @Test
    void preprocessingGivesANormalisedCrop() {
        HostTensor img = HostTensor.of(new float[300 * 400 * 3], 300, 400, 3);
        HostTensor x = ImageClassify.preprocessing().apply(img);
        assertArrayEquals(new int[] {3, 224, 224}, x.shape().dims());
        assertEquals(-0.485 / 0.229, x.get(0), 1e-5);
    }

    @Test
    void topKSortsBySoftmaxProbability() {
        HostTensor logits = HostTensor.of(new float[] {0, 3, 1, 2}, 1, 4);
        var top = ImageClassify.topK(logits, 3, List.of("a", "b", "c", "d")).get(0);
        assertEquals(List.of(1, 3, 2), top.stream().map(ImageClassify.Prediction::index).toList());
        assertEquals("b", top.get(0).label());
        double z = 1 + Math.exp(3) + Math.exp(1) + Math.exp(2);
        assertEquals(Math.exp(3) / z, top.get(0).probability(), 1e-12);
    }

    @Test
    void classifyRunsASmallVitAndRefusesMissingWeights() {
        VisionTransformer vit = new VisionTransformer(VisionTransformer.Config.small());
        Map<String, HostTensor> w = new HashMap<>();
        vit.namedParameters().forEach((n, p) -> w.put(n, HostTensor.of(new float[(int) p.shape().size()], p.shape().dims())));
        try (Backend cpu = Backends.create("cpu")) {
            HostTensor img = HostTensor.of(new float[3 * 32 * 32], 3, 32, 32);
            HostTensor logits = ImageClassify.classify(cpu, vit, w, List.of(img, img));
            assertArrayEquals(new int[] {2, 10}, logits.shape().dims());
            w.remove("heads.head.bias");
            var e = assertThrows(IllegalArgumentException.class, () -> ImageClassify.classify(cpu, vit, w, List.of(img)));
            assertTrue(e.getMessage().contains("heads.head.bias"), e.getMessage());
        }
    }
}
