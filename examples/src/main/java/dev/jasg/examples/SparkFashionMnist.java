package dev.jasg.examples;

import dev.jasg.core.DType;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.SGD;
import dev.jasg.spark.SparkTrainer;
import dev.jasg.spark.SyncMode;
import dev.jasg.spark.TrainingExample;
import dev.jasg.spark.TrainingResult;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains the Fashion-MNIST MLP (784-256-128-10, ReLU, SGD with Nesterov momentum) data-parallel
 * on Apache Spark with {@link SparkTrainer}: one replica per partition, synchronous SGD or local
 * SGD. The images are read on the driver (Debian's {@code dataset-fashion-mnist}, or
 * {@code --data DIR}) and spread over {@code --workers} partitions.
 *
 * <p>Locally, Spark in the Maven JVM (Spark on JDK 17+ needs its {@code --add-opens} flags there):
 * <pre>MAVEN_OPTS="$(cat asg-spark/jvm-options.txt)" mvn -q -pl examples exec:java -Dexec.classpathScope=compile \
 *     -Dexec.mainClass=dev.jasg.examples.SparkFashionMnist -Dexec.args="--master local[2] --workers 2 --steps 300"</pre>
 * On a cluster, with {@code spark-submit} (see the README's "Training on Apache Spark").
 * {@code --scaling 1,2,4,8} instead trains in {@code local[n]} for each n, the same steps and
 * per-worker batch, and prints the samples per second and the scaling efficiency
 * (samples/s at n workers divided by n times samples/s at the first n).
 */
public final class SparkFashionMnist {
    static final String USAGE = """
            usage: SparkFashionMnist [options]
              --master URL      Spark master when not set by spark-submit (default local[2])
              --workers N       partitions = replicas (default 2; needs N free task slots)
              --steps N         training steps (default 300)
              --batch N         examples per worker per step (default 64)
              --lr X            learning rate (default 0.05)
              --mode M          sync, or local:K for local SGD averaging every K steps (default sync)
              --checkpoints D   checkpoint directory or URI reached by every executor (hdfs://..., s3a://...; default none)
              --every N         steps between checkpoints (default 100)
              --limit N         train on the first N training images (default 60000)
              --data DIR        Fashion-MNIST directory (default %s)
              --backend NAME    backend of every replica (default cpu)
              --scaling LIST    instead: one run per local[n], n in LIST (e.g. 1,2,4,8), and print samples/s and efficiency
            """.formatted(dev.jasg.nn.data.FashionMnist.DEBIAN_DIR);

    private SparkFashionMnist() {}

    public static void main(String[] args) throws Exception {
        String master = null, mode = "sync", checkpoints = null, backend = "cpu", scaling = null;
        int workers = 2, steps = 300, batch = 64, every = 100, limit = 60000;
        double lr = 0.05;
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--master" -> master = need(args, i++);
                case "--workers" -> workers = Integer.parseInt(need(args, i++));
                case "--steps" -> steps = Integer.parseInt(need(args, i++));
                case "--batch" -> batch = Integer.parseInt(need(args, i++));
                case "--lr" -> lr = Double.parseDouble(need(args, i++));
                case "--mode" -> mode = need(args, i++);
                case "--checkpoints" -> checkpoints = need(args, i++);
                case "--every" -> every = Integer.parseInt(need(args, i++));
                case "--limit" -> limit = Integer.parseInt(need(args, i++));
                case "--data" -> data = Path.of(need(args, i++));
                case "--backend" -> backend = need(args, i++);
                case "--scaling" -> scaling = need(args, i++);
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        SyncMode syncMode = mode.equals("sync") ? SyncMode.synchronous()
                : mode.startsWith("local:") ? SyncMode.localSgd(Integer.parseInt(mode.substring(6)))
                : null;
        if (syncMode == null) throw new IllegalArgumentException("--mode is sync or local:K, got " + mode);
        List<TrainingExample> train = examples(dev.jasg.nn.data.FashionMnist.train(data), limit);
        List<TrainingExample> test = examples(dev.jasg.nn.data.FashionMnist.test(data), 10000);
        SparkTrainer.Builder b = SparkTrainer.builder().model(SparkFashionMnist::mlp).loss(Losses::crossEntropy)
                .optimizer(new LrSgd(lr)).input("x", DType.F32, 784).target("y", DType.I32)
                .batchSizePerWorker(batch).steps(steps).mode(syncMode).backend(backend).seed(0);
        if (checkpoints != null) b.checkpoints(checkpoints, every);
        if (scaling != null) {
            scaling(b.build(), train, scaling);
            return;
        }
        SparkConf conf = new SparkConf().setAppName("jasg-fashion-mnist");
        if (!conf.contains("spark.master")) conf.setMaster(master != null ? master : "local[2]");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            int every10 = Math.max(1, steps / 10);
            b.listener(p -> {
                if (p.step() % every10 == 0) System.out.printf(Locale.ROOT, "step %d  loss %.4f  %.0f samples/s%n", p.step(), p.loss(), p.samplesPerSecond());
            });
            TrainingResult r = b.build().fit(sc.parallelize(train, workers));
            System.out.printf(Locale.ROOT, "%d workers, %d steps in %.1f s (%.0f samples/s), final loss %.4f, test accuracy %.4f%n",
                    r.workers(), r.steps(), r.seconds(), r.samplesPerSecond(), r.finalLoss(), accuracy(r, test));
        }
    }

    private static String need(String[] args, int i) {
        if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
        return args[i + 1];
    }

    /** The MLP, built in every task. */
    static Sequential mlp() {
        return new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
    }

    /** Serialisable: SGD with Nesterov momentum 0.9 at the given rate. */
    record LrSgd(double lr) implements dev.jasg.spark.OptimizerFactory {
        @Override
        public SGD create() {
            return new SGD(lr, 0.9, 0, 0, true);
        }
    }

    /** The images standardised as the single-process FashionMnist example does, as flat 784-vectors with their labels. */
    static List<TrainingExample> examples(InMemoryDataset d, int limit) {
        float[] px = d.features().floats();
        int n = Math.min(limit, d.size());
        List<TrainingExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] x = new float[784];
            for (int j = 0; j < 784; j++) x[j] = (float) ((px[i * 784 + j] - FashionMnist.PIXEL_MEAN) / FashionMnist.PIXEL_STD);
            out.add(TrainingExample.labelled(x, (int) d.labels().get(i)));
        }
        return out;
    }

    /** Test accuracy of the trained weights, evaluated on the driver with the cpu backend. */
    static double accuracy(TrainingResult r, List<TrainingExample> test) {
        try (var cpu = dev.jasg.core.Backends.create("cpu");
             var t = dev.jasg.nn.train.Trainer.builder(cpu, mlp()).input("x", DType.F32, "B", 784).target("y", DType.I32, "B")
                     .loss(Losses::crossEntropy).optimizer(new SGD(0.1)).build()) {
            r.weights().forEach(t.parameters()::set);
            int right = 0;
            for (int from = 0; from < test.size(); from += 1000) {
                List<TrainingExample> part = test.subList(from, Math.min(test.size(), from + 1000));
                float[] x = new float[part.size() * 784];
                for (int i = 0; i < part.size(); i++) System.arraycopy(part.get(i).input(), 0, x, i * 784, 784);
                var logits = t.predict(dev.jasg.core.HostTensor.of(x, part.size(), 784));
                for (int i = 0; i < part.size(); i++) {
                    int best = 0;
                    for (int c = 1; c < 10; c++) if (logits.get(i * 10 + c) > logits.get(i * 10 + best)) best = c;
                    if (best == (int) part.get(i).target()[0]) right++;
                }
            }
            return right / (double) test.size();
        }
    }

    /** One run per local[n]; prints samples/s and the efficiency against the first n. */
    static void scaling(SparkTrainer trainer, List<TrainingExample> train, String list) {
        double base = 0;
        int baseN = 0;
        List<Integer> ns = new ArrayList<>();
        for (String s : list.split(",")) ns.add(Integer.parseInt(s.trim()));
        // a first, uncounted run at the first n warms up the JIT, so the base rate is not a cold one
        System.out.printf(Locale.ROOT, "warm-up local[%d]: %.0f samples/s (not counted)%n", ns.get(0), fitLocal(trainer, train, ns.get(0)).samplesPerSecond());
        System.out.println("workers  samples/s  efficiency");
        for (int n : ns) {
            TrainingResult r = fitLocal(trainer, train, n);
            if (baseN == 0) {
                base = r.samplesPerSecond();
                baseN = n;
            }
            double eff = r.samplesPerSecond() / (base * n / baseN);
            System.out.printf(Locale.ROOT, "%7d  %9.0f  %9.2f%n", n, r.samplesPerSecond(), eff);
        }
    }

    private static TrainingResult fitLocal(SparkTrainer trainer, List<TrainingExample> train, int n) {
        SparkConf conf = new SparkConf().setAppName("jasg-scaling").setMaster("local[" + n + "]").set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            return trainer.fit(sc.parallelize(train, n));
        }
    }
}
