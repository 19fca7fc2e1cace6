package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import java.lang.management.ManagementFactory;
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
        boolean profile = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workload" -> workload = args[++i];
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--profile" -> profile = true;
                default -> {
                    System.err.println("usage: ColdStart [--workload sgemm|mlp|cnn|transformer] [--steps N] [--profile]");
                    System.exit(2);
                }
            }
        }
        double first;
        double[] next = new double[Math.max(0, steps - 1)];
        try (Backend cpu = Backends.create("cpu")) {
            long tBackend = System.nanoTime();
            Workloads.Training training = profile ? Workloads.training(workload, cpu) : null;
            try (Workloads.Workload w = training != null ? Workloads.training(training) : Workloads.create(workload, cpu)) {
                if (w == null) throw new IllegalStateException("ColdStart: workload " + workload + " is not available: " + Workloads.whyMissing(workload));
                if (training != null) training.trainer().profiling().ifPresent(p -> p.setProfiling(true));
                long t1 = System.nanoTime();
                w.step();
                long t2 = System.nanoTime();
                // the process's CPU time (every thread, the JIT compilers' included) up to the first step's end:
                // on a machine shared with other work, a steadier figure than the wall-clock time
                double cpuMs = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
                if (training != null) {
                    training.trainer().profiling().ifPresent(p -> {
                        p.setProfiling(false);
                        p.lastProfile().ifPresent(pr -> printProfile(pr, (t2 - t1)));
                    });
                    System.out.printf(Locale.ROOT, "# backend %.0f ms, model + graphs + autograd + compile %.0f ms%n", (tBackend - mainNanos) / 1e6, (t1 - tBackend) / 1e6);
                }
                first = (t2 - t1) / 1e6;
                for (int i = 0; i < next.length; i++) {
                    long s = System.nanoTime();
                    w.step();
                    next[i] = (System.nanoTime() - s) / 1e6;
                }
                long processStart = processStart();
                double toMain = mainMillis - processStart;
                double done = toMain + (t2 - mainNanos) / 1e6;
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

    /**
     * When the process started, in epoch milliseconds: {@code -Djasg.coldstart.launchMillis} when the launcher
     * gave it (coldstart.sh does, from {@code date +%s%3N} just before {@code java}), else the JVM's own start
     * ({@link java.lang.management.RuntimeMXBean#getStartTime}, a few milliseconds after the process's). Not
     * {@link ProcessHandle.Info#startInstant()}: on Linux it adds the process's start in clock ticks since boot
     * to the boot time of {@code /proc/stat}, which is in whole seconds, so it is early by up to a second (0.27 s
     * on the build machine), a constant error that made every figure here that much too slow.
     */
    private static long processStart() {
        long launch = Long.getLong("jasg.coldstart.launchMillis", -1);
        return launch > 0 ? launch : ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    /** The first step's time by op kind, and what the run spent outside the kernels (planning). */
    private static void printProfile(dev.jasg.core.Profile p, long stepNanos) {
        java.util.Map<String, long[]> byOp = new java.util.TreeMap<>();
        for (var e : p.entries()) {
            long[] a = byOp.computeIfAbsent(e.op(), k -> new long[2]);
            a[0] += e.nanos();
            a[1]++;
        }
        System.out.printf(Locale.ROOT, "# first step %.0f ms: kernels %.0f ms, run outside the kernels (plan, feeds, outputs) %.0f ms%n",
                stepNanos / 1e6, p.nodeNanos() / 1e6, (stepNanos - p.nodeNanos()) / 1e6);
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(15)
                .forEach(e -> System.out.printf(Locale.ROOT, "#   %-14s %7.1f ms  (%d nodes)%n", e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1]));
        p.entries().stream().sorted((a, b) -> Long.compare(b.nanos(), a.nanos())).limit(12)
                .forEach(e -> System.out.printf(Locale.ROOT, "#   %7.1f ms %%%d %s %s %s%n", e.nanos() / 1e6, e.node(), e.op(), e.shape(), e.path()));
    }
}
