package dev.jasg.gpu;

import dev.jasg.core.Anomaly;
import dev.jasg.testkit.AnomalyCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The anomaly-mode table on the Vulkan backend (issue 13 item 16): the whole run is one command
 * buffer, so a checked plan keeps every value, reads them back, and assigns only after the check.
 */
@Tag("gpu")
class AnomalyModeTest {
    private static VulkanBackend gpu;

    @BeforeAll
    static void start() {
        gpu = Gpu.open();
    }

    @AfterAll
    static void stop() {
        if (gpu != null) gpu.close();
    }

    @AfterEach
    void off() {
        Anomaly.setEnabled(false);
    }

    @TestFactory
    Stream<DynamicTest> vulkanNamesTheFirstNonFiniteNode() {
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("vulkan: " + c.name(), () -> c.check().accept(gpu)));
    }
}
