package dev.jasg.viewer.lab;

import dev.jasg.core.Anomaly;
import dev.jasg.core.AnomalyException;
import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Node;
import dev.jasg.core.Profile;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Layer;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.attention.FeedForward;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.viewer.demo.DemoData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session's profiling, NaN/Inf sentinel and editable-layer list (issue 17). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LabInstrumentsTest {
    @AfterEach
    void anomalyOff() {
        Anomaly.setEnabled(false);
    }

    /** log(x - 2): NaN for every pixel in [0, 1]. */
    static final class LogShift extends Layer {
        @Override
        public Tensor forward(Tensor x) {
            return x.sub(2).log();
        }
    }

    private static LabSession session(Backend backend, Layer model) {
        return LabSession.builder(backend, model)
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(DemoData.synthetic(64, 8, 3)).seed(5).startPaused(true).build();
    }

    @Test
    void everyProfiledStepReachesTheSinkWithEveryNode() throws Exception {
        try (Backend backend = Backends.create("cpu");
             LabSession lab = session(backend, new Sequential(new Flatten(), new Linear(784, 16), new ReLU(), new Linear(16, 10)))) {
            CompletableFuture<LabProfile> got = new CompletableFuture<>();
            lab.start();
            lab.send(new GuiCommand.SetProfiling(true, got::complete));
            lab.send(new GuiCommand.Step());
            LabProfile p = got.get(30, TimeUnit.SECONDS);
            assertEquals(1, p.step());
            Set<Integer> ids = new HashSet<>();
            for (Profile.Entry e : p.profile().entries()) ids.add(e.node());
            for (Node n : p.forward().nodes()) assertTrue(ids.contains(n.id()), "forward node " + n.path());
            for (Node n : p.gradients().nodes()) assertTrue(ids.contains(n.id()), "gradient node " + n.path());
            assertTrue(p.profile().nodeNanos() > 0);
            assertTrue(lab.lastProfile() != null);
            // Off: the next steps are not profiled.
            lab.send(new GuiCommand.SetProfiling(false, null));
            LabProfile last = lab.lastProfile();
            lab.send(new GuiCommand.Step());
            lab.send(new GuiCommand.Step());
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (lab.steps() < 3 && System.nanoTime() < end) Thread.sleep(5);
            assertEquals(3, lab.steps());
            assertTrue(last == lab.lastProfile(), "no profile while off");
        }
    }

    @Test
    void theSentinelNamesTheFirstNodeWithANaN() throws Exception {
        try (Backend backend = Backends.create("cpu");
             LabSession lab = session(backend, new Sequential(new Flatten(), new LogShift(), new Linear(784, 10)))) {
            CompletableFuture<AnomalyException> got = new CompletableFuture<>();
            lab.start();
            lab.send(new GuiCommand.SetAnomalyMode(true, got::complete));
            lab.send(new GuiCommand.Step());
            AnomalyException a = got.get(30, TimeUnit.SECONDS);
            assertTrue(a.path().startsWith("1/log"), a.path());
            assertTrue(a.nanCount() > 0);
            assertTrue(lab.awaitState(Duration.ofSeconds(20), LabSession.State.FAILED), "the step failed: " + lab.state());
        }
    }

    @Test
    void theEditableLayersAreListedWithTheirSettings() throws Exception {
        try (Backend backend = Backends.create("cpu");
             LabSession lab = session(backend, new Sequential(new Flatten(), new Linear(784, 16), new FeedForward(16, 32), new Linear(16, 10)))) {
            lab.start();
            var f = new CompletableFuture<List<EditableLayer>>();
            lab.send(new GuiCommand.ListEditableLayers(f));
            List<String> got = f.get(30, TimeUnit.SECONDS).stream().map(l -> l.scope() + " " + l.kind() + l.settings()).toList();
            assertEquals(List.of("1 Linear{out_features=16}", "2 FeedForward{hidden=32}", "2.linear1 Linear{out_features=32}",
                    "2.linear2 Linear{out_features=16}", "3 Linear{out_features=10}"), got);
            lab.apply(LayerResize.of("2", "hidden", 8)).get(30, TimeUnit.SECONDS);
            var g = new CompletableFuture<List<EditableLayer>>();
            lab.send(new GuiCommand.ListEditableLayers(g));
            List<String> after = g.get(30, TimeUnit.SECONDS).stream().map(l -> l.scope() + " " + l.kind() + l.settings()).toList();
            assertEquals(List.of("1 Linear{out_features=16}", "2 FeedForward{hidden=8}", "3 Linear{out_features=10}"), after);
            // Inside a resized layer: refused, not silently lost.
            ResizePreview inner = lab.preview(LayerResize.of("2.linear1", "out_features", 4)).get(30, TimeUnit.SECONDS);
            assertTrue(inner instanceof ResizePreview.Failed f2 && f2.reason().contains("resized already"), inner.toString());
        }
    }
}
