package dev.jasg.cpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What streaming the weights from memory costs a product against packed weights ({@link Gemm#gemmPacked}, the path
 * inference's linear layers and channels-as-columns convolutions take): one shape {@code C[M,N] = A[M,K] W^T}, with hot
 * weights (one packed panel, called again and again, so it stays in the caches it fits) and with cold weights
 * ({@code --copies} panels called in turn, together larger than the caches). Prints, per round, the median milliseconds
 * and GFLOPS of each. A is row-major ({@code rm}, read in place: GPT-2's linear layers) or column-major ({@code cm},
 * packed: a convolution's unfolded input, channels as columns). In package {@code dev.jasg.cpu} to reach the
 * package-private kernels; not shipped.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.ColdWeightsProbe \
 *     [--shape 49,512,4608] [--a cm|rm] [--copies 8] [--rounds 4] [--seconds 1] [--warmup 4]
 * </pre>
 *
 * <p>Defaults: resnet18's layer4 3x3 convolution at batch 1 (49 pixels, 512 channels, 4608 = 512 x 9 taps; 9.4 MB
 * of weights, 75 MB in 8 copies).
 */
public final class ColdWeightsProbe {
    private ColdWeightsProbe() {}

    private static final String USAGE = "usage: ColdWeightsProbe [--shape M,N,K] [--a cm|rm] [--copies C] [--rounds R] [--seconds S] [--warmup S]";

    public static void main(String[] args) {
        int m = 49, n = 512, k = 4608, copies = 8, rounds = 4;
        double seconds = 1, warmup = 4;
        boolean columnMajor = true;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--shape" -> {
                        int[] s = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                        if (s.length != 3) throw new IllegalArgumentException("--shape takes M,N,K");
                        m = s[0];
                        n = s[1];
                        k = s[2];
                    }
                    case "--a" -> {
                        String v = args[++i];
                        if (!v.equals("cm") && !v.equals("rm")) throw new IllegalArgumentException("--a takes cm or rm, got " + v);
                        columnMajor = v.equals("cm");
                    }
                    case "--copies" -> copies = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                    case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (m < 1 || n < 1 || k < 1 || copies < 2 || rounds < 1 || !(seconds > 0) || !(warmup >= 0)) {
                throw new IllegalArgumentException("M, N, K, rounds and seconds must be positive, warmup not negative and copies at least 2");
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("ColdWeightsProbe: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (!Gemm.VECTOR) throw new IllegalStateException("run with --add-modules jdk.incubator.vector: the vector kernels are what is probed");
        SplittableRandom r = new SplittableRandom(1);
        float[] a = GemmProbe.random(r, m * k);
        float[][] panels = new float[copies][];
        for (int q = 0; q < copies; q++) {
            float[] w = GemmProbe.random(r, n * k);
            panels[q] = new float[Gemm.panelSize(k, n)];
            Gemm.packPanel(k, n, w, 0, 1, k, panels[q]); // W [N, K] row-major, multiplied as W^T
        }
        float[] c = new float[m * n];
        int ars = columnMajor ? 1 : k, acs = columnMajor ? m : 1;
        double flops = 2.0 * m * n * k;
        System.out.printf(Locale.ROOT, "# cpu %s, %d processors, java %s%n# kernels %s%n# C[%d,%d] = A[%d,%d] (%s) W^T, weights %.1f MB, cold: %d copies in turn%n",
                GemmProbe.cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.version(), KernelChoice.CHOSEN.describe(),
                m, n, m, k, columnMajor ? "column-major, packed" : "row-major, read in place", 4.0 * n * k / 1e6, copies);
        // warm-up: the JIT compiles the vector kernels (before, the products run scalar twins or boxed vector code)
        if (warmup > 0) median(m, n, k, a, ars, acs, panels, c, warmup);
        for (int round = 1; round <= rounds; round++) {
            double hot = median(m, n, k, a, ars, acs, new float[][] {panels[0]}, c, seconds);
            double cold = median(m, n, k, a, ars, acs, panels, c, seconds);
            System.out.printf(Locale.ROOT, "round %d hot %.3f ms %.1f GFLOPS | cold %.3f ms %.1f GFLOPS | cold/hot time %.2f%n",
                    round, hot, flops / hot / 1e6, cold, flops / cold / 1e6, cold / hot);
        }
    }

    /** The median time of one product in milliseconds over {@code seconds}, the panels taken in turn. */
    private static double median(int m, int n, int k, float[] a, int ars, int acs, float[][] panels, float[] c, double seconds) {
        long[] times = new long[1 << 16];
        int count = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int call = 0; System.nanoTime() < end && count < times.length; call++) {
            long s = System.nanoTime();
            Gemm.gemmPacked(m, n, k, a, 0, ars, acs, panels[call % panels.length], c, 0, n, false);
            times[count++] = System.nanoTime() - s;
        }
        Arrays.sort(times, 0, count);
        return times[count / 2] / 1e6;
    }
}
