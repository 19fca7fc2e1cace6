package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The end-to-end workloads that {@code benchmarks/peers/run.sh} runs side by side with
 * PyTorch and DL4J ({@link Workloads} says what each one is). Each workload is compiled once,
 * warmed up, then run on one fixed random batch for a fixed time; one line is printed per
 * workload, {@code jasg_<name> <value> <unit>}, followed by {@code jasg_<name>_peak_heap} (the
 * largest heap occupancy seen during the timed part, uncollected garbage included),
 * {@code jasg_<name>_live_heap} (what a full GC leaves with the workload still open) and
 * {@code jasg_<name>_offheap} (direct and mapped NIO buffers), each in MiB.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.bench.Peers \
 *     [--gpu | --backend opencl] [--only sgemm|mlp|cnn|transformer|gpt] [--mixed f16|bf16] [--seconds 5] [--warmup 5]
 * </pre>
 *
 * <p>{@code --serve} (one workload) is the alternating mode of {@code benchmarks/peers/alternate.py}: after the first
 * step and the warm-up it prints {@code # ready}, then for each line {@code window S} read from standard input it steps
 * for {@code S} seconds and prints {@code jasg_<name> <value> <unit>}, until {@code end} or the end of the input. Between
 * windows it waits on its input, so peers served side by side can be timed in turn, window by window, and each ratio
 * comes from two windows seconds apart rather than from runs a minute apart on a machine whose speed drifts.
 *
 * <p>{@code --mixed f16|bf16} trains with {@code Trainer.mixedPrecision}: products and convolutions in half with
 * f32 accumulation, f32 master weights, and for f16 dynamic loss scaling.
 *
 * <p>Kernels use the backend's fixed pool, one thread per available processor; run with
 * {@code taskset -c 0,1} (or on a 2-core machine) to compare with peers held to 2 threads.
 */
public final class Peers {
    private Peers() {}

    /** Runs the workloads named on the command line (all by default). */
    public static void main(String[] args) throws Exception {
        String backendName = "cpu";
        List<String> only = new ArrayList<>();
        double seconds = 5, warmup = 5;
        boolean profile = false, serve = false;
        String profileMatch = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gpu" -> backendName = "vulkan";
                case "--backend" -> backendName = args[++i];
                case "--only" -> {
                    String w = args[++i];
                    if (!Workloads.ALL.contains(w)) usage("unknown workload '" + w + "'");
                    only.add(w);
                }
                case "--profile" -> profile = true;
                case "--serve" -> serve = true;
                case "--profile-match" -> {
                    profile = true;
                    profileMatch = args[++i];
                }
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--mixed" -> Workloads.mixedPrecision = dev.jasg.core.DType.valueOf(args[++i].toUpperCase(Locale.ROOT));
                default -> usage("unknown option '" + args[i] + "'");
            }
        }
        List<String> names = only.isEmpty() ? Workloads.NAMES : only;
        if (serve && names.size() != 1) usage("--serve takes one workload (--only NAME)");
        if (Workloads.mixedPrecision != null) System.out.println("# jasg mixed precision: " + Workloads.mixedPrecision.label());
        System.out.printf(Locale.ROOT, "# jasg backend=%s cpu=\"%s\" cpus=%d java=%s vector=%s kernels=\"%s\"%n", backendName,
                Machine.cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.version(),
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), dev.jasg.cpu.CpuBackend.kernels());
        try (Backend backend = Backends.create(backendName)) {
            for (String name : names) {
                long before = liveHeap(), objectsBefore = liveObjects();
                long built0 = System.nanoTime();
                Workloads.Workload w = Workloads.create(name, backend);
                double buildMs = (System.nanoTime() - built0) / 1e6;
                if (w == null) {
                    System.out.println("# jasg_" + name + " skipped: " + Workloads.whyMissing(name));
                    continue;
                }
                try (w) {
                    System.out.printf(Locale.ROOT, "# %s: model, graph, gradient graph and compile %.0f ms%n", name, buildMs);
                    if (serve) {
                        serve(name, w, warmup, new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                                java.nio.charset.StandardCharsets.UTF_8)), System.out);
                        continue;
                    }
                    run(name, w, seconds, warmup, before, objectsBefore);
                    if (profile) profile(name, w, profileMatch);
                }
            }
            // the driver's statistics (registers and more) of the Vulkan kernels whose names match -Djasg.bench.statsMatch
            // (default every one), with -Djasg.vulkan.kernelStatistics=true
            if (backend instanceof dev.jasg.gpu.VulkanBackend vb && Boolean.getBoolean("jasg.vulkan.kernelStatistics")) {
                java.util.regex.Pattern re = java.util.regex.Pattern.compile(System.getProperty("jasg.bench.statsMatch", ".*"));
                new java.util.TreeMap<>(vb.kernelStatistics()).forEach((k, v) -> {
                    if (re.matcher(k).find()) System.out.println("# kernel " + k + ": " + v);
                });
            }
        }
    }

    /**
     * One profiled step: the time per op kind, then the hottest nodes (the backend's clock; nodes no longer overlap);
     * with {@code match} (a regular expression), every node whose path matches it, in the order they ran.
     */
    private static void profile(String name, Workloads.Workload w, String match) {
        var p = w.profiling().orElse(null);
        if (p == null) {
            System.out.println("# " + name + ": this backend has no per-node profiling");
            return;
        }
        p.setProfiling(true);
        w.step(); // compiles the profiled plan (unfused, a barrier and timestamps around every node); the device idles meanwhile
        w.step();
        p.setProfiling(false);
        dev.jasg.core.Profile prof = p.lastProfile().orElseThrow();
        java.util.Map<String, long[]> byOp = new java.util.TreeMap<>();
        for (var e : prof.entries()) {
            long[] v = byOp.computeIfAbsent(e.op(), k -> new long[2]);
            v[0] += e.nanos();
            if (e.nanos() > 0) v[1]++;
        }
        System.out.printf(Locale.ROOT, "# %s profile (%s clock): %.3f ms in nodes of %.3f ms%n", name, prof.clock(), prof.nodeNanos() / 1e6, prof.totalNanos() / 1e6);
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(20).forEach(e ->
                System.out.printf(Locale.ROOT, "#   %-22s %9.3f ms  %5.1f%%  %d nodes%n", e.getKey(), e.getValue()[0] / 1e6,
                        100.0 * e.getValue()[0] / Math.max(1, prof.nodeNanos()), e.getValue()[1]));
        // the hottest nodes of the eight costliest op kinds
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(8).forEach(op ->
                prof.entries().stream().filter(e -> e.op().equals(op.getKey())).sorted((a, b) -> Long.compare(b.nanos(), a.nanos())).limit(4)
                        .forEach(e -> System.out.printf(Locale.ROOT, "#   %8.3f ms %s %s %s%n", e.nanos() / 1e6, e.op(), e.shape(), e.path())));
        if (match != null) {
            java.util.regex.Pattern re = java.util.regex.Pattern.compile(match);
            System.out.println("# nodes matching " + match + ", in order:");
            prof.entries().stream().filter(e -> re.matcher(e.path()).find())
                    .forEach(e -> System.out.printf(Locale.ROOT, "#   %8.3f ms %s %s %s%n", e.nanos() / 1e6, e.op(), e.shape(), e.path()));
        }
    }

    private static void usage(String why) {
        System.err.println("Peers: " + why);
        System.err.println("usage: Peers [--gpu] [--backend cpu|vulkan|opencl|reference] [--only sgemm|mlp|cnn|transformer|gpt]... [--mixed f16|bf16] [--seconds S] [--warmup S] [--profile] [--profile-match REGEX] [--serve]");
        System.exit(2);
    }

    private static void run(String name, Workloads.Workload w, double seconds, double warmup, long liveBefore, long objectsBefore) {
        long t0 = System.nanoTime();
        w.step();
        double firstMs = (System.nanoTime() - t0) / 1e6;
        timeFor(w, warmup);
        System.gc();
        resetPeaks();
        // the threads counted, listed before the timed steps so that listing them (arrays, ThreadInfo objects) is not counted
        long[] all = ManagementFactory.getThreadMXBean().getAllThreadIds(), own = ownThreads(all);
        long allocated0 = allocatedBytes(all), own0 = allocatedBytes(own);
        double[] r = timeFor(w, seconds);
        long allocated = allocatedBytes(all) - allocated0, ownBytes = allocatedBytes(own) - own0;
        long peakHeap = peakHeap();
        long live = liveHeap();
        System.out.println(rateLine(name, w, r));
        System.out.printf(Locale.ROOT, "jasg_%s_peak_heap %.1f MiB%n", name, peakHeap / 1048576.0);
        System.out.printf(Locale.ROOT, "jasg_%s_live_heap %.1f MiB%n", name, live / 1048576.0);
        System.out.printf(Locale.ROOT, "jasg_%s_offheap %.1f MiB%n", name, offHeap() / 1048576.0);
        // what the workload holds (parameters, optimiser state, planned buffers, packing scratch) over the
        // heap before it was built, and its peak over that (uncollected garbage included): the figures to
        // hold against PyTorch's resident-memory growth
        System.out.printf(Locale.ROOT, "jasg_%s_step_memory %.1f MiB%n", name, (live - liveBefore) / 1048576.0);
        System.out.printf(Locale.ROOT, "jasg_%s_step_peak_memory %.1f MiB%n", name, (peakHeap - liveBefore) / 1048576.0);
        // the same as the bytes of the objects kept, without G1's rounding of large arrays to whole regions
        long objects = liveObjects();
        if (objects >= 0 && objectsBefore >= 0) {
            System.out.printf(Locale.ROOT, "jasg_%s_step_objects %.1f MiB%n", name, (objects - objectsBefore) / 1048576.0);
        }
        System.out.printf(Locale.ROOT, "jasg_%s_alloc_per_step %.0f B%n", name, allocated / r[0]);
        // the same over the stepping thread and JASG's own threads only (the CPU pool's "jasg-" workers): what the steps
        // allocate, without the JVM's other threads (JIT compilers, JMX, the GC's helpers) that the figure above counts
        System.out.printf(Locale.ROOT, "jasg_%s_alloc_per_step_own_threads %.1f B%n", name, ownBytes / r[0]);
        System.out.printf(Locale.ROOT, "# %s: %d steps in %.2f s (%.3f ms/step), first step (compile + plan + run) %.0f ms, last value %s%n",
                name, (long) r[0], r[1], 1e3 * r[1] / r[0], firstMs, w.lastValue());
    }

    /**
     * {@code --serve}: the first step and {@code warmup} seconds, {@code # ready}, then a timed window for each
     * {@code window S} line on standard input, until {@code end} or the end of the input; anything else is refused by name.
     */
    static void serve(String name, Workloads.Workload w, double warmup, java.io.BufferedReader in, java.io.PrintStream out)
            throws java.io.IOException {
        w.step();
        timeFor(w, warmup);
        out.println("# ready");
        out.flush();
        for (String line; (line = in.readLine()) != null && !line.strip().equals("end"); ) {
            String[] f = line.strip().split("\\s+");
            double s;
            try {
                s = f.length == 2 && f[0].equals("window") ? Double.parseDouble(f[1]) : Double.NaN;
            } catch (NumberFormatException e) {
                s = Double.NaN;
            }
            if (!(s > 0) || Double.isInfinite(s)) {
                out.println("# error: expected 'window SECONDS' or 'end', got '" + line + "'");
                out.flush();
                continue;
            }
            double[] r = timeFor(w, s);
            out.println(rateLine(name, w, r));
            out.flush();
        }
    }

    /** {@code jasg_<name> <rate> <unit>} for {@code r} = {steps, elapsed seconds} of {@link #timeFor}. */
    private static String rateLine(String name, Workloads.Workload w, double[] r) {
        return String.format(Locale.ROOT, "jasg_%s %.1f %s", name, r[0] / r[1] * w.unitsPerStep(), w.unit());
    }

    /** Steps for at least {@code seconds}; returns {steps, elapsed seconds}. */
    private static double[] timeFor(Workloads.Workload w, double seconds) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long steps = 0, now;
        do {
            w.step();
            steps++;
            now = System.nanoTime();
        } while (now < end);
        return new double[] {steps, (now - start) / 1e9};
    }

    /** Bytes the threads {@code ids} have allocated so far; allocates nothing itself (one counter read a thread). */
    private static long allocatedBytes(long[] ids) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : ids) sum += Math.max(0, threads.getThreadAllocatedBytes(id));
        return sum;
    }

    /** Of {@code ids}, the calling thread and JASG's own threads (named {@code jasg-...}: the CPU pool's workers). */
    private static long[] ownThreads(long[] ids) {
        long me = Thread.currentThread().threadId();
        return java.util.Arrays.stream(ManagementFactory.getThreadMXBean().getThreadInfo(ids))
                .filter(t -> t != null && (t.getThreadId() == me || t.getThreadName().startsWith("jasg-"))).mapToLong(java.lang.management.ThreadInfo::getThreadId).toArray();
    }

    /** The heap in use after a full collection. */
    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Bytes of the objects a full GC keeps: the class histogram's total ({@code jcmd GC.class_histogram}, which collects
     * first). Unlike the heap's used bytes it does not count what G1 rounds up: an array of half a region or more takes
     * whole regions of its own (a 4 MiB matrix takes two 4 MiB regions), whose untouched tails count as used but are
     * never resident. -1 where the JVM has no such command.
     */
    private static long liveObjects() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String[] lines = out.toString().strip().split("\n");
            String[] total = lines[lines.length - 1].trim().split("\\s+"); // "Total <instances> <bytes>"
            return total[0].equals("Total") ? Long.parseLong(total[2]) : -1;
        } catch (JMException | RuntimeException e) {
            return -1;
        }
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }

    private static long offHeap() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) sum += b.getMemoryUsed();
        return sum;
    }
}
