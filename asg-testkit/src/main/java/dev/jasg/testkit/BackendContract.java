package dev.jasg.testkit;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.jasg.testkit.SmallOpCases.assertClose;

/**
 * What every device backend must do with parameters and runs, checked against the reference interpreter: a model
 * trained 20 steps by a forward and an update graph keeps its parameters resident and updated together; parameters
 * set from the host and read back, outputs seeing values before the assignments; an empty batch giving the
 * reference's empty results and the executable running a real batch afterwards (issue 13 item 10). The Vulkan and
 * OpenCL backends' {@code TrainingStepTest} and {@code EmptyBatchTest} call these.
 *
 * <p>Stateless.
 */
public final class BackendContract {
    private BackendContract() {}

    /** A linear model and its hand-written SGD update graph. */
    public static List<Graph> model() {
        GraphBuilder f = new GraphBuilder();
        Tensor x = f.input("x", DType.F32, Shape.symbolic("B", 3));
        Tensor t = f.input("t", DType.F32, Shape.symbolic("B", 2));
        Tensor w = f.parameter("w", Init.normal(0, 0.5), 3, 2);
        Tensor bias = f.parameter("b", Init.zeros(), 2);
        Tensor err = x.matmul(w).add(bias).sub(t);
        f.output("loss", err.square().mean());
        Graph forward = f.build();

        GraphBuilder u = new GraphBuilder(forward);
        Tensor e = u.tensor(err.id()), xs = u.tensor(x.id());
        // d mean(err^2) / d err = 2 err / count; the count is bound at run time.
        Tensor g = e.mul(2).div(e.count(0, 1));
        Tensor dw = xs.transpose(0, 1).matmul(g), db = g.sum(0);
        u.assign(u.tensor(w.id()), u.tensor(w.id()).sub(dw.mul(0.1)));
        u.assign(u.tensor(bias.id()), u.tensor(bias.id()).sub(db.mul(0.1)));
        return List.of(forward, u.build());
    }

    /** Losses of 20 steps (batches of 4 to 6) on {@code backend}. */
    public static List<Double> train(Backend backend, Parameters p, List<Graph> graphs) {
        List<Double> losses = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        try (Executable e = backend.compile(p, graphs)) {
            for (int step = 0; step < 20; step++) {
                int batch = 4 + step % 3;
                float[] x = new float[batch * 3], t = new float[batch * 2];
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < 3; j++) x[i * 3 + j] = (float) (r.nextDouble() * 2 - 1);
                    t[i * 2] = 2 * x[i * 3] - x[i * 3 + 1] + 0.5f;
                    t[i * 2 + 1] = x[i * 3 + 2] - 1;
                }
                losses.add(e.run(Map.of("x", HostTensor.of(x, batch, 3), "t", HostTensor.of(t, batch, 2))).scalar("loss"));
            }
        }
        return losses;
    }

    /** Twenty steps on {@code device} give the reference's losses and parameters. */
    public static void trainingMatchesTheReference(Backend device) {
        List<Graph> graphs = model();
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Parameters dp = device.newParameters(3), rp = ref.newParameters(3);
            List<Double> dl = train(device, dp, graphs), rl = train(ref, rp, graphs);
            for (int i = 0; i < dl.size(); i++) {
                if (!(Math.abs(dl.get(i) - rl.get(i)) <= 1e-4 * (1 + Math.abs(rl.get(i))))) {
                    throw new AssertionError("loss at step " + i + ": " + dl.get(i) + " vs " + rl.get(i));
                }
            }
            if (!(rl.get(19) < rl.get(0) * 0.5)) throw new AssertionError("the model should learn: " + rl);
            for (String name : List.of("w", "b")) assertClose("parameter " + name, rp.get(name), dp.get(name), 1e-4);
        }
    }

    /** Parameters set from the host are read by the run; outputs see the values before the assignment, the store after it. */
    public static void parametersCanBeSetAndReadBack(Backend device) {
        GraphBuilder b = new GraphBuilder();
        Tensor w = b.parameter("w", Init.ones(), 2, 2);
        b.output("w2", w.mul(2));
        b.output("w", w);
        b.assign(w, w.add(1));
        Parameters p = device.newParameters(0);
        try (Executable e = device.compile(p, b.build())) {
            p.set("w", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2));
            var out = e.run(Map.of());
            assertClose("w2", HostTensor.of(new float[] {2, 4, 6, 8}, 2, 2), out.get("w2"), 0);
            assertClose("w output", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2), out.get("w"), 0);
            assertClose("w stored", HostTensor.of(new float[] {2, 3, 4, 5}, 2, 2), p.get("w"), 0);
        }
    }

    private static Graph mlp() {
        GraphBuilder g = new GraphBuilder();
        Tensor x = g.input("x", DType.F32, "B", 4);
        Tensor w = g.parameter("w", Shape.of(4, 3), DType.F32, Init.normal(0, 0.5), true);
        Tensor h = x.matmul(w).relu();
        g.output("h", h);
        g.output("probs", h.softmax(1));
        g.output("sum", h.sum());
        g.output("mean", h.mean());
        g.output("max_rows", h.max(1, false));
        return g.build();
    }

    /** A run of batch 0 gives the reference's empty results, and a real batch runs afterwards. */
    public static void anEmptyBatchGivesEmptyResults(Backend device) {
        Graph graph = mlp();
        Map<String, HostTensor> feeds = Map.of("x", HostTensor.of(new float[0], 0, 4));
        try (Backend ref = new ReferenceBackend(); Executable re = ref.compile(graph); Executable ge = device.compile(graph)) {
            Outputs want = re.run(feeds), got = ge.run(feeds);
            for (String name : want.names()) assertClose("batch 0, output " + name, want.get(name), got.get(name), 1e-6);
            HostTensor x = HostTensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 2}, 2, 4);
            ge.parameters().set("w", re.parameters().get("w"));
            assertClose("batch 2 after batch 0", re.run(Map.of("x", x)).get("h"), ge.run(Map.of("x", x)).get("h"), 1e-5);
        }
    }
}
