package dev.jasg.opencl;

import dev.jasg.testkit.BackendContract;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 10: a run whose feeds are all empty (batch 0) gives the same empty results (and the same reductions
 * over nothing) on the OpenCL backend as on the reference.
 */
@Tag("opencl")
class EmptyBatchTest {
    @Test
    void anEmptyBatchGivesEmptyResultsAsOnTheReference() {
        try (OpenClBackend device = Ocl.open()) {
            BackendContract.anEmptyBatchGivesEmptyResults(device);
        }
    }
}
