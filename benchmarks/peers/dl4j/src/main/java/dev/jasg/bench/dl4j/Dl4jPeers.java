package dev.jasg.bench.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.SamplingDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The workloads of {@code dev.jasg.bench.Peers} in DL4J SameDiff (nd4j-native, oneDNN + OpenBLAS),
 * printing {@code dl4j_<name> <value> <unit>}: {@code sgemm} (Nd4j.gemm into a preallocated
 * result), {@code mlp} (SGD with Nesterov momentum 0.9, the closest SameDiff has to PyTorch's
 * plain momentum) and {@code cnn} (Adam), several steps per {@code fit} call (an iterator
 * drawing the fixed batch), and {@code transformer} (one pre-LN encoder block, d=256, 4 heads,
 * ff 1024, exact GELU, input [8,128,256], loss {@code mean(y^2)}, AdamW 1e-3: M2.1 has no AdamW
 * class, so Adam plus TrainingConfig's decoupled weight decay 0.01 scaled by the learning rate,
 * which is PyTorch's AdamW update; k steps per fit call over k copies of the fixed batch; the layer
 * norm's epsilon is ND4J's own, the op takes none; the loss before the first and after the last
 * step is printed as a comment). Threads: {@code OMP_NUM_THREADS=2}.
 *
 * <pre>java -cp $(cat target/classes.cp) dev.jasg.bench.dl4j.Dl4jPeers [--only NAME]... [--seconds 5] [--warmup 30]</pre>
 *
 * <p>Run it as {@code benchmarks/peers/run.sh --dl4j} does: {@code -Xms2g -Xmx2g -Xmn24m} (a small young
 * generation, so ND4J's native buffers are freed with their handles every few steps) and
 * {@code OMP_NUM_THREADS=2}; the JVM flags and the heap are printed first.
 */
public final class Dl4jPeers {
    private Dl4jPeers() {}

    /** Runs {@code steps} steps. */
    interface Workload {
        void steps(int steps);
    }

    public static void main(String[] args) {
        List<String> only = new ArrayList<>();
        double seconds = 5, warmup = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> only.add(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (only.isEmpty()) only = List.of("sgemm", "mlp", "cnn", "transformer");
        Nd4j.getRandom().setSeed(1);
        System.out.println("# dl4j 1.0.0-M2.1 backend=" + Nd4j.getBackend().getClass().getSimpleName() + " java=" + Runtime.version()
                + " jvm_args=" + java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                + " max_heap_mib=" + Runtime.getRuntime().maxMemory() / 1048576 + " OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
        for (String name : only) {
            Workload w;
            double units;
            String unit;
            switch (name) {
                case "sgemm" -> {
                    int n = 1024;
                    INDArray a = Nd4j.randn(DataType.FLOAT, n, n), b = Nd4j.randn(DataType.FLOAT, n, n), c = Nd4j.create(DataType.FLOAT, n, n);
                    w = k -> {
                        for (int i = 0; i < k; i++) Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                    };
                    units = 2.0 * n * n * n / 1e9;
                    unit = "GFLOPS";
                }
                case "mlp" -> {
                    w = mlp();
                    units = 256;
                    unit = "samples/s";
                }
                case "cnn" -> {
                    w = cnn();
                    units = 128;
                    unit = "samples/s";
                }
                case "transformer" -> {
                    w = transformer();
                    units = 8 * 128;
                    unit = "tokens/s";
                }
                default -> throw new IllegalArgumentException("unknown workload '" + name + "'");
            }
            timeFor(w, warmup);
            double[] r = timeFor(w, seconds);
            System.out.printf(Locale.ROOT, "dl4j_%s %.1f %s%n", name, r[0] / r[1] * units, unit);
            System.out.printf(Locale.ROOT, "# %s: %d steps in %.2f s%n", name, (long) r[0], r[1]);
            if (w instanceof LossWorkload lw) System.out.printf(Locale.ROOT, "# %s: loss %.6g before the first step, %.6g after the last%n", name, lw.first(), lw.loss());
        }
    }

    /** Runs batches of steps, each batch sized to last about a tenth of {@code seconds}, until {@code seconds} have passed. */
    private static double[] timeFor(Workload w, double seconds) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9), now;
        long steps = 0;
        int batch = 1;
        do {
            long t0 = System.nanoTime();
            w.steps(batch);
            steps += batch;
            now = System.nanoTime();
            double perStep = (now - t0) / 1e9 / batch;
            batch = (int) Math.max(1, Math.min(10_000, seconds / 10 / perStep));
        } while (now < end);
        return new double[] {steps, (now - start) / 1e9};
    }

    /** A workload that can report its loss on the fixed batch. */
    interface LossWorkload extends Workload {
        /** The loss before any step. */
        double first();

        /** The loss now. */
        double loss();
    }

    /** {@code softmax(q k^T / sqrt(dh)) v} over {@code heads} heads, then the output projection; {@code x} is [batch*seq, d]. */
    private static SDVariable selfAttention(SameDiff sd, SDVariable x, int batch, int seq, int d, int heads) {
        int dh = d / heads;
        SDVariable qkv = dense(sd, "in_proj", x, d, 3 * d); // [batch*seq, 3d]
        SDVariable[] p = new SDVariable[3];
        for (int i = 0; i < 3; i++) {
            SDVariable part = sd.stridedSlice(qkv, new long[] {0, (long) i * d}, new long[] {batch * seq, (long) (i + 1) * d}, new long[] {1, 1});
            p[i] = part.reshape(batch, seq, heads, dh).permute(0, 2, 1, 3); // [batch, heads, seq, dh]
        }
        SDVariable scores = sd.mmul(p[0], p[1], false, true, false).mul(1 / Math.sqrt(dh)); // [batch, heads, seq, seq]
        SDVariable att = sd.mmul(sd.nn().softmax(scores, 3), p[2]); // [batch, heads, seq, dh]
        SDVariable merged = att.permute(0, 2, 1, 3).reshape(batch * seq, d);
        return dense(sd, "out_proj", merged, d, d);
    }

    private static SDVariable layerNorm(SameDiff sd, String name, SDVariable x, int d) {
        return sd.nn().layerNorm(x, sd.var(name + "_g", Nd4j.ones(DataType.FLOAT, d)), sd.var(name + "_b", Nd4j.zeros(DataType.FLOAT, d)), false, 1);
    }

    /** The exact GELU, {@code 0.5 x (1 + erf(x / sqrt 2))} (SameDiff's gelu op is the sigmoid approximation). */
    private static SDVariable gelu(SameDiff sd, SDVariable x) {
        return x.mul(0.5).mul(sd.math().erf(x.mul(1 / Math.sqrt(2))).add(1.0));
    }

    private static Workload transformer() {
        int batch = 8, seq = 128, d = 256, heads = 4, ff = 1024;
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, batch, seq, d);
        SDVariable h = x.reshape(batch * seq, d);
        h = h.add(selfAttention(sd, layerNorm(sd, "norm1", h, d), batch, seq, d, heads));
        SDVariable f = dense(sd, "linear2", gelu(sd, dense(sd, "linear1", layerNorm(sd, "norm2", h, d), d, ff)), ff, d);
        h = h.add(f);
        sd.math().square(h).mean("loss");
        sd.setLossVariables("loss");
        sd.setTrainingConfig(new TrainingConfig.Builder().updater(new Adam(1e-3)).weightDecay(0.01, true).dataSetFeatureMapping("x").markLabelsUnused().build());
        Nd4j.getRandom().setSeed(3);
        INDArray xs = Nd4j.randn(DataType.FLOAT, batch, seq, d);
        org.nd4j.linalg.dataset.MultiDataSet data = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {xs}, new INDArray[0]);
        java.util.function.DoubleSupplier loss = () -> sd.output(java.util.Map.of("x", xs), "loss").get("loss").getDouble(0);
        double first = loss.getAsDouble();
        return new LossWorkload() {
            @Override
            public void steps(int k) {
                sd.fit(repeat(data, k), 1); // one fit call over k copies of the fixed batch
            }

            @Override
            public double first() {
                return first;
            }

            @Override
            public double loss() {
                return loss.getAsDouble();
            }
        };
    }

    /** An iterator giving {@code data} {@code k} times. */
    private static MultiDataSetIterator repeat(org.nd4j.linalg.dataset.api.MultiDataSet data, int k) {
        return new MultiDataSetIterator() {
            private int left = k;
            private MultiDataSetPreProcessor pre;

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public org.nd4j.linalg.dataset.api.MultiDataSet next() {
                left--;
                return data;
            }

            @Override
            public org.nd4j.linalg.dataset.api.MultiDataSet next(int num) {
                return next();
            }

            @Override
            public void setPreProcessor(MultiDataSetPreProcessor p) {
                pre = p;
            }

            @Override
            public MultiDataSetPreProcessor getPreProcessor() {
                return pre;
            }

            @Override
            public boolean resetSupported() {
                return false;
            }

            @Override
            public boolean asyncSupported() {
                return false;
            }

            @Override
            public void reset() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static INDArray oneHot(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        java.util.Random r = new java.util.Random(2);
        for (int i = 0; i < n; i++) y.putScalar(i, r.nextInt(classes), 1f);
        return y;
    }

    private static SDVariable dense(SameDiff sd, String name, SDVariable x, int in, int out) {
        double bound = 1 / Math.sqrt(in);
        SDVariable w = sd.var(name + "_w", Nd4j.rand(DataType.FLOAT, in, out).muli(2 * bound).subi(bound));
        SDVariable b = sd.var(name + "_b", Nd4j.rand(DataType.FLOAT, 1, out).muli(2 * bound).subi(bound));
        return x.mmul(w).add(b);
    }

    private static Workload fitting(SameDiff sd, SDVariable logits, String input, org.nd4j.linalg.learning.config.IUpdater updater, DataSet data) {
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 10);
        sd.loss().softmaxCrossEntropy("loss", label, logits, null);
        sd.setLossVariables("loss");
        sd.setTrainingConfig(new TrainingConfig.Builder().updater(updater).dataSetFeatureMapping(input).dataSetLabelMapping("label").build());
        // one fit call over an iterator of k batches (drawn from the fixed batch): a fit call per step costs more than the step
        int n = (int) data.getFeatures().size(0);
        return k -> sd.fit(new SamplingDataSetIterator(data, n, n * k), 1);
    }

    private static Workload mlp() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 784);
        SDVariable h = sd.nn().relu(dense(sd, "fc1", x, 784, 256), 0);
        h = sd.nn().relu(dense(sd, "fc2", h, 256, 256), 0);
        SDVariable logits = dense(sd, "fc3", h, 256, 10);
        DataSet data = new DataSet(Nd4j.randn(DataType.FLOAT, 256, 784), oneHot(256, 10));
        return fitting(sd, logits, "x", new Nesterovs(0.01, 0.9), data);
    }

    private static Workload cnn() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 1, 28, 28);
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        Pooling2DConfig pool = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).paddingMode(PaddingMode.VALID).build();
        // SameDiff's conv2d weights are [kH, kW, in, out]
        SDVariable w1 = sd.var("c1_w", Nd4j.randn(DataType.FLOAT, 3, 3, 1, 32).muli(1 / 3.0)), b1 = sd.var("c1_b", Nd4j.zeros(DataType.FLOAT, 32));
        SDVariable w2 = sd.var("c2_w", Nd4j.randn(DataType.FLOAT, 3, 3, 32, 64).muli(1 / Math.sqrt(288))), b2 = sd.var("c2_b", Nd4j.zeros(DataType.FLOAT, 64));
        SDVariable h = sd.cnn().maxPooling2d(sd.nn().relu(sd.cnn().conv2d(x, w1, b1, conv), 0), pool);
        h = sd.cnn().maxPooling2d(sd.nn().relu(sd.cnn().conv2d(h, w2, b2, conv), 0), pool);
        h = h.reshape(-1, 3136);
        h = sd.nn().relu(dense(sd, "fc1", h, 3136, 128), 0);
        SDVariable logits = dense(sd, "fc2", h, 128, 10);
        DataSet data = new DataSet(Nd4j.randn(DataType.FLOAT, 128, 1, 28, 28), oneHot(128, 10));
        return fitting(sd, logits, "x", new Adam(1e-3), data);
    }
}
