package dev.jasg.cpu;

import dev.jasg.core.Anomaly;
import dev.jasg.testkit.AnomalyCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The anomaly-mode table on the CPU backend, whose normal plans reuse, fuse and overwrite buffers (issue 13 item 16). */
class AnomalyModeTest {
    @AfterEach
    void off() {
        Anomaly.setEnabled(false);
    }

    @TestFactory
    Stream<DynamicTest> cpuNamesTheFirstNonFiniteNode() {
        CpuBackend cpu = new CpuBackend();
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("cpu: " + c.name(), () -> c.check().accept(cpu)));
    }
}
