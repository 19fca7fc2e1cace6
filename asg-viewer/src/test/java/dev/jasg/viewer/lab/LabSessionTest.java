package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Tensor;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.nn.train.NodeStats;
import dev.jasg.viewer.demo.DemoData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LabSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Backend backend;
    private LabSession lab;
    private final ComputeUpdateQueue updates = new ComputeUpdateQueue();
    private final List<ComputeUpdate> seen = new CopyOnWriteArrayList<>();
    private final List<String> notices = new CopyOnWriteArrayList<>();

    /** Halves its input: a model with a constant to edit. */
    static final class Half extends Layer {
        @Override
        public Tensor forward(Tensor x) {
            return x.mul(0.5);
        }
    }

    @BeforeEach
    void start() {
        backend = Backends.create("cpu");
        Layer model = new Sequential(new Flatten(), new Half(), new Linear(784, 16), new ReLU(), new Linear(16, 10));
        lab = LabSession.builder(backend, model)
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(DemoData.synthetic(512, 16, 3)).seed(5)
                .statsInterval(Duration.ofMillis(50)).listener(updates).listener(seen::add).notices(t -> notices.add(t.english())).build();
    }

    @AfterEach
    void stop() {
        lab.close();
        backend.close();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    private Graph lastForward() {
        Graph g = null;
        for (ComputeUpdate u : seen) if (u instanceof ComputeUpdate.GraphReady r) g = r.forward();
        return g;
    }

    private long graphsReady() {
        return seen.stream().filter(u -> u instanceof ComputeUpdate.GraphReady).count();
    }

    private int firstNode(Graph g, java.util.function.Predicate<Op> p) {
        for (Node n : g.nodes()) if (p.test(n.op())) return n.id();
        throw new AssertionError("no such node in\n" + g.toText());
    }

    private Map<String, double[]> weights() {
        Map<String, double[]> w = new HashMap<>();
        for (String name : List.of("2.weight", "2.bias", "4.weight", "4.bias")) w.put(name, lab.parameters().get(name).toDoubles());
        return w;
    }

    private void pauseAndWait() throws InterruptedException {
        lab.send(new GuiCommand.Pause());
        assertTrue(lab.awaitState(WAIT, LabSession.State.PAUSED));
    }

    @Test
    void pauseStopsTheStepsAndStepRunsExactlyOne() throws InterruptedException {
        lab.start();
        await("three steps ran", () -> lab.steps() >= 3);
        pauseAndWait();
        long s = lab.steps();
        Thread.sleep(300);
        assertEquals(s, lab.steps(), "no step while paused");
        lab.send(new GuiCommand.Step());
        await("one more step", () -> lab.steps() == s + 1);
        Thread.sleep(200);
        assertEquals(s + 1, lab.steps(), "a single step, then paused again");
        assertEquals(LabSession.State.PAUSED, lab.state());
        lab.send(new GuiCommand.Resume());
        await("training resumed", () -> lab.steps() > s + 3);
        assertEquals(LabSession.State.RUNNING, lab.state());
    }

    @Test
    void replacingAnActivationChangesTheOpKeepsTheWeightsAndTrainingGoesOn() throws InterruptedException {
        lab.start();
        await("two steps", () -> lab.steps() >= 2);
        pauseAndWait();
        Graph before = lastForward();
        int relu = firstNode(before, op -> op instanceof Op.Unary u && u.kind() == UnaryOp.RELU);
        Map<String, double[]> w = weights();
        long s = lab.steps();
        lab.send(GuiCommand.ReplaceOp.activation(relu, Activation.GELU));
        await("a new graph", () -> graphsReady() == 2);
        Graph after = lastForward();
        assertEquals(new Op.Unary(UnaryOp.GELU, 0, 0), after.node(relu).op());
        assertEquals(before.size(), after.size(), "the same number of nodes");
        for (Node n : before.nodes()) {
            if (n.id() != relu) assertEquals(n.op().label(), after.node(n.id()).op().label(), "node " + n.id() + " unchanged");
        }
        Map<String, double[]> w2 = weights();
        for (String k : w.keySet()) assertArrayEquals(w.get(k), w2.get(k), 0, k + " kept");
        assertEquals(s, lab.steps());
        assertTrue(notices.isEmpty(), notices.toString());
        lab.send(new GuiCommand.Resume());
        await("training goes on", () -> lab.steps() >= s + 5);
        // The step numbers go on from where they were, and the losses are finite.
        List<ComputeUpdate> all = new ArrayList<>(seen);
        int second = -1;
        for (int i = 0, ready = 0; i < all.size(); i++) if (all.get(i) instanceof ComputeUpdate.GraphReady && ++ready == 2) second = i;
        List<Long> stepsAfter = new ArrayList<>();
        for (ComputeUpdate u : all.subList(second + 1, all.size())) {
            if (u instanceof ComputeUpdate.StepDone d) {
                stepsAfter.add(d.step());
                assertTrue(Double.isFinite(d.loss()));
            }
        }
        assertEquals(s + 1, stepsAfter.get(0));
        for (String k : w.keySet()) assertFalse(java.util.Arrays.equals(w.get(k), lab.parameters().get(k).toDoubles()), k + " trained further");
    }

    @Test
    void aReplacementThatDoesNotFitIsRejectedAndTrainingContinues() throws InterruptedException {
        lab.start();
        await("a step", () -> lab.steps() >= 1);
        Graph g = lastForward();
        int flatten = firstNode(g, op -> op instanceof Op.Reshape);
        lab.send(new GuiCommand.ReplaceOp(flatten, Op.Unary.of(UnaryOp.TANH)));
        await("a notice", () -> !notices.isEmpty());
        assertTrue(notices.get(0).contains("keep the shape"), notices.get(0));
        int loss = g.output("loss").id();
        lab.send(GuiCommand.ReplaceOp.activation(loss, Activation.RELU));
        await("a second notice", () -> notices.size() >= 2);
        assertTrue(notices.get(1).contains("not part of the model"), notices.get(1));
        long s = lab.steps();
        await("steps go on", () -> lab.steps() > s + 2);
        assertEquals(1, graphsReady());
    }

    @Test
    void resetPutsTheInitialWeightsBack() throws InterruptedException {
        Map<String, double[]> initial = weights();
        lab.start();
        await("ten steps", () -> lab.steps() >= 10);
        pauseAndWait();
        assertFalse(java.util.Arrays.equals(initial.get("2.weight"), lab.parameters().get("2.weight").toDoubles()));
        long s = lab.steps();
        lab.send(new GuiCommand.ResetWeights());
        lab.send(new GuiCommand.RequestStats(-1)); // a command after the reset: when it is handled, the reset is done
        // the training thread sets the parameters one by one: wait for the last of them, not the first
        await("the reset", () -> lab.parameters().get("optim.step").item() == 0
                && initial.keySet().stream().allMatch(k -> java.util.Arrays.equals(initial.get(k), lab.parameters().get(k).toDoubles())));
        for (String k : initial.keySet()) assertArrayEquals(initial.get(k), lab.parameters().get(k).toDoubles(), 0, k);
        assertEquals(0, lab.parameters().get("optim.step").item());
        assertEquals(s, lab.steps(), "the step count goes on");
    }

    @Test
    void statisticsOfAnActivationAndOfAGradient() throws InterruptedException {
        lab.start();
        await("a step", () -> lab.steps() >= 1);
        pauseAndWait();
        Graph g = lastForward();
        int relu = firstNode(g, op -> op instanceof Op.Unary u && u.kind() == UnaryOp.RELU);
        lab.send(new GuiCommand.RequestStats(relu));
        NodeStats s = awaitStats(relu);
        assertEquals(16 * 16, s.count());
        assertTrue(s.min() >= 0, "relu output is non-negative: " + s);
        // A node of the gradient graph: the gradient of the first weight.
        Graph grads = null;
        for (ComputeUpdate u : seen) if (u instanceof ComputeUpdate.GraphReady r) grads = r.gradients();
        assertNotNull(grads);
        int grad = grads.outputs().get("grad:2.weight");
        lab.send(new GuiCommand.RequestStats(grad));
        NodeStats gs = awaitStats(grad);
        assertEquals(16 * 784, gs.count());
        assertTrue(gs.std() > 0);
        // A parameter is read from the store.
        int w = g.parameters().get("2.weight").id();
        lab.send(new GuiCommand.RequestStats(w));
        assertEquals(lab.parameters().get("2.weight").get(0), awaitStats(w).sample()[0], 1e-6);
    }

    private NodeStats awaitStats(int node) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            ComputeUpdate u = updates.poll(50, TimeUnit.MILLISECONDS);
            if (u instanceof NodeStats s && s.node() == node) return s;
        }
        throw new AssertionError("no statistics for node " + node + "; notices " + notices);
    }

    @Test
    void editingAConstantRecompilesWithTheNewValue() throws InterruptedException {
        lab.start();
        await("a step", () -> lab.steps() >= 1);
        pauseAndWait();
        Graph g = lastForward();
        int half = firstNode(g, op -> op instanceof Op.Constant c && c.value().size() == 1 && c.value().get(0) == 0.5);
        assertTrue(lab.model().contains(half));
        lab.send(new GuiCommand.EditConstant(half, HostTensor.scalar(0.25f)));
        await("a new graph", () -> graphsReady() == 2);
        Op.Constant c = assertInstanceOf(Op.Constant.class, lastForward().node(half).op());
        assertEquals(0.25, c.value().get(0));
        long s = lab.steps();
        lab.send(new GuiCommand.Step());
        await("a step with the new constant", () -> lab.steps() == s + 1);
    }

    @Test
    void aSessionWithAStepLimitFinishesAndSaysSo() throws InterruptedException {
        lab.close();
        lab = LabSession.builder(backend, new Sequential(new Flatten(), new Linear(784, 10)))
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(DemoData.synthetic(64, 16, 3)).epochs(2)
                .evaluator(t -> Map.of("metric", 1.0)).listener(seen::add).build();
        lab.start();
        assertTrue(lab.awaitState(WAIT, LabSession.State.FINISHED));
        assertEquals(8, lab.steps());
        List<ComputeUpdate.EpochDone> epochs = seen.stream().filter(u -> u instanceof ComputeUpdate.EpochDone).map(u -> (ComputeUpdate.EpochDone) u).toList();
        assertEquals(2, epochs.size());
        assertEquals(Map.of("metric", 1.0), epochs.get(1).metrics());
        assertInstanceOf(ComputeUpdate.Finished.class, seen.get(seen.size() - 1));
    }
}
