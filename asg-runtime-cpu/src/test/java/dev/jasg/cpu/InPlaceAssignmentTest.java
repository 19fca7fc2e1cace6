package dev.jasg.cpu;

import dev.jasg.testkit.AssignmentCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Assigned values written straight into their parameters' arrays by the CPU plan ({@link Plan}): the testkit's table. */
class InPlaceAssignmentTest {
    private static final CpuBackend CPU = new CpuBackend();

    @AfterAll
    static void close() {
        CPU.close();
    }

    @TestFactory
    Stream<DynamicTest> table() {
        return AssignmentCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> AssignmentCases.check(CPU, c, e -> ((CpuExecutable) e).lastPlan().assignedInPlace(), 1e-5)));
    }
}
