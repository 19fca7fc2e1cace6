package dev.jasg.gpu;

import dev.jasg.testkit.SmallOpCases;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/** Every op kind on small tensors ({@link SmallOpCases}), on the Vulkan backend against the reference interpreter. */
@Tag("gpu")
class OpsAgainstReferenceTest extends OnGpu {

    @TestFactory
    List<DynamicTest> everyOpMatchesTheReference() {
        return SmallOpCases.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> SmallOpCases.check(gpu, c, 2e-5))).toList();
    }
}
