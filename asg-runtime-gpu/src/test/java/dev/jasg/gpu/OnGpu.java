package dev.jasg.gpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one Vulkan backend ({@link Gpu#open}: the device the environment names, lavapipe in CI),
 * opened before the class's first test and closed after its last. Test classes run one at a time, so the one static field
 * serves each in turn.
 */
abstract class OnGpu {
    static VulkanBackend gpu;

    @BeforeAll
    static void openGpu() {
        gpu = Gpu.open();
    }

    @AfterAll
    static void closeGpu() {
        if (gpu != null) gpu.close();
        gpu = null;
    }
}
