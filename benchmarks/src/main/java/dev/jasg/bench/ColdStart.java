package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Locale;

/**
 * Time to the first training step of a fresh JVM: the benchmarks' {@code transformer} workload
 * ({@link Workloads}: one pre-LN encoder block, d=256, 8 x 128 tokens, AdamW) built, compiled and
 * stepped once, timed from the start of the process. One line,
 * {@code coldstart <workload> first_step_done <ms> ms from process start, cpu <ms> ms} (the second
 * figure is the CPU time the process had used by then, all threads), then the parts:
 * the JVM's own start-up up to {@code main}, building the model, graphs and plan, the first step,
 * and the next steps (which show how far from steady state the first one was).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector [-XX:AOTCache=benchmarks/target/coldstart.aot] \
 *     -cp benchmarks/target/benchmarks.jar dev.jasg.bench.ColdStart [--workload transformer] [--steps 5]
 * </pre>
 *
 * <p>{@code benchmarks/peers/coldstart.sh} runs it in fresh JVMs with and without a JDK AOT
 * cache and prints the medians. The process start comes from {@link ProcessHandle} (the
 * launcher's fork, so JVM creation counts), falling back to the JVM's start time from
 * {@link java.lang.management.RuntimeMXBean}.
 */
public final class ColdStart {
    private ColdStart() {}

    /** Measures one cold start; arguments {@code --workload NAME} (default transformer) and {@code --steps N} (default 5). */
    public static void main(String[] args) throws Exception {
        long mainNanos = System.nanoTime();
        long mainMillis = System.currentTimeMillis();
        String workload = "transformer";
        int steps = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workload" -> workload = args[++i];
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ColdStart [--workload sgemm|mlp|cnn|transformer] [--steps N]");
                    System.exit(2);
                }
            }
        }
        long processStart = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli)
                .orElse(ManagementFactory.getRuntimeMXBean().getStartTime());
        double toMain = mainMillis - processStart;
        double first;
        double[] next = new double[Math.max(0, steps - 1)];
        try (Backend cpu = Backends.create("cpu")) {
            try (Workloads.Workload w = Workloads.create(workload, cpu)) {
                if (w == null) throw new IllegalStateException("ColdStart: workload " + workload + " is not available: " + Workloads.whyMissing(workload));
                long t1 = System.nanoTime();
                w.step();
                long t2 = System.nanoTime();
                first = (t2 - t1) / 1e6;
                for (int i = 0; i < next.length; i++) {
                    long s = System.nanoTime();
                    w.step();
                    next[i] = (System.nanoTime() - s) / 1e6;
                }
                double done = toMain + (t2 - mainNanos) / 1e6;
                // the process's CPU time (every thread, the JIT compilers' included) up to the first step's end:
                // on a machine shared with other work, a steadier figure than the wall-clock time
                double cpuMs = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
                StringBuilder rest = new StringBuilder();
                for (double x : next) rest.append(rest.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.0f", x));
                System.out.printf(Locale.ROOT, "coldstart %s first_step_done %.0f ms from process start, cpu %.0f ms%n", workload, done, cpuMs);
                System.out.printf(Locale.ROOT, "# to main %.0f ms, backend + build (model, graphs, compile) %.0f ms, first step %.0f ms, next steps [%s] ms, last value %s%n",
                        toMain, (t1 - mainNanos) / 1e6, first, rest, w.lastValue());
                System.out.printf(Locale.ROOT, "# cpu=\"%s\" cpus=%d java=%s kernels=\"%s\" jvm_args=%s%n", Machine.cpuModel(),
                        Runtime.getRuntime().availableProcessors(), Runtime.version(), dev.jasg.cpu.CpuBackend.kernels(),
                        ManagementFactory.getRuntimeMXBean().getInputArguments());
            }
        }
    }
}
