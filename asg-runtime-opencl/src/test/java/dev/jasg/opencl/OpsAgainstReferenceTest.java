package dev.jasg.opencl;

import dev.jasg.testkit.SmallOpCases;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/** Every op kind on small tensors ({@link SmallOpCases}), on the OpenCL backend against the reference interpreter. */
@Tag("opencl")
class OpsAgainstReferenceTest {
    private static OpenClBackend ocl;

    @BeforeAll
    static void open() {
        ocl = Ocl.open();
    }

    @AfterAll
    static void close() {
        if (ocl != null) ocl.close();
    }

    @TestFactory
    List<DynamicTest> everyOpMatchesTheReference() {
        return SmallOpCases.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> SmallOpCases.check(ocl, c, 2e-5))).toList();
    }
}
