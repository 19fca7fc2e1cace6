package dev.jasg.bench.gpu;

import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.gpu.VulkanBackend;
import dev.jasg.gpu.VulkanExecutable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the Vulkan backend's matrix product {@code C = A B} for square sizes
 * (arguments, default 1024 2048 4096), in fp32 or, with {@code --dtype f16} or {@code --dtype bf16},
 * with half operands and f32 accumulation and result (the tensor-core kernel where the device has
 * cooperative matrices; the line says which). A and B are parameters resident on the device, so a
 * run is one dispatch; each size is warmed up, then timed over repeated runs with timestamp
 * queries (wall-clock per run, fence wait included, is printed beside). A few entries of C
 * are checked against a double-precision dot product. One line per size:
 * {@code matmul 4096^3 fp32: 4.10 ms median, 33.5 TFLOPS (best 34.1) ...}.
 *
 * <p>{@code --product M,K,N,TA,TB[,EPILOGUE]} (repeatable) times one product of a training step instead: A is
 * {@code [M,K]}, or {@code [K,M]} read transposed when {@code TA} is 1; B is {@code [K,N]}, or {@code [N,K]} read
 * transposed when {@code TB} is 1 (a linear layer's weight); {@code EPILOGUE} {@code bias}, {@code bias+res},
 * {@code bias+gelu}, {@code mul} (times an operand {@code [M,N]}) or {@code gelugrad} (times GELU's gradient at an
 * operand {@code [M,N]}, a feed-forward layer's backward) adds a fused epilogue; {@code softmax} times the softmax of
 * the result's rows (attention's weights: one kernel where the rows fit {@code Fusion.softmaxProduct}, else the product
 * and a softmax; {@code -Djasg.vulkan.softmaxProducts=false} for the second). E.g. GPT-2 small's second feed-forward product with its bias and
 * residual: {@code --product 8192,3072,768,0,1,bias+res}. A last field {@code xB} makes it a batch of {@code B} products
 * (attention's per-head products: {@code --product 1024,64,1024,0,1,x96} are GPT-2-sized scores, 8 sequences of 12 heads).
 * {@code --passes N} times the products N times over in the JVM and prints the last pass only, so that no product is timed
 * just after the driver compiled its pipeline.
 *
 * <p>With {@code -Djasg.vulkan.kernelStatistics=true} each kernel's compiled statistics follow (the driver's register
 * count and others, where the device reports them).
 *
 * <p>Compare with {@code benchmarks/gpu/torch_matmul.py} (cuBLAS, TF32 off) in the same session.
 */
public final class MatmulBench {
    private MatmulBench() {}

    /** Runs the benchmark for the sizes in {@code args}. */
    public static void main(String[] args) {
        DType dtype = DType.F32;
        java.util.List<Integer> list = new java.util.ArrayList<>();
        java.util.List<String> products = new java.util.ArrayList<>();
        int passes = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--dtype")) dtype = DType.valueOf(args[++i].toUpperCase(Locale.ROOT));
            else if (args[i].equals("--product")) products.add(args[++i]);
            else if (args[i].equals("--passes")) passes = Integer.parseInt(args[++i]);
            else list.add(Integer.parseInt(args[i]));
        }
        if (!products.isEmpty()) {
            try (VulkanBackend gpu = new VulkanBackend()) {
                System.out.println("device: " + gpu.deviceName() + ", cooperative matrices: " + gpu.cooperativeMatrices());
                // passes after the first time every product again, its kernels compiled seconds before (a product whose pipeline
                // the driver had just compiled ran 3-5x slow for seconds in a first JVM on an H100, 2026-12-05); only the last
                // pass prints
                for (int p = 1; p <= passes; p++) for (String spec : products) product(gpu, spec, dtype, p == passes);
                printStatistics(gpu);
            }
            return;
        }
        int[] sizes = list.isEmpty() ? new int[] {1024, 2048, 4096} : list.stream().mapToInt(Integer::intValue).toArray();
        try (VulkanBackend gpu = new VulkanBackend()) {
            System.out.println("device: " + gpu.deviceName() + ", subgroup size " + gpu.subgroupSize() + ", cooperative matrices: " + gpu.cooperativeMatrices());
            for (int n : sizes) bench(gpu, n, dtype);
            printStatistics(gpu);
        }
    }

    /** The driver's statistics of each kernel that ran (register count and more), with {@code -Djasg.vulkan.kernelStatistics=true}. */
    private static void printStatistics(VulkanBackend gpu) {
        gpu.kernelStatistics().forEach((k, v) -> System.out.println("kernel " + k + ": " + v));
    }

    private static void bench(VulkanBackend gpu, int n, DType dtype) {
        GraphBuilder b = new GraphBuilder();
        Tensor a = b.parameter("a", Shape.of(n, n), dtype, Init.uniform(-1, 1), true);
        Tensor c = b.parameter("b", Shape.of(n, n), dtype, Init.uniform(-1, 1), true);
        b.output("c", a.matmul(c));
        Parameters p = gpu.newParameters(7);
        try (VulkanExecutable e = gpu.compile(p, java.util.List.of(b.build()))) {
            double flop = 2.0 * n * n * n;
            int warm = 3;
            for (int i = 0; i < warm; i++) e.run(Map.of());
            long t0 = System.nanoTime();
            e.run(Map.of());
            long once = System.nanoTime() - t0;
            int reps = (int) Math.max(5, Math.min(200, 1.5e9 / Math.max(once, 1)));
            double[] dev = new double[reps];
            long wall0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                e.run(Map.of());
                dev[i] = e.lastRunDeviceNanos();
            }
            double wall = (System.nanoTime() - wall0) / (double) reps;
            Arrays.sort(dev);
            boolean timestamps = dev[0] > 0;
            double median = timestamps ? dev[reps / 2] : wall, best = timestamps ? dev[0] : wall;
            String check = check(e, p, n);
            System.out.println(String.format(Locale.ROOT, "matmul %d^3 %s: %.3f ms median, %s (best %s), wall %.3f ms/run, %d runs, %s%s",
                    n, dtype == DType.F32 ? "fp32" : dtype.label() + " (f32 accumulation)", median / 1e6, rate(flop / median), rate(flop / best),
                    wall / 1e6, reps, check,
                    timestamps ? "" : " (no timestamp queries: wall time)"));
        }
    }

    /** One product of a training step, as {@code --product} describes. */
    private static void product(VulkanBackend gpu, String spec, DType dtype, boolean print) {
        String[] f = spec.split(",");
        int count = f[f.length - 1].startsWith("x") ? Integer.parseInt(f[f.length - 1].substring(1)) : 0;
        if (count > 0) f = Arrays.copyOf(f, f.length - 1);
        int m = Integer.parseInt(f[0]), k = Integer.parseInt(f[1]), n = Integer.parseInt(f[2]);
        boolean ta = f[3].equals("1"), tb = f[4].equals("1");
        String epi = f.length > 5 ? f[5] : "none";
        GraphBuilder b = new GraphBuilder();
        Tensor a = b.parameter("a", batched(count, ta ? Shape.of(k, m) : Shape.of(m, k)), dtype, Init.uniform(-1, 1), true);
        Tensor w = b.parameter("b", batched(count, tb ? Shape.of(n, k) : Shape.of(k, n)), dtype, Init.uniform(-1, 1), true);
        Tensor c = (ta ? a.mT() : a).matmul(tb ? w.mT() : w);
        if (epi.startsWith("bias")) c = c.add(b.parameter("bias", Shape.of(n), DType.F32, Init.uniform(-1, 1), true));
        if (epi.endsWith("+res")) c = c.add(b.parameter("res", Shape.of(m, n), DType.F32, Init.uniform(-1, 1), true));
        if (epi.endsWith("+gelu")) c = c.gelu();
        if (epi.equals("mul")) c = c.mul(b.parameter("h", Shape.of(m, n), DType.F32, Init.uniform(-1, 1), true));
        if (epi.equals("softmax")) c = c.softmax(-1);
        if (epi.equals("gelugrad")) {
            // GELU's gradient at h times the incoming gradient, as autograd writes it for a feed-forward layer's backward
            Tensor h = b.parameter("h", Shape.of(m, n), DType.F32, Init.uniform(-1, 1), true);
            Tensor cdf = h.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
            Tensor pdf = h.mul(h).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
            c = c.mul(cdf.add(h.mul(pdf)));
        }
        b.output("c", c);
        Parameters p = gpu.newParameters(7);
        try (VulkanExecutable e = gpu.compile(p, java.util.List.of(b.build()))) {
            // back-to-back runs until two batches of ten agree within 3% (at least half a second, at most 20 s): on the
            // H200 a product whose pipeline the driver had just compiled for the first time ran 4-5x slower for its first
            // second or more (its cached pipeline in the next JVM ran at full speed at once)
            long warm0 = System.nanoTime();
            double last = Double.NaN;
            while (true) {
                double[] batch = new double[10];
                for (int i = 0; i < batch.length; i++) {
                    e.run(Map.of());
                    batch[i] = e.lastRunDeviceNanos();
                }
                Arrays.sort(batch);
                double med = batch[batch.length / 2];
                long waited = System.nanoTime() - warm0;
                boolean stable = Math.abs(med - last) <= 0.03 * med;
                last = med;
                if ((stable && waited >= 500_000_000L) || waited >= 20_000_000_000L) break;
            }
            double warmSeconds = (System.nanoTime() - warm0) / 1e9;
            int reps = 30;
            double[] dev = new double[reps];
            for (int i = 0; i < reps; i++) {
                e.run(Map.of());
                dev[i] = e.lastRunDeviceNanos();
            }
            Arrays.sort(dev);
            double flop = 2.0 * m * n * k * Math.max(1, count);
            if (print) System.out.println(String.format(Locale.ROOT, "product %s %s: %.3f ms median, %s (best %s), warm-up %.1f s", spec,
                    dtype == DType.F32 ? "fp32" : dtype.label(), dev[reps / 2] / 1e6, rate(flop / dev[reps / 2]), rate(flop / dev[0]), warmSeconds));
        }
    }

    /** {@code s} with a leading batch axis of {@code batch} (none when 0). */
    private static Shape batched(int batch, Shape s) {
        return batch > 0 ? Shape.of(batch, s.dim(0), s.dim(1)) : s;
    }

    private static String rate(double flopPerNs) {
        double gflops = flopPerNs;
        return gflops >= 1000 ? String.format(Locale.ROOT, "%.2f TFLOPS", gflops / 1000) : String.format(Locale.ROOT, "%.1f GFLOPS", gflops);
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
