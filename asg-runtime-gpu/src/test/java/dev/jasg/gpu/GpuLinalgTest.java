package dev.jasg.gpu;

import dev.jasg.testkit.LinalgCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The linalg ops, which the Vulkan backend runs on the host between submissions: PyTorch's values, typed errors, NaN. */
@Tag("gpu")
class GpuLinalgTest {
    private static VulkanBackend gpu;

    @BeforeAll
    static void start() {
        gpu = Gpu.open();
    }

    @AfterAll
    static void stop() {
        if (gpu != null) gpu.close();
    }

    @TestFactory
    Stream<DynamicTest> vulkanMatchesPyTorch() {
        return LinalgCases.torchCases().stream()
                .map(c -> DynamicTest.dynamicTest("vulkan vs torch: " + c.name(), () -> LinalgCases.check(gpu, c, LinalgCases.F32_TOLERANCE)));
    }

    @Test
    void errorsNameTheNode() {
        LinalgCases.errors(gpu);
    }

    @Test
    void nanPropagates() {
        LinalgCases.nanPropagates(gpu);
    }
}
