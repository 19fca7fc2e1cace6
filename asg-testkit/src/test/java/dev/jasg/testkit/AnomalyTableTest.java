package dev.jasg.testkit;

import dev.jasg.core.Anomaly;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The anomaly-mode table on the reference interpreter (issue 13 item 16). */
class AnomalyTableTest {
    private static ReferenceBackend ref;

    @BeforeAll
    static void start() {
        ref = new ReferenceBackend();
    }

    @AfterAll
    static void stop() {
        ref.close();
    }

    @AfterEach
    void off() {
        Anomaly.setEnabled(false);
    }

    @TestFactory
    Stream<DynamicTest> referenceNamesTheFirstNonFiniteNode() {
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("reference: " + c.name(), () -> c.check().accept(ref)));
    }
}
