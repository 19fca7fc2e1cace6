package dev.jasg.gpu;

import dev.jasg.testkit.BackendContract;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 10: a run whose feeds are all empty (batch 0) gives the same empty results (and the same reductions
 * over nothing) on the Vulkan backend as on the reference.
 */
@Tag("gpu")
class EmptyBatchTest {
    @Test
    void anEmptyBatchGivesEmptyResultsAsOnTheReference() {
        try (VulkanBackend device = Gpu.open()) {
            BackendContract.anEmptyBatchGivesEmptyResults(device);
        }
    }
}
