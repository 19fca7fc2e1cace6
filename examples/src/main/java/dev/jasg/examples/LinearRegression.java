package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.SGD;
import dev.jasg.nn.train.Trainer;

import java.util.Map;
import java.util.Random;
import java.util.function.ObjIntConsumer;

/**
 * Learns {@code y = 2x + 1} with asg-nn: a {@code Linear(1, 1)} layer, the mean squared error
 * and plain SGD, trained by a {@link Trainer} that compiles forward, gradients and update once.
 * {@link RawLinearRegression} is the same program written with the raw graph API.
 *
 * <pre>mvn -q -pl examples exec:java [-Dexec.args="--backend reference"]</pre>
 */
public final class LinearRegression {
    private LinearRegression() {}

    /** What training ended with. */
    public record Result(double w, double b, double loss) {}

    /** 128 points of y = 2x + 1 with a little noise, as feeds "x" and "y" of shape [128, 1]. */
    static Map<String, HostTensor> data() {
        int n = 128;
        Random rnd = new Random(42);
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = rnd.nextFloat() * 2 - 1;
            ys[i] = 2 * xs[i] + 1 + (float) (rnd.nextGaussian() * 0.01);
        }
        return Map.of("x", HostTensor.of(xs, n, 1), "y", HostTensor.of(ys, n, 1));
    }

    /** Prints the learned parameters and exits with 1 unless they are within 0.01 of (2, 1). */
    static void report(Result r) {
        System.out.printf("learned w = %.4f (target 2), b = %.4f (target 1)%n", r.w(), r.b());
        boolean ok = Math.abs(r.w() - 2) < 0.01 && Math.abs(r.b() - 1) < 0.01;
        System.out.println(ok ? "converged: |w-2| < 0.01 and |b-1| < 0.01" : "did NOT converge");
        if (!ok) System.exit(1);
    }

    /** Trains for {@code epochs} full-batch steps on {@code backend}, reporting each epoch's loss to {@code log}. */
    public static Result train(Backend backend, int epochs, ObjIntConsumer<Double> log) {
        Map<String, HostTensor> batch = data();

        Linear model = new Linear(1, 1);
        try (Trainer trainer = Trainer.builder(backend, model)
                .input("x", DType.F32, "B", 1)   // "B": the batch size, bound when data is fed
                .target("y", DType.F32, "B", 1)
                .loss(Losses::mseLoss)
                .optimizer(new SGD(0.5))
                .seed(42)
                .build()) {
            double last = Double.NaN;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                last = trainer.step(batch);
                log.accept(last, epoch);
            }
            return new Result(trainer.parameters().get("weight").item(), trainer.parameters().get("bias").item(), last);
        }
    }

    /** Trains and prints the loss per epoch and the learned parameters; {@code --backend NAME} or {@code --gpu} picks a backend. */
    public static void main(String[] args) {
        try (Backend backend = ExampleCli.backend("LinearRegression", args)) {
            System.out.println("JASG linear regression on the '" + backend.name() + "' backend: learning y = 2x + 1 with Linear(1, 1) and SGD");
            Result r = train(backend, 60, (loss, epoch) -> System.out.printf("epoch %3d  loss %.6f%n", epoch, loss));
            report(r);
        }
    }
}
