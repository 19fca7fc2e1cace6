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

    /** Trains for {@code epochs} full-batch steps on {@code backend}, reporting each epoch's loss to {@code log}. */
    public static LinearRegression.Result train(Backend backend, int epochs, java.util.function.ObjIntConsumer<Double> log) {
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
            // Data: 128 points of y = 2x + 1 with a little noise, and the learning rate.
            Map<String, HostTensor> feeds = new java.util.HashMap<>(LinearRegression.data());
            feeds.put("lr", HostTensor.scalar(0.5f));
            double last = Double.NaN;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                last = step.run(feeds).scalar("loss");
                log.accept(last, epoch);
            }
            return new LinearRegression.Result(step.parameters().get("w").item(), step.parameters().get("b").item(), last);
        }
    }

    /** Trains and prints the loss per epoch and the learned parameters; {@code --backend NAME} or {@code --gpu} picks a backend. */
    public static void main(String[] args) {
        try (Backend backend = ExampleCli.backend("RawLinearRegression", args)) {
            System.out.println("JASG linear regression on the '" + backend.name() + "' backend: learning y = 2x + 1");
            LinearRegression.Result r = train(backend, 60, (loss, epoch) -> System.out.printf("epoch %3d  loss %.6f%n", epoch, loss));
            LinearRegression.report(r);
        }
    }
}
