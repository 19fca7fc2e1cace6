package dev.jasg.gpu;

import dev.jasg.testkit.BackendContract;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A tiny linear model trained for 20 steps by a forward graph and an update graph that assigns new weights, on the
 * Vulkan backend and on the reference: parameters must stay resident and be updated together after each run.
 */
@Tag("gpu")
class TrainingStepTest {
    @Test
    void twentyStepsMatchTheReference() {
        try (VulkanBackend device = Gpu.open()) {
            BackendContract.trainingMatchesTheReference(device);
        }
    }

    @Test
    void parametersCanBeSetAndReadBack() {
        try (VulkanBackend device = Gpu.open()) {
            BackendContract.parametersCanBeSetAndReadBack(device);
        }
    }
}
