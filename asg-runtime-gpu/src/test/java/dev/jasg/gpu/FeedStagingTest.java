package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Feeds staged in each kind of host-visible memory ({@link DeviceBuffer#FEED_MEMORY_PROPERTY}) and copied by one or
 * several threads ({@link StagingCopier#THREADS_PROPERTY}), whole or in pipelined chunks ({@link
 * ExecutionPlan#PIPELINE_FEEDS_PROPERTY}): a feed large enough to be split, beside a small one, reaches the device whole, run
 * after run, with new values each run.
 */
class FeedStagingTest extends OnGpu {

    @Tag("gpu")
    @ParameterizedTest(name = "{0} memory, {1} threads, pipelined {2}")
    @CsvSource({"cached, 1, false", "cached, 4, false", "uncached, 3, false", "device, 4, false", "cached, 1, true", "cached, 4, true",
        "device, 3, true"})
    void everyFeedArrivesWholeRunAfterRun(String memory, int threads, boolean pipelined) {
        // 1.1 M floats: split into parts; 2.2 M pipelined: three chunks, the last one short
        int rows = pipelined ? 2200 : 1100, cols = 1000;
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, rows, cols), b = g.input("b", DType.F32, cols);
        g.output("y", x.mul(2).add(b));
        System.setProperty(DeviceBuffer.FEED_MEMORY_PROPERTY, memory);
        System.setProperty(StagingCopier.THREADS_PROPERTY, Integer.toString(threads));
        System.setProperty(ExecutionPlan.PIPELINE_FEEDS_PROPERTY, Boolean.toString(pipelined));
        try (Executable exe = gpu.compile(g.build())) {
            for (int run = 0; run < 3; run++) {
                float[] xv = new float[rows * cols], bv = new float[cols];
                for (int i = 0; i < xv.length; i++) xv[i] = (i % 9973) * 0.5f + run;
                for (int j = 0; j < cols; j++) bv[j] = -j - 0.25f * run;
                float[] y = exe.run(Map.of("x", HostTensor.of(xv, rows, cols), "b", HostTensor.of(bv, cols))).get("y").floats();
                for (int i = 0; i < xv.length; i++) {
                    float want = xv[i] * 2 + bv[i % cols];
                    if (y[i] != want) assertEquals(want, y[i], memory + ", " + threads + " threads, run " + run + ": element " + i);
                }
            }
        } finally {
            System.clearProperty(DeviceBuffer.FEED_MEMORY_PROPERTY);
            System.clearProperty(StagingCopier.THREADS_PROPERTY);
            System.clearProperty(ExecutionPlan.PIPELINE_FEEDS_PROPERTY);
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        System.setProperty(DeviceBuffer.FEED_MEMORY_PROPERTY, "pinned");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, DeviceBuffer.HostMemory::forFeeds);
            assertTrue(e.getMessage().contains(DeviceBuffer.FEED_MEMORY_PROPERTY) && e.getMessage().contains("pinned"), e.getMessage());
        } finally {
            System.clearProperty(DeviceBuffer.FEED_MEMORY_PROPERTY);
        }
        for (String bad : new String[] {"0", "65", "four"}) {
            System.setProperty(StagingCopier.THREADS_PROPERTY, bad);
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, StagingCopier::threads, bad);
                assertTrue(e.getMessage().contains(StagingCopier.THREADS_PROPERTY) && e.getMessage().contains(bad), e.getMessage());
            } finally {
                System.clearProperty(StagingCopier.THREADS_PROPERTY);
            }
        }
    }
}
