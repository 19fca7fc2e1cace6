package dev.jasg.opencl;

import dev.jasg.testkit.LayerPrimitiveCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Gather, scatter-add, the dropout mask and normalisation on the OpenCL backend ({@link LayerPrimitiveCases}). */
@Tag("opencl")
class LayerPrimitivesTest {
    private static OpenClBackend device;

    @BeforeAll
    static void open() {
        device = Ocl.open();
    }

    @AfterAll
    static void close() {
        if (device != null) device.close();
    }

    @Test
    void dropoutMaskIsBitIdenticalToTheReference() {
        LayerPrimitiveCases.dropoutMaskIsBitIdenticalToTheReference(device);
    }

    @Test
    void outOfRangeIndicesStayInsideTheBuffers() {
        LayerPrimitiveCases.outOfRangeIndicesStayInsideTheBuffers(device);
    }

    @Test
    void largeShapesMatchTheReference() {
        LayerPrimitiveCases.largeShapesMatchTheReference(device);
    }
}
