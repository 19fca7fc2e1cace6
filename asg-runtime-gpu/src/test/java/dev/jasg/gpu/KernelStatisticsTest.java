package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link VulkanBackend#kernelStatistics}: empty unless {@value VulkanDevice#STATISTICS_PROPERTY} asks for it; asked for, on a
 * device with {@code VK_KHR_pipeline_executable_properties} (NVIDIA) one non-empty entry for every kernel that ran, and on
 * one without it (lavapipe) still empty, with the kernels' results unchanged either way.
 */
@Tag("gpu")
class KernelStatisticsTest {
    private static HostTensor product(VulkanBackend gpu) {
        GraphBuilder b = new GraphBuilder();
        Tensor x = b.input("x", DType.F32, Shape.of(64, 32));
        Tensor y = b.input("y", DType.F32, Shape.of(32, 48));
        b.output("c", x.matmul(y).relu());
        float[] xs = new float[64 * 32], ys = new float[32 * 48];
        for (int i = 0; i < xs.length; i++) xs[i] = (i % 7) - 3;
        for (int i = 0; i < ys.length; i++) ys[i] = (i % 5) - 2;
        try (Executable e = gpu.compile(b.build())) {
            return e.run(Map.of("x", HostTensor.of(xs, 64, 32), "y", HostTensor.of(ys, 32, 48))).get("c");
        }
    }

    @Test
    void statisticsOnlyWhenAskedAndForEveryKernel() {
        HostTensor plain;
        try (VulkanBackend gpu = Gpu.open()) {
            plain = product(gpu);
            assertTrue(gpu.kernelStatistics().isEmpty(), "not asked for: " + gpu.kernelStatistics());
        }
        System.setProperty(VulkanDevice.STATISTICS_PROPERTY, "true");
        try (VulkanBackend gpu = Gpu.open()) {
            HostTensor got = product(gpu);
            assertEquals(java.util.Arrays.toString(plain.floats()), java.util.Arrays.toString(got.floats()), "the same results with statistics captured");
            Map<String, String> stats = gpu.kernelStatistics();
            if (gpu.device().pipelineStatistics) {
                Set<String> names = gpu.kernelNames();
                assertEquals(names, stats.keySet(), "one entry per kernel");
                stats.values().forEach(v -> assertFalse(v.isBlank(), "statistics of " + stats));
            } else {
                assertTrue(stats.isEmpty(), "a device without the extension reports none: " + stats);
            }
        } finally {
            System.clearProperty(VulkanDevice.STATISTICS_PROPERTY);
        }
    }
}
