package dev.jasg.cpu;

import dev.jasg.core.Backend;
import dev.jasg.testkit.OpCases;
import dev.jasg.testkit.OpCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every row of the op table, forward and gradient graphs, on the CPU backend against the reference interpreter. */
class CpuOpTableTest {
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
    Stream<DynamicTest> cpuMatchesReference() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest("cpu: " + c.name(), () -> OpCheck.againstReference(cpu, c)));
    }
}
