package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import dev.jasg.nn.optim.GradientClipping;
import dev.jasg.nn.optim.LrScheduler;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateListener;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.nn.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A training loop the viewer can steer: the Model Lab. It trains a model on its own thread
 * through a {@link Trainer}, sends every {@link ComputeUpdate} to its listeners (a
 * {@link dev.jasg.nn.train.ComputeUpdateQueue} for a window), and between steps applies the
 * {@link GuiCommand}s sent with {@link #send}: pause, resume, single step, reset weights, node
 * statistics, and edits of the model's ops.
 *
 * <p>An edit recompiles the step: the model is wrapped in a {@link RewrittenModel}, the edit is
 * recorded there, and a new trainer is built over the same parameter store with the old trainer's
 * step and epoch counts, so the weights, the optimizer state and the counters carry over and the
 * listeners get a new {@link ComputeUpdate.GraphReady}. An edit the new graph rejects (a shape that
 * does not fit) leaves the old trainer running and is reported through the notice callback.
 *
 * <pre>{@code
 * try (LabSession lab = LabSession.builder(Backends.create("cpu"), model)
 *         .input(InputSpec.of("x", DType.F32, "B", 784)).target(InputSpec.of("y", DType.I32, "B"))
 *         .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(batches).epochs(5)
 *         .listener(queue).build()) {
 *     lab.start();
 *     lab.send(new GuiCommand.Pause());
 * }
 * }</pre>
 */
public final class LabSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabSession.class);

    /** Where the loop is. */
    public enum State {
        /** Built, not started. */
        NEW,
        /** Stepping. */
        RUNNING,
        /** Waiting for {@link GuiCommand.Resume} or {@link GuiCommand.Step}. */
        PAUSED,
        /** Trained its epochs or steps; still answers statistics and edits until stopped. */
        FINISHED,
        /** A step or the data failed; the error went to the listeners. */
        FAILED,
        /** Stopped by {@link GuiCommand.Stop} or {@link #close()}. */
        STOPPED
    }

    private final Backend backend;
    private final RewrittenModel model;
    private final InputSpec input;
    private final InputSpec target;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    private final Optimizer optimizer;
    private final LrScheduler scheduler;
    private final GradientClipping clipping;
    private final BatchSource data;
    private final int epochs;
    private final long maxSteps;
    private final long seed;
    private final Function<Trainer, Map<String, Double>> evaluator;
    private final Duration statsInterval;
    private final List<ComputeUpdateListener> listeners = new CopyOnWriteArrayList<>();
    private final Consumer<LabText> notices;
    private final LinkedBlockingQueue<GuiCommand> commands = new LinkedBlockingQueue<>();
    // Replaced (a fresh store with the kept values copied in) when a layer is resized.
    private volatile Parameters store;
    private final ResizedModel resizable;
    private final ComputeUpdateListener dispatch = this::dispatch;
    private final Thread thread;
    private final List<ComputeUpdate.ModelEdited> history = new CopyOnWriteArrayList<>();
    private final boolean startPaused;

    // Owned by the training thread.
    private Trainer trainer;
    private NodeProbe probe;
    private Map<String, HostTensor> lastFeeds;
    private boolean paused;
    private int watched = -1;
    private long lastStatsNanos;

    private volatile State state = State.NEW;
    private volatile long steps;
    private volatile boolean stopRequested;

    private LabSession(Builder b) {
        this.backend = b.backend;
        this.resizable = new ResizedModel(b.model);
        this.model = new RewrittenModel(resizable);
        // A part the builder was never given is a mistake in the builder's state, not a null argument.
        this.input = required(b.input, "LabSession: no input spec; call input(...)");
        this.target = required(b.target, "LabSession: no target spec; call target(...)");
        this.loss = required(b.loss, "LabSession: no loss; call loss(...)");
        this.optimizer = required(b.optimizer, "LabSession: no optimizer; call optimizer(...)");
        this.scheduler = b.scheduler;
        this.clipping = b.clipping;
        this.data = required(b.data, "LabSession: no data; call data(...)");
        this.epochs = b.epochs;
        this.maxSteps = b.maxSteps;
        this.seed = b.seed;
        this.evaluator = b.evaluator;
        this.statsInterval = b.statsInterval;
        this.listeners.addAll(b.listeners);
        this.notices = b.notices;
        this.paused = b.startPaused;
        this.startPaused = b.startPaused;
        this.store = backend.newParameters(seed);
        // Built here, on the caller's thread, so a model that does not fit its data fails at build().
        this.trainer = newTrainer();
        this.probe = newProbe(trainer);
        this.thread = new Thread(this::run, "jasg-lab");
        this.thread.setDaemon(true);
    }

    private static <T> T required(T part, String message) {
        if (part == null) throw new IllegalStateException(message);
        return part;
    }

    /** A builder for a session training {@code model} on {@code backend}. */
    public static Builder builder(Backend backend, Layer model) {
        return new Builder(backend, model);
    }

    // ---- control, from any thread --------------------------------------------------------------

    /** Starts the training thread. */
    public void start() {
        if (state != State.NEW) throw new IllegalStateException("LabSession: already started");
        state = paused ? State.PAUSED : State.RUNNING;
        thread.start();
    }

    /** Queues {@code command}; the training thread applies it before the next step. */
    public void send(GuiCommand command) {
        commands.add(Objects.requireNonNull(command));
    }

    /** Where the loop is now. */
    public State state() {
        return state;
    }

    /** True when the session was built to start paused ({@link Builder#startPaused}). */
    public boolean startsPaused() {
        return startPaused;
    }

    /** Steps run so far, across edits. */
    public long steps() {
        return steps;
    }

    /** The model as trained, with its edits. */
    public RewrittenModel model() {
        return model;
    }

    /**
     * The parameter store the session trains in now. A {@link LayerResize} applied moves training to
     * a new store (the old one is closed), so read this again after a resize rather than keeping it.
     */
    public Parameters parameters() {
        return store;
    }

    /**
     * Checks {@code edit} on the training thread between steps, without applying it: the edited
     * model is replayed with shape inference on every node and the gradient graph is rebuilt. The
     * future completes with {@link EditPreview.Ready} (the edited graphs) or
     * {@link EditPreview.Failed} (the failing node and its shapes). Commands run once the session
     * is {@linkplain #start() started} (a paused session runs them too).
     */
    public java.util.concurrent.CompletableFuture<EditPreview> preview(GraphEdit edit) {
        return submit(edit, false);
    }

    /**
     * Checks {@code edit} like {@link #preview} and, when it fits, applies it: training continues
     * on the edited model over the same parameter store, so every untouched parameter and its
     * optimizer state are kept, and a new layer's parameters start from that layer's default
     * initialiser. The listeners get a {@link ComputeUpdate.ModelEdited} (the loss chart's marker)
     * and then a {@link ComputeUpdate.GraphReady}; {@link #history()} records it. A failed check
     * applies nothing.
     */
    public java.util.concurrent.CompletableFuture<EditPreview> apply(GraphEdit edit) {
        return submit(edit, true);
    }

    private java.util.concurrent.CompletableFuture<EditPreview> submit(GraphEdit edit, boolean apply) {
        var f = new java.util.concurrent.CompletableFuture<EditPreview>();
        send(new GuiCommand.EditGraph(edit, apply, f));
        // A loop that has ended takes no more commands: answer at once rather than never.
        if (state != State.NEW && !thread.isAlive()) failPendingEdits();
        return f;
    }

    // ---- phase D (issue 17): layer resizing; the work is in LayerResizing ----

    /**
     * Checks {@code resize} on the training thread between steps, without applying it: the model
     * is replayed with the layer resized and the layers downstream adapted (see {@link LayerResize}),
     * the gradient graph is rebuilt and the step compiled over a scratch store. The future completes
     * with {@link ResizePreview.Ready} (the cascade, the parameters kept and re-initialised) or
     * {@link ResizePreview.Failed}.
     */
    public java.util.concurrent.CompletableFuture<ResizePreview> preview(LayerResize resize) {
        return submitResize(resize, false);
    }

    /**
     * Checks {@code resize} like {@link #preview(LayerResize)} and, when the cascade succeeds,
     * applies it: training continues in a new parameter store into which every parameter and
     * optimizer state tensor whose shape did not change is copied; the others start from their
     * layer's default initialiser (optimizer state from zero). The listeners get a
     * {@link ComputeUpdate.ModelEdited} and a {@link ComputeUpdate.GraphReady}. A failed check
     * applies nothing. {@link #parameters()} returns the new store afterwards.
     */
    public java.util.concurrent.CompletableFuture<ResizePreview> apply(LayerResize resize) {
        return submitResize(resize, true);
    }

    private java.util.concurrent.CompletableFuture<ResizePreview> submitResize(LayerResize resize, boolean apply) {
        var f = new java.util.concurrent.CompletableFuture<ResizePreview>();
        send(new GuiCommand.ResizeLayer(resize, apply, f));
        if (state != State.NEW && !thread.isAlive()) failPendingEdits();
        return f;
    }

    /**
     * Saves the session's parameter store (weights and optimizer state) and its step and epoch as a
     * {@link dev.jasg.nn.io.Checkpoint} in {@code dir}, on the training thread between steps.
     */
    public java.util.concurrent.CompletableFuture<java.nio.file.Path> saveCheckpoint(java.nio.file.Path dir) {
        var f = new java.util.concurrent.CompletableFuture<java.nio.file.Path>();
        send(new GuiCommand.SaveCheckpoint(dir, f));
        if (state != State.NEW && !thread.isAlive()) failPendingEdits();
        return f;
    }

    private void saveNow(GuiCommand.SaveCheckpoint s) {
        try {
            dev.jasg.nn.io.Checkpoint.save(s.dir(), store, dev.jasg.nn.io.CheckpointState.at(trainer.epochs(), trainer.steps()));
            LOG.info("checkpoint saved to {} at step {}", s.dir(), trainer.steps());
            s.result().complete(s.dir());
        } catch (Exception | Error e) {
            s.result().completeExceptionally(e);
        }
    }

    /**
     * Loads what fits of the checkpoint in {@code dir} into the session's store, between steps
     * ({@link dev.jasg.nn.io.Checkpoint#loadPartial}): every tensor whose shape did not change takes
     * the saved value, the others keep theirs and are listed in the result; the step count is not
     * changed. A checkpoint that cannot be read completes the future exceptionally and changes nothing.
     */
    public java.util.concurrent.CompletableFuture<dev.jasg.nn.io.PartialLoad> loadCheckpoint(java.nio.file.Path dir) {
        var f = new java.util.concurrent.CompletableFuture<dev.jasg.nn.io.PartialLoad>();
        send(new GuiCommand.LoadCheckpoint(dir, f));
        if (state != State.NEW && !thread.isAlive()) failPendingEdits();
        return f;
    }

    private void loadNow(GuiCommand.LoadCheckpoint l) {
        try {
            dev.jasg.nn.io.PartialLoad r = dev.jasg.nn.io.Checkpoint.loadPartial(l.dir(), store);
            LOG.info("checkpoint {} loaded at step {}: {}", l.dir(), trainer.steps(), r);
            l.result().complete(r);
            sendWatchedStats(true);
        } catch (Exception | Error e) {
            l.result().completeExceptionally(e);
        }
    }

    /** The layers resized so far and the cascade of the last build. */
    public ResizedModel resizedModel() {
        return resizable;
    }

    private volatile boolean profiling;
    private java.util.function.Consumer<LabProfile> profileSink;
    private java.util.function.Consumer<dev.jasg.core.AnomalyException> anomalySink;

    /**
     * Profiles every following step when {@code on} ({@link dev.jasg.core.Profiling}, on backends
     * that have it); {@link #lastProfile()} then gives the last step's per-node times and memory.
     */
    public void setProfiling(boolean on) {
        send(new GuiCommand.SetProfiling(on, null));
    }

    private volatile LabProfile lastProfile;

    /** The last profiled step's profile, or null. */
    public LabProfile lastProfile() {
        return lastProfile;
    }

    private void profilingBeforeStep() {
        boolean on = profiling;
        trainer.profiling().ifPresent(p -> {
            if (p.isProfiling() != on) p.setProfiling(on);
        });
    }

    private void profilingAfterStep() {
        if (!profiling) return;
        trainer.profiling().flatMap(dev.jasg.core.Profiling::lastProfile).ifPresent(p -> {
            LabProfile lp = new LabProfile(trainer.steps(), p, trainer.forwardGraph(), trainer.gradientGraph());
            lastProfile = lp;
            var sink = profileSink;
            if (sink != null) {
                try {
                    sink.accept(lp);
                } catch (RuntimeException e) {
                    LOG.warn("the profile listener failed", e);
                }
            }
        });
    }

    private void anomalyCheck(RuntimeException e) {
        var sink = anomalySink;
        if (sink == null) return;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.jasg.core.AnomalyException a) {
                sink.accept(a);
                return;
            }
        }
    }

    /** Hooks for {@link LayerResizing}, on the training thread. */
    Trainer trainerForResize() {
        return trainer;
    }

    Trainer newTrainerForResize(Parameters fresh) {
        return newTrainer(fresh);
    }

    Parameters storeForResize() {
        return store;
    }

    long seedForResize() {
        return seed;
    }

    /** Makes {@code next} (built over {@code fresh}) the session's trainer and store, and tells the listeners. */
    void swapForResize(Trainer next, Parameters fresh, String description) {
        long at = trainer.steps();
        next.load(trainer.state());
        trainer.removeUpdateListener(dispatch);
        probe.close();
        trainer.close();
        Parameters old = store;
        store = fresh;
        if (old instanceof AutoCloseable c && old != fresh) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the replaced parameter store failed", e);
            }
        }
        trainer = next;
        probe = newProbe(next);
        watched = -1;
        ComputeUpdate.ModelEdited marker = new ComputeUpdate.ModelEdited(at, description);
        history.add(marker);
        LOG.info("{}; the step was recompiled at step {}", description, at);
        dispatch(marker);
        next.addUpdateListener(dispatch);
    }
    // ---- end phase D ----

    /** The graph edits applied so far, in order. */
    public List<ComputeUpdate.ModelEdited> history() {
        return List.copyOf(history);
    }

    /** The backend. */
    public Backend backend() {
        return backend;
    }

    /**
     * Adds {@code l} to the listeners; it gets the current graphs at once. Call it before
     * {@link #start()}, or accept that updates sent meanwhile may reach it out of order.
     */
    public void addListener(ComputeUpdateListener l) {
        listeners.add(l);
        Trainer t = trainer;
        if (t != null && state != State.NEW) l.onUpdate(new ComputeUpdate.GraphReady(t.forwardGraph(), t.gradientGraph()));
    }

    /** Waits up to {@code timeout} for the training thread to end; true when it did. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (state == State.NEW) return true;
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Waits up to {@code timeout} for the loop to be in one of {@code states}; true when it is. */
    public boolean awaitState(Duration timeout, State... states) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            State s = state;
            for (State want : states) if (s == want) return true;
            if (System.nanoTime() > end) return false;
            Thread.sleep(5);
        }
    }

    /** Stops the loop (after the current step), waits for it up to 10 s, and frees the executables. */
    @Override
    public void close() {
        stopRequested = true;
        send(new GuiCommand.Stop());
        try {
            if (!awaitTermination(Duration.ofSeconds(10))) LOG.warn("the training thread did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            failPendingEdits();
            if (probe != null) probe.close();
            if (trainer != null) trainer.close();
        }
    }

    // ---- the loop, on the training thread ------------------------------------------------------

    private void run() {
        trainer.addUpdateListener(dispatch);
        try {
            train();
            if (!stopRequested) {
                // Finished is sent before the state changes, so whoever sees FINISHED has been sent it.
                trainer.publish(new ComputeUpdate.Finished(trainer.steps()));
                state = State.FINISHED;
                serveUntilStopped();
            }
            state = State.STOPPED;
        } catch (StepFailed e) {
            // The trainer has already sent Failed.
            state = State.FAILED;
            LOG.error("training step failed", e.getCause());
        } catch (RuntimeException | Error e) {
            state = State.FAILED;
            LOG.error("training failed", e);
            trainer.publish(new ComputeUpdate.Failed(trainer.steps(), e));
        } finally {
            failPendingEdits();
        }
    }

    /** Completes the futures of graph edits still queued when the loop has ended, so no caller waits forever. */
    private void failPendingEdits() {
        for (GuiCommand c; (c = commands.poll()) != null; ) {
            if (c instanceof GuiCommand.EditGraph e) {
                e.result().complete(new EditPreview.Failed(e.edit(), e.edit().describe(), List.of(), ended()));
            }
            if (c instanceof GuiCommand.RunTask t) t.task().run();
            if (c instanceof GuiCommand.SaveCheckpoint s) s.result().completeExceptionally(new IllegalStateException("the session ended (" + state + ") before the save"));
            if (c instanceof GuiCommand.LoadCheckpoint l) l.result().completeExceptionally(new IllegalStateException("the session ended (" + state + ") before the load"));
            if (c instanceof GuiCommand.ListEditableLayers l) l.result().complete(List.of());
            if (c instanceof GuiCommand.ResizeLayer r) {
                r.result().complete(new ResizePreview.Failed(r.resize(), r.resize().scope(), List.of(), ended()));
            }
        }
    }

    private LabText ended() {
        return LabText.of("lab.reason.sessionEnded", LabText.of("lab.state." + state.name().toLowerCase(java.util.Locale.ROOT)));
    }

    private void train() {
        while (!stopRequested && (epochs == 0 || trainer.epochs() < epochs)) {
            data.startEpoch(trainer.epochs() + 1);
            int batches = data.batchesPerEpoch();
            for (int b = 0; b < batches; b++) {
                if (!awaitGo()) return;
                step(data.next());
                if (maxSteps > 0 && trainer.steps() >= maxSteps) return;
            }
            trainer.endEpoch(evaluator != null ? evaluator.apply(trainer) : Map.of());
        }
    }

    private void serveUntilStopped() {
        while (!stopRequested) {
            GuiCommand c;
            try {
                c = commands.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (c == null) continue;
            switch (c) {
                case GuiCommand.Stop s -> stopRequested = true;
                case GuiCommand.Step s -> step(data.next());
                case GuiCommand.Pause p -> { }
                case GuiCommand.Resume r -> notices.accept(LabText.of("lab.notice.finished"));
                default -> apply(c);
            }
        }
    }

    /**
     * Applies waiting commands; while paused, waits for more. True to take a step now, false to
     * end the loop.
     */
    private boolean awaitGo() {
        while (true) {
            if (stopRequested) return false;
            GuiCommand c;
            try {
                c = paused ? commands.poll(100, TimeUnit.MILLISECONDS) : commands.poll();
            } catch (InterruptedException e) {
                return false;
            }
            if (c == null) {
                if (paused) continue;
                sendWatchedStats(false);
                return true;
            }
            switch (c) {
                case GuiCommand.Pause p -> setPaused(true);
                case GuiCommand.Resume r -> setPaused(false);
                case GuiCommand.Step s -> {
                    setPaused(true);
                    return true;
                }
                case GuiCommand.Stop s -> {
                    stopRequested = true;
                    return false;
                }
                default -> apply(c);
            }
        }
    }

    private void setPaused(boolean p) {
        paused = p;
        state = p ? State.PAUSED : State.RUNNING;
    }

    private void step(Map<String, HostTensor> batch) {
        try {
            profilingBeforeStep();
            trainer.step(batch);
            profilingAfterStep();
        } catch (RuntimeException e) {
            anomalyCheck(e);
            throw new StepFailed(e);
        }
        Map<String, HostTensor> feeds = new HashMap<>(batch);
        feeds.put(Optimizer.LR_INPUT, HostTensor.scalar((float) trainer.currentLr()));
        lastFeeds = feeds;
        steps = trainer.steps();
        if (paused) sendWatchedStats(true);
    }

    /** Commands other than the loop's own (pause, resume, step, stop). */
    private void apply(GuiCommand c) {
        switch (c) {
            case GuiCommand.ResetWeights r -> resetWeights();
            case GuiCommand.RequestStats r -> {
                watched = r.node();
                if (watched >= 0) sendWatchedStats(true);
            }
            case GuiCommand.ReplaceOp r -> edit(r.node(), r.op());
            case GuiCommand.EditConstant e -> editConstant(e.node(), e.value());
            case GuiCommand.EditGraph e -> e.result().complete(editGraph(e.edit(), e.apply()));
            case GuiCommand.ResizeLayer r -> r.result().complete(LayerResizing.resize(this, r.resize(), r.apply()));
            case GuiCommand.RunTask t -> t.task().run();
            case GuiCommand.SaveCheckpoint s -> saveNow(s);
            case GuiCommand.LoadCheckpoint l -> loadNow(l);
            case GuiCommand.SetProfiling p -> {
                profiling = p.on();
                profileSink = p.on() ? p.sink() : null;
            }
            case GuiCommand.SetAnomalyMode a -> {
                dev.jasg.core.Anomaly.setEnabled(a.on());
                anomalySink = a.on() ? a.sink() : null;
            }
            case GuiCommand.ListEditableLayers l -> l.result().complete(LayerResizing.editableLayers(resizable));
            default -> LOG.debug("ignored {}", c);
        }
    }

    private void sendWatchedStats(boolean now) {
        if (watched < 0 || lastFeeds == null) return;
        long t = System.nanoTime();
        if (!now && t - lastStatsNanos < statsInterval.toNanos()) return;
        lastStatsNanos = t;
        try {
            trainer.publish(probe.stats(watched, lastFeeds, trainer.steps()));
        } catch (RuntimeException e) {
            notices.accept(LabText.of("lab.notice.noStats", watched, LabText.reason(e)));
            LOG.warn("statistics of node {} failed", watched, e);
            watched = -1;
        }
    }

    private void resetWeights() {
        for (Node n : trainer.updateGraph().parameters().values()) {
            Op.Parameter p = (Op.Parameter) n.op();
            store.set(p.name(), HostTensor.fromDoubles(n.dtype(), n.shape(), p.init().sample(n.shape(), seed, p.name())));
        }
        LOG.info("weights and optimizer state reset at step {}", trainer.steps());
        sendWatchedStats(true);
    }

    private void editConstant(int id, HostTensor value) {
        Node n = trainer.forwardGraph().node(id);
        if (!(n.op() instanceof Op.Constant)) {
            notices.accept(LabText.of("lab.notice.notConstant", id, n.path()));
            return;
        }
        if (value.size() != n.shape().size()) {
            notices.accept(LabText.of("lab.notice.constantSize", n.path(), value.size(), n.shape().size()));
            return;
        }
        edit(id, new Op.Constant(HostTensor.fromDoubles(n.dtype(), n.shape(), value.toDoubles())));
    }

    private void edit(int id, Op op) {
        Op was;
        Node before;
        try {
            before = trainer.forwardGraph().node(id);
            was = model.edit(id, op);
        } catch (RuntimeException e) {
            notices.accept(LabText.reason(e));
            return;
        }
        Trainer next;
        try {
            next = newTrainer();
        } catch (RuntimeException e) {
            model.restore(id, was);
            notices.accept(LabText.reason(e));
            LOG.warn("edit of node {} rejected: {}", id, e.getMessage());
            LOG.debug("edit of node {} rejected", id, e);
            return;
        }
        next.load(trainer.state());
        trainer.removeUpdateListener(dispatch);
        probe.close();
        trainer.close();
        trainer = next;
        probe = newProbe(next);
        LOG.info("node {} ({}) is now {}; the step was recompiled at step {}", id, before.path(), op.label(), next.steps());
        next.addUpdateListener(dispatch);
        sendWatchedStats(true);
    }

    private EditPreview editGraph(GraphEdit edit, boolean apply) {
        RewrittenModel.Snapshot before = model.snapshot();
        String description;
        Trainer next;
        try {
            description = model.record(edit, trainer.forwardGraph());
            next = newTrainer();
        } catch (RuntimeException e) {
            model.restore(before);
            EditPreview.Failed failed = failed(edit, e);
            LOG.info("graph edit rejected ({}): {}", edit.describe(), failed.message());
            LOG.debug("graph edit rejected", e);
            return failed;
        }
        long at = trainer.steps();
        if (!apply) {
            EditPreview.Ready r = new EditPreview.Ready(edit, description, next.forwardGraph(), next.gradientGraph(), false, at);
            next.close();
            model.restore(before);
            return r;
        }
        next.load(trainer.state());
        trainer.removeUpdateListener(dispatch);
        probe.close();
        trainer.close();
        trainer = next;
        probe = newProbe(next);
        watched = -1; // ids after the edit may name other nodes
        ComputeUpdate.ModelEdited marker = new ComputeUpdate.ModelEdited(at, description);
        history.add(marker);
        LOG.info("{}; the step was recompiled at step {}", description, at);
        dispatch(marker);
        next.addUpdateListener(dispatch);
        return new EditPreview.Ready(edit, description, next.forwardGraph(), next.gradientGraph(), true, at);
    }

    private static EditPreview.Failed failed(GraphEdit edit, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GraphEditException g) return new EditPreview.Failed(edit, g.node(), g.shapes(), g.text());
        }
        return new EditPreview.Failed(edit, edit.describe(), List.of(), LabText.reason(e));
    }

    private Trainer newTrainer() {
        return newTrainer(store);
    }

    private Trainer newTrainer(Parameters store) {
        Trainer.Builder b = Trainer.builder(backend, model).input(input).target(target).loss(loss).optimizer(optimizer)
                .clipping(clipping).parameters(store);
        if (scheduler != null) b.scheduler(scheduler);
        return b.build();
    }

    private NodeProbe newProbe(Trainer t) {
        return new NodeProbe(backend, store, t.forwardGraph(), t.gradientGraph());
    }

    private void dispatch(ComputeUpdate u) {
        for (ComputeUpdateListener l : listeners) {
            try {
                l.onUpdate(u);
            } catch (RuntimeException e) {
                LOG.warn("an update listener failed on {}", u.getClass().getSimpleName(), e);
            }
        }
    }

    /** A failed step, already reported by the trainer. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(RuntimeException cause) {
            super(cause);
        }
    }

    /** Configures a {@link LabSession}. Required: input, target, loss, optimizer, data. */
    public static final class Builder {
        private final Backend backend;
        private final Layer model;
        private InputSpec input;
        private InputSpec target;
        private BiFunction<Tensor, Tensor, Tensor> loss;
        private Optimizer optimizer;
        private LrScheduler scheduler;
        private GradientClipping clipping = GradientClipping.none();
        private BatchSource data;
        private int epochs;
        private long maxSteps;
        private long seed;
        private Function<Trainer, Map<String, Double>> evaluator;
        private Duration statsInterval = Duration.ofMillis(500);
        private final List<ComputeUpdateListener> listeners = new java.util.ArrayList<>();
        private Consumer<LabText> notices = m -> LOG.warn("{}", m);
        private boolean startPaused;

        private Builder(Backend backend, Layer model) {
            this.backend = Objects.requireNonNull(backend, "backend");
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The model's input. */
        public Builder input(InputSpec spec) {
            this.input = spec;
            return this;
        }

        /** The target. */
        public Builder target(InputSpec spec) {
            this.target = spec;
            return this;
        }

        /** The loss, (output, target) to a scalar. */
        public Builder loss(BiFunction<Tensor, Tensor, Tensor> loss) {
            this.loss = loss;
            return this;
        }

        /** The optimizer (its state lives in the store, so it survives edits). */
        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** A per-epoch learning-rate scheduler. */
        public Builder scheduler(LrScheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Gradient clipping inside the step. */
        public Builder clipping(GradientClipping clipping) {
            this.clipping = Objects.requireNonNull(clipping);
            return this;
        }

        /** The training batches. */
        public Builder data(BatchSource data) {
            this.data = data;
            return this;
        }

        /** Epochs to train; 0 (the default) trains until stopped. */
        public Builder epochs(int epochs) {
            if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
            this.epochs = epochs;
            return this;
        }

        /** Ends training after this many steps; 0 (the default) for no limit. */
        public Builder maxSteps(long maxSteps) {
            if (maxSteps < 0) throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
            this.maxSteps = maxSteps;
            return this;
        }

        /** The seed of the parameter store, which reset-weights draws from again. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Measures the metrics sent with every {@link ComputeUpdate.EpochDone}, e.g. a test accuracy. */
        public Builder evaluator(Function<Trainer, Map<String, Double>> evaluator) {
            this.evaluator = evaluator;
            return this;
        }

        /** How often a watched node's statistics are sent while training runs (default 500 ms). */
        public Builder statsInterval(Duration interval) {
            this.statsInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** Adds a listener of the session's updates. */
        public Builder listener(ComputeUpdateListener l) {
            this.listeners.add(Objects.requireNonNull(l));
            return this;
        }

        /**
         * Where messages about rejected commands go (default: the log, in English); each is a
         * {@link LabText} to {@linkplain LabText#render render} in the window's language.
         */
        public Builder notices(Consumer<LabText> notices) {
            this.notices = Objects.requireNonNull(notices);
            return this;
        }

        /** Starts paused, waiting for {@link GuiCommand.Resume} or {@link GuiCommand.Step}. */
        public Builder startPaused(boolean startPaused) {
            this.startPaused = startPaused;
            return this;
        }

        /** Builds the session and compiles the first step; {@link LabSession#start()} starts training. */
        public LabSession build() {
            return new LabSession(this);
        }
    }
}
