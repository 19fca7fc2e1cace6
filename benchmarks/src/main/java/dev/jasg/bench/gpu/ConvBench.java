package dev.jasg.bench.gpu;

import dev.jasg.core.ConvGeometry;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.PoolWindow;
import dev.jasg.core.Tensor;
import dev.jasg.gpu.VulkanBackend;
import dev.jasg.gpu.VulkanExecutable;
import dev.jasg.gpu.VulkanParameters;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the Vulkan convolution and max-pooling kernels on ResNet- and MobileNet-like
 * layers: for each layer the forward convolution, its input gradient (a transposed
 * convolution) and its kernel gradient, each a separate one-dispatch executable over
 * device-resident parameters, timed with timestamp queries (median of repeated runs). One
 * line per layer and op: {@code conv r3x3-64-56 fwd: 1.234 ms, 12.3 TFLOPS}.
 *
 * <p>Compare with {@code benchmarks/gpu/torch_conv.py} (cuDNN, TF32 off), which runs the same
 * layers. Arguments: names of layers to run (default all).
 */
public final class ConvBench {
    private ConvBench() {}

    /** A layer: batch, input channels, size, output channels, square kernel, stride, padding, groups. */
    record Layer(String name, int n, int c, int h, int o, int k, int s, int p, int groups) {}

    /** The layers, also listed in torch_conv.py. */
    static final List<Layer> LAYERS = List.of(
            new Layer("r3x3-64-56", 32, 64, 56, 64, 3, 1, 1, 1),
            new Layer("r3x3-128-28", 32, 128, 28, 128, 3, 1, 1, 1),
            new Layer("r3x3-256-14", 32, 256, 14, 256, 3, 1, 1, 1),
            new Layer("r3x3s2-128-56", 32, 128, 56, 128, 3, 2, 1, 1),
            new Layer("r1x1-256-64-56", 32, 256, 56, 64, 1, 1, 0, 1),
            new Layer("stem7x7s2-3-224", 16, 3, 224, 64, 7, 2, 3, 1),
            new Layer("dw3x3-256-56", 32, 256, 56, 256, 3, 1, 1, 256),
            new Layer("cnn-32-64-14", 128, 32, 14, 64, 3, 1, 1, 1));

    /** Runs the layers named in {@code args} (all when none). */
    public static void main(String[] args) {
        List<String> only = Arrays.asList(args);
        try (VulkanBackend gpu = new VulkanBackend()) {
            System.out.println("device: " + gpu.deviceName() + ", subgroup size " + gpu.subgroupSize());
            for (Layer l : LAYERS) {
                if (!only.isEmpty() && !only.contains(l.name())) continue;
                conv(gpu, l);
            }
            if (only.isEmpty() || only.contains("maxpool")) pool(gpu);
            // the driver's statistics of each kernel that ran (register count and more), with -Djasg.vulkan.kernelStatistics=true
            gpu.kernelStatistics().forEach((k, v) -> System.out.println("kernel " + k + ": " + v));
        }
    }

    private static void conv(VulkanBackend gpu, Layer l) {
        ConvGeometry g = ConvGeometry.of(l.s(), l.p(), 1, l.groups());
        int ho = g.outH(l.h(), l.k()), wo = g.outW(l.h(), l.k());
        int op = l.h() - g.transposedH(ho, l.k(), 0);
        double flop = 2.0 * l.n() * l.o() * ho * wo * (l.c() / l.groups()) * l.k() * l.k();
        for (String what : new String[] {"fwd", "dx", "dw"}) {
            GraphBuilder b = new GraphBuilder();
            Tensor w = b.parameter("w", Init.uniform(-1, 1), l.o(), l.c() / l.groups(), l.k(), l.k());
            Tensor out = switch (what) {
                case "fwd" -> b.parameter("x", Init.uniform(-1, 1), l.n(), l.c(), l.h(), l.h()).conv2d(w, g);
                case "dx" -> b.parameter("gy", Init.uniform(-1, 1), l.n(), l.o(), ho, wo).convTranspose2d(w, g, op, op);
                default -> b.parameter("x", Init.uniform(-1, 1), l.n(), l.c(), l.h(), l.h())
                        .conv2dWeightGrad(b.parameter("gy", Init.uniform(-1, 1), l.n(), l.o(), ho, wo), g, l.k(), l.k());
            };
            b.output("y", out);
            time(gpu, b, "conv " + l.name() + " " + what, flop);
        }
    }

    private static void pool(VulkanBackend gpu) {
        PoolWindow win = PoolWindow.Fixed.of(3, 2, 1);
        for (String what : new String[] {"select", "scatter"}) {
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.parameter("x", Init.uniform(-1, 1), 32, 64, 112, 112);
            Tensor out = what.equals("select") ? x.maxPool2d(win) : x.maxPoolScatter(b.parameter("g", Init.uniform(-1, 1), 32, 64, 56, 56), win);
            b.output("y", out);
            time(gpu, b, "maxpool 3x3s2p1 32x64x112 " + what, 0);
        }
        for (String what : new String[] {"select", "scatter"}) {
            GraphBuilder b = new GraphBuilder();
            Tensor x = b.parameter("x", Init.uniform(-1, 1), 32, 512, 14, 14);
            PoolWindow a = new PoolWindow.Adaptive(1, 1);
            Tensor out = what.equals("select") ? x.maxPool2d(a) : x.maxPoolScatter(b.parameter("g", Init.uniform(-1, 1), 32, 512, 1, 1), a);
            b.output("y", out);
            time(gpu, b, "adaptive 1x1 32x512x14 " + what, 0);
        }
    }

    private static void time(VulkanBackend gpu, GraphBuilder b, String label, double flop) {
        // each layer's parameters are freed after it, so later layers run on the same memory footing
        try (VulkanParameters p = (VulkanParameters) gpu.newParameters(7); VulkanExecutable e = gpu.compile(p, List.of(b.build()))) {
            for (int i = 0; i < 3; i++) e.run(Map.of());
            long t0 = System.nanoTime();
            e.run(Map.of());
            long once = System.nanoTime() - t0;
            int reps = (int) Math.max(5, Math.min(100, 1e9 / Math.max(once, 1)));
            double[] dev = new double[reps];
            for (int i = 0; i < reps; i++) {
                e.run(Map.of());
                dev[i] = e.lastRunDeviceNanos();
            }
            Arrays.sort(dev);
            double median = dev[reps / 2] > 0 ? dev[reps / 2] : once;
            System.out.println(String.format(Locale.ROOT, "%s: %.3f ms%s", label, median / 1e6,
                    flop > 0 ? String.format(Locale.ROOT, ", %.2f TFLOPS", flop / median / 1e3) : ""));
        }
    }
}
