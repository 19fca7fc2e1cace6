package dev.jasg.viewer;

import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateListener;
import dev.jasg.nn.train.NodeStats;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The headless viewer's output: a line every {@code every} steps (and at least every few
 * seconds), one per epoch with its metrics, and the end, in the chosen language. It runs on the
 * training thread and only prints.
 */
final class ConsoleProgress implements ComputeUpdateListener {
    private static final long MAX_SILENCE_NANOS = 5_000_000_000L;
    private final Messages m;
    private final PrintStream out;
    private final long every;
    private final long t0 = System.nanoTime();
    private long lastPrint = System.nanoTime();
    private double speed;

    ConsoleProgress(Messages m, PrintStream out, long every) {
        this.m = m;
        this.out = out;
        this.every = every;
    }

    @Override
    public void onUpdate(ComputeUpdate update) {
        switch (update) {
            case ComputeUpdate.GraphReady r -> out.println(m.format("progress.graph", r.forward().size(), r.gradients().nodes().size()));
            case ComputeUpdate.StepDone s -> {
                double sps = s.timings().stepsPerSecond();
                speed = speed == 0 ? sps : 0.9 * speed + 0.1 * sps;
                long now = System.nanoTime();
                if (s.step() == 1 || s.step() % every == 0 || now - lastPrint > MAX_SILENCE_NANOS) {
                    lastPrint = now;
                    out.println(m.format("progress.step", s.step(), String.format(Locale.ROOT, "%.4f", s.loss()), String.format(Locale.ROOT, "%.0f", speed)));
                }
            }
            case ComputeUpdate.EpochDone e -> {
                Double acc = e.metrics().get("accuracy");
                String loss = String.format(Locale.ROOT, "%.4f", e.loss());
                out.println(acc == null ? m.format("progress.epoch", e.epoch(), loss)
                        : m.format("progress.epochAccuracy", e.epoch(), loss, String.format(Locale.ROOT, "%.2f", 100 * acc)));
            }
            case NodeStats s -> { }
            case ComputeUpdate.ModelEdited e -> out.println(m.format("progress.edited", e.step(), e.description()));
            case ComputeUpdate.Finished f -> out.println(m.format("progress.finished", f.steps(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9)));
            case ComputeUpdate.Failed f -> out.println(m.format("progress.failed", f.step(), f.message()));
        }
        out.flush();
    }
}
