package dev.jasg.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cast large enough to be split over the pool (three times {@link ElementwiseKernels#PARALLEL_MIN} elements and a tail)
 * converts every element as {@link DType#round} defines, whichever thread takes it.
 */
class CastSplitTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "I32", "BOOL"})
    void largeCastsRoundEveryElement(DType to) {
        int n = 3 * ElementwiseKernels.PARALLEL_MIN + 77;
        float[] x = new float[n];
        SplittableRandom r = new SplittableRandom(to.ordinal());
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
        x[5] = Float.NaN;
        GraphBuilder g = new GraphBuilder();
        Tensor in = g.input("x", DType.F32, n);
        g.output("y", in.cast(to));
        try (CpuBackend cpu = new CpuBackend(); Executable e = cpu.compile(g.build())) {
            HostTensor y = e.run(Map.of("x", HostTensor.of(x, n))).get("y");
            for (int i = 0; i < n; i++) {
                float want = (float) to.round(x[i]);
                if (to == DType.I32 && Float.isNaN(x[i])) continue; // NaN to an integer: DType's own rule, checked in the op table
                assertEquals(want, (float) y.get(i), 0f, to + " element " + i + " of " + x[i]);
            }
        }
    }
}
