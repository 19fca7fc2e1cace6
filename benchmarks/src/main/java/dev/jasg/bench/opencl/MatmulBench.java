package dev.jasg.bench.opencl;

import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Tensor;
import dev.jasg.opencl.OpenClBackend;
import dev.jasg.opencl.OpenClExecutable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the OpenCL backend's fp32 matrix product {@code C = A B} for square sizes (arguments, default 1024 2048
 * 4096). A and B are parameters resident on the device and C is not read back, so a run is one kernel launch and
 * one wait; each size is warmed up, then timed over repeated runs (wall time per run, wait included: at 4096^3 the
 * launch overhead is well under 1%). A few entries of C are checked against a double-precision dot product. Prints
 * the device, then one line per size and tile:
 * {@code matmul 4096^3 fp32 tiles 128x128x16: 3.90 ms median, 35.2 TFLOPS (best 35.9) ...}.
 *
 * <p>{@code --tiles 128x128x16,128x128x8} times each large-tile configuration in turn (system property
 * {@code jasg.opencl.matmul.tiles}); {@code --device NAME|INDEX} picks the device ({@code jasg.opencl.device}).
 * Compare with {@code asg-runtime-gpu/bench/torch_matmul.py} (cuBLAS, TF32 off) in the same session.
 */
public final class MatmulBench {
    private MatmulBench() {}

    /** Runs the benchmark; see the class comment for the arguments. */
    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        List<String> tiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tiles" -> tiles.addAll(Arrays.asList(args[++i].split(",")));
                case "--device" -> System.setProperty("jasg.opencl.device", args[++i]);
                default -> sizes.add(Integer.parseInt(args[i]));
            }
        }
        if (sizes.isEmpty()) sizes = List.of(1024, 2048, 4096);
        if (tiles.isEmpty()) tiles.add("");
        for (String t : tiles) {
            if (t.isEmpty()) System.clearProperty("jasg.opencl.matmul.tiles");
            else System.setProperty("jasg.opencl.matmul.tiles", t);
            try (OpenClBackend ocl = new OpenClBackend()) {
                System.out.println("device: " + ocl.deviceName() + " (" + ocl.platformName() + ", driver " + ocl.driverVersion() + ")");
                for (int n : sizes) bench(ocl, n, t.isEmpty() ? "default" : t);
            }
        }
    }

    private static void bench(OpenClBackend ocl, int n, String tiles) {
        GraphBuilder b = new GraphBuilder();
        Tensor a = b.parameter("a", Init.uniform(-1, 1), n, n);
        Tensor c = b.parameter("b", Init.uniform(-1, 1), n, n);
        b.output("c", a.matmul(c));
        Parameters p = ocl.newParameters(7);
        try (OpenClExecutable e = ocl.compile(p, List.of(b.build()))) {
            double flop = 2.0 * n * n * n;
            for (int i = 0; i < 3; i++) e.run(Map.of());
            long t0 = System.nanoTime();
            e.run(Map.of());
            long once = System.nanoTime() - t0;
            int reps = (int) Math.max(5, Math.min(200, 1.5e9 / Math.max(once, 1)));
            double[] times = new double[reps];
            for (int i = 0; i < reps; i++) {
                e.run(Map.of());
                times[i] = e.lastRunNanos();
            }
            Arrays.sort(times);
            double median = times[reps / 2], best = times[0];
            System.out.println(String.format(Locale.ROOT, "matmul %d^3 fp32 tiles %s: %.3f ms median, %s (best %s), %d runs, %s",
                    n, tiles, median / 1e6, rate(flop / median), rate(flop / best), reps, check(e, p, n)));
        }
    }

    private static String rate(double flopPerNs) {
        return flopPerNs >= 1000 ? String.format(Locale.ROOT, "%.2f TFLOPS", flopPerNs / 1000) : String.format(Locale.ROOT, "%.1f GFLOPS", flopPerNs);
    }

    /** Compares 16 entries of C with double-precision dot products. */
    private static String check(Executable e, Parameters p, int n) {
        float[] a = p.get("a").floats(), bm = p.get("b").floats();
        HostTensor c = e.run(Map.of()).get("c");
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        double worst = 0;
        for (int t = 0; t < 16; t++) {
            int i = r.nextInt(n), j = r.nextInt(n);
            double s = 0;
            for (int k = 0; k < n; k++) s += (double) a[i * n + k] * bm[k * n + j];
            worst = Math.max(worst, Math.abs(s - c.get(i * n + j)) / Math.sqrt(n));
        }
        return worst < 1e-4 ? "check ok" : String.format(Locale.ROOT, "CHECK FAILED (error %.2g)", worst);
    }
}
