package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.cpu.CpuBackend;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;

/**
 * The elementwise, reduction, softmax and copy ops one at a time on the CPU backend, over {@code x, y} of
 * {@code [1024, 1024]} (standard normal values): the best of {@code 30 x rounds} runs of each small graph, in
 * milliseconds and nanoseconds an element, with the CPU model. A slow kernel stands out against its neighbours (a sum
 * or a product runs ~0.1 ns an element on two cores; a kernel at several ns an element calls a scalar function per
 * element). The graphs run interleaved, round by round, so that each has had as many runs as the others when it is timed.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.bench.OpSweep [--rounds R] [OP...]
 * </pre>
 *
 * <p>{@code OP}: the names printed (default all); {@code --rounds} 8 by default. Warm-up off ({@code -Djasg.cpu.warmup=false})
 * times the vector kernels from the start instead of the scalar twins of a fresh JVM's first runs.
 */
public final class OpSweep {
    private OpSweep() {}

    /** The ops by name, each a graph of {@code x} and {@code y}. */
    static Map<String, BinaryOperator<Tensor>> ops() {
        Map<String, BinaryOperator<Tensor>> ops = new LinkedHashMap<>();
        ops.put("add", (x, y) -> x.add(y));
        ops.put("mul", (x, y) -> x.mul(y));
        ops.put("pow", (x, y) -> x.abs().pow(y));
        ops.put("pow2", (x, y) -> x.pow(2));
        ops.put("maximum", (x, y) -> x.maximum(y));
        ops.put("fmod", (x, y) -> x.fmod(y));
        ops.put("hypot", (x, y) -> x.hypot(y));
        ops.put("gt", (x, y) -> x.gt(y));
        ops.put("where", (x, y) -> x.gt(0).where(x,y));
        ops.put("sign", (x, y) -> x.sign());
        ops.put("floor", (x, y) -> x.floor());
        ops.put("round", (x, y) -> x.round());
        ops.put("sin", (x, y) -> x.sin());
        ops.put("exp", (x, y) -> x.exp());
        ops.put("log", (x, y) -> x.abs().log());
        ops.put("elu", (x, y) -> x.elu());
        ops.put("softplus", (x, y) -> x.softplus());
        ops.put("mish", (x, y) -> x.mish());
        ops.put("hardswish", (x, y) -> x.hardswish());
        ops.put("hardsigmoid", (x, y) -> x.hardsigmoid());
        ops.put("hardtanh", (x, y) -> x.hardtanh(-1,1));
        ops.put("selu", (x, y) -> x.selu());
        ops.put("celu", (x, y) -> x.celu(1.0));
        ops.put("softsign", (x, y) -> x.softsign());
        ops.put("logSigmoid", (x, y) -> x.logSigmoid());
        ops.put("tanh", (x, y) -> x.tanh());
        ops.put("sigmoid", (x, y) -> x.sigmoid());
        ops.put("silu", (x, y) -> x.silu());
        ops.put("gelu", (x, y) -> x.gelu());
        ops.put("isnan", (x, y) -> x.isnan());
        ops.put("nanToNum", (x, y) -> x.nanToNum());
        ops.put("cast_bf16", (x, y) -> x.cast(DType.BF16));
        ops.put("cast_f16", (x, y) -> x.cast(DType.F16));
        ops.put("cast_i32", (x, y) -> x.cast(DType.I32));
        ops.put("sum_last", (x, y) -> x.sum(1));
        ops.put("sum_first", (x, y) -> x.sum(0));
        ops.put("mean_all", (x, y) -> x.mean());
        ops.put("amax_last", (x, y) -> x.amax(new int[]{1},false));
        ops.put("amax_first", (x, y) -> x.amax(new int[]{0},false));
        ops.put("argmax_last", (x, y) -> x.argmax(1));
        ops.put("var_last", (x, y) -> x.var(new int[]{1},true,false));
        ops.put("prod_last", (x, y) -> x.prod(1,false));
        ops.put("logsumexp", (x, y) -> x.logsumexp(1,false));
        ops.put("softmax", (x, y) -> x.softmax(1));
        ops.put("logSoftmax", (x, y) -> x.logSoftmax(1));
        ops.put("softmax_first", (x, y) -> x.softmax(0));
        ops.put("cumsum_last", (x, y) -> x.cumsum(1));
        ops.put("cumsum_first", (x, y) -> x.cumsum(0));
        ops.put("transpose", (x, y) -> x.transpose(0,1).add(y));
        ops.put("flip", (x, y) -> x.flip(1));
        ops.put("roll", (x, y) -> x.roll(3,1));
        ops.put("pad", (x, y) -> x.pad(1,1,1,1));
        ops.put("slice", (x, y) -> x.slice(1, 1, 1000).mul(2));
        ops.put("tile", (x, y) -> x.slice(0,0,512).tile(2,1));
        ops.put("tril", (x, y) -> x.tril());
        ops.put("norm", (x, y) -> x.norm());
        ops.put("layerNorm", (x, y) -> x.layerNorm(1, null, null, 1e-5));
        ops.put("clamp", (x, y) -> x.clamp(-1,1));
        ops.put("lerp", (x, y) -> x.lerp(y, 0.3));
        ops.put("remainder", (x, y) -> x.remainder(y));
        ops.put("trunc", (x, y) -> x.trunc());
        ops.put("frac", (x, y) -> x.frac());
        ops.put("ceil", (x, y) -> x.ceil());
        ops.put("atan", (x, y) -> x.atan());
        ops.put("asinh", (x, y) -> x.asinh());
        ops.put("cosh", (x, y) -> x.cosh());
        ops.put("tan", (x, y) -> x.tan());
        ops.put("reciprocal", (x, y) -> x.reciprocal());
        ops.put("square", (x, y) -> x.square());
        ops.put("std", (x, y) -> x.std(new int[]{1},true,false));
        return ops;
    }

    public static void main(String[] args) {
        int rounds = 8;
        Set<String> only = new HashSet<>();
        Map<String, BinaryOperator<Tensor>> all = ops();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
            } else if (all.containsKey(args[i])) {
                only.add(args[i]);
            } else {
                System.err.println("OpSweep: unknown op or flag " + args[i]);
                System.err.println("usage: OpSweep [--rounds R] [OP...], OP one of " + all.keySet());
                System.exit(2);
            }
        }
        int rows = 1024, cols = 1024, n = rows * cols;
        float[] xs = new float[n], ys = new float[n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            xs[i] = (float) r.nextGaussian();
            ys[i] = (float) r.nextGaussian();
        }
        System.out.printf(Locale.ROOT, "# cpu=\"%s\" cpus=%d java=%s, [%d, %d], best of %d runs%n", Machine.cpuModel(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), rows, cols, 30 * rounds);
        try (Backend cpu = new CpuBackend()) {
            Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(xs, rows, cols), "y", HostTensor.of(ys, rows, cols));
            Map<String, Executable> ex = new LinkedHashMap<>();
            for (var e : all.entrySet()) {
                if (!only.isEmpty() && !only.contains(e.getKey())) continue;
                GraphBuilder g = new GraphBuilder();
                Tensor x = g.input("x", DType.F32, rows, cols), y = g.input("y", DType.F32, rows, cols);
                g.output("o", e.getValue().apply(x, y));
                ex.put(e.getKey(), cpu.compile(g.build()));
            }
            double[] best = new double[ex.size()];
            Arrays.fill(best, Double.MAX_VALUE);
            for (int round = 0; round < rounds; round++) {
                int k = 0;
                for (Executable e : ex.values()) {
                    for (int i = 0; i < 30; i++) {
                        long t0 = System.nanoTime();
                        e.run(feeds);
                        best[k] = Math.min(best[k], System.nanoTime() - t0);
                    }
                    k++;
                }
            }
            int k = 0;
            for (String name : ex.keySet()) {
                System.out.printf(Locale.ROOT, "%-14s %8.3f ms  %6.2f ns/element%n", name, best[k] / 1e6, best[k] / n);
                k++;
            }
            for (Executable e : ex.values()) e.close();
        }
    }
}
