package dev.jasg.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.core.JasgException;
import dev.jasg.core.ShapeException;
import dev.jasg.models.vision.MobileNetV2;
import dev.jasg.models.vision.ResNet;
import dev.jasg.nn.BatchNorm1d;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The inference path: forward-only, eval mode, loading by name, its errors; the zoo's names and shapes. */
class InferenceTest {
    // Linear(2, 2) -> BatchNorm1d(2) -> Dropout(0.5): in eval mode y = (W x + b - mean) / sqrt(var + eps) * g + beta.
    private static Layer small() {
        return new Sequential(new Linear(2, 2), new BatchNorm1d(2), new Dropout(0.5));
    }

    private static Map<String, HostTensor> smallWeights() {
        return Map.of(
                "0.weight", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2),
                "0.bias", HostTensor.of(new float[] {0.5f, -0.5f}, 2),
                "1.weight", HostTensor.of(new float[] {2, 1}, 2),
                "1.bias", HostTensor.of(new float[] {0, 1}, 2),
                "1.running_mean", HostTensor.of(new float[] {1, 2}, 2),
                "1.running_var", HostTensor.of(new float[] {4, 0.25f}, 2),
                "1.num_batches_tracked", HostTensor.ofInts(new int[] {7}));
    }

    @Test
    void runsEvalModeForwardOnlyAndKeepsTheModelsMode() {
        Layer model = small();
        try (Backend cpu = Backends.create("cpu"); Inference net = Inference.compile(model, cpu, "N", 2)) {
            assertTrue(model.isTraining(), "compile leaves the model in the mode it had");
            List<String> missing = net.load(smallWeights());
            assertEquals(List.of(), missing);
            HostTensor y = net.run(HostTensor.of(new float[] {1, 1, 0, 1, 2, -1}, 3, 2));
            // Wx + b per row: [3.5, 6.5], [2.5, 3.5], [0.5, 1.5] (W = [[1,2],[3,4]]).
            double eps = 1e-5;
            double[][] h = {{3.5, 6.5}, {2.5, 3.5}, {0.5, 1.5}};
            double[] want = new double[6];
            for (int r = 0; r < 3; r++) {
                want[2 * r] = (h[r][0] - 1) / Math.sqrt(4 + eps) * 2;
                want[2 * r + 1] = (h[r][1] - 2) / Math.sqrt(0.25 + eps) * 1 + 1;
            }
            assertArrayEquals(want, y.toDoubles(), 1e-5, "eval batch norm with running statistics, dropout the identity");
            // Forward only: one output, no gradient nodes, no assignment (running statistics untouched).
            assertEquals(List.of(Inference.OUTPUT), List.copyOf(net.graph().outputs().keySet()));
            assertTrue(net.graph().assignments().isEmpty(), "an inference graph updates nothing");
            assertFalse(net.parameterNames().contains("1.num_batches_tracked"), "eval mode does not read num_batches_tracked");
            assertArrayEquals(new double[] {1, 2}, net.parameters().get("1.running_mean").toDoubles(), 0);
        }
    }

    @Test
    void reportsTheParametersALoadDidNotSet() {
        try (Backend cpu = Backends.create("cpu"); Inference net = Inference.compile(small(), cpu, 1, 2)) {
            List<String> missing = net.load(Map.of("0.weight", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2)));
            assertEquals(List.of("0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var").stream().sorted().toList(),
                    missing.stream().sorted().toList());
        }
    }

    static Stream<Arguments> badLoads() {
        return Stream.of(
                Arguments.of("unknown name", Map.of("0.weights", HostTensor.of(new float[4], 2, 2)), JasgException.class,
                        "'0.weights' is not a parameter or buffer of the model; names sharing its prefix: [0.weight, 0.bias]"),
                Arguments.of("wrong shape", Map.of("0.weight", HostTensor.of(new float[6], 2, 3)), ShapeException.class,
                        "parameter '0.weight' has shape [2,2]; the value given has shape [2,3]"),
                Arguments.of("buffer of wrong shape", Map.of("1.running_var", HostTensor.of(new float[3], 3)), ShapeException.class,
                        "parameter '1.running_var' has shape [2]; the value given has shape [3]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLoads")
    void refusesABadLoadNamingTheParameter(String what, Map<String, HostTensor> values, Class<? extends Exception> type, String message) {
        try (Backend cpu = Backends.create("cpu"); Inference net = Inference.compile(small(), cpu, 1, 2)) {
            Exception e = assertThrows(type, () -> net.load(values));
            assertEquals("Sequential: " + message, e.getMessage());
        }
    }

    // Parameter counts and a few names of torchvision's models (torchvision 0.14:
    // sum(p.numel() for p in m.parameters()), len(m.state_dict())).
    static Stream<Arguments> zoo() {
        return Stream.of(
                Arguments.of("resnet18", ResNet.resnet18(), 11_689_512L, 122, "layer2.0.downsample.1.running_var"),
                Arguments.of("resnet34", ResNet.resnet34(), 21_797_672L, 218, "layer4.2.bn2.num_batches_tracked"),
                Arguments.of("resnet50", ResNet.resnet50(), 25_557_032L, 320, "layer3.5.conv3.weight"),
                Arguments.of("resnet18 10 classes", ResNet.resnet18(10), 11_181_642L, 122, "fc.bias"),
                Arguments.of("mobilenet_v2", MobileNetV2.mobilenetV2(), 3_504_872L, 314, "features.17.conv.2.weight"),
                Arguments.of("mobilenet_v2 w0.5", MobileNetV2.mobilenetV2(1000, 0.5), 1_968_680L, 314, "features.1.conv.1.weight"),
                Arguments.of("mobilenet_v2 w1.4", MobileNetV2.mobilenetV2(1000, 1.4), 6_108_776L, 314, "classifier.1.weight"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void zooModelsHaveTorchvisionsParameterCountsAndNames(String what, Layer model, long params, int stateDictEntries, String someName) {
        assertEquals(params, model.parameterCount(), what + " parameter count");
        long entries = model.namedParameters().size()
                + model.namedBuffers().keySet().stream().filter(k -> !k.endsWith(".seed")).count(); // Dropout's seed is JASG's own
        assertEquals(stateDictEntries, entries, what + " state_dict entries");
        assertTrue(model.namedParameters().containsKey(someName) || model.namedBuffers().containsKey(someName), what + " has " + someName);
    }

    @Test
    void makeDivisibleRoundsAsTorchvision() {
        // torchvision.models._utils._make_divisible(v, 8) for these v: 8, 16, 16, 24, 32, 40, 72, 1792.
        double[] v = {3.0, 11.9, 16.0, 22.4, 28.0, 36.0, 68.0, 1792.0};
        int[] want = {8, 16, 16, 24, 32, 40, 72, 1792};
        for (int i = 0; i < v.length; i++) assertEquals(want[i], MobileNetV2.makeDivisible(v[i], 8), "makeDivisible(" + v[i] + ", 8)");
    }
}
