package dev.jasg.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where a machine's sgemm time goes, in the pieces {@link Gemm} is made of, so that a ratio against
 * OpenBLAS or oneDNN can be traced to one of them: the micro-kernel alone on data in cache (every tile
 * height {@link VectorGemmKernel} has, at two slice depths), the packing of each operand layout, and whole
 * products on one thread and on the pool (1024^3 and the mlp workload's products, plain and transposed).
 * Every figure is the best of many short runs, interleaved, per second of CPU time of the threads doing the
 * work (per thread CPU for one thread, process CPU for the pool): the figures least disturbed by other
 * processes on a shared machine. Compare kernels and blockings by running it again with
 * {@code -Djasg.cpu.tileRows=4|6|8|12} or {@code -Djasg.cpu.kc=N} (the header line shows the choice in force).
 * In package {@code dev.jasg.cpu} to reach the package-private kernels; not shipped.
 *
 * <pre>
 * taskset -c 0,1 java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.GemmProbe [--rounds 12] [--only NAME-PART[,NAME-PART...]]
 * </pre>
 */
public final class GemmProbe {
    private GemmProbe() {}

    private record Item(String name, double flops, Runnable run, boolean pool) {}

    /** Prints the machine and the choice, then one line per item: {@code name  GFLOPS per CPU-second  GFLOPS wall}. */
    public static void main(String[] args) {
        int rounds = 12;
        String only = "";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) rounds = Integer.parseInt(args[++i]);
            else if (args[i].equals("--only")) only = args[++i];
            else throw new IllegalArgumentException("GemmProbe: unknown argument '" + args[i] + "'");
        }
        if (rounds < 1) throw new IllegalArgumentException("GemmProbe: --rounds must be at least 1, got " + rounds);
        if (!Gemm.VECTOR) throw new IllegalStateException("run with --add-modules jdk.incubator.vector: the vector kernels are what is probed");
        System.out.printf(Locale.ROOT, "# cpu %s, %d processors, java %s%n# kernels %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), KernelChoice.CHOSEN.describe());
        List<Item> items = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(1);
        // the micro-kernel on packed strips that stay in cache: C is re-read and re-written every call (add)
        int nr = VectorGemmKernel.NR;
        for (int kc : new int[] {256, 1024}) {
            float[] ap = random(r, 12 * kc), bp = random(r, nr * kc), c = random(r, 12 * nr);
            int[] heights = {12, 8, 6, 4};
            for (int mr : heights) {
                Runnable tile = switch (mr) {
                    case 12 -> () -> VectorGemmKernel.tile12(kc, ap, 0, bp, 0, c, 0, nr, true);
                    case 8 -> () -> VectorGemmKernel.tile8(kc, ap, 0, 8, bp, 0, c, 0, nr, true);
                    case 6 -> () -> VectorGemmKernel.tile6(kc, ap, 0, 6, bp, 0, c, 0, nr, true);
                    default -> () -> VectorGemmKernel.tile4(kc, ap, 0, 4, bp, 0, c, 0, nr, true);
                };
                int calls = Math.max(1, (1 << 22) / (mr * nr * kc));
                items.add(new Item("kernel " + mr + "x" + nr + " kc " + kc, 2.0 * mr * nr * kc * calls, () -> {
                    for (int q = 0; q < calls; q++) tile.run();
                }, false));
            }
        }
        // the 12-row tile with packed B starting s floats into its array: a float[]'s elements start 16 bytes past an 8-byte
        // aligned header, so one of s = 0, 4, 8, 12 puts B's 64-byte vectors on cache lines and the others split every load
        // (where the heap is not moved meanwhile); a CPU whose rate differs across s pays for split loads
        if (nr == 32) {
            for (int kc : new int[] {256, 1024}) {
                float[] ap = random(r, 12 * kc), bp = random(r, nr * kc + 16), c = random(r, 12 * nr);
                for (int s : new int[] {0, 4, 8, 12}) {
                    int calls = Math.max(1, (1 << 22) / (12 * nr * kc));
                    items.add(new Item("kernel 12x" + nr + " kc " + kc + " B at +" + s, 2.0 * 12 * nr * kc * calls, () -> {
                        for (int q = 0; q < calls; q++) VectorGemmKernel.tile12(kc, ap, 0, bp, s, c, 0, nr, true);
                    }, false));
                }
            }
        }
        // the same tiles reading A's rows in place (Gemm.unpackedA: a row-major A, rows copiedLd apart), as the products do
        for (int kc : new int[] {256, 1024}) {
            int ld = Gemm.copiedLd(kc);
            float[] a = random(r, 12 * ld), bp = random(r, nr * kc), c = random(r, 12 * nr);
            for (int mr : new int[] {12, 8, 4}) {
                int calls = Math.max(1, (1 << 22) / (mr * nr * kc));
                items.add(new Item("kernel rows " + mr + "x" + nr + " kc " + kc, 2.0 * mr * nr * kc * calls, () -> {
                    for (int q = 0; q < calls; q++) VectorGemmKernel.tileRowsOf(mr, kc, a, 0, ld, bp, 0, c, 0, nr, true);
                }, false));
            }
        }
        // packing, as GFLOPS of a product of depth 1 per float moved (i.e. 2 x Gfloats/s)
        for (String layout : new String[] {"nn", "nt", "tn"}) {
            int m = Gemm.MC, k = 784, n = 256;
            boolean ta = layout.charAt(0) == 't', tb = layout.charAt(1) == 't';
            float[] a = random(r, m * k), b = random(r, k * n), out = new float[(Math.max(m, n) + 32) * k];
            if (layout.equals("nt") || layout.equals("nn")) {
                items.add(new Item("pack B " + (tb ? "transposed" : "row-major") + " " + k + "x" + n, 2.0 * k * n,
                        () -> Gemm.packB(k, n, b, 0, tb ? 1 : n, tb ? k : 1, out, 0), false));
            }
            if (layout.equals("tn") || layout.equals("nn")) {
                items.add(new Item("pack A " + (ta ? "transposed" : "row-major") + " " + m + "x" + k, 2.0 * m * k,
                        () -> Gemm.packA(m, k, a, 0, ta ? 1 : k, ta ? m : 1, out, 0), false));
            }
        }
        // what the products do with a row-major A instead of packing it: read it in place, or, where its rows lie a
        // multiple of 4 KiB apart, copy them into rows that do not (Gemm.blockA)
        {
            int m = Gemm.MC, k = 784, lda = 1024, ld = Gemm.copiedLd(k);
            float[] a = random(r, m * lda), out = new float[m * ld];
            items.add(new Item("copy A rows 4 KiB apart " + m + "x" + k, 2.0 * m * k, () -> {
                for (int i = 0; i < m; i++) System.arraycopy(a, i * lda, out, i * ld, k);
            }, false));
        }
        // whole products: {m, k, n, layout}
        String[][] products = {
            {"1024", "1024", "1024", "nn"}, {"256", "784", "256", "nt"}, {"256", "256", "784", "tn"}, {"256", "256", "256", "nn"},
            {"256", "256", "256", "nt"}, {"256", "256", "256", "tn"}, {"256", "256", "10", "nt"},
            // GPT-2 small at 128 tokens (InferencePeers' gpt2): c_attn, c_proj, c_fc, mlp.c_proj, the tied head
            {"128", "768", "2304", "nn"}, {"128", "768", "768", "nn"}, {"128", "768", "3072", "nn"}, {"128", "3072", "768", "nn"},
            {"128", "768", "50257", "nt"},
            // and at batch 8 (1024 tokens)
            {"1024", "768", "2304", "nn"}, {"1024", "768", "3072", "nn"}, {"1024", "3072", "768", "nn"},
        };
        for (boolean pool : new boolean[] {false, true}) {
            for (String[] p : products) {
                int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
                boolean ta = p[3].charAt(0) == 't', tb = p[3].charAt(1) == 't';
                float[] a = random(r, m * k), b = random(r, k * n), c = new float[m * n];
                int lda = ta ? m : k, ldb = tb ? k : n;
                Runnable run = pool ? () -> Gemm.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false)
                        : () -> Gemm.serial(m, n, k, a, 0, ta ? 1 : lda, ta ? lda : 1, b, 0, tb ? 1 : ldb, tb ? ldb : 1, c, 0, n, false);
                items.add(new Item((pool ? "pool " : "1 thread ") + m + "x" + k + "x" + n + " " + p[3], 2.0 * m * n * k, run, pool));
            }
        }
        // the same products with B a weight packed once (PackedWeights at inference): what is left without B's packing; and,
        // where B is at most 16 MB, with B cold: 24 copies of the packed weight taken in turn (GPT-2's 12 blocks hold ~330 MB
        // of them), so each product reads its B from memory, as a model's forward does once a run
        for (String[] p : products) {
            int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
            if (p[3].charAt(0) == 't' || m == 1 || n == 1) continue;
            boolean tb = p[3].charAt(1) == 't';
            float[] a = random(r, m * k), b = random(r, k * n), c = new float[m * n], bp = new float[Gemm.panelSize(k, n)];
            Gemm.packPanel(k, n, b, 0, tb ? 1 : n, tb ? k : 1, bp);
            String shape = m + "x" + k + "x" + n + " " + p[3];
            items.add(new Item("pool packed B " + shape, 2.0 * m * n * k, () -> Gemm.gemmPacked(m, n, k, a, 0, k, 1, bp, c, 0, n, false), true));
            // as a linear layer runs it: C starts from a bias row (filled block by block, then accumulated onto)
            float[] bias = random(r, n);
            items.add(new Item("pool packed B bias " + shape, 2.0 * m * n * k,
                    () -> Gemm.gemmPacked(m, n, k, a, 0, k, 1, bp, c, 0, n, false, bias, 1), true));
            if ((long) k * n > 4_000_000L) continue;
            float[][] bps = new float[24][];
            for (int q = 0; q < bps.length; q++) bps[q] = bp.clone();
            int[] turn = {0};
            items.add(new Item("pool cold packed B " + shape, 2.0 * m * n * k,
                    () -> Gemm.gemmPacked(m, n, k, a, 0, k, 1, bps[turn[0]++ % bps.length], c, 0, n, false), true));
        }
        List<String> parts = List.of(only.split(","));
        items.removeIf(it -> parts.stream().noneMatch(it.name()::contains));
        measure(items, rounds);
    }

    private static void measure(List<Item> items, int rounds) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] perCpu = new double[items.size()], wall = new double[items.size()];
        int warm = Math.min(3, rounds - 1); // warm-up rounds (compilation), uncounted; at least one round is counted
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                long cpu0 = it.pool() ? os.getProcessCpuTime() : threads.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                long end = t0 + 150_000_000L, now, n = 0;
                do {
                    it.run().run();
                    n++;
                    now = System.nanoTime();
                } while (now < end);
                double cpu = ((it.pool() ? os.getProcessCpuTime() : threads.getCurrentThreadCpuTime()) - cpu0) / 1e9;
                if (round < warm) continue;
                perCpu[i] = Math.max(perCpu[i], it.flops() * n / 1e9 / cpu);
                wall[i] = Math.max(wall[i], it.flops() * n / 1e9 / ((now - t0) / 1e9));
            }
        }
        for (int i = 0; i < items.size(); i++) {
            System.out.printf(Locale.ROOT, "%-34s %8.1f GFLOPS per CPU-second %8.1f wall%n", items.get(i).name(), perCpu[i], wall[i]);
        }
    }

    static String cpuModel() {
        return dev.jasg.bench.Machine.cpuModel();
    }

    static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }
}
