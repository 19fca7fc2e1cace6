package dev.jasg.opencl;

import dev.jasg.testkit.ConvPoolCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The convolution and max-pooling kernels against the reference interpreter over {@link ConvPoolCases}' grid. */
@Tag("opencl")
class ConvKernelsTest {
    private static OpenClBackend DEV;

    @BeforeAll
    static void open() {
        DEV = Ocl.open();
    }

    @AfterAll
    static void close() {
        if (DEV != null) DEV.close();
    }

    @TestFactory
    Stream<DynamicTest> convolutionsMatchTheReference() {
        return ConvPoolCases.convs().stream().map(cv -> DynamicTest.dynamicTest(cv.name(), () -> ConvPoolCases.checkConvolution(DEV, cv)));
    }

    @Test
    void transposedConvolutionsWithOutputPaddingAndGroups() {
        ConvPoolCases.transposedConvolutionsWithOutputPaddingAndGroups(DEV);
    }

    @Test
    void transposedConvolutionWithLargeTiles() {
        ConvPoolCases.transposedConvolutionWithLargeTiles(DEV);
    }

    @Test
    void weightGradientWithLongReductionAndLargeTiles() {
        ConvPoolCases.weightGradientWithLongReductionAndLargeTiles(DEV);
    }

    @TestFactory
    Stream<DynamicTest> maxPoolingMatchesTheReference() {
        return ConvPoolCases.windows().stream().map(win -> DynamicTest.dynamicTest(win.toString(), () -> ConvPoolCases.checkMaxPool(DEV, win)));
    }

    @Test
    void maxPoolOnWidePlanes() {
        ConvPoolCases.maxPoolOnWidePlanes(DEV);
    }
}
