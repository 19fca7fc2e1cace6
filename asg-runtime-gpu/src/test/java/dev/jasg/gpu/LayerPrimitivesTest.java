package dev.jasg.gpu;

import dev.jasg.testkit.LayerPrimitiveCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Gather, scatter-add, the dropout mask and normalisation on the Vulkan backend ({@link LayerPrimitiveCases}). */
@Tag("gpu")
class LayerPrimitivesTest {
    private static VulkanBackend device;

    @BeforeAll
    static void open() {
        device = Gpu.open();
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
