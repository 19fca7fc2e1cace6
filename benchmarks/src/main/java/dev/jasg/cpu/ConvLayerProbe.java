package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Every convolution of resnet18's forward (224 x 224 images) by the kernel {@link ConvKernels#conv2d} picks, alone: median
 * milliseconds and multiply-adds per nanosecond (GMAC/s) per layer shape, and the share of the total, to find where a
 * forward's convolution time goes. With {@code -Djasg.cpu.threads=1} the times are the calling thread's CPU time, which
 * a loaded machine disturbs less. In package {@code dev.jasg.cpu} to reach the package-private kernels; not shipped.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Djasg.cpu.threads=1 -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.ConvLayerProbe \
 *     [--batches 1,32] [--seconds 0.5] [--warmup 0.5]
 * </pre>
 */
public final class ConvLayerProbe {
    private ConvLayerProbe() {}

    /** A layer: input channels, output channels, input side, kernel side, stride, padding, and how often resnet18 has it. */
    private record Layer(String name, int cin, int cout, int side, int k, int stride, int pad, int count) {}

    private static final List<Layer> RESNET18 = List.of(
            new Layer("conv1 7x7/2", 3, 64, 224, 7, 2, 3, 1),
            new Layer("layer1 3x3", 64, 64, 56, 3, 1, 1, 4),
            new Layer("layer2.0.conv1 3x3/2", 64, 128, 56, 3, 2, 1, 1),
            new Layer("layer2 3x3", 128, 128, 28, 3, 1, 1, 3),
            new Layer("layer2 ds 1x1/2", 64, 128, 56, 1, 2, 0, 1),
            new Layer("layer3.0.conv1 3x3/2", 128, 256, 28, 3, 2, 1, 1),
            new Layer("layer3 3x3", 256, 256, 14, 3, 1, 1, 3),
            new Layer("layer3 ds 1x1/2", 128, 256, 28, 1, 2, 0, 1),
            new Layer("layer4.0.conv1 3x3/2", 256, 512, 14, 3, 2, 1, 1),
            new Layer("layer4 3x3", 512, 512, 7, 3, 1, 1, 3),
            new Layer("layer4 ds 1x1/2", 256, 512, 14, 1, 2, 0, 1));

    /** Prints the machine, then one line per (layer, batch) and a total per batch. */
    public static void main(String[] args) {
        double seconds = 0.5, warmup = 0.5;
        int[] batches = {1, 32};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("ConvLayerProbe: unknown argument '" + args[i] + "'");
            }
        }
        System.out.printf(Locale.ROOT, "# cpu %s, %d processors, java %s, kernels %s, %s%n", GemmProbe.cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), KernelChoice.CHOSEN.describe(),
                WinogradProbe.CPU_TIME ? "one thread, CPU time" : "wall time");
        for (int n : batches) {
            System.out.printf(Locale.ROOT, "%-22s %5s %10s %10s %8s %10s %s%n", "layer", "batch", "ms", "ms x count", "GMAC/s", "im2col ms", "kernel");
            double total = 0;
            List<String> lines = new ArrayList<>();
            for (Layer l : RESNET18) {
                int out = (l.side() + 2 * l.pad() - l.k()) / l.stride() + 1;
                Conv v = new Conv(n, 1, l.cin(), l.side(), l.side(), l.cout(), out, out, l.k(), l.k(), l.stride(), l.stride(), l.pad(), l.pad(), 1, 1);
                ConvKernels.Run k = ConvKernels.conv2d(new ConvKernels.Shape(n, l.cin(), l.side(), l.side(), l.cout(), out, out, l.k(), l.k(),
                        new dev.jasg.core.ConvGeometry(l.stride(), l.stride(), l.pad(), l.pad(), l.pad(), l.pad(), 1, 1, 1)));
                SplittableRandom r = new SplittableRandom(1);
                float[] x = new float[n * l.cin() * l.side() * l.side()], w = new float[l.cout() * l.cin() * l.k() * l.k()], y = new float[n * l.cout() * out * out];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
                time(k, x, w, y, warmup);
                double ms = time(k, x, w, y, seconds);
                // the unfolding alone (every image, whole), what the GEMM lowering adds to its products
                float[] col = new float[v.k() * v.hw()];
                ConvKernels.Run unfold = (a, b, c) -> {
                    for (int im = 0; im < n; im++) ConvKernels.im2col(v, a, im * v.cin() * v.plane(), 0, v.k(), 0, v.hw(), col, 0, v.hw());
                };
                time(unfold, x, w, y, warmup / 4);
                double unfoldMs = time(unfold, x, w, y, seconds / 2);
                total += ms * l.count();
                System.out.printf(Locale.ROOT, "%-22s %5d %10.3f %10.3f %8.1f %10.3f %s%n", l.name(), n, ms, ms * l.count(), v.work() / ms / 1e6,
                        unfoldMs, k.getClass().getSimpleName());
            }
            System.out.printf(Locale.ROOT, "%-22s %5d %10s %10.3f%n", "total", n, "", total);
        }
    }

    private static double time(ConvKernels.Run k, float[] x, float[] w, float[] y, double seconds) {
        return WinogradProbe.time(k, x, w, y, seconds);
    }
}
