package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.viewer.demo.DemoData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase C of the Model Lab through its public API: {@link GraphEdit} on a training
 * {@link LabSession} (Flatten, Linear 784-16 in scope 1, ReLU in scope 2, Linear 16-10 in scope 3).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GraphEditTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A paused session with its updates collected. */
    private static final class Lab implements AutoCloseable {
        final Backend backend;
        final LabSession session;
        final List<ComputeUpdate> seen = new CopyOnWriteArrayList<>();

        Lab(String backendName) {
            this(backendName, null);
        }

        Lab(String backendName, Function<dev.jasg.nn.train.Trainer, Map<String, Double>> evaluator) {
            this(backendName, evaluator, new Sequential(new Flatten(), new Linear(784, 16), new ReLU(), new Linear(16, 10)));
        }

        Lab(String backendName, Function<dev.jasg.nn.train.Trainer, Map<String, Double>> evaluator, dev.jasg.nn.Layer model) {
            backend = Backends.create(backendName);
            session = LabSession.builder(backend, model)
                    .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                    .loss(Losses::crossEntropy).optimizer(new Adam(3e-3)).data(DemoData.synthetic(256, 32, 3)).seed(5)
                    .evaluator(evaluator).startPaused(true).listener(seen::add).build();
            session.start();
        }

        void steps(int n) throws InterruptedException {
            long target = session.steps() + n;
            for (int i = 0; i < n; i++) session.send(new GuiCommand.Step());
            long end = System.nanoTime() + WAIT.toNanos();
            while (session.steps() < target) {
                if (System.nanoTime() > end) throw new AssertionError("timed out waiting for step " + target + "; updates " + seen);
                Thread.sleep(5);
            }
        }

        Graph forward() {
            Graph g = null;
            for (ComputeUpdate u : seen) if (u instanceof ComputeUpdate.GraphReady r) g = r.forward();
            return g;
        }

        long graphsReady() {
            return seen.stream().filter(u -> u instanceof ComputeUpdate.GraphReady).count();
        }

        List<Double> losses() {
            List<Double> l = new ArrayList<>();
            for (ComputeUpdate u : seen) if (u instanceof ComputeUpdate.StepDone d) l.add(d.loss());
            return l;
        }

        Map<String, double[]> store() {
            Map<String, double[]> m = new HashMap<>();
            for (String n : session.parameters().names()) m.put(n, session.parameters().get(n).toDoubles());
            return m;
        }

        EditPreview apply(GraphEdit e) throws Exception {
            return session.apply(e).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        EditPreview preview(GraphEdit e) throws Exception {
            return session.preview(e).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            session.close();
            backend.close();
        }
    }

    private static Node first(Graph g, Predicate<Node> p) {
        for (Node n : g.nodes()) if (p.test(n)) return n;
        throw new AssertionError("no such node in\n" + g.toText());
    }

    private static Node relu(Graph g) {
        return first(g, n -> n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU);
    }

    private static void assertStoreKept(Map<String, double[]> before, Map<String, double[]> after) {
        for (var e : before.entrySet()) assertArrayEquals(e.getValue(), after.get(e.getKey()), 0, e.getKey() + " kept");
    }

    static Stream<String> backends() {
        return Stream.of("cpu");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void insertingDropoutBetweenTheLinearsKeepsWeightsAndAdamMomentsAndTrainingContinues(String backend) throws Exception {
        insertDropoutAndTrain(backend);
    }

    @Test
    @Tag("gpu")
    void insertingDropoutOnVulkan() throws Exception {
        insertDropoutAndTrain("vulkan");
    }

    private static void insertDropoutAndTrain(String backendName) throws Exception {
        try (Lab lab = new Lab(backendName)) {
            lab.steps(5);
            Graph before = lab.forward();
            Node relu = relu(before);
            int consumer = before.consumers(relu.id()).get(0);
            assertEquals("3", before.node(consumer).scope(), "the ReLU feeds the second Linear");
            Map<String, double[]> store = lab.store();
            assertTrue(store.keySet().stream().anyMatch(n -> n.contains("3.weight") && !n.equals("3.weight")), "Adam moments of 3.weight in " + store.keySet());
            long steps = lab.session.steps();

            EditPreview p = lab.apply(GraphEdit.insertBetween(relu.id(), consumer, Insert.dropout(0.3)));
            EditPreview.Ready r = assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            assertTrue(r.applied());
            assertEquals(steps, r.step());
            Graph after = lab.forward();
            assertEquals(r.forward(), after, "the session sent the edited graph");
            Node mask = first(after, n -> n.op() instanceof Op.DropoutMask);
            assertEquals("ins1_Dropout", mask.scope(), "the dropout sits between the layers, in the common (root) scope");
            assertEquals(0.3, ((Op.DropoutMask) mask.op()).p(), 1e-12);
            // The second Linear now reads the dropout's output, and the dropout reads the ReLU.
            Node matmul = first(after, n -> n.scope().equals("3") && n.arity() > 0 && after.node(n.input(0)).scope().startsWith("ins1_Dropout"));
            assertTrue(matmul.id() > mask.id());
            Node newRelu = relu(after);
            assertTrue(after.consumers(newRelu.id()).stream().allMatch(c -> after.node(c).scope().startsWith("ins1_Dropout")),
                    "only the dropout reads the ReLU");
            // Right after the edit every weight and every Adam moment is unchanged, and the steps go on.
            assertStoreKept(store, lab.store());
            assertEquals(steps, lab.session.steps());
            assertEquals(1, lab.session.history().size());
            assertEquals(steps, lab.session.history().get(0).step());
            assertTrue(lab.session.history().get(0).description().contains("Dropout(p=0.3)"), lab.session.history().get(0).description());
            int edited = -1, ready = -1;
            for (int i = 0; i < lab.seen.size(); i++) {
                if (lab.seen.get(i) instanceof ComputeUpdate.ModelEdited) edited = i;
                if (lab.seen.get(i) instanceof ComputeUpdate.GraphReady) ready = i;
            }
            assertTrue(edited >= 0 && edited < ready, "ModelEdited (the chart's marker) comes before the new GraphReady");

            int lossesBefore = lab.losses().size();
            lab.steps(60);
            List<Double> l = lab.losses().subList(lossesBefore, lab.losses().size());
            assertTrue(l.stream().allMatch(Double::isFinite), l.toString());
            double head = l.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
            double tail = l.subList(l.size() - 10, l.size()).stream().mapToDouble(d -> d).average().orElseThrow();
            assertTrue(tail < head, "the loss keeps decreasing after the edit: first " + head + ", last " + tail);
            assertFalse(java.util.Arrays.equals(store.get("3.weight"), lab.session.parameters().get("3.weight").toDoubles()), "3.weight trained further");
        }
    }

    @Test
    void aShapeBreakingInsertIsAFailedPreviewNamingTheNodeAndShapesAndChangesNothing() throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(2);
            Graph before = lab.forward();
            Node relu = relu(before);
            int consumer = before.consumers(relu.id()).get(0);
            Map<String, double[]> store = lab.store();
            long graphs = lab.graphsReady();

            EditPreview p = lab.apply(GraphEdit.insertBetween(relu.id(), consumer, Insert.linear(7)));
            EditPreview.Failed f = assertInstanceOf(EditPreview.Failed.class, p, p.toString());
            assertTrue(f.node().startsWith("3"), "the failing node is the second Linear's: " + f.message());
            assertTrue(f.shapes().stream().anyMatch(s -> s.rank() == 2 && s.dim(1) == 7), "the shapes name the 7 features: " + f.message());
            assertTrue(f.shapes().stream().anyMatch(s -> s.toString().contains("16")), "and the layer's 16: " + f.message());
            // In the Russian window the reason is Russian and names the node and the shapes.
            String ru = f.message(dev.jasg.viewer.Messages.of(dev.jasg.viewer.Language.RU));
            assertTrue(ru.contains("внутренние размерности") && ru.contains("3/matmul") && ru.contains("[B,7]") && ru.contains("16"), ru);
            assertFalse(LabTextTest.hasEnglish(ru), ru);
            // Nothing changed: no new graph, no history, same store; the session still trains the old graph.
            assertEquals(graphs, lab.graphsReady());
            assertTrue(lab.session.history().isEmpty());
            assertStoreKeptExceptNew(store, lab.store());
            lab.steps(1);
            assertEquals(before.size(), lab.forward().size());
            assertTrue(lab.session.model().graphEdits().isEmpty(), lab.session.model().toString());
        }
    }

    private static void assertStoreKeptExceptNew(Map<String, double[]> before, Map<String, double[]> after) {
        assertStoreKept(before, after);
    }

    @Test
    void aPreviewShowsTheEditedGraphsAndAppliesNothing() throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(1);
            Graph before = lab.forward();
            Node relu = relu(before);
            EditPreview p = lab.preview(GraphEdit.insertBetween(relu.id(), before.consumers(relu.id()).get(0), Insert.layerNorm()));
            EditPreview.Ready r = assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            assertFalse(r.applied());
            assertTrue(r.forward().nodes().stream().anyMatch(n -> n.scope().equals("ins1_LayerNorm")), r.forward().toText());
            assertTrue(r.gradients().nodes().size() > 0);
            assertEquals(1, lab.graphsReady());
            assertTrue(lab.session.history().isEmpty());
            lab.steps(1);
            assertEquals(before.size(), lab.forward().size());
            // Applied afterwards, an insert takes the next number: a preview's names (and the parameters
            // it may have put in the store) are never reused by another layer.
            EditPreview.Ready applied = assertInstanceOf(EditPreview.Ready.class,
                    lab.apply(GraphEdit.insertBetween(relu.id(), before.consumers(relu.id()).get(0), Insert.linear())));
            assertTrue(applied.forward().nodes().stream().anyMatch(n -> n.scope().equals("ins2_Linear")), applied.forward().toText());
            lab.steps(2);
        }
    }

    /** Every palette entry fits between ReLU and the second Linear (shape-keeping entries). */
    static Stream<Insert> palette() {
        return Stream.of(Insert.dropout(0.3), Insert.batchNorm(), Insert.layerNorm(), Insert.relu(), Insert.gelu(), Insert.activation(Activation.TANH),
                Insert.linear(), Insert.linear(16), Insert.identity(), Insert.residual(Insert.linear()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("palette")
    void everyPaletteEntryInsertsAndTrains(Insert what) throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(1);
            Graph before = lab.forward();
            Node relu = relu(before);
            EditPreview p = lab.apply(GraphEdit.insertBetween(relu.id(), before.consumers(relu.id()).get(0), what));
            assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            int n = lab.losses().size();
            lab.steps(3);
            assertTrue(lab.losses().subList(n, lab.losses().size()).stream().allMatch(Double::isFinite), what.title());
        }
    }

    @Test
    void anInsertedLinearStartsFromLinearsDefaultInitialiser() throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(2);
            EditPreview p = lab.apply(GraphEdit.insertBetween("2", "3", Insert.linear()));
            assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            assertTrue(r(p).forward().parameters().containsKey("ins1_Linear.weight"), r(p).forward().parameters().keySet().toString());
            double[] w = lab.session.parameters().get("ins1_Linear.weight").toDoubles();
            assertEquals(16 * 16, w.length);
            double bound = 1 / Math.sqrt(16); // PyTorch's Linear: U(-1/sqrt(in), 1/sqrt(in))
            double max = 0, sumSq = 0;
            for (double v : w) {
                max = Math.max(max, Math.abs(v));
                sumSq += v * v;
            }
            assertTrue(max <= bound + 1e-6, "max |w| " + max);
            assertEquals(bound / Math.sqrt(3), Math.sqrt(sumSq / w.length), 0.25 * bound, "the spread of U(-b, b)");
            lab.steps(2);
            assertFalse(java.util.Arrays.equals(w, lab.session.parameters().get("ins1_Linear.weight").toDoubles()), "the new weight trains");
        }
    }

    private static EditPreview.Ready r(EditPreview p) {
        return (EditPreview.Ready) p;
    }

    @Test
    void deletingTheReluSplicesItOutAndTrainingContinues() throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(2);
            Graph before = lab.forward();
            Node relu = relu(before);
            int linear1 = relu.input(0);
            Map<String, double[]> store = lab.store();
            EditPreview p = lab.apply(GraphEdit.deletePassthrough(relu.id()));
            assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            Graph after = lab.forward();
            assertTrue(after.nodes().stream().noneMatch(n -> n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU), after.toText());
            assertEquals(before.size() - 1, after.size());
            // The second Linear reads the first Linear's output directly.
            assertTrue(after.consumers(linear1).stream().anyMatch(c -> after.node(c).scope().equals("3")), after.toText());
            assertStoreKept(store, lab.store());
            int n = lab.losses().size();
            lab.steps(3);
            assertTrue(lab.losses().subList(n, lab.losses().size()).stream().allMatch(Double::isFinite));
        }
    }

    static Stream<dev.jasg.nn.Layer> passthroughLayers() {
        return Stream.of(new dev.jasg.nn.LayerNorm(16), new dev.jasg.nn.BatchNorm1d(16), new dev.jasg.nn.Dropout(0.2), new dev.jasg.nn.GELU());
    }

    /** A model's own norm, dropout or activation layer (scope 2) is spliced out as a whole; training goes on. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("passthroughLayers")
    void deletingAPassthroughLayerByScope(dev.jasg.nn.Layer layer) throws Exception {
        try (Lab lab = new Lab("cpu", null, new Sequential(new Flatten(), new Linear(784, 16), layer, new Linear(16, 10)))) {
            lab.steps(2);
            Graph before = lab.forward();
            assertTrue(before.nodes().stream().anyMatch(n -> n.scope().equals("2")), before.toText());
            EditPreview p = lab.apply(GraphEdit.deletePassthrough("2"));
            assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            Graph after = lab.forward();
            assertTrue(after.nodes().stream().noneMatch(n -> n.scope().equals("2") || n.scope().startsWith("2.")), after.toText());
            int n = lab.losses().size();
            lab.steps(3);
            assertTrue(lab.losses().subList(n, lab.losses().size()).stream().allMatch(Double::isFinite));
        }
    }

    /** Edits that are refused, each with the text the refusal must contain. */
    static Stream<Object[]> refusals() {
        Function<Graph, GraphEdit> linearScope = g -> GraphEdit.deletePassthrough("3");
        Function<Graph, GraphEdit> matmulNode = g -> GraphEdit.deletePassthrough(first(g, n -> n.op() instanceof Op.MatMul).id());
        Function<Graph, GraphEdit> input = g -> GraphEdit.deletePassthrough(g.inputs().get("x").id());
        Function<Graph, GraphEdit> noEdge = g -> GraphEdit.insertBetween(g.inputs().get("x").id(), relu(g).id(), Insert.relu());
        Function<Graph, GraphEdit> loss = g -> GraphEdit.deletePassthrough(g.output("loss").id());
        return Stream.of(
                new Object[] {"a Linear (scope)", linearScope, "projection"},
                new Object[] {"a Linear's MatMul node", matmulNode, "projection"},
                new Object[] {"the input", input, "not part of the model"},
                new Object[] {"an insert on a missing edge", noEdge, "no edge"},
                new Object[] {"the loss", loss, "not part of the model"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void editsThatDoNotFitAreRefusedClearly(String what, Function<Graph, GraphEdit> edit, String text) throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(1);
            Graph before = lab.forward();
            Map<String, double[]> store = lab.store();
            EditPreview p = lab.apply(edit.apply(before));
            EditPreview.Failed f = assertInstanceOf(EditPreview.Failed.class, p, what + ": " + p);
            assertTrue(f.message().contains(text), what + ": " + f.message());
            assertEquals(1, lab.graphsReady());
            assertTrue(lab.session.history().isEmpty());
            assertStoreKept(store, lab.store());
            lab.steps(1);
        }
    }

    @Test
    void anEdgeCanBeNamedByTheScopesOfItsLayers() throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(1);
            EditPreview.Failed none = assertInstanceOf(EditPreview.Failed.class, lab.apply(GraphEdit.insertBetween("1", "3", Insert.dropout(0.3))));
            assertTrue(none.reason().contains("no edge from scope '1' into scope '3'"), none.message());
            EditPreview p = lab.apply(GraphEdit.insertBetween("2", "3", Insert.dropout(0.3)));
            EditPreview.Ready r = assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            assertEquals("ins1_Dropout", first(r.forward(), n -> n.op() instanceof Op.DropoutMask).scope());
            assertEquals(1, lab.session.history().size());
            lab.steps(2);
        }
    }

    @Test
    void evaluationRunsTheEditedModelInEvalModeWhereTheInsertedDropoutIsTheIdentity() throws Exception {
        Map<String, dev.jasg.core.HostTensor> batch = DemoData.synthetic(64, 32, 9).next();
        Function<dev.jasg.nn.train.Trainer, Map<String, Double>> eval = t -> Map.of(
                "a", t.evaluate(batch).get(dev.jasg.nn.train.Trainer.LOSS).item(),
                "b", t.evaluate(batch).get(dev.jasg.nn.train.Trainer.LOSS).item());
        try (Lab lab = new Lab("cpu", eval)) {
            lab.steps(5);
            Node relu = relu(lab.forward());
            lab.apply(GraphEdit.insertBetween(relu.id(), lab.forward().consumers(relu.id()).get(0), Insert.dropout(0.9)));
            lab.steps(3); // the 8th step ends the first epoch: the evaluator runs on the edited model
            ComputeUpdate.EpochDone done = null;
            long end = System.nanoTime() + WAIT.toNanos();
            while (done == null && System.nanoTime() < end) {
                for (ComputeUpdate u : lab.seen) if (u instanceof ComputeUpdate.EpochDone d) done = d;
                Thread.sleep(5);
            }
            assertTrue(done != null, "an epoch ended");
            assertTrue(Double.isFinite(done.metrics().get("a")), done.toString());
            assertEquals(done.metrics().get("a"), done.metrics().get("b"), "eval mode draws no dropout mask: the same batch gives the same loss");
        }
    }

    @Test
    void anEditSentToAStoppedSessionCompletesAsFailed() throws Exception {
        Lab lab = new Lab("cpu");
        lab.steps(1);
        Graph g = lab.forward();
        lab.session.close();
        EditPreview p = lab.session.apply(GraphEdit.deletePassthrough(relu(g).id())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(((EditPreview.Failed) p).reason().contains("ended"), p.toString());
        lab.close();
    }

    @Test
    void anInsertedLayerCanBeDeletedAgain() throws Exception {
        try (Lab lab = new Lab("cpu")) {
            lab.steps(1);
            Graph before = lab.forward();
            Node relu = relu(before);
            lab.apply(GraphEdit.insertBetween(relu.id(), before.consumers(relu.id()).get(0), Insert.dropout(0.5)));
            Graph with = lab.forward();
            Node mask = first(with, n -> n.op() instanceof Op.DropoutMask);
            EditPreview p = lab.apply(GraphEdit.deletePassthrough(mask.id()));
            assertInstanceOf(EditPreview.Ready.class, p, p.toString());
            assertEquals(before.size(), lab.forward().size());
            assertTrue(lab.forward().nodes().stream().noneMatch(n -> n.op() instanceof Op.DropoutMask));
            assertEquals(2, lab.session.history().size());
            lab.steps(2);
        }
    }

    /** Cascade deletes on Flatten, Linear 784-16 (1), ReLU (2), Linear 16-16 (3), Linear 16-10 (4): the node, what must go, or the refusal. */
    static Stream<Object[]> cascades() {
        Function<Graph, Node> relu = GraphEditTest::relu;
        Function<Graph, Node> squareMatmul = g -> first(g, n -> n.scope().equals("3") && n.op() instanceof Op.MatMul);
        Function<Graph, Node> squareWeight = g -> first(g, n -> n.op() instanceof Op.Parameter p && p.name().equals("3.weight"));
        Function<Graph, Node> narrowingMatmul = g -> first(g, n -> n.scope().equals("4") && n.op() instanceof Op.MatMul);
        return Stream.of(
                new Object[] {"the ReLU alone", relu, "2", "2/relu", null},
                new Object[] {"a square Linear's MatMul takes the layer", squareMatmul, "3", "3.weight, 3.bias", null},
                new Object[] {"a square Linear's weight takes the layer", squareWeight, "3", "3.weight", null},
                new Object[] {"a narrowing Linear is refused", narrowingMatmul, null, null, "[B,16]"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cascades")
    void cascadeDeleteTakesTheInnermostPassthroughLayer(String what, Function<Graph, Node> pick, String gone, String listed, String refusal) throws Exception {
        cascade("cpu", what, pick, gone, listed, refusal);
    }

    /** A square Linear deleted with its layer on Vulkan (lavapipe in CI): the recompiled step keeps training. */
    @Test
    @Tag("gpu")
    void cascadeDeleteOnVulkan() throws Exception {
        Object[] row = cascades().filter(r -> ((String) r[0]).startsWith("a square Linear's MatMul")).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Function<Graph, Node> pick = (Function<Graph, Node>) row[1];
        cascade("vulkan", (String) row[0], pick, (String) row[2], (String) row[3], (String) row[4]);
    }

    private static void cascade(String backend, String what, Function<Graph, Node> pick, String gone, String listed, String refusal) throws Exception {
        Sequential model = new Sequential(new Flatten(), new Linear(784, 16), new ReLU(), new Linear(16, 16), new Linear(16, 10));
        try (Lab lab = new Lab(backend, null, model)) {
            lab.steps(1);
            Graph before = lab.forward();
            Map<String, double[]> store = lab.store();
            EditPreview p = lab.apply(GraphEdit.deleteCascade(pick.apply(before).id()));
            if (refusal != null) {
                EditPreview.Failed f = assertInstanceOf(EditPreview.Failed.class, p, what + ": " + p);
                assertTrue(f.message().contains(refusal) && f.message().contains("cannot delete"), what + ": " + f.message());
                assertEquals(1, lab.graphsReady());
                assertStoreKept(store, lab.store());
                return;
            }
            EditPreview.Ready r = assertInstanceOf(EditPreview.Ready.class, p, what + ": " + p);
            for (String item : listed.split(", ")) assertTrue(r.description().contains(item), what + ": " + r.description());
            Graph after = lab.forward();
            assertTrue(after.nodes().stream().noneMatch(n -> n.scope().equals(gone) && !(n.op() instanceof Op.Parameter)), what + ":\n" + after.toText());
            assertStoreKept(store, lab.store());
            int n = lab.losses().size();
            lab.steps(3);
            assertTrue(lab.losses().subList(n, lab.losses().size()).stream().allMatch(Double::isFinite));
        }
    }
}
