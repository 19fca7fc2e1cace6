package dev.jasg.gpu;

import dev.jasg.testkit.OpCases;
import dev.jasg.testkit.OpCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every row of the shared op table, forward and gradient graphs, on the Vulkan backend against the reference interpreter. */
@Tag("gpu")
class GpuOpTableTest {
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
    Stream<DynamicTest> vulkanMatchesReference() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest("vulkan: " + c.name(), () -> OpCheck.againstReference(gpu, c)));
    }
}
