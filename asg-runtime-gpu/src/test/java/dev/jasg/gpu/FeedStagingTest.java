package dev.jasg.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Feeds staged by one or several threads ({@link StagingCopier#THREADS_PROPERTY}): a feed large enough to be split, beside
 * a small one, reaches the device whole, run after run, with new values each run.
 */
class FeedStagingTest extends OnGpu {

    @Tag("gpu")
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3, 4})
    void everyFeedArrivesWholeRunAfterRun(int threads) {
        int rows = 1100, cols = 1000; // 1.1 M floats: split into parts
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, rows, cols), b = g.input("b", DType.F32, cols);
        g.output("y", x.mul(2).add(b));
        System.setProperty(StagingCopier.THREADS_PROPERTY, Integer.toString(threads));
        try (Executable exe = gpu.compile(g.build())) {
            for (int run = 0; run < 3; run++) {
                float[] xv = new float[rows * cols], bv = new float[cols];
                for (int i = 0; i < xv.length; i++) xv[i] = (i % 9973) * 0.5f + run;
                for (int j = 0; j < cols; j++) bv[j] = -j - 0.25f * run;
                float[] y = exe.run(Map.of("x", HostTensor.of(xv, rows, cols), "b", HostTensor.of(bv, cols))).get("y").floats();
                for (int i = 0; i < xv.length; i++) {
                    float want = xv[i] * 2 + bv[i % cols];
                    if (y[i] != want) assertEquals(want, y[i], threads + " threads, run " + run + ": element " + i);
                }
            }
        } finally {
            System.clearProperty(StagingCopier.THREADS_PROPERTY);
        }
    }
}
