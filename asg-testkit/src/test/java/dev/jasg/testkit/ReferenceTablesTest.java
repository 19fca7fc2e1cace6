package dev.jasg.testkit;

import dev.jasg.core.Anomaly;
import dev.jasg.core.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The NaN table (NaN propagates as in PyTorch, issue 13 item 5) and the anomaly-mode table (item 16) on the reference interpreter. */
class ReferenceTablesTest {
    private static ReferenceBackend ref;

    @BeforeAll
    static void start() {
        ref = new ReferenceBackend();
    }

    @AfterAll
    static void stop() {
        ref.close();
    }

    @TestFactory
    Stream<DynamicTest> referencePropagatesNaN() {
        return NanCases.all().stream().map(c -> DynamicTest.dynamicTest("reference: " + c.name(), () -> NanCases.check(ref, c)));
    }

    @AfterEach
    void anomalyModeOff() {
        Anomaly.setEnabled(false);
    }

    @TestFactory
    Stream<DynamicTest> referenceNamesTheFirstNonFiniteNode() {
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("reference: " + c.name(), () -> c.check().accept(ref)));
    }

    /** The elementwise functions of issue 14 at their tricky arguments give PyTorch's values. */
    @TestFactory
    Stream<DynamicTest> referenceMatchesPyTorchElementwise() {
        return TorchElementwiseValues.all().stream().map(c -> DynamicTest.dynamicTest("reference vs PyTorch: " + c.name(), () -> TorchElementwiseValues.check(ref, c)));
    }
}
