package dev.jasg.bench;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.attention.TransformerEncoderBlock;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.optim.SGD;
import dev.jasg.nn.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The four workloads of the side-by-side comparison, each on one fixed random batch (the
 * PyTorch and DL4J peers in {@code benchmarks/peers/} build the same ones):
 *
 * <ol>
 *   <li>{@code sgemm}: {@code [1024,1024] x [1024,1024]} f32, GFLOPS ({@code 2 n^3} flops a product).</li>
 *   <li>{@code mlp}: 784-256-256-10 with ReLU, cross entropy, SGD momentum 0.9, lr 0.01, batch 256;
 *       training samples/s.</li>
 *   <li>{@code cnn}: [128,1,28,28]; conv 1-32 3x3 pad 1, ReLU, maxpool 2; conv 32-64 3x3 pad 1,
 *       ReLU, maxpool 2; flatten 3136; Linear 3136-128, ReLU; Linear 128-10; cross entropy; Adam 1e-3;
 *       training samples/s.</li>
 *   <li>{@code transformer}: one pre-LN encoder block, d=256, 4 heads, ff 1024, GELU, no dropout,
 *       input [8,128,256], loss {@code mean(y^2)}, AdamW 1e-3; training tokens/s (1024 a step).</li>
 *   <li>{@code gpt} (GPU-sized, not in the default list): a GPT-2-small-sized stack of 12 pre-LN encoder blocks,
 *       d=768, 12 heads, ff 3072, GELU, no dropout, input [8,1024,768], loss {@code mean(y^2)}, AdamW 1e-3;
 *       training tokens/s (8192 a step). {@code Peers --only gpt}; the sizes can be shrunk for a smoke run with
 *       {@code -Djasg.bench.gpt=LAYERS,D,HEADS,FF,BATCH,SEQ}.</li>
 * </ol>
 */
final class Workloads {
    /** Every workload, in the order they run. */
    static final List<String> NAMES = List.of("sgemm", "mlp", "cnn", "transformer");
    /** Every workload {@link #create} knows, the default ones and those run only when named. */
    static final List<String> ALL = List.of("sgemm", "mlp", "cnn", "transformer", "gpt");

    private Workloads() {}

    /** A compiled workload on a fixed batch. */
    interface Workload extends AutoCloseable {
        /** One product or one training step. */
        void step();

        /** Units a step counts for (flops / 1e9, samples or tokens). */
        double unitsPerStep();

        /** Unit of {@code unitsPerStep() / second}. */
        String unit();

        /** Something the step computed (the last loss), so a reader sees it did work. */
        String lastValue();

        /** The per-node profiling of the compiled step, where the backend has it. */
        default java.util.Optional<dev.jasg.core.Profiling> profiling() {
            return java.util.Optional.empty();
        }

        @Override
        void close();
    }

    /** The workload {@code name} on {@code backend}, or null when it cannot be built here ({@link #whyMissing}). */
    static Workload create(String name, Backend backend) {
        return switch (name) {
            case "sgemm" -> sgemm(backend, 1024);
            case "mlp" -> mlp(backend);
            case "cnn" -> Cnn.available() ? Cnn.create(backend) : null;
            case "transformer" -> transformer(backend);
            case "gpt" -> training(gptTraining(backend));
            default -> throw new IllegalArgumentException("unknown workload '" + name + "', expected one of " + ALL);
        };
    }

    /** Why {@link #create} gave null for {@code name}. */
    static String whyMissing(String name) {
        return name.equals("cnn") ? Cnn.whyMissing() : "unknown";
    }

    static HostTensor random(SplittableRandom r, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return HostTensor.of(v, dims);
    }

    static HostTensor labels(SplittableRandom r, int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(classes);
        return HostTensor.ofInts(y, n);
    }

    private static Workload sgemm(Backend backend, int n) {
        GraphBuilder g = new GraphBuilder();
        Tensor a = g.input("a", DType.F32, n, n), b = g.input("b", DType.F32, n, n);
        g.output("c", a.matmul(b));
        Executable exe = backend.compile(g.build());
        SplittableRandom r = new SplittableRandom(1);
        Map<String, HostTensor> feeds = Map.of("a", random(r, n, n), "b", random(r, n, n));
        return new Workload() {
            @Override
            public void step() {
                exe.run(feeds);
            }

            @Override
            public double unitsPerStep() {
                return 2.0 * n * n * n / 1e9;
            }

            @Override
            public String unit() {
                return "GFLOPS";
            }

            @Override
            public String lastValue() {
                return "c[0]=" + exe.run(feeds).get("c").floats()[0];
            }

            @Override
            public void close() {
                exe.close();
            }
        };
    }

    /** The half type the training workloads run their products in ({@code Peers --mixed f16|bf16}), or null for f32. */
    static DType mixedPrecision;

    /** {@code b} with {@link #mixedPrecision} turned on when it is set. */
    static Trainer.Builder mixed(Trainer.Builder b) {
        return mixedPrecision == null ? b : b.mixedPrecision(mixedPrecision);
    }

    /** A training workload's parts: the trainer, its fixed batch, and what a step counts for. */
    record Training(Trainer trainer, Map<String, HostTensor> batch, int units, String unit) {}

    /** The parts of training workload {@code name} ({@code mlp}, {@code cnn}, {@code transformer}) on {@code backend}. */
    static Training training(String name, Backend backend) {
        return switch (name) {
            case "mlp" -> mlpTraining(backend);
            case "cnn" -> Cnn.training(backend);
            case "transformer" -> transformerTraining(backend);
            case "gpt" -> gptTraining(backend);
            default -> throw new IllegalArgumentException("'" + name + "' is not a training workload");
        };
    }

    private static Workload mlp(Backend backend) {
        return training(mlpTraining(backend));
    }

    private static Training mlpTraining(Backend backend) {
        int batch = 256;
        Layer model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
        Trainer.Builder tb = Trainer.builder(backend, model)
                .input("x", DType.F32, "B", 784)
                .target("y", DType.I32, "B")
                .loss(Losses::crossEntropy)
                .optimizer(new SGD(0.01, 0.9))
                .seed(7);
        Trainer t = mixed(tb).build();
        SplittableRandom r = new SplittableRandom(2);
        return new Training(t, Map.of("x", random(r, batch, 784), "y", labels(r, batch, 10)), batch, "samples/s");
    }

    private static Workload transformer(Backend backend) {
        return training(transformerTraining(backend));
    }

    private static Training transformerTraining(Backend backend) {
        int batch = 8, seq = 128, d = 256;
        Layer block = new TransformerEncoderBlock(d, 4, 1024, 0.0, "gelu", 1e-5, true, true);
        // the loss ignores the target: a one-element dummy feed keeps the Trainer's shape
        Trainer t = mixed(Trainer.builder(backend, block)
                .input("x", DType.F32, batch, seq, d)
                .target("unused", DType.F32, 1)
                .loss((y, unused) -> y.square().mean())
                .optimizer(new AdamW(1e-3))
                .seed(7))
                .build();
        SplittableRandom r = new SplittableRandom(3);
        return new Training(t, Map.of("x", random(r, batch, seq, d), "unused", HostTensor.of(new float[1], 1)), batch * seq, "tokens/s");
    }

    /** The sizes of the {@code gpt} workload: layers, width, heads, feed-forward width, batch, sequence. */
    record GptSize(int layers, int d, int heads, int ff, int batch, int seq) {
        static final GptSize GPT2_SMALL = new GptSize(12, 768, 12, 3072, 8, 1024);

        /** GPT-2 small, or what {@code -Djasg.bench.gpt=LAYERS,D,HEADS,FF,BATCH,SEQ} says. */
        static GptSize fromProperty() {
            String p = System.getProperty("jasg.bench.gpt");
            if (p == null || p.isBlank()) return GPT2_SMALL;
            String[] f = p.split(",");
            if (f.length != 6) throw new IllegalArgumentException("jasg.bench.gpt: expected LAYERS,D,HEADS,FF,BATCH,SEQ, got '" + p + "'");
            int[] v = new int[6];
            for (int i = 0; i < 6; i++) v[i] = Integer.parseInt(f[i].trim());
            return new GptSize(v[0], v[1], v[2], v[3], v[4], v[5]);
        }
    }

    private static Training gptTraining(Backend backend) {
        GptSize s = GptSize.fromProperty();
        Layer[] blocks = new Layer[s.layers()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new TransformerEncoderBlock(s.d(), s.heads(), s.ff(), 0.0, "gelu", 1e-5, true, true);
        Trainer t = mixed(Trainer.builder(backend, new Sequential(blocks))
                .input("x", DType.F32, s.batch(), s.seq(), s.d())
                .target("unused", DType.F32, 1)
                .loss((y, unused) -> y.square().mean())
                .optimizer(new AdamW(1e-3))
                .seed(7))
                .build();
        SplittableRandom r = new SplittableRandom(5);
        return new Training(t, Map.of("x", random(r, s.batch(), s.seq(), s.d()), "unused", HostTensor.of(new float[1], 1)),
                s.batch() * s.seq(), "tokens/s");
    }

    /** A workload of one trainer step per {@link Workload#step()} on the batch of {@code t}. */
    static Workload training(Training t) {
        return training(t.trainer(), t.batch(), t.units(), t.unit());
    }

    /** A workload of one trainer step per {@link Workload#step()} on {@code batch}. */
    static Workload training(Trainer t, Map<String, HostTensor> batch, int units, String unit) {
        return new Workload() {
            private double loss = Double.NaN;

            @Override
            public void step() {
                loss = t.step(batch);
            }

            @Override
            public double unitsPerStep() {
                return units;
            }

            @Override
            public String unit() {
                return unit;
            }

            @Override
            public String lastValue() {
                return "loss=" + loss;
            }

            @Override
            public java.util.Optional<dev.jasg.core.Profiling> profiling() {
                return t.profiling();
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }
}
