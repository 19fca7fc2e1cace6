package dev.jasg.cpu;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;
import java.util.Map;

/**
 * Run by {@link NoVectorApiTest} in a JVM without {@code jdk.incubator.vector}: a graph of the kernels that take Vector API
 * paths where it is present (elementwise chains, max pooling, a product, GELU), run twice (the first run's end is where the
 * warm-up hands over), printing its result's sum.
 */
final class NoVectorApiMain {
    private NoVectorApiMain() {}

    public static void main(String[] args) {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, 2, 3, 8, 8), w = g.input("w", DType.F32, 8, 8);
        Tensor y = x.mul(2.0).add(x).sub(x.div(4.0)).maxPool2d(PoolWindow.Fixed.of(2, 2, 0)).matmul(w.slice(0, 0, 4).slice(1, 0, 4))
                .gelu().gelu("tanh");
        g.output("y", y.sum());
        float[] xs = new float[2 * 3 * 8 * 8], ws = new float[64];
        for (int i = 0; i < xs.length; i++) xs[i] = (i % 7) * 0.25f - 0.5f;
        for (int i = 0; i < ws.length; i++) ws[i] = (i % 5) * 0.1f - 0.2f;
        try (CpuBackend b = new CpuBackend(); var exe = b.compile(g.build())) {
            Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xs, 2, 3, 8, 8), "w", HostTensor.of(ws, 8, 8));
            double first = exe.run(feeds).scalar("y"), second = exe.run(feeds).scalar("y");
            System.out.println("simd=" + Simd.ENABLED);
            System.out.println("first=" + first);
            System.out.println("second=" + second);
        }
    }
}
