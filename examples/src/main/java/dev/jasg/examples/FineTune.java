package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.models.vision.VisionTransformer;
import dev.jasg.nn.data.Cifar;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.data.transform.CenterCrop;
import dev.jasg.nn.io.SafeTensors;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fine-tunes a zoo model with a new head: a small {@link VisionTransformer} (image 32, patch 8, 2
 * blocks, 2 heads, hidden 32; {@link VisionTransformer.Config#small()}) gets a new 10-class
 * {@code heads.head} and is trained with AdamW on Fashion-MNIST (Debian's
 * {@code dataset-fashion-mnist}, 28x28 gray images zero-padded to 32x32 with {@code CenterCrop(32)}
 * and repeated to 3 channels) or on CIFAR-10's binary batches ({@code --cifar DIR}), then prints the
 * test accuracy. {@code --weights FILE} (SafeTensors, torchvision names) loads every parameter but the
 * head first, as one replaces {@code model.heads.head} in PyTorch; {@code --save FILE} writes the
 * trained weights, so a run on CIFAR can be the "pretraining" of a run on Fashion-MNIST. The
 * defaults (300 steps of batch 64) take about 25 seconds on two CPU cores and reach about 75% on
 * Fashion-MNIST from random weights.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.FineTune -Dexec.args="--steps 300"</pre>
 */
public final class FineTune {
    static final String USAGE = """
            usage: FineTune [options]
              --data DIR      Fashion-MNIST directory (default %s)
              --cifar DIR     train on CIFAR-10 binary batches in DIR instead
              --weights FILE  SafeTensors weights of the same ViT config; all but heads.head are loaded
              --save FILE     write the trained weights (SafeTensors) to FILE
              --steps N       training steps (default 300)
              --batch N       batch size (default 64)
              --lr X          AdamW learning rate (default 0.003)
              --limit N       evaluate on the first N test images (default 2000)
              --backend NAME  cpu, reference or vulkan (default cpu)
            """.formatted(dev.jasg.nn.data.FashionMnist.DEBIAN_DIR);

    private FineTune() {}

    /** The result: last training loss and test accuracy. */
    public record Result(double lastLoss, double testAccuracy, int steps) {}

    /** Fashion-MNIST [N, 1, 28, 28] to [N, 3, 32, 32]: zero padding as CenterCrop(32) does, the gray plane repeated. */
    static HostTensor toRgb32(HostTensor gray) {
        int n = gray.shape().dim(0);
        CenterCrop pad = new CenterCrop(32);
        float[] src = gray.floats(), out = new float[n * 3 * 32 * 32];
        int per = gray.shape().dim(1) * gray.shape().dim(2) * gray.shape().dim(3);
        for (int i = 0; i < n; i++) {
            float[] one = new float[per];
            System.arraycopy(src, i * per, one, 0, per);
            float[] p = pad.apply(HostTensor.of(one, 1, 28, 28)).floats();
            for (int c = 0; c < 3; c++) System.arraycopy(p, 0, out, (i * 3 + c) * 1024, 1024);
        }
        return HostTensor.of(out, n, 3, 32, 32);
    }

    /** Fine-tunes on {@code train}, measures on {@code test}; {@code weights} (may be null) are loaded but the head. */
    public static Result run(Backend backend, HostTensor trainX, HostTensor trainY, HostTensor testX, HostTensor testY,
                             Map<String, HostTensor> weights, int steps, int batch, double lr, Path save,
                             java.util.function.BiConsumer<Integer, Double> log) throws IOException {
        VisionTransformer vit = new VisionTransformer(VisionTransformer.Config.small().withNumClasses(10));
        try (Trainer trainer = Trainer.builder(backend, vit)
                .input("x", DType.F32, "B", 3, 32, 32)
                .target("y", DType.I32, "B")
                .loss(Losses::crossEntropy)
                .optimizer(new AdamW(lr))
                .seed(1)
                .build()) {
            if (weights != null) {
                for (var e : weights.entrySet()) {
                    if (!e.getKey().startsWith("heads.") && vit.namedParameters().containsKey(e.getKey())) trainer.parameters().set(e.getKey(), e.getValue());
                }
            }
            int n = trainY.size(), per = 3 * 32 * 32;
            float[] xs = trainX.floats();
            SplittableRandom rnd = new SplittableRandom(7);
            double loss = Double.NaN;
            for (int s = 0; s < steps; s++) {
                float[] bx = new float[batch * per];
                int[] by = new int[batch];
                for (int i = 0; i < batch; i++) {
                    int k = rnd.nextInt(n);
                    System.arraycopy(xs, k * per, bx, i * per, per);
                    by[i] = (int) trainY.get(k);
                }
                loss = trainer.step(Map.of("x", HostTensor.of(bx, batch, 3, 32, 32), "y", HostTensor.ofInts(by, batch)));
                if (log != null) log.accept(s, loss);
            }
            double acc = TransformerClassifier.accuracy(trainer.predict(testX), testY);
            if (save != null) {
                Map<String, HostTensor> out = new LinkedHashMap<>();
                for (String name : vit.namedParameters().keySet()) out.put(name, trainer.parameters().get(name));
                SafeTensors.save(save, out, Map.of("model", "VisionTransformer small"));
            }
            return new Result(loss, acc, steps);
        }
    }

    private static HostTensor head(HostTensor t, int n) {
        int[] d = t.shape().dims();
        int m = Math.min(n, d[0]), per = t.size() / d[0];
        float[] v = new float[m * per];
        System.arraycopy(t.floats(), 0, v, 0, v.length);
        d[0] = m;
        return HostTensor.of(t.dtype(), dev.jasg.core.Shape.of(d), v);
    }

    /** Parses the flags (see {@code --help}), trains and prints the accuracy. */
    public static void main(String[] args) throws IOException {
        Path data = null, cifar = null, weights = null, save = null;
        int steps = 300, batch = 64, limit = 2000;
        double lr = 3e-3;
        String backendName = "cpu";
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--data" -> data = Path.of(args[++i]);
                    case "--cifar" -> cifar = Path.of(args[++i]);
                    case "--weights" -> weights = Path.of(args[++i]);
                    case "--save" -> save = Path.of(args[++i]);
                    case "--steps" -> steps = Integer.parseInt(args[++i]);
                    case "--batch" -> batch = Integer.parseInt(args[++i]);
                    case "--lr" -> lr = Double.parseDouble(args[++i]);
                    case "--limit" -> limit = Integer.parseInt(args[++i]);
                    case "--backend" -> backendName = args[++i];
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            System.err.println("FineTune: " + (e instanceof ArrayIndexOutOfBoundsException ? args[args.length - 1] + " needs a value" : e.getMessage()));
            System.err.print(USAGE);
            System.exit(2);
        }
        HostTensor trainX, trainY, testX, testY;
        String what;
        if (cifar != null) {
            InMemoryDataset tr = Cifar.cifar10Train(cifar), te = Cifar.cifar10Test(cifar);
            trainX = tr.features();
            trainY = tr.labels();
            testX = head(te.features(), limit);
            testY = head(te.labels(), limit);
            what = "CIFAR-10";
        } else {
            Path dir = data != null ? data : Path.of(dev.jasg.nn.data.FashionMnist.DEBIAN_DIR);
            InMemoryDataset tr = dev.jasg.nn.data.FashionMnist.train(dir), te = dev.jasg.nn.data.FashionMnist.test(dir);
            trainX = toRgb32(tr.features());
            trainY = tr.labels();
            testX = toRgb32(head(te.features(), limit));
            testY = head(te.labels(), limit);
            what = "Fashion-MNIST (padded to 32x32, gray repeated to RGB)";
        }
        Map<String, HostTensor> w = weights == null ? null : SafeTensors.load(weights);
        Backend backend;
        try {
            backend = Backends.create(backendName);
        } catch (BackendUnavailableException e) {
            System.err.println("FineTune: the '" + backendName + "' backend is not available: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (backend) {
            System.out.println("Fine-tuning a small VisionTransformer (" + VisionTransformer.Config.small() + ") with a new 10-class head on " + what
                    + " on the '" + backend.name() + "' backend, " + (w == null ? "from random weights (no --weights given)" : "from " + weights));
            long t0 = System.nanoTime();
            int every = Math.max(1, steps / 6);
            Result r = run(backend, trainX, trainY, testX, testY, w, steps, batch, lr, save, (s, loss) -> {
                if (s % every == 0) System.out.printf("step %4d  loss %.4f%n", s, loss);
            });
            System.out.printf("test accuracy %.1f%% on %d images after %d steps of batch %d (%.0f s)%n", 100 * r.testAccuracy(), testY.size(), r.steps(), batch,
                    (System.nanoTime() - t0) / 1e9);
            if (save != null) System.out.println("weights written to " + save);
        }
    }
}
