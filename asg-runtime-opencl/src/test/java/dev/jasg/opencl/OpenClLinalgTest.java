package dev.jasg.opencl;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Linalg;
import dev.jasg.core.Tensor;
import dev.jasg.testkit.LinalgCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linalg ops, which the OpenCL backend runs on the host between its commands: PyTorch's values, typed errors, NaN. */
@Tag("opencl")
class OpenClLinalgTest {
    private static OpenClBackend ocl;

    @BeforeAll
    static void start() {
        ocl = Ocl.open();
    }

    @AfterAll
    static void stop() {
        if (ocl != null) ocl.close();
    }

    @TestFactory
    Stream<DynamicTest> openclMatchesPyTorch() {
        return LinalgCases.torchCases().stream()
                .map(c -> DynamicTest.dynamicTest("opencl vs torch: " + c.name(), () -> LinalgCases.check(ocl, c, LinalgCases.F32_TOLERANCE)));
    }

    @Test
    void errorsNameTheNode() {
        LinalgCases.errors(ocl);
    }

    @Test
    void nanPropagates() {
        LinalgCases.nanPropagates(ocl);
    }

    /** Device commands before and after the host steps see their values: Q R - A through two host nodes. */
    @Test
    void hostStepsSitBetweenDeviceCommands() {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, 2, 3, 3);
        Linalg.QR qr = Linalg.qr(a.mul(2.0));
        g.output("y", qr.q().matmul(qr.r()).sub(a.mul(2.0)).abs().max());
        float[] x = new float[18];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i + 1);
        double err = ocl.compile(g.build()).run(Map.of("a", HostTensor.of(x, 2, 3, 3))).get("y").get(0);
        assertTrue(err < 1e-5, "Q R - A = " + err);
    }
}
