package dev.jasg.cpu;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.nn.Dropout;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.nn.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Where the time of a Model Lab re-plan goes on the CPU backend (ROADMAP, "What a Model Lab edit
 * re-plans"): for a model as it is after an edit, the trainer build (forward replay, autograd, the
 * optimizer's update graph, {@code Program.of}), the first step (which makes the {@link Plan}), a
 * steady step, and inside the plan the part a cache of lowered nodes could reuse: {@link Fusion}'s
 * decisions and every node's {@link Step}. Medians after three warm-up rounds. In package
 * {@code dev.jasg.cpu} to reach the package-private {@link Plan} and {@link Fusion}; not shipped.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.ReplanBench mlp128 5
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.cpu.ReplanBench resnet18 3
 * </pre>
 * {@code mlpH}: the demo MLP 784-H-H-10 with Dropout(0.3) inserted, batch 50; {@code resnet18}:
 * torchvision's ResNet-18 on [2, 3, 32, 32].
 */
public final class ReplanBench {
    private ReplanBench() {}

    private static double ms(long ns) { return ns / 1e6; }
    private static double median(List<Long> v) { List<Long> s = new ArrayList<>(v); Collections.sort(s); return ms(s.get(s.size() / 2)); }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: the JVM's view below
        }
        return System.getProperty("os.arch");
    }

    /** {@code <mlpH|resnet18> <repetitions>}: prints the CPU, then one line of medians. */
    public static void main(String[] args) throws Exception {
        System.out.printf("cpu: %s, %d hardware threads, %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(), CpuBackend.kernels());
        String which = args[0];
        int reps = Integer.parseInt(args[1]);
        Backend backend = new CpuBackend();
        Parameters store = backend.newParameters(1);
        java.util.function.Supplier<Layer> model;
        InputSpec in;
        Map<String, HostTensor> batch = new HashMap<>();
        Random r = new Random(1);
        int b;
        if (which.startsWith("mlp")) {
            int h = Integer.parseInt(which.substring(3));
            b = 50;
            model = () -> new Sequential(new Flatten(), new Linear(784, h), new ReLU(), new Dropout(0.3), new Linear(h, h), new ReLU(), new Linear(h, 10));
            in = InputSpec.of("x", DType.F32, "B", 1, 28, 28);
            float[] x = new float[b * 784]; for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            batch.put("x", HostTensor.of(x, b, 1, 28, 28));
        } else {
            b = 2;
            model = () -> dev.jasg.models.vision.ResNet.resnet18(10);
            in = InputSpec.of("x", DType.F32, "B", 3, 32, 32);
            float[] x = new float[b * 3 * 32 * 32]; for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            batch.put("x", HostTensor.of(x, b, 3, 32, 32));
        }
        int[] y = new int[b]; for (int i = 0; i < b; i++) y[i] = r.nextInt(10);
        batch.put("y", HostTensor.ofInts(y, b));
        Map<String, HostTensor> feeds = new HashMap<>(batch);
        feeds.put(Optimizer.LR_INPUT, HostTensor.scalar(1e-3f));
        List<Long> build = new ArrayList<>(), grad = new ArrayList<>(), prog = new ArrayList<>(), plan = new ArrayList<>(), lower = new ArrayList<>(),
                first = new ArrayList<>(), steady = new ArrayList<>();
        int nodes = 0;
        for (int rep = 0; rep < reps + 3; rep++) {
            Layer m = model.get();
            long t0 = System.nanoTime();
            Trainer t = Trainer.builder(backend, m).input(in).target(InputSpec.of("y", DType.I32, "B")).loss(Losses::crossEntropy)
                    .optimizer(new Adam(1e-3)).parameters(store).build();
            long t1 = System.nanoTime();
            t.step(batch);
            long t2 = System.nanoTime();
            t.step(batch);
            long t3 = System.nanoTime();
            Graph f = t.forwardGraph();
            int[] wrt = f.parameters().values().stream().filter(n -> ((Op.Parameter) n.op()).trainable()).mapToInt(Node::id).toArray();
            long a0 = System.nanoTime();
            Autograd.gradients(f, f.output(Trainer.LOSS).id(), wrt);
            long a1 = System.nanoTime();
            Program p = Program.of(List.of(f, t.gradientGraph(), t.updateGraph()));
            long a2 = System.nanoTime();
            Program.Binding bind = p.bind(feeds);
            long a3 = System.nanoTime();
            new Plan(p, bind);
            long a4 = System.nanoTime();
            Fusion fu = Fusion.plan(p, bind);
            Graph g = p.graph();
            for (Node n : p.schedule()) fu.step(n, bind, g);
            long a5 = System.nanoTime();
            nodes = p.schedule().size();
            t.close();
            if (rep < 3) continue;
            build.add(t1 - t0); first.add(t2 - t1); steady.add(t3 - t2); grad.add(a1 - a0); prog.add(a2 - a1); plan.add(a4 - a3); lower.add(a5 - a4);
        }
        System.out.printf("%s: %d scheduled nodes; medians of %d: trainer build %.1f ms (of which autograd %.1f, Program.of %.1f), "
                + "first step %.1f ms, steady step %.1f ms, cpu Plan %.1f ms (of which fusion plan + step lowering %.1f ms)%n",
                which, nodes, reps, median(build), median(grad), median(prog), median(first), median(steady), median(plan), median(lower));
    }
}
