package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.HostTensor;
import dev.jasg.models.Inference;
import dev.jasg.models.vision.MobileNetV2;
import dev.jasg.models.vision.ResNet;
import dev.jasg.nn.Layer;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Batch-1 inference latency of the zoo's vision models through {@link Inference} (forward only,
 * eval mode): each model is compiled once for {@code [1, 3, size, size]}, warmed up, then run
 * {@code --runs} times; one line per model,
 * {@code zoo_<model>_b1_<size> median <ms> ms p90 <ms> ms (<backend>)}. Weights are the initial
 * values (latency does not depend on them).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.bench.ZooLatency \
 *     [--gpu] [--only resnet18|resnet34|resnet50|mobilenet_v2] [--size 224] [--runs 20] [--warmup 3]
 * </pre>
 */
public final class ZooLatency {
    private ZooLatency() {}

    /** Prints the latency of each model named on the command line (all by default). */
    public static void main(String[] args) {
        String backendName = "cpu", only = null;
        int size = 224, runs = 20, warmup = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gpu" -> backendName = "vulkan";
                case "--only" -> only = args[++i];
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("ZooLatency: unknown argument '" + args[i]
                        + "'; expected --gpu, --only MODEL, --size N, --runs N, --warmup N");
            }
        }
        String[] models = only != null ? new String[] {only} : new String[] {"resnet18", "resnet34", "resnet50", "mobilenet_v2"};
        SplittableRandom r = new SplittableRandom(1);
        float[] image = new float[3 * size * size];
        for (int i = 0; i < image.length; i++) image[i] = (float) r.nextGaussian();
        HostTensor x = HostTensor.of(image, 1, 3, size, size);
        try (Backend backend = Backends.create(backendName)) {
            for (String m : models) {
                try (Inference net = Inference.compile(model(m), backend, 1, 3, size, size)) {
                    for (int i = 0; i < warmup; i++) net.run(x);
                    double[] ms = new double[runs];
                    for (int i = 0; i < runs; i++) {
                        long t0 = System.nanoTime();
                        net.run(x);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    Arrays.sort(ms);
                    System.out.printf(Locale.ROOT, "zoo_%s_b1_%d median %.2f ms p90 %.2f ms (%s)%n", m, size, ms[runs / 2],
                            ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.9) - 1)], backend.name());
                }
            }
        }
    }

    private static Layer model(String name) {
        return switch (name) {
            case "resnet18" -> ResNet.resnet18();
            case "resnet34" -> ResNet.resnet34();
            case "resnet50" -> ResNet.resnet50();
            case "mobilenet_v2" -> MobileNetV2.mobilenetV2();
            default -> throw new IllegalArgumentException("ZooLatency: unknown model '" + name + "'; expected resnet18, resnet34, resnet50 or mobilenet_v2");
        };
    }
}
