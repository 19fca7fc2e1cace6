package dev.jasg.bench;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.cpu.CpuBackend;
import dev.jasg.nn.attention.Attention;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fused attention ({@link Op.Attention} and its gradient ops) against the composite the library builds without
 * it ({@link Attention#scaledDotProductAttention}: {@code softmax(q k^T * s [masked]) v}, a BOOL causal mask by
 * {@code where}), on the CPU backend, attention alone: a forward and backward step (the loss
 * {@code sum(o * w)} for a fixed random {@code w}, gradients of q, k and v by {@link Autograd#gradients}), or
 * the forward alone. The two executables run interleaved in one JVM, one step of each in turn, and the medians
 * and the best times, and their ratios (composite / fused: above 1, the fused op is faster), are printed with
 * the CPU model. Every case runs twice: pass 1 warms the JIT (a case run first would otherwise pay for compiling
 * the kernels all cases share), pass 2 is the one to read. {@code -Djasg.cpu.threads=1} measures one core.
 *
 * <pre>mvn -q -o -pl benchmarks -am package -DskipTests &amp;&amp; java --add-modules jdk.incubator.vector \
 *     -cp benchmarks/target/benchmarks.jar dev.jasg.bench.AttentionBench 40</pre>
 *
 * Argument: timed steps of each (default 40), after as many warm-up steps. Shapes: {@code [8,4,128,64]} (the
 * {@code transformer} workload's attention: batch 8, 4 heads, 128 tokens, head width 64) forward and backward,
 * causal and not; {@code [1,12,128,64]} (GPT-2 small, one sequence of 128 tokens) forward only, causal and not.
 */
public final class AttentionBench {
    private AttentionBench() {}

    /** One shape to time. */
    private record Case(String name, int[] dims, boolean causal, boolean backward) {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        System.out.printf(Locale.ROOT, "# cpu=\"%s\" cpus=%d java=%s%n", Machine.cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.version());
        List<Case> cases = List.of(
                new Case("transformer fwd+bwd", new int[] {8, 4, 128, 64}, false, true),
                new Case("transformer fwd+bwd", new int[] {8, 4, 128, 64}, true, true),
                new Case("gpt2-small fwd", new int[] {1, 12, 128, 64}, false, false),
                new Case("gpt2-small fwd", new int[] {1, 12, 128, 64}, true, false));
        // the first pass warms the JIT (every kernel of every case), the second is the one to read
        for (int pass = 1; pass <= 2; pass++) {
            for (Case c : cases) run(c, steps, pass);
        }
    }

    private static void run(Case c, int steps, int pass) {
        try (Backend cpu = new CpuBackend()) {
            SplittableRandom r = new SplittableRandom(7);
            Map<String, HostTensor> feeds = Map.of("q", Workloads.random(r, c.dims()), "k", Workloads.random(r, c.dims()),
                    "v", Workloads.random(r, c.dims()), "w", Workloads.random(r, c.dims()));
            try (Executable fused = cpu.compile(graphs(c, true)); Executable composite = cpu.compile(graphs(c, false))) {
                check(fused.run(feeds).get("o"), composite.run(feeds).get("o"));
                for (int i = 0; i < steps; i++) {
                    fused.run(feeds);
                    composite.run(feeds);
                }
                long[] tf = new long[steps], tc = new long[steps];
                for (int i = 0; i < steps; i++) {
                    // interleaved, the order alternating, so that load changes hit both alike
                    Executable first = i % 2 == 0 ? fused : composite, second = i % 2 == 0 ? composite : fused;
                    long t0 = System.nanoTime();
                    first.run(feeds);
                    long t1 = System.nanoTime();
                    second.run(feeds);
                    long t2 = System.nanoTime();
                    (i % 2 == 0 ? tf : tc)[i] = t1 - t0;
                    (i % 2 == 0 ? tc : tf)[i] = t2 - t1;
                }
                double mf = median(tf), mc = median(tc), bf = Arrays.stream(tf).min().orElse(0), bc = Arrays.stream(tc).min().orElse(0);
                System.out.printf(Locale.ROOT, "pass %d %-20s %-16s %-7s median: fused %7.3f ms composite %7.3f ms ratio %5.2f"
                        + " | best: fused %7.3f ms composite %7.3f ms ratio %5.2f  (%d steps)%n",
                        pass, c.name(), Arrays.toString(c.dims()).replace(" ", ""), c.causal() ? "causal" : "full", mf / 1e6, mc / 1e6, mc / mf,
                        bf / 1e6, bc / 1e6, bc / bf, steps);
            }
        }
    }

    /** The graph of the case (forward, or forward and gradient graphs). */
    private static Graph[] graphs(Case c, boolean fused) {
        GraphBuilder g = new GraphBuilder();
        Tensor q = g.input("q", DType.F32, box(c.dims())), k = g.input("k", DType.F32, box(c.dims())), v = g.input("v", DType.F32, box(c.dims()));
        Tensor w = g.input("w", DType.F32, box(c.dims()));
        double scale = 1 / Math.sqrt(c.dims()[c.dims().length - 1]);
        Tensor o = fused ? g.apply(new Op.Attention(scale, c.causal()), q, k, v)
                : Attention.scaledDotProductAttention(q, k, v, null, c.causal(), 0, scale);
        g.output("o", o);
        g.output("loss", o.mul(w).sum());
        Graph forward = g.build();
        if (!c.backward()) return new Graph[] {forward};
        return new Graph[] {forward, Autograd.gradients(forward, "loss", List.of("q", "k", "v"))};
    }

    private static Object[] box(int[] d) {
        Object[] o = new Object[d.length];
        for (int i = 0; i < d.length; i++) o[i] = d[i];
        return o;
    }

    /** The two outputs agree (f32 rounding apart): a benchmark of a wrong kernel would measure nothing. */
    private static void check(HostTensor a, HostTensor b) {
        double worst = 0;
        for (int i = 0; i < a.size(); i++) worst = Math.max(worst, Math.abs(a.get(i) - b.get(i)));
        if (!(worst < 1e-3)) throw new IllegalStateException("fused and composite attention differ by " + worst);
    }

    private static double median(long[] t) {
        long[] s = t.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
