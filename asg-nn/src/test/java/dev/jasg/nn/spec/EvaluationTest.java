package dev.jasg.nn.spec;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.SGD;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The held-out evaluation of a spec's training: numbers against a hand computation, when it runs, and that it changes no loss. */
class EvaluationTest {
    private static final String LINEAR = """
            {"format_version": 1, "name": "lin", "inputs": [{"name": "x", "dtype": "F32", "shape": ["B", 2]}],
             "nodes": [{"id": "fc", "type": "Linear", "params": {"in_features": 2, "out_features": 3}}],
             "edges": [{"from": "x", "to": "fc", "port": 0}], "output": "fc"}
            """;

    // fc: logits = W x + b; five examples, fed in batches of 2, 2, 1 (the last batch's mean must be weighted by 1, not 2)
    private static final float[] W = {1, 0, 0, 1, -1, -1};
    private static final float[] B = {0, 0.5f, 0};
    private static final float[] X = {2, 1, 0, 3, -1, -1, 1, 1, 0, 0};
    private static final int[] Y = {0, 1, 2, 2, 1};

    @Test
    void accuracyAndLossEqualAHandComputation() {
        double lossSum = 0;
        int correct = 0;
        for (int n = 0; n < Y.length; n++) {
            double[] z = new double[3];
            for (int c = 0; c < 3; c++) z[c] = W[2 * c] * X[2 * n] + W[2 * c + 1] * X[2 * n + 1] + B[c];
            double lse = Math.log(Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2]));
            lossSum += lse - z[Y[n]];
            int best = 0;
            for (int c = 1; c < 3; c++) if (z[c] > z[best]) best = c;
            if (best == Y[n]) correct++;
        }
        // logits: [2,1.5,-3] [0,3.5,-3] [-1,-0.5,2] [1,1.5,-2] [0,0.5,0]: predictions 0,1,2,1,1 against labels 0,1,2,2,1
        assertEquals(4, correct);
        GraphModel model = ModelSpec.parse(LINEAR).build();
        try (Backend backend = Backends.create("cpu");
             Trainer trainer = Trainer.builder(backend, model).input("x", DType.F32, "B", 2).target(SpecTraining.TARGET, DType.I32, "B")
                     .loss(Losses::crossEntropy).optimizer(new SGD(0.1)).build()) {
            model.loadStateDict(Map.of("fc.weight", HostTensor.of(W, 3, 2), "fc.bias", HostTensor.of(B, 3)), true, trainer.parameters());
            var data = new InMemoryDataset(HostTensor.of(X, 5, 2), HostTensor.ofInts(Y, 5));
            Map<String, Double> m = SpecTraining.evaluate(trainer, data, "x", 2, true);
            assertEquals(List.of(SpecTraining.VAL_LOSS, SpecTraining.ACCURACY), List.copyOf(m.keySet()));
            assertEquals(lossSum / 5, m.get(SpecTraining.VAL_LOSS), 1e-6);
            assertEquals(0.8, m.get(SpecTraining.ACCURACY), 0);
            // the same with one batch; and nothing was trained by evaluating
            assertEquals(lossSum / 5, SpecTraining.evaluate(trainer, data, "x", 8, true).get(SpecTraining.VAL_LOSS), 1e-6);
            assertEquals(0, trainer.steps());
        }
    }

    private static ModelSpec mlp(double validation, int evalEvery, int epochs) {
        ModelSpec s = Templates.load("MLP");
        ModelSpec.Training t = s.training();
        return s.withTraining(new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), 32, epochs, 0, t.seed(), t.backend(),
                new ModelSpec.Component("synthetic", Map.of("size", 256, "validation", validation, "eval_every", evalEvery))));
    }

    private record Run(List<Double> losses, List<Long> evalSteps, List<Map<String, Double>> evals, List<ComputeUpdate> updates) {}

    private static Run run(ModelSpec spec, int maxSteps) {
        List<Long> steps = new ArrayList<>();
        List<Map<String, Double>> evals = new ArrayList<>();
        List<ComputeUpdate> updates = new ArrayList<>();
        List<Double> losses = SpecTraining.run(spec, maxSteps, null, (step, m) -> {
            steps.add(step);
            evals.add(m);
        }, t -> t.addUpdateListener(u -> {
            if (u instanceof ComputeUpdate.EpochDone || u instanceof ComputeUpdate.Finished) updates.add(u);
        }), () -> true);
        return new Run(losses, steps, evals, updates);
    }

    @Test
    void whenItRunsAndThatItChangesNoLoss() {
        // 256 examples, a quarter held out: 192 trained on, 6 steps an epoch
        record Case(double validation, int evalEvery, int epochs, int maxSteps, int steps, List<Long> evalSteps) {}
        List<Case> cases = List.of(
                new Case(0.25, 0, 1, 0, 6, List.of(6L)),              // at the epoch's end only
                new Case(0.25, 2, 1, 5, 5, List.of(2L, 4L, 5L)),      // every 2 steps, and at the (early) end
                new Case(0.25, 3, 2, 0, 12, List.of(3L, 6L, 9L, 12L)), // every 3 steps, which also ends each epoch: no repeat
                new Case(0.0, 2, 1, 0, 8, List.of()));                // nothing held out, nothing evaluated
        for (Case c : cases) {
            Run r = run(mlp(c.validation, c.evalEvery, c.epochs), c.maxSteps);
            assertEquals(c.steps, r.losses.size(), c.toString());
            assertEquals(c.evalSteps, r.evalSteps, c.toString());
            for (Map<String, Double> m : r.evals) {
                assertTrue(m.get(SpecTraining.VAL_LOSS) > 0 && m.get(SpecTraining.ACCURACY) >= 0 && m.get(SpecTraining.ACCURACY) <= 1, m.toString());
                // accuracy is a count over the 64 held-out examples
                assertEquals(0, m.get(SpecTraining.ACCURACY) * 64 % 1, 1e-9, m.toString());
            }
            ComputeUpdate last = r.updates.get(r.updates.size() - 1);
            assertEquals(new ComputeUpdate.Finished(c.steps), last, c.toString());
            // each finished epoch carries the evaluation made at its end
            int epochs = 0;
            for (ComputeUpdate u : r.updates) {
                if (u instanceof ComputeUpdate.EpochDone e) {
                    epochs++;
                    assertEquals(c.validation > 0 ? r.evals.get(r.evalSteps.indexOf((long) (6 * epochs))) : Map.of(), e.metrics(), c.toString());
                }
            }
            assertEquals(c.maxSteps > 0 ? 0 : c.epochs, epochs, c.toString());
        }
        // evaluating after every step changes no loss
        assertEquals(run(mlp(0.25, 0, 1), 0).losses, run(mlp(0.25, 1, 1), 0).losses);
    }

    @Test
    void aFractionThatLeavesNothingToTrainOnIsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> SpecTraining.train(mlp(1.0, 0, 1), 1, null));
        assertEquals("/training/dataset/params/validation", e.pointer());
        assertTrue(e.getMessage().contains("below 1"), e.getMessage());
    }
}
