package dev.jasg.gpu;

import dev.jasg.testkit.LinalgCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The linalg ops, which the Vulkan backend runs on the host between submissions: PyTorch's values, typed errors, NaN. */
@Tag("gpu")
class GpuLinalgTest {
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
    Stream<DynamicTest> vulkanMatchesPyTorch() {
        return LinalgCases.torchCases().stream()
                .map(c -> DynamicTest.dynamicTest("vulkan vs torch: " + c.name(), () -> LinalgCases.check(gpu, c, LinalgCases.F32_TOLERANCE)));
    }

    @Test
    void errorsNameTheNode() {
        LinalgCases.errors(gpu);
    }

    @Test
    void linalgNodesAreCountedAsHostSteps() {
        dev.jasg.core.GraphBuilder g = new dev.jasg.core.GraphBuilder();
        dev.jasg.core.Tensor a = g.input("a", dev.jasg.core.DType.F32, 2, 3, 3);
        dev.jasg.core.Linalg.QR qr = dev.jasg.core.Linalg.qr(a);
        g.output("y", qr.q().matmul(qr.r()).sub(a).abs().max());
        try (VulkanExecutable e = (VulkanExecutable) gpu.compile(g.build())) {
            org.junit.jupiter.api.Assertions.assertEquals(2, e.hostNodes());
            float[] x = new float[18];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i + 1);
            double err = e.run(java.util.Map.of("a", dev.jasg.core.HostTensor.of(x, 2, 3, 3))).get("y").get(0);
            org.junit.jupiter.api.Assertions.assertTrue(err < 1e-5, "Q R - A = " + err + ": device work before and after the host steps");
        }
    }

    @Test
    void nanPropagates() {
        LinalgCases.nanPropagates(gpu);
    }
}
