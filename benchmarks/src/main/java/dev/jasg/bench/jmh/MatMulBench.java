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

/**
 * {@code C = op(A) op(B)} through a compiled graph: square sizes and the products of the mlp and
 * transformer workloads (forward, and the transposed ones of their gradients). {@code shape} is
 * {@code MxKxN}, {@code trans} {@code nn}, {@code nt} ({@code A B^T}, as Linear runs), {@code tn}
 * ({@code A^T B}, a weight gradient); a {@code b} prefix ({@code 32x128x64x128}) is a batch of
 * products. GFLOPS = {@code 2 M K N batch / (time per op)}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatMulBench {
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "256x784x256", "256x256x10",
            "1024x256x768", "1024x256x1024", "1024x1024x256", "32x128x64x128", "32x128x128x64"})
    public String shape;

    @Param({"nn"})
    public String trans;

    private Compiled c;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = Compiled.dims(shape);
        int batch = d.length == 4 ? d[0] : 1, o = d.length == 4 ? 1 : 0;
        int m = d[o], k = d[o + 1], n = d[o + 2];
        boolean ta = trans.charAt(0) == 't', tb = trans.charAt(1) == 't';
        int[] ad = ta ? new int[] {k, m} : new int[] {m, k}, bd = tb ? new int[] {n, k} : new int[] {k, n};
        if (batch > 1) {
            ad = new int[] {batch, ad[0], ad[1]};
            bd = new int[] {batch, bd[0], bd[1]};
        }
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, Shape.of(ad)), b = g.input("b", DType.F32, Shape.of(bd));
        g.output("c", (ta ? a.mT() : a).matmul(tb ? b.mT() : b));
        c = new Compiled(g.build(), Map.of("a", Compiled.random(1, ad), "b", Compiled.random(2, bd)));
    }

    @Benchmark
    public Object matmul() {
        return c.run();
    }

    @TearDown
    public void close() {
        c.close();
    }
}
