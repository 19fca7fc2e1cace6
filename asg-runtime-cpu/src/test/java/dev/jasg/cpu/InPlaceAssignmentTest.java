package dev.jasg.cpu;

import dev.jasg.testkit.AssignmentCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Assigned values written straight into their parameters' arrays by the CPU plan ({@link Plan}): the testkit's table. */
class InPlaceAssignmentTest {
    @TestFactory
    Stream<DynamicTest> table() {
        CpuBackend cpu = new CpuBackend();  // JUnit closes the stream once its tests have run
        return AssignmentCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> AssignmentCases.check(cpu, c, e -> ((CpuExecutable) e).lastPlan().assignedInPlace(), 1e-5))).onClose(cpu::close);
    }
}
