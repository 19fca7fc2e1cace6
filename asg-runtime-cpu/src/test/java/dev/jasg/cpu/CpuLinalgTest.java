package dev.jasg.cpu;

import dev.jasg.core.Backend;
import dev.jasg.testkit.LinalgCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The EJML-backed linalg kernels against torch.linalg (QR's LAPACK signs included), their errors and NaN propagation. */
class CpuLinalgTest {
    private static Backend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @TestFactory
    Stream<DynamicTest> cpuMatchesPyTorch() {
        return LinalgCases.torchCases().stream()
                .map(c -> DynamicTest.dynamicTest("cpu vs torch: " + c.name(), () -> LinalgCases.check(cpu, c, LinalgCases.F32_TOLERANCE)));
    }

    @Test
    void errorsNameTheNode() {
        LinalgCases.errors(cpu);
    }

    @Test
    void nanPropagates() {
        LinalgCases.nanPropagates(cpu);
    }
}
