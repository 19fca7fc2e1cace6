package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
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
 * One step of each {@link Peers} workload on the CPU backend, for JMH's profilers: with
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes a step allocates in steady state
 * (the warm-up is long because C2 needs 10-25 s on two cores to compile every vector kernel,
 * and until it has they run boxed and allocate).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TrainingStepBench -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 5)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainingStepBench {
    @Param({"sgemm", "mlp", "cnn", "transformer"})
    public String workload;

    private Backend backend;
    private Workloads.Workload w;

    @Setup(Level.Trial)
    public void setup() {
        backend = Backends.create("cpu");
        w = Workloads.create(workload, backend);
        if (w == null) throw new IllegalStateException(workload + ": " + Workloads.whyMissing(workload));
    }

    @Benchmark
    public void step() {
        w.step();
    }

    @TearDown
    public void close() {
        w.close();
        backend.close();
    }
}
