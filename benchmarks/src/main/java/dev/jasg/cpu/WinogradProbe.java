package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@link WinogradConv} against the GEMM lowering ({@link ConvGemm.Forward}) on the 3x3 stride-1 layer shapes of
 * resnet18 (and a few thinner ones), batch 1 and 32, on the kernel pool: wall-clock median milliseconds of each, in
 * interleaved rounds, and their ratio (above 1: Winograd is faster), to set and check {@link KernelChoice#winograd}. With
 * {@code -Djasg.cpu.threads=1} the times are the calling thread's CPU time, which a loaded machine disturbs less.
 * In package {@code dev.jasg.cpu} to reach the package-private kernels; not shipped.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:ActiveProcessorCount=2 -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.WinogradProbe \
 *     [--rounds 5] [--batches 1,32] [--seconds 0.4] [--warmup 0.5] [--shapes 64x56,128x28,...]
 * </pre>
 */
public final class WinogradProbe {
    private WinogradProbe() {}

    /** Prints the machine, then one line per (shape, batch). */
    public static void main(String[] args) {
        int rounds = 5;
        double seconds = 0.4, warmup = 0.5;
        int[] batches = {1, 32};
        String shapes = "64x56,128x28,256x14,512x7,32x56,16x112,64x14,128x7";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--shapes" -> shapes = args[++i];
                default -> throw new IllegalArgumentException("WinogradProbe: unknown argument '" + args[i] + "'");
            }
        }
        System.out.printf(Locale.ROOT, "# cpu %s, %d processors, java %s, kernels %s, winograd block floats %d, %s%n", GemmProbe.cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), KernelChoice.CHOSEN.describe(), WinogradConv.BLOCK_FLOATS,
                CPU_TIME ? "one thread, CPU time" : "wall time");
        System.out.printf(Locale.ROOT, "%-14s %6s %6s %10s %10s %8s %s%n", "C x HW", "batch", "tiles", "gemm ms", "wino ms", "g/w", "rule, block, mode");
        for (String shape : shapes.split(",")) {
            String[] p = shape.split("x");
            int c = Integer.parseInt(p[0]), hw = Integer.parseInt(p[1]);
            for (int n : batches) {
                Conv v = new Conv(n, 1, c, hw, hw, c, hw, hw, 3, 3, 1, 1, 1, 1, 1, 1);
                SplittableRandom r = new SplittableRandom(1);
                float[] x = new float[n * c * hw * hw], w = new float[c * c * 9], y = new float[n * c * hw * hw];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
                ConvKernels.Run gemm = new ConvGemm.Forward(v);
                WinogradConv wino = new WinogradConv(v);
                List<Double> g = new ArrayList<>(), wi = new ArrayList<>();
                // warm-up: both compiled before the first timed round
                time(gemm, x, w, y, warmup);
                time(wino, x, w, y, warmup);
                for (int round = 0; round < rounds; round++) {
                    g.add(time(gemm, x, w, y, seconds));
                    wi.add(time(wino, x, w, y, seconds));
                }
                double gm = median(g), wm = median(wi);
                System.out.printf(Locale.ROOT, "%-14s %6d %6d %10.3f %10.3f %8.2f %s, %d, %s%n", c + "x" + hw + "x" + hw, n, WinogradConv.tiles(v), gm, wm,
                        gm / wm, KernelChoice.CHOSEN.winograd(c, c, WinogradConv.tiles(v)) ? "winograd" : "gemm", wino.block(),
                        wino.perThread() ? "per thread" : "phases");
            }
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    /** With one kernel thread, the calling thread's CPU time is the run's: a measure the other processes of a loaded machine disturb less. */
    static final boolean CPU_TIME = CpuThreads.PARALLELISM == 1;

    private static long now() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Median milliseconds of runs over {@code seconds} (at least 3), after one untimed run; CPU time with one thread. */
    static double time(ConvKernels.Run k, float[] x, float[] w, float[] y, double seconds) {
        k.run(x, w, y);
        List<Double> ms = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (ms.size() < 3 || System.nanoTime() < end) {
            long t0 = now();
            k.run(x, w, y);
            ms.add((now() - t0) / 1e6);
        }
        return median(ms);
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
