package dev.jasg.opencl;

import dev.jasg.core.Anomaly;
import dev.jasg.testkit.AnomalyCases;
import dev.jasg.testkit.NanCases;
import dev.jasg.testkit.OpCases;
import dev.jasg.testkit.OpCheck;
import dev.jasg.testkit.SmallArguments;
import dev.jasg.testkit.TorchElementwiseValues;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every row of the shared op table, forward and gradient graphs, on the OpenCL backend against the reference interpreter. */
@Tag("opencl")
class OpenClOpTableTest {
    private static OpenClBackend ocl;

    @BeforeAll
    static void start() {
        ocl = Ocl.open();
    }

    @AfterAll
    static void stop() {
        if (ocl != null) ocl.close();
    }

    @TestFactory
    Stream<DynamicTest> openclMatchesReference() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest("opencl: " + c.name(), () -> OpCheck.againstReference(ocl, c)));
    }

    /** NaN propagates as in PyTorch through every comparison-based kernel (issue 13 item 5). */
    @TestFactory
    Stream<DynamicTest> openclPropagatesNaN() {
        return NanCases.all().stream().map(c -> DynamicTest.dynamicTest("opencl NaN: " + c.name(), () -> NanCases.check(ocl, c)));
    }

    /** log1p, expm1, tanh near 0 and log near 1 keep their relative accuracy (issue 13 item 8). */
    @TestFactory
    Stream<DynamicTest> openclAccurateNearZero() {
        return SmallArguments.all().stream().map(r -> DynamicTest.dynamicTest("opencl near 0: " + r.name(), () -> SmallArguments.check(ocl, r)));
    }

    @AfterEach
    void anomalyModeOff() {
        Anomaly.setEnabled(false);
    }

    /** The anomaly-mode table (issue 13 item 16): the whole run is one command buffer, so a checked plan keeps every value, reads them back, and assigns only after the check. */
    @TestFactory
    Stream<DynamicTest> openclNamesTheFirstNonFiniteNode() {
        return AnomalyCases.all().stream().map(c -> DynamicTest.dynamicTest("opencl anomaly: " + c.name(), () -> c.check().accept(ocl)));
    }

    /** The elementwise functions of issue 14 at their tricky arguments give PyTorch's values. */
    @TestFactory
    Stream<DynamicTest> openclMatchesPyTorchElementwise() {
        return TorchElementwiseValues.all().stream().map(c -> DynamicTest.dynamicTest("opencl vs PyTorch: " + c.name(), () -> TorchElementwiseValues.check(ocl, c)));
    }
}
