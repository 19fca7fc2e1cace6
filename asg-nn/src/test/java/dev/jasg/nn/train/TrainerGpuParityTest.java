package dev.jasg.nn.train;

import org.junit.jupiter.api.Tag;

/** The same classifier trained 20 steps on the CPU and on the Vulkan backend ends with the same parameters. */
@Tag("gpu")
class TrainerGpuParityTest extends TrainerDeviceParity {
    @Override
    String backendName() {
        return "vulkan";
    }

    @Override
    String requireFlag() {
        return "JASG_REQUIRE_GPU";
    }
}
