package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.NodeStats;
import dev.jasg.nn.train.Trainer;
import dev.jasg.viewer.demo.DemoData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Watch mode's statistics: a trainer the viewer only watches answers RequestStats between steps. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class TrainerStatsTest {
    @Test
    void aWatchedTrainerSendsTheStatisticsOfTheRequestedNodes() throws Exception {
        DemoData data = DemoData.synthetic(128, 16, 2);
        try (Backend b = Backends.create("cpu");
                Trainer t = Trainer.builder(b, new Sequential(new Flatten(), new Linear(784, 8), new ReLU(), new Linear(8, 10)))
                        .input("x", DType.F32, "B", 1, 28, 28).target("y", DType.I32, "B").loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).build();
                TrainerStats stats = new TrainerStats(t, Duration.ZERO)) {
            List<NodeStats> seen = new CopyOnWriteArrayList<>();
            t.addUpdateListener(u -> {
                if (u instanceof NodeStats s) seen.add(s);
            });
            Node relu = t.forwardGraph().nodes().stream().filter(n -> n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU).findFirst().orElseThrow();
            Node loss = t.forwardGraph().output(Trainer.LOSS);
            assertEquals("loss", loss.scope(), "the trainer builds the loss in its own scope");
            data.startEpoch(1);
            stats.accept(new GuiCommand.RequestStats(relu.id()));
            Thread.sleep(200);
            assertTrue(seen.isEmpty(), "nothing before the first step: " + seen);
            t.step(data.next());
            // After each step (interval zero) and at once on a request.
            assertTrue(seen.stream().anyMatch(s -> s.node() == relu.id()), seen.toString());
            NodeStats s = seen.get(seen.size() - 1);
            assertEquals(16L * 8, s.count());
            assertTrue(s.min() >= 0 && s.max() >= s.mean() && s.nonFinite() == 0, s.toString());
            seen.clear();
            stats.accept(new GuiCommand.RequestStats(loss.id()));
            long end = System.nanoTime() + 10_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < end) Thread.sleep(10);
            assertEquals(loss.id(), seen.get(0).node());
            assertEquals(1, seen.get(0).count());
            stats.accept(new GuiCommand.RequestStats(-1));
            seen.clear();
            t.step(data.next());
            assertTrue(seen.isEmpty(), "-1 stops the statistics");
            stats.accept(new GuiCommand.Pause()); // ignored: a watched loop is its program's
        }
    }
}
