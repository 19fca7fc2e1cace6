package dev.jasg.nn.train;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.FeedException;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.Tanh;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.ExponentialLR;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    // Mean squared error written here, so these tests depend on the Trainer only.
    private static final BiFunction<Tensor, Tensor, Tensor> MSE = (out, y) -> out.sub(y).square().mean();

    private static Map<String, HostTensor> regressionBatch(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 3], y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) x[i * 3 + j] = (float) (r.nextGaussian());
            y[i] = (float) Math.sin(x[i * 3]) + 0.5f * x[i * 3 + 1] * x[i * 3 + 2];
        }
        return Map.of("x", HostTensor.of(x, n, 3), "y", HostTensor.of(y, n, 1));
    }

    private static Layer mlp() {
        return new Sequential(new Linear(3, 16), new Tanh(), new Linear(16, 1));
    }

    private static Trainer trainer(Backend b, Layer model, Optimizer opt) {
        return Trainer.builder(b, model).input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1)
                .loss(MSE).optimizer(opt).clipGradNorm(5).seed(11).build();
    }

    @Test
    void cpuAndReferenceReachTheSameParametersAfterTwentySteps() {
        Map<String, HostTensor> batch = regressionBatch(32, 1);
        try (Backend cpu = Backends.create("cpu"); Backend ref = Backends.create("reference");
             Trainer a = trainer(cpu, mlp(), new Adam(0.01)); Trainer b = trainer(ref, mlp(), new Adam(0.01))) {
            for (int s = 0; s < 20; s++) {
                double la = a.step(batch), lb = b.step(batch);
                assertEquals(lb, la, 1e-5 * Math.max(1, lb), "loss at step " + (s + 1));
            }
            for (String name : b.parameters().names()) {
                double[] x = a.parameters().get(name).toDoubles(), y = b.parameters().get(name).toDoubles();
                for (int i = 0; i < y.length; i++) assertEquals(y[i], x[i], 1e-5, name + "[" + i + "]");
            }
            assertTrue(b.parameters().names().contains("optim.exp_avg.0.weight"), b.parameters().names().toString());
            assertEquals(20, b.parameters().get("optim.step").item());
        }
    }

    @Test
    void anMlpTrainsAndEvaluatesOverTheSameStore() {
        Map<String, HostTensor> batch = regressionBatch(64, 2);
        List<Double> seen = new ArrayList<>();
        try (Backend cpu = Backends.create("cpu"); Trainer t = trainer(cpu, mlp(), new SGD(0.1, 0.9))) {
            t.addListener((step, loss) -> seen.add(loss));
            double first = t.step(batch), last = first;
            for (int s = 1; s < 150; s++) last = t.step(batch);
            assertTrue(last < 0.2 * first, "loss should fall: " + first + " -> " + last);
            assertEquals(150, seen.size());
            assertEquals(150, t.steps());
            assertTrue(t.lastGradNorm() > 0);

            // The eval graph reads the trained weights: its loss is the training loss after one more update.
            Map<String, HostTensor> ev = t.evaluate(batch);
            assertEquals(Shape.of(64, 1), ev.get(Trainer.OUTPUT).shape());
            assertTrue(ev.get(Trainer.LOSS).item() < 0.2 * first);
            double mse = 0;
            double[] out = t.predict(batch.get("x")).toDoubles(), y = batch.get("y").toDoubles();
            for (int i = 0; i < y.length; i++) mse += (out[i] - y[i]) * (out[i] - y[i]) / y.length;
            assertEquals(ev.get(Trainer.LOSS).item(), mse, 1e-5);
            assertEquals(mse, t.step(batch), 1e-5); // the step's loss is computed before its update
        }
    }

    @Test
    void theSchedulerSetsTheFedLearningRate() {
        Map<String, HostTensor> batch = regressionBatch(8, 3);
        try (Backend ref = Backends.create("reference")) {
            // Per-epoch schedule, lr 0.1 then 0: the second epoch must leave the weights unchanged.
            SGD opt = new SGD(0.1);
            try (Trainer t = Trainer.builder(ref, mlp()).input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1)
                    .loss(MSE).optimizer(opt).scheduler(new ExponentialLR(opt, 0.0)).build()) {
                assertEquals(0.1, t.currentLr(), 0);
                t.step(batch);
                t.endEpoch();
                assertEquals(0.0, t.currentLr(), 0);
                double[] before = t.parameters().get("0.weight").toDoubles();
                t.step(batch);
                assertEquals(List.of(before.length), List.of(t.parameters().get("0.weight").toDoubles().length));
                double[] after = t.parameters().get("0.weight").toDoubles();
                for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 0);
                Map<String, Object> st = t.state();
                assertEquals(2L, st.get("step"));
                assertEquals(1, ((Map<?, ?>) st.get("scheduler")).get("last_epoch"));
            }
            // Per-step schedule: advanced by every step.
            SGD opt2 = new SGD(0.1);
            try (Trainer t = Trainer.builder(ref, mlp()).input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1)
                    .loss(MSE).optimizer(opt2).scheduler(new ExponentialLR(opt2, 0.5), Trainer.SchedulerInterval.STEP).build()) {
                t.step(batch);
                t.step(batch);
                assertEquals(0.025, t.currentLr(), 1e-15);
            }
        }
    }

    /** Adds 100 in training mode only, so the mode a graph was built in shows in its output. */
    static final class ModeProbe extends Layer {
        @Override
        public Tensor forward(Tensor x) {
            return isTraining() ? x.add(100) : x;
        }
    }

    @Test
    void evaluationGraphsAreBuiltInEvalModeAndTheModelsModeIsRestored() {
        Map<String, HostTensor> batch = regressionBatch(8, 4);
        Sequential model = new Sequential(new Linear(3, 1), new ModeProbe());
        model.eval();
        try (Backend ref = Backends.create("reference"); Trainer t = trainer(ref, model, new SGD(0))) {
            double trainLoss = t.step(batch);
            double evalLoss = t.evaluate(batch).get(Trainer.LOSS).item();
            assertTrue(trainLoss > 5000, "training graph adds 100: " + trainLoss);
            assertTrue(evalLoss < 100, "eval graph does not: " + evalLoss);
            assertTrue(!model.isTraining(), "the caller's mode is restored");
        }
    }

    @Test
    void theSameSeedGivesTheSameStart() {
        try (Backend cpu = Backends.create("cpu");
             Trainer a = trainer(cpu, mlp(), new SGD(0.1)); Trainer b = trainer(cpu, mlp(), new SGD(0.1))) {
            Map<String, HostTensor> batch = regressionBatch(4, 5);
            assertEquals(a.step(batch), b.step(batch), 0);
        }
    }

    @Test
    void missingPartsAndNonScalarLossesAreReported() {
        try (Backend ref = Backends.create("reference")) {
            IllegalStateException missing = assertThrows(IllegalStateException.class,
                    () -> Trainer.builder(ref, mlp()).input("x", DType.F32, "B", 3).build());
            assertTrue(missing.getMessage().contains("no target spec"), missing.getMessage());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(ref, mlp())
                    .input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1)
                    .loss((o, y) -> o.sub(y)).optimizer(new SGD(0.1)).build());
            assertTrue(e.getMessage().contains("float scalar"), e.getMessage());
        }
    }

    /** Issue 13 item 15: a builder left without a required part is a state error (not a null argument), naming the part. */
    @Test
    void eachMissingBuilderPartIsAnIllegalStateNamingIt() {
        record Case(String message, UnaryOperator<Trainer.Builder> configure) {}
        List<Case> cases = List.of(
                new Case("Trainer: no input spec; call input(...)", b -> b.target("y", DType.F32, "B", 1).loss(MSE).optimizer(new SGD(0.1))),
                new Case("Trainer: no target spec; call target(...)", b -> b.input("x", DType.F32, "B", 3).loss(MSE).optimizer(new SGD(0.1))),
                new Case("Trainer: no loss function; call loss(...)", b -> b.input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1).optimizer(new SGD(0.1))),
                new Case("Trainer: no optimizer; call optimizer(...) or lbfgs(...)", b -> b.input("x", DType.F32, "B", 3).target("y", DType.F32, "B", 1).loss(MSE)));
        try (Backend ref = Backends.create("reference")) {
            for (Case c : cases) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.configure().apply(Trainer.builder(ref, mlp())).build(), c.message());
                assertEquals(c.message(), e.getMessage());
            }
        }
    }

    /** Issue 13 item 15: a step's feed error names the user's inputs only, never the learning rate the trainer feeds itself. */
    @Test
    void aStepsFeedErrorNamesOnlyTheUsersInputs() {
        Map<String, HostTensor> full = regressionBatch(4, 3);
        record Case(String what, Map<String, HostTensor> batch, List<String> named) {}
        List<Case> cases = List.of(
                new Case("no target", Map.of("x", full.get("x")), List.of("'y'", "target", "f32[B,1]", "expected [x, y]", "given [x]")),
                new Case("no input", Map.of("y", full.get("y")), List.of("'x'", "input", "f32[B,3]", "expected [x, y]", "given [y]")),
                new Case("a misspelt target", Map.of("x", full.get("x"), "Y", full.get("y")), List.of("'y'", "expected [x, y]", "given [Y, x]")),
                new Case("the trainer's own lr", Map.of("x", full.get("x"), "y", full.get("y"), Optimizer.LR_INPUT, HostTensor.scalar(1f)),
                        List.of("'lr'", "expected [x, y]")));
        try (Backend cpu = Backends.create("cpu"); Trainer t = trainer(cpu, mlp(), new SGD(0.1))) {
            for (Case c : cases) {
                FeedException e = assertThrows(FeedException.class, () -> t.step(c.batch()), c.what());
                for (String s : c.named()) assertTrue(e.getMessage().contains(s), c.what() + ": no " + s + " in: " + e.getMessage());
                if (!c.what().contains("lr")) assertFalse(e.getMessage().contains("lr"), c.what() + ": " + e.getMessage());
                assertEquals(0, t.steps(), c.what());
            }
            FeedException e = assertThrows(FeedException.class, () -> t.evaluate(Map.of("y", full.get("y"))));
            assertFalse(e.getMessage().contains("lr"), e.getMessage());
            assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        }
    }

    /**
     * Issue 13 item 4: the Trainer from two threads miscounted steps. Steps are serialised: two
     * threads stepping the same batch N times each make exactly 2N steps, with the same losses
     * and the same weights as 2N steps on one thread (every order of the same batch is one order).
     */
    @Test
    void twoThreadsSteppingTogetherMakeExactlyTheStepsOfOneThread() throws Exception {
        int n = 150;
        Map<String, HostTensor> batch = regressionBatch(8, 9);
        try (Backend cpu = Backends.create("cpu");
             Trainer shared = trainer(cpu, mlp(), new Adam(0.01)); Trainer alone = trainer(cpu, mlp(), new Adam(0.01))) {
            double[] expected = new double[2 * n];
            for (int i = 0; i < 2 * n; i++) expected[i] = alone.step(batch);
            List<Double> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            shared.addListener((step, loss) -> seen.add(loss));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<double[]>> runs = new ArrayList<>();
                for (int th = 0; th < 2; th++) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        double[] losses = new double[n];
                        for (int i = 0; i < n; i++) losses[i] = shared.step(batch);
                        return losses;
                    }));
                }
                go.countDown();
                double[] got = new double[2 * n];
                for (int th = 0; th < 2; th++) System.arraycopy(runs.get(th).get(), 0, got, th * n, n);
                assertEquals(2L * n, shared.steps());
                java.util.Arrays.sort(got);
                double[] want = expected.clone();
                java.util.Arrays.sort(want);
                assertArrayEquals(want, got, "the losses of the two threads' steps are those of 2N steps on one thread");
                // Listeners hear the steps in order, once each.
                double[] heard = seen.stream().mapToDouble(Double::doubleValue).toArray();
                assertArrayEquals(expected, heard, "listener order");
            } finally {
                pool.shutdownNow();
            }
            for (String name : alone.parameters().names()) {
                assertArrayEquals(alone.parameters().get(name).toDoubles(), shared.parameters().get(name).toDoubles(), name);
            }
        }
    }
}
