package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.Sigmoid;
import dev.jasg.nn.Tanh;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.util.Map;

/**
 * The classic XOR problem, which no linear model solves: a 2-8-1 MLP with a tanh hidden layer
 * and a sigmoid output, trained with binary cross-entropy and Adam on the four points until
 * the loss is below {@code 1e-3}; prints the loss and the four predictions.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.Xor [-Dexec.args="--backend reference"]</pre>
 */
public final class Xor {
    /** The loss to reach. */
    public static final double TARGET_LOSS = 1e-3;

    private static final float[] INPUTS = {0, 0, 0, 1, 1, 0, 1, 1};
    private static final float[] TARGETS = {0, 1, 1, 0};

    private Xor() {}

    /** What training ended with: the last loss, the steps taken and the four predictions. */
    public record Result(double loss, int steps, double[] predictions) {}

    /** Trains on {@code backend} until the loss is below {@link #TARGET_LOSS} or {@code maxSteps} steps; {@code log} sees every step. */
    public static Result train(Backend backend, int maxSteps, StepListener log) {
        Sequential model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1), new Sigmoid());
        HostTensor x = HostTensor.of(INPUTS, 4, 2);
        Map<String, HostTensor> batch = Map.of("x", x, "y", HostTensor.of(TARGETS, 4, 1));
        try (Trainer trainer = Trainer.builder(backend, model)
                .input("x", DType.F32, "B", 2)
                .target("y", DType.F32, "B", 1)
                .loss(Losses::binaryCrossEntropy)
                .optimizer(new Adam(0.05))
                .seed(1)
                .build()) {
            trainer.addListener(log);
            double loss = Double.NaN;
            int step = 0;
            while (step < maxSteps) {
                loss = trainer.step(batch);
                step++;
                if (loss < TARGET_LOSS) break;
            }
            return new Result(loss, step, trainer.predict(x).toDoubles());
        }
    }

    /** Trains and prints; {@code --backend NAME} or {@code --gpu} picks a backend. */
    public static void main(String[] args) {
        try (Backend backend = ExampleCli.backend("Xor", args)) {
            System.out.println("JASG XOR on the '" + backend.name() + "' backend: MLP 2-8-1 (tanh, sigmoid), BCE loss, Adam");
            Result r = train(backend, 5000, (step, loss) -> {
                if (step % 100 == 0) System.out.printf("step %5d  loss %.6f%n", step, loss);
            });
            System.out.printf("stopped after %d steps with loss %.6f%n", r.steps(), r.loss());
            for (int i = 0; i < 4; i++) {
                System.out.printf("  %d xor %d -> %.4f (target %d)%n", (int) INPUTS[2 * i], (int) INPUTS[2 * i + 1], r.predictions()[i], (int) TARGETS[i]);
            }
            boolean ok = r.loss() < TARGET_LOSS;
            System.out.println(ok ? "solved: loss < 1e-3" : "did NOT reach loss < 1e-3");
            if (!ok) System.exit(1);
        }
    }
}
