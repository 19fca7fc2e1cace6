package dev.jasg.viewer.lab;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The statistics half of the {@link GuiCommand} channel for a trainer the viewer only watches
 * ({@code Viewer.watch}): it answers {@link GuiCommand.RequestStats} with
 * {@link dev.jasg.nn.train.NodeStats} published on the trainer, and ignores every other command
 * (a watched loop belongs to its program, so it cannot be paused or edited from the window).
 *
 * <p>A request is answered at once, under the trainer's lock so it never runs during a step, on a
 * helper thread; while the watched node stays selected, it is measured again after a step at most
 * every {@code interval}, on the training thread right after the step. Values come from the
 * trainer's {@linkplain Trainer#lastBatch() last batch}, so nothing shows before the first step.
 * Thread-safe; {@link #close()} frees the probe's executables.
 */
public final class TrainerStats implements Consumer<GuiCommand>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerStats.class);
    private final Trainer trainer;
    private final Duration interval;
    private final StepListener listener = (step, loss) -> onStep();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jasg-watch-stats");
        t.setDaemon(true);
        return t;
    });
    // Guarded by the trainer's lock.
    private NodeProbe probe;
    private volatile int watched = -1;
    private volatile long lastNanos;

    /** Serves statistics of {@code trainer}'s nodes, refreshing a watched node at most every {@code interval}. */
    public TrainerStats(Trainer trainer, Duration interval) {
        this.trainer = trainer;
        this.interval = interval;
        trainer.addListener(listener);
    }

    @Override
    public void accept(GuiCommand c) {
        if (c instanceof GuiCommand.RequestStats r) {
            watched = r.node();
            if (r.node() >= 0) worker.submit(() -> {
                synchronized (trainer) {
                    publish(r.node());
                }
            });
        }
    }

    private void onStep() {
        // Runs inside Trainer.step, which holds the trainer's lock.
        int id = watched;
        long t = System.nanoTime();
        if (id < 0 || t - lastNanos < interval.toNanos()) return;
        publish(id);
    }

    private void publish(int id) {
        lastNanos = System.nanoTime();
        Map<String, HostTensor> batch = trainer.lastBatch();
        if (batch == null) return;
        try {
            if (probe == null) probe = new NodeProbe(trainer.backend(), trainer.parameters(), trainer.forwardGraph(), trainer.gradientGraph());
            Map<String, HostTensor> feeds = new HashMap<>(batch);
            feeds.put(Optimizer.LR_INPUT, HostTensor.scalar((float) trainer.currentLr()));
            trainer.publish(probe.stats(id, feeds, trainer.steps()));
        } catch (RuntimeException e) {
            LOG.warn("statistics of node {} failed", id, e);
            if (watched == id) watched = -1;
        }
    }

    @Override
    public void close() {
        trainer.removeListener(listener);
        worker.shutdownNow();
        synchronized (trainer) {
            if (probe != null) probe.close();
            probe = null;
        }
    }
}
