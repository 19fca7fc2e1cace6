package dev.jasg.cpu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * Side by side, the f32 matrix products a CPU backend could fall back to when the Vector API
 * module is not enabled: JASG's packed GEMM with its scalar micro-kernel ({@link Gemm}'s tiles, one thread)
 * against EJML's {@code CommonOps_FDRM.mult} (one thread), then, by wall time, the configured fallback
 * ({@code Gemm.gemm}: {@link EjmlGemm} unless {@code -Djasg.cpu.fallbackGemm=jasg}) and {@code CommonOps_MT_FDRM.mult}.
 * Square {@code n x n} products, best of {@code --runs} after warm-up, in GFLOPS (2 n^3 per product).
 * In package {@code dev.jasg.cpu} to reach the package-private {@link Gemm}; not shipped.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.FallbackGemmBench [--sizes 64,256,512,1024] [--runs 5]
 * </pre>
 * Run it without {@code --add-modules jdk.incubator.vector}: that is the case being measured (it
 * refuses to run with the module, where the vector kernel would be used).
 */
public final class FallbackGemmBench {
    private FallbackGemmBench() {}

    /** Prints the CPU model, then one line per size. */
    public static void main(String[] args) throws Exception {
        int[] sizes = {64, 256, 512, 1024};
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("FallbackGemmBench: unknown argument '" + args[i] + "'");
            }
        }
        if (Gemm.VECTOR) throw new IllegalStateException("run without --add-modules jdk.incubator.vector: the scalar fallback is what is measured");
        System.out.printf(Locale.ROOT, "cpu: %s, %d hardware threads, JASG kernel %s, java %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), Gemm.kernelName(), System.getProperty("java.version"));
        System.out.println("GFLOPS, best of " + runs + "; one thread: by the thread's CPU time (fair on a shared machine); threaded: by wall time");
        System.out.println("jasg-tiles-1t: Gemm's packed scalar tiles on one thread; ejml-1t: CommonOps_FDRM.mult; fallback: Gemm.gemm as configured ("
                + Gemm.kernelName() + ", threaded); ejml-mt: CommonOps_MT_FDRM.mult");
        System.out.println("n     jasg-tiles-1t  ejml-1t   fallback  ejml-mt");
        for (int n : sizes) {
            SplittableRandom r = new SplittableRandom(n);
            float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextDouble(-1, 1);
                b[i] = (float) r.nextDouble(-1, 1);
            }
            FMatrixRMaj ea = FMatrixRMaj.wrap(n, n, a), eb = FMatrixRMaj.wrap(n, n, b), ec = new FMatrixRMaj(n, n);
            double jasg1 = best(runs, true, () -> Gemm.serial(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false, false));
            double ejml1 = best(runs, true, () -> CommonOps_FDRM.mult(ea, eb, ec));
            double jasg = best(runs, false, () -> Gemm.gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
            double mt = best(runs, false, () -> CommonOps_MT_FDRM.mult(ea, eb, ec));
            double check = 0;
            for (int i = 0; i < c.length; i++) check = Math.max(check, Math.abs(c[i] - ec.data[i]));
            double flops = 2.0 * n * n * n;
            System.out.printf(Locale.ROOT, "%-5d %13.2f %8.2f %9.2f %8.2f   (max |jasg - ejml| %.2g)%n", n, flops / jasg1, flops / ejml1, flops / jasg,
                    flops / mt, check);
        }
    }

    /** Best time in nanoseconds (this thread's CPU time when {@code cpuTime}, else wall) of {@code runs} calls after as many untimed ones. */
    private static double best(int runs, boolean cpuTime, Runnable product) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Math.max(2, runs); i++) product.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
            product.run();
            best = Math.min(best, (cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t);
        }
        return best;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (Exception e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
