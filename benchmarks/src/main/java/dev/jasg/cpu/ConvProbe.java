package dev.jasg.cpu;

import dev.jasg.cpu.ConvKernels.Conv;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * ResNet-18's batch-1 convolutions that multiply channels as columns ({@link ConvGemm.ChannelsAsColumns}: layer4's 3x3,
 * layer3's 3x3, layer4's stride-2 3x3), each alone on the pool, the weights vouched unchanged as a model's run vouches
 * them; prints the best time of a call over the rounds after two uncounted ones. For comparing jars (interleave JVMs):
 * the convolutions were more than half of that forward on the Zen 5. In package {@code dev.jasg.cpu} to reach the
 * package-private kernel; not shipped.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:ActiveProcessorCount=2 -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.ConvProbe [--rounds 8]
 * </pre>
 */
public final class ConvProbe {
    private ConvProbe() {}

    private static Conv conv(int cin, int h, int cout, int stride) {
        int ho = (h + 2 - 2 - 1) / stride + 1;
        return new Conv(1, 1, cin, h, h, cout, ho, ho, 3, 3, stride, stride, 1, 1, 1, 1);
    }

    public static void main(String[] args) {
        int rounds = 8;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) rounds = Integer.parseInt(args[++i]);
            else throw new IllegalArgumentException("ConvProbe: unknown argument '" + args[i] + "' (usage: ConvProbe [--rounds N])");
        }
        if (rounds < 3) throw new IllegalArgumentException("ConvProbe: --rounds must be at least 3, got " + rounds);
        Conv[] convs = {conv(512, 7, 512, 1), conv(256, 14, 256, 1), conv(256, 14, 512, 2)};
        String[] names = {"layer4 3x3", "layer3 3x3", "layer4 3x3 stride 2"};
        SplittableRandom r = new SplittableRandom(1);
        ConvGemm.ChannelsAsColumns[] kernels = new ConvGemm.ChannelsAsColumns[convs.length];
        float[][] xs = new float[convs.length][], ws = new float[convs.length][], ys = new float[convs.length][];
        for (int i = 0; i < convs.length; i++) {
            Conv v = convs[i];
            kernels[i] = new ConvGemm.ChannelsAsColumns(v);
            xs[i] = GemmProbe.random(r, v.n() * v.cin() * v.h() * v.w());
            ws[i] = GemmProbe.random(r, v.cout() * v.k());
            ys[i] = new float[v.n() * v.cout() * v.hw()];
        }
        System.out.printf(Locale.ROOT, "# cpu %s, %d processors, java %s%n", GemmProbe.cpuModel(), Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        double[] best = new double[convs.length];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < convs.length; i++) {
                long t0 = System.nanoTime(), end = t0 + 300_000_000L, calls = 0, now;
                do {
                    kernels[i].runUnchanged(xs[i], ws[i], ys[i]);
                    calls++;
                    now = System.nanoTime();
                } while (now < end);
                if (round >= 2) best[i] = Math.min(best[i], (now - t0) / 1e3 / calls);
            }
        }
        for (int i = 0; i < convs.length; i++) {
            Conv v = convs[i];
            double flops = 2.0 * v.cout() * v.k() * v.hw();
            System.out.printf(Locale.ROOT, "%-22s %8.1f us  %6.1f GFLOPS%n", names[i], best[i], flops / best[i] / 1e3);
        }
    }
}
