package dev.jasg.nn.spec;

import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A spec's training on a background thread with Start/Pause/Resume/Stop, for the viewer's
 * training panel: the same loop as {@link SpecTraining#train} (so the same losses, and those of
 * the exported Java), paused and stopped between steps.
 *
 * <pre>{@code
 * try (TrainingSession s = TrainingSession.start(spec, 0, (step, loss) -> chart.add(step, loss), t -> t.addUpdateListener(queue))) {
 *     s.pause(); s.resume(); s.stop();
 *     List<Double> losses = s.await();
 * }
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread (the Swing event thread, typically);
 * the listener and {@code onTrainer} run on the session's thread.
 */
public final class TrainingSession implements AutoCloseable {
    private final Object lock = new Object();
    private final List<Double> losses = new ArrayList<>();
    private final List<Evaluation> evaluations = new ArrayList<>();
    private final CompletableFuture<List<Double>> done = new CompletableFuture<>();
    private boolean paused;
    private boolean stopped;

    private TrainingSession() {}

    /**
     * Starts training {@code spec} (at most {@code maxSteps} steps; 0: the spec's limit) on a new
     * daemon thread; {@code listener} and {@code onTrainer} may be null.
     */
    public static TrainingSession start(ModelSpec spec, int maxSteps, StepListener listener, Consumer<Trainer> onTrainer) {
        return start(spec, maxSteps, listener, null, onTrainer);
    }

    /**
     * {@link #start(ModelSpec, int, StepListener, Consumer)}, and {@code onEval} (may be null)
     * sees each evaluation of the held-out examples ({@link SpecTraining#run(ModelSpec, int,
     * StepListener, SpecTraining.EvalListener, Consumer, java.util.function.BooleanSupplier)}),
     * which {@link #evaluations()} also keeps.
     */
    public static TrainingSession start(ModelSpec spec, int maxSteps, StepListener listener, SpecTraining.EvalListener onEval, Consumer<Trainer> onTrainer) {
        TrainingSession s = new TrainingSession();
        Thread t = new Thread(() -> {
            try {
                List<Double> out = SpecTraining.run(spec, maxSteps, (step, loss) -> {
                    synchronized (s.lock) {
                        s.losses.add(loss);
                    }
                    if (listener != null) listener.onStep(step, loss);
                }, (step, metrics) -> {
                    synchronized (s.lock) {
                        s.evaluations.add(new Evaluation(step, metrics));
                    }
                    if (onEval != null) onEval.onEval(step, metrics);
                }, onTrainer, s::proceed);
                s.done.complete(out);
            } catch (Throwable e) {
                s.done.completeExceptionally(e);
            }
        }, "jasg-spec-training");
        t.setDaemon(true);
        t.start();
        return s;
    }

    // Called before each step: waits while paused; false once stopped.
    private boolean proceed() {
        synchronized (lock) {
            while (paused && !stopped) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !stopped;
        }
    }

    /** Pauses before the next step. */
    public void pause() {
        synchronized (lock) {
            paused = true;
        }
    }

    /** Resumes a paused session. */
    public void resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
    }

    /** Ends training before the next step (a running step finishes). */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            lock.notifyAll();
        }
    }

    /** True while paused. */
    public boolean isPaused() {
        synchronized (lock) {
            return paused && !stopped;
        }
    }

    /** True once training has ended (finished, stopped or failed). */
    public boolean isDone() {
        return done.isDone();
    }

    /** The losses so far. */
    public List<Double> losses() {
        synchronized (lock) {
            return List.copyOf(losses);
        }
    }

    /**
     * One evaluation of the held-out examples.
     *
     * @param step    the step it followed
     * @param metrics {@link SpecTraining#VAL_LOSS}, and {@link SpecTraining#ACCURACY} for a classification loss
     */
    public record Evaluation(long step, Map<String, Double> metrics) {
        /** Copies the metrics. */
        public Evaluation {
            metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
        }
    }

    /** The evaluations so far, in order. */
    public List<Evaluation> evaluations() {
        synchronized (lock) {
            return List.copyOf(evaluations);
        }
    }

    /** Waits for the end and returns every step's loss; a failure is rethrown (a {@link SpecException} as itself). */
    public List<Double> await() throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the session and waits for its thread to finish the current step. */
    @Override
    public void close() throws InterruptedException {
        stop();
        try {
            done.handle((v, e) -> null).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
