package dev.jasg.gpu;

import dev.jasg.testkit.AssignmentCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/** Assigned values written straight into their parameters by the Vulkan plan ({@link ExecutionPlan}): the testkit's table. */
@Tag("gpu")
class InPlaceAssignmentTest {
    @TestFactory
    Stream<DynamicTest> table() {
        VulkanBackend gpu = Gpu.open();  // JUnit closes the stream once its tests have run
        return AssignmentCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> AssignmentCases.check(gpu, c, e -> ((VulkanExecutable) e).lastPlanAssignedInPlace(), 1e-5))).onClose(gpu::close);
    }
}
