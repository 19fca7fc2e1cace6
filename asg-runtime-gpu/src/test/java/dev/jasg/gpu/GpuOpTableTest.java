package dev.jasg.gpu;

import dev.jasg.core.Anomaly;
import dev.jasg.testkit.AnomalyCases;
import dev.jasg.testkit.NanCases;
import dev.jasg.testkit.OpCases;
import dev.jasg.testkit.OpCheck;
import dev.jasg.testkit.SmallArguments;
import dev.jasg.testkit.TorchElementwiseValues;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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

    /** NaN propagates as in PyTorch through every comparison-based kernel (issue 13 item 5). */
    @TestFactory
    Stream<DynamicTest> vulkanPropagatesNaN() {
        return NanCases.all().stream().map(c -> DynamicTest.dynamicTest("vulkan NaN: " + c.name(), () -> NanCases.check(gpu, c)));
    }

    /** log1p, expm1, tanh near 0 and log near 1 keep their relative accuracy (issue 13 item 8). */
    @TestFactory
    Stream<DynamicTest> vulkanAccurateNearZero() {
        return SmallArguments.all().stream().map(r -> DynamicTest.dynamicTest("vulkan near 0: " + r.name(), () -> SmallArguments.check(gpu, r)));
    }

    @AfterEach
    void anomalyModeOff() {
        Anomaly.setEnabled(false);
    }

    /** The anomaly-mode table (issue 13 item 16): the whole run is one command buffer, so a checked plan keeps every value, reads them back, and assigns only after the check. */
    @TestFactory
    Stream<DynamicTest> vulkanNamesTheFirstNonFiniteNode() {
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("vulkan anomaly: " + c.name(), () -> c.check().accept(gpu)));
    }

    /** The profiling table (issue 17): device timestamps around every node's dispatches, memory per node. */
    @TestFactory
    Stream<DynamicTest> vulkanProfilesEveryNode() {
        return dev.jasg.testkit.ProfilingCases.all().stream().map(c -> DynamicTest.dynamicTest("vulkan profiling: " + c.name(), () -> c.check().accept(gpu)));
    }

    /** The elementwise functions of issue 14 at their tricky arguments give PyTorch's values. */
    @TestFactory
    Stream<DynamicTest> vulkanMatchesPyTorchElementwise() {
        return TorchElementwiseValues.all().stream().map(c -> DynamicTest.dynamicTest("vulkan vs PyTorch: " + c.name(), () -> TorchElementwiseValues.check(gpu, c)));
    }
}
