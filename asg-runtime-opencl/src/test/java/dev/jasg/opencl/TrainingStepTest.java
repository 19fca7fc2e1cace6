package dev.jasg.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Init;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.core.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A tiny linear model trained for 20 steps by a forward graph and an update graph that
 * assigns new weights (gradients written by hand), on the device and on the reference:
 * parameters must stay resident and be updated together after each run.
 */
@Tag("opencl")
class TrainingStepTest {
    static List<Graph> model() {
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

    static List<Double> train(Backend backend, Parameters p, List<Graph> graphs) {
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

    @Test
    void twentyStepsMatchTheReference() {
        List<Graph> graphs = model();
        try (OpenClBackend ocl = Ocl.open(); ReferenceBackend ref = new ReferenceBackend()) {
            Parameters gp = ocl.newParameters(3), rp = ref.newParameters(3);
            List<Double> gl = train(ocl, gp, graphs), rl = train(ref, rp, graphs);
            for (int i = 0; i < gl.size(); i++) {
                assertTrue(Math.abs(gl.get(i) - rl.get(i)) <= 1e-4 * (1 + Math.abs(rl.get(i))), "loss at step " + i + ": " + gl.get(i) + " vs " + rl.get(i));
            }
            assertTrue(rl.get(19) < rl.get(0) * 0.5, "the model should learn: " + rl);
            for (String name : List.of("w", "b")) Ocl.assertClose("parameter " + name, rp.get(name), gp.get(name), 1e-4);
        }
    }

    @Test
    void parametersCanBeSetAndReadBack() {
        try (OpenClBackend ocl = Ocl.open()) {
            GraphBuilder b = new GraphBuilder();
            Tensor w = b.parameter("w", Init.ones(), 2, 2);
            b.output("w2", w.mul(2));
            b.output("w", w);
            b.assign(w, w.add(1));
            Parameters p = ocl.newParameters(0);
            try (Executable e = ocl.compile(p, b.build())) {
                p.set("w", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2));
                var out = e.run(Map.of());
                // Outputs see the values before the assignment, the store after it.
                Ocl.assertClose("w2", HostTensor.of(new float[] {2, 4, 6, 8}, 2, 2), out.get("w2"), 0);
                Ocl.assertClose("w output", HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2), out.get("w"), 0);
                Ocl.assertClose("w stored", HostTensor.of(new float[] {2, 3, 4, 5}, 2, 2), p.get("w"), 0);
            }
        }
    }
}
