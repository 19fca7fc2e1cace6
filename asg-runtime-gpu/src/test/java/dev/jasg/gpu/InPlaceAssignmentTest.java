package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.testkit.AssignmentCases;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
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

    /**
     * A value written in place takes no range of the arena: an AdamW-like update of three parameters of 2^20 floats (4 MiB
     * each) plans the fed gradient and little else, where ranges for the three new values (12 MiB, live together until the
     * copies at the end) would more than double it.
     */
    @Test
    void valuesWrittenInPlaceTakeNoArena() {
        int n = 1 << 20;
        GraphBuilder g = new GraphBuilder();
        Tensor p = g.parameter("p", Shape.of(n), DType.F32, new Init.Constant(0.5), true);
        Tensor m = g.parameter("m", Shape.of(n), DType.F32, Init.zeros(), false);
        Tensor v = g.parameter("v", Shape.of(n), DType.F32, Init.zeros(), false);
        Tensor grad = g.input("g", DType.F32, n);
        g.output("loss", p.mul(grad).sum());
        Tensor m1 = m.add(grad.sub(m).mul(0.1));
        Tensor v1 = v.mul(0.999).add(grad.mul(grad).mul(0.001));
        g.assign(m, m1);
        g.assign(v, v1);
        g.assign(p, p.sub(m1.div(v1.sqrt().add(1e-8)).mul(1e-3)));
        try (VulkanBackend gpu = Gpu.open(); Executable e = gpu.compile(gpu.newParameters(1), g.build())) {
            e.run(Map.of("g", HostTensor.of(new float[n], n)));
            assertEquals(3, ((VulkanExecutable) e).lastPlanAssignedInPlace());
            long fed = 4L * n;
            assertTrue(e.plannedBytes() < 2 * fed, "planned " + e.plannedBytes() + " bytes, the fed gradient alone is " + fed);
        }
    }
}
