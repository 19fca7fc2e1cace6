package dev.jasg.nn.train;

import org.junit.jupiter.api.Tag;

/** The same classifier trained 20 steps on the CPU and on the OpenCL (pocl in CI) backend ends with the same parameters. */
@Tag("opencl")
class TrainerOpenClParityTest extends TrainerDeviceParity {
    @Override
    String backendName() {
        return "opencl";
    }

    @Override
    String requireFlag() {
        return "JASG_REQUIRE_OPENCL";
    }
}
