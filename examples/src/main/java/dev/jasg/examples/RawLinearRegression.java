package dev.jasg.examples;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Learns {@code y = 2x + 1} with the raw graph API: a forward graph, its gradient graph
 * from autograd, and an update graph that assigns {@code p - lr * grad} to each parameter.
 * The three are compiled once into one step and run every epoch. This is the program the
 * README shows; {@link LinearRegression} does the same with the asg-nn layer, loss and optimizer.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.RawLinearRegression [-Dexec.args="--backend reference"]</pre>
 */
public final class RawLinearRegression {
    private RawLinearRegression() {}

    /** What training ended with. */
    public record Result(double w, double b, double loss) {}

    /** Trains for {@code epochs} full-batch steps on {@code backend}, reporting each epoch's loss to {@code log}. */
    public static Result train(Backend backend, int epochs, java.util.function.ObjIntConsumer<Double> log) {
        // Data: 128 points of y = 2x + 1 with a little noise.
        int n = 128;
        Random rnd = new Random(42);
        float[] xs = new float[n], ys = new float[n];
        for (int i = 0; i < n; i++) {
            xs[i] = rnd.nextFloat() * 2 - 1;
            ys[i] = 2 * xs[i] + 1 + (float) (rnd.nextGaussian() * 0.01);
        }

        // Forward: pred = x @ w + b, loss = mean((pred - y)^2). "B" is the batch, bound when data is fed.
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 1);
        Tensor y = g.input("y", DType.F32, "B", 1);
        Tensor w = g.parameter("w", Init.zeros(), 1, 1);
        Tensor b = g.parameter("b", Init.zeros(), 1);
        Tensor loss = x.matmul(w).add(b).sub(y).square().mean();
        g.output("loss", loss);
        Graph forward = g.build();

        // Gradients: a second graph that continues the forward one.
        Graph gradients = Autograd.gradients(forward, loss, List.of(w, b));

        // Update: plain SGD, p := p - lr * dloss/dp.
        GraphBuilder u = new GraphBuilder(gradients);
        Tensor lr = u.input("lr", DType.F32);
        for (Tensor p : List.of(w, b)) {
            String name = ((dev.jasg.core.Op.Parameter) p.node().op()).name();
            Tensor grad = u.tensor(gradients.outputs().get("grad:" + name));
            u.assign(u.tensor(p.id()), u.tensor(p.id()).sub(lr.mul(grad)));
        }
        Graph update = u.build();

        try (Executable step = backend.compile(forward, gradients, update)) {
            Map<String, HostTensor> feeds = Map.of(
                    "x", HostTensor.of(xs, n, 1),
                    "y", HostTensor.of(ys, n, 1),
                    "lr", HostTensor.scalar(0.5f));
            double last = Double.NaN;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                last = step.run(feeds).scalar("loss");
                log.accept(last, epoch);
            }
            return new Result(step.parameters().get("w").item(), step.parameters().get("b").item(), last);
        }
    }

    /** Trains and prints the loss per epoch and the learned parameters; {@code --backend NAME} or {@code --gpu} picks a backend. */
    public static void main(String[] args) {
        try (Backend backend = ExampleCli.backend("RawLinearRegression", args)) {
            System.out.println("JASG linear regression on the '" + backend.name() + "' backend: learning y = 2x + 1");
            Result r = train(backend, 60, (loss, epoch) -> System.out.printf("epoch %3d  loss %.6f%n", epoch, loss));
            System.out.printf("learned w = %.4f (target 2), b = %.4f (target 1)%n", r.w(), r.b());
            boolean ok = Math.abs(r.w() - 2) < 0.01 && Math.abs(r.b() - 1) < 0.01;
            System.out.println(ok ? "converged: |w-2| < 0.01 and |b-1| < 0.01" : "did NOT converge");
            if (!ok) System.exit(1);
        }
    }
}
