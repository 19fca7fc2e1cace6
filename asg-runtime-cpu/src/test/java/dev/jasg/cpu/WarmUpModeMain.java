package dev.jasg.cpu;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import java.util.Map;

/**
 * Run by {@link WarmUpModeTest} in a JVM of its own (the warm-up mode is fixed per JVM): prints which kernels run
 * before and after the JVM's first run of an executable, one {@code key=value} a line.
 */
final class WarmUpModeMain {
    private WarmUpModeMain() {}

    public static void main(String[] args) {
        System.out.println("mode=" + WarmKernels.MODE);
        System.out.println("before.gelu=" + WarmKernels.Kernel.GELU.runsVector());
        System.out.println("before.tile=" + GemmWarm.TILE.compiled());
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 24, 64), w = g.input("w", DType.F32, 64, 64);
        g.output("y", x.matmul(w).gelu());
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            var feeds = Map.of("x", HostTensor.of(new float[24 * 64], 24, 64), "w", HostTensor.of(new float[64 * 64], 64, 64));
            exe.run(feeds);
            System.out.println("after.gelu=" + WarmKernels.Kernel.GELU.runsVector());
            System.out.println("after.tile=" + GemmWarm.TILE.compiled());
            System.out.println("after.handedOver=" + WarmKernels.handedOver());
            System.out.println("after.twinsForGood=" + WarmKernels.twinsForGood());
            // three more runs: 3 x 1536 elements of GELU through whichever kernel runs
            for (int i = 0; i < 3; i++) exe.run(feeds);
            System.out.println("later.gelu=" + WarmKernels.Kernel.GELU.runsVector());
        }
    }
}
