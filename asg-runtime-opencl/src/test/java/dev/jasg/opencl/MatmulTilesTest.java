package dev.jasg.opencl;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.reference.ReferenceBackend;
import dev.jasg.testkit.TestTensors;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The GPU's 128 x 128 matmul tile, which a CPU device does not pick by itself, against the reference: aligned
 * (float4 loads and stores) and ragged (every edge cut), batched. Loops stay rolled; unrolling changes no index
 * arithmetic. pocl still takes about 90 s on two cores to compile these two kernels at their first launch, so the
 * test runs only with {@code JASG_OPENCL_LARGE_TILES=1}
 * ({@code JASG_OPENCL_LARGE_TILES=1 mvn -pl asg-runtime-opencl test -Dtest=MatmulTilesTest}); on a GPU the op
 * tables take the large tile by themselves.
 */
@Tag("opencl")
@EnabledIfEnvironmentVariable(named = "JASG_OPENCL_LARGE_TILES", matches = "1")
class MatmulTilesTest {
    private static void check(String what, int batch, int m, int k, int n) {
        GraphBuilder b = new GraphBuilder();
        b.output("y", b.input("a", DType.F32, Shape.of(batch, m, k)).matmul(b.input("c", DType.F32, Shape.of(batch, k, n))));
        var g = b.build();
        SplittableRandom r = new SplittableRandom(m * 31L + n);
        Map<String, HostTensor> feeds = Map.of("a", TestTensors.uniform(r, batch, m, k), "c", TestTensors.uniform(r, batch, k, n));
        try (OpenClBackend ocl = Ocl.open(); ReferenceBackend ref = new ReferenceBackend(); Executable oe = ocl.compile(g); Executable re = ref.compile(g)) {
            Ocl.assertClose(what, re.run(feeds).get("y"), oe.run(feeds).get("y"), 2e-5);
        }
    }

    @Test
    void largeTilesAlignedAndRagged() {
        String tiles = System.getProperty(Lowering.TILES_PROPERTY), unroll = System.getProperty(Lowering.UNROLL_PROPERTY);
        System.setProperty(Lowering.TILES_PROPERTY, "128x128x16");
        System.setProperty(Lowering.UNROLL_PROPERTY, "false");
        try {
            // 128 work-groups or more take the large tile
            check("aligned 128 x [128x32] x [32x128]", 128, 128, 32, 128);
            check("ragged 64 x [130x20] x [20x131]", 64, 130, 20, 131);
        } finally {
            restore(Lowering.TILES_PROPERTY, tiles);
            restore(Lowering.UNROLL_PROPERTY, unroll);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }
}
