package dev.jasg.bench.jmh;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.ConvGeometry;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 3x3 convolution with padding 1 on the cnn workload's layers ({@code N x C x H x W -> O}):
 * the forward pass alone, and forward plus both gradients (input and kernel) of {@code sum(y * r)}
 * for a fixed random {@code r}, so the backward pass is timed with the forward it needs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Conv2dBench {
    /** {@code N x C x H x W x O}: the cnn workload's first and second convolutions. */
    @Param({"128x1x28x28x32", "128x32x14x14x64"})
    public String shape;

    private Compiled forward, backward;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = Compiled.dims(shape);
        int n = d[0], c = d[1], h = d[2], w = d[3], o = d[4];
        ConvGeometry geo = ConvGeometry.of(1, 1, 1, 1);
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, n, c, h, w), k = g.input("k", DType.F32, o, c, 3, 3);
        Tensor y = x.conv2d(k, geo);
        g.output("y", y);
        forward = new Compiled(g.build(), Map.of("x", Compiled.random(1, n, c, h, w), "k", Compiled.random(2, o, c, 3, 3)));

        GraphBuilder b = new GraphBuilder();
        Tensor bx = b.input("x", DType.F32, n, c, h, w), bk = b.input("k", DType.F32, o, c, 3, 3);
        Tensor r = b.input("r", DType.F32, n, o, h, w);
        Tensor loss = bx.conv2d(bk, geo).mul(r).sum();
        Graph fwd = b.build();
        Graph grads = Autograd.gradients(fwd, loss, List.of(bx, bk));
        backward = new Compiled(Map.of("x", Compiled.random(1, n, c, h, w), "k", Compiled.random(2, o, c, 3, 3),
                "r", Compiled.random(3, n, o, h, w)), fwd, grads);
    }

    @Benchmark
    public Object conv2dForward() {
        return forward.run();
    }

    @Benchmark
    public Object conv2dForwardAndBackward() {
        return backward.run();
    }

    @TearDown
    public void close() {
        forward.close();
        backward.close();
    }
}
