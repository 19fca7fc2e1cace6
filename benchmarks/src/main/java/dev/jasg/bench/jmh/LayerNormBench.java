package dev.jasg.bench.jmh;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
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

/** {@code Tensor.layerNorm} over the last axis with weight and bias, on the transformer workload's activations. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LayerNormBench {
    @Param({"1024x256"})
    public String shape;

    private Compiled c;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = Compiled.dims(shape);
        int last = d[d.length - 1];
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, Shape.of(d)), w = g.input("w", DType.F32, last), b = g.input("b", DType.F32, last);
        g.output("y", x.layerNorm(1, w, b, 1e-5));
        c = new Compiled(g.build(), Map.of("x", Compiled.random(1, d), "w", Compiled.random(2, last), "b", Compiled.random(3, last)));
    }

    @Benchmark
    public Object layerNorm() {
        return c.run();
    }

    @TearDown
    public void close() {
        c.close();
    }
}
