package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.MaxPool2d;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.util.Map;
import java.util.Random;

/**
 * A small convolutional network classifying three kinds of shapes drawn on noisy
 * {@value #SIZE}x{@value #SIZE} images: a square outline, a plus sign and a ring, each of a
 * random size at a random place. Two blocks of Conv2d (3x3, padding 1) + ReLU + MaxPool2d(2),
 * then Flatten and a Linear read-out; cross entropy, Adam. Prints the loss and the held-out
 * accuracy.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.CnnClassifier [-Dexec.args="--gpu"]</pre>
 */
public final class CnnClassifier {
    /** Image side. */
    public static final int SIZE = 16;
    /** Number of shape classes. */
    public static final int CLASSES = 3;

    private CnnClassifier() {}

    /** conv(1->8) relu pool, conv(8->16) relu pool, flatten 16*4*4, linear 256->3. */
    public static Layer model() {
        ConvOptions same = ConvOptions.defaults().padding(1);
        return new Sequential(
                new Conv2d(1, 8, 3, same), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, same), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(16 * (SIZE / 4) * (SIZE / 4), CLASSES));
    }

    /** {@code n} images {@code [n, 1, SIZE, SIZE]} and their classes. */
    public record Data(HostTensor images, HostTensor labels) {}

    /** {@code n} random images, the class of each drawn uniformly, with Gaussian noise of 0.2. */
    public static Data data(int n, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * SIZE * SIZE];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int cls = r.nextInt(CLASSES), half = 2 + r.nextInt(3);
            int cy = half + r.nextInt(SIZE - 2 * half), cx = half + r.nextInt(SIZE - 2 * half);
            int base = i * SIZE * SIZE;
            for (int row = 0; row < SIZE; row++) {
                for (int col = 0; col < SIZE; col++) {
                    int dy = row - cy, dx = col - cx;
                    boolean on = switch (cls) {
                        case 0 -> Math.max(Math.abs(dy), Math.abs(dx)) == half;                 // square outline
                        case 1 -> (dy == 0 && Math.abs(dx) <= half) || (dx == 0 && Math.abs(dy) <= half); // plus
                        default -> Math.abs(Math.sqrt(dy * dy + dx * dx) - half) < 0.5;          // ring
                    };
                    px[base + row * SIZE + col] = (on ? 1f : 0f) + (float) (0.2 * r.nextGaussian());
                }
            }
            y[i] = cls;
        }
        return new Data(HostTensor.of(px, n, 1, SIZE, SIZE), HostTensor.ofInts(y, n));
    }

    /** What training ended with. */
    public record Result(double lastLoss, double testAccuracy, int steps) {}

    /** Trains {@code steps} steps (the demo: 600) of batch 32 on fresh images and measures accuracy on 600 held-out images. */
    public static Result train(Backend backend, int steps, StepListener log) {
        Data test = data(600, 999_999);
        try (Trainer trainer = Trainer.builder(backend, model())
                .input("x", DType.F32, "B", 1, SIZE, SIZE)
                .target("y", DType.I32, "B")
                .loss(Losses::crossEntropy)
                .optimizer(new Adam(3e-3))
                .seed(3)
                .build()) {
            trainer.addListener(log);
            double loss = Double.NaN;
            for (int s = 0; s < steps; s++) {
                Data batch = data(32, s);
                loss = trainer.step(Map.of("x", batch.images(), "y", batch.labels()));
            }
            return new Result(loss, TransformerClassifier.accuracy(trainer.predict(test.images()), test.labels()), steps);
        }
    }

    /** Trains and prints; {@code --backend NAME} or {@code --gpu} picks a backend. */
    public static void main(String[] args) {
        try (Backend backend = ExampleCli.backend("CnnClassifier", args)) {
            System.out.println("JASG CNN on the '" + backend.name() + "' backend: square, plus or ring on noisy " + SIZE + "x" + SIZE + " images");
            Result r = train(backend, 600, (step, loss) -> {
                if (step % 100 == 0) System.out.printf("step %4d  loss %.4f%n", step, loss);
            });
            System.out.printf("held-out accuracy %.1f%% after %d steps%n", 100 * r.testAccuracy(), r.steps());
            if (r.testAccuracy() < 0.98) System.exit(1);
        }
    }
}
