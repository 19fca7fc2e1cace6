package dev.jasg.testkit;

import dev.jasg.core.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The reference interpreter's linalg kernels (plain f64 loops) against torch.linalg in float64, errors and NaN. */
class LinalgReferenceTest {
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
    Stream<DynamicTest> referenceMatchesPyTorch() {
        return LinalgCases.torchCases().stream().map(c -> DynamicTest.dynamicTest("reference vs torch: " + c.name(), () -> LinalgCases.check(ref, c, 1e-10)));
    }

    @Test
    void fixtureCoversEveryOp() {
        var ops = LinalgCases.torchCases().stream().map(LinalgCases.Case::op).collect(java.util.stream.Collectors.toSet());
        org.junit.jupiter.api.Assertions.assertEquals(dev.jasg.core.LinalgOp.values().length, ops.size(), ops.toString());
    }

    @Test
    void errorsNameTheNode() {
        LinalgCases.errors(ref);
    }

    @Test
    void nanPropagates() {
        LinalgCases.nanPropagates(ref);
    }
}
