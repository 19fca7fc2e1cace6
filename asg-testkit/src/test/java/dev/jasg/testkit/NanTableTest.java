package dev.jasg.testkit;

import dev.jasg.core.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The NaN table on the reference interpreter: NaN propagates as in PyTorch (issue 13 item 5). */
class NanTableTest {
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
}
