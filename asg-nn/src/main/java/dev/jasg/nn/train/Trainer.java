package dev.jasg.nn.train;

import dev.jasg.autograd.Autograd;
import dev.jasg.core.Autocast;
import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.FeedException;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Outputs;
import dev.jasg.core.Shape;
import dev.jasg.core.Parameters;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Layer;
import dev.jasg.nn.optim.GradScaler;
import dev.jasg.nn.optim.GradientClipping;
import dev.jasg.nn.optim.LBFGS;
import dev.jasg.nn.optim.LrScheduler;
import dev.jasg.nn.optim.Optimizer;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * Trains a {@link Layer} on one backend: the forward graph (model then loss), its gradient
 * graph and the optimizer's update graph are built and compiled once, into one executable that
 * each {@link #step} runs; weights and optimizer state stay in the backend's {@link Parameters}
 * store, and only the loss comes back to the host.
 *
 * <pre>{@code
 * try (Trainer t = Trainer.builder(backend, model)
 *         .input("x", DType.F32, "B", 2).target("y", DType.F32, "B", 1)
 *         .loss(Losses::mseLoss).optimizer(new SGD(0.1)).seed(42).build()) {
 *     double loss = t.step(Map.of("x", xs, "y", ys));
 *     HostTensor pred = t.predict(xs);
 * }
 * }</pre>
 *
 * <p>The training graph is built with the model in training mode, the evaluation graphs (built
 * on first use) in eval mode; both read the same store. The learning rate fed each step is the
 * scheduler's {@link LrScheduler#getLastLr()}, or the optimizer's {@link Optimizer#lr()} without a
 * scheduler. A scheduler is stepped after every training step ({@link SchedulerInterval#STEP}) or
 * by {@link #endEpoch()} ({@link SchedulerInterval#EPOCH}, PyTorch's usual per-epoch call).
 * A scheduler that cycles the momentum ({@link dev.jasg.nn.optim.OneCycleLR},
 * {@link dev.jasg.nn.optim.CyclicLR} with {@code cycle_momentum}, PyTorch's default) also sets the
 * optimizer's momentum or beta1 each step: the update graph reads it from the input
 * {@value Optimizer#MOMENTUM_INPUT}, fed {@link LrScheduler#getLastMomentum()}, as PyTorch's
 * scheduler writes {@code group["momentum"]} or {@code group["betas"][0]}.
 *
 * <p>With {@link Builder#mixedPrecision} the forward graph is rewritten by {@link Autocast} (products and
 * convolutions in F16 or BF16 with f32 accumulation, the rest and the weights in f32); with a
 * {@link GradScaler} (F16's default) the graph differentiates {@value #SCALED_LOSS}, the loss times the
 * fed scale {@value GradScaler#SCALE_INPUT}, the update unscales and skips a step with non-finite
 * gradients, and each {@link #step} feeds the scale and updates it from {@value GradScaler#FOUND_INF_OUTPUT};
 * {@link #lastStepSkipped()} says whether the last step changed nothing.
 *
 * <p>Built with {@link Builder#lbfgs} instead of an optimizer, the trainer compiles the forward
 * and gradient graphs only, and each {@link #step} is one host-driven {@link LBFGS} step over all
 * trainable parameters (several forward and gradient runs, as PyTorch's {@code step(closure)}),
 * at the scheduler's rate if there is one.
 *
 * <p>Thread safety: a trainer may be shared between threads. Every method that runs the model or
 * reads or changes the trainer's state ({@link #step}, {@link #evaluate}, {@link #predict},
 * {@link #endEpoch}, {@link #steps}, {@link #state}, {@link #load}, {@link #close}, ...) is
 * {@code synchronized} on the trainer, so calls from several threads run one at a time, each
 * whole: two threads calling {@code step} N times each make exactly 2N steps, in some order, as
 * one thread would have. Listeners are called on the stepping thread while it holds the trainer's
 * lock; they may call the trainer, but must not wait for another thread that does. Code that
 * reads {@link #parameters()} while other threads step holds the same lock:
 * {@code synchronized (trainer) { ... }}. (The executables the trainer compiles are used only
 * under this lock, whatever the backend's own contract.)
 */
public final class Trainer implements AutoCloseable {
    /** Name of the loss output of the training graph. */
    public static final String LOSS = "loss";
    /** Name of the scaled loss output ({@code loss * S}) of the training graph under loss scaling, the one differentiated. */
    public static final String SCALED_LOSS = "scaled_loss";
    /** Name of the model's output in {@link #evaluate}'s results. */
    public static final String OUTPUT = "output";

    /** When the scheduler advances. */
    public enum SchedulerInterval {
        /** After every {@link #step}. */
        STEP,
        /** At every {@link #endEpoch()}. */
        EPOCH
    }

    private final Backend backend;
    private final Layer model;
    private final InputSpec input;
    private final InputSpec target;
    private final BiFunction<Tensor, Tensor, Tensor> lossFn;
    private final Optimizer optimizer;
    private final LBFGS lbfgs;
    private final List<String> trainable;
    private final LrScheduler scheduler;
    private final SchedulerInterval interval;
    private final Parameters parameters;
    private final Graph forward;
    private final Graph gradients;
    private final Graph update;
    private final Executable train;
    private final boolean clipsByNorm;
    private final boolean feedsMomentum;
    private double lastMomentum;
    private final GradientClipping clipping;
    private final DType mixedPrecision;
    private final GradScaler scaler;
    private boolean lastStepSkipped;
    private final List<StepListener> listeners = new CopyOnWriteArrayList<>();
    private final List<ComputeUpdateListener> updateListeners = new CopyOnWriteArrayList<>();
    private Executable evalOutput;
    private Executable evalLoss;
    /**
     * The last step's total gradient norm, read when the step ran (with {@code clipGradNorm}), and whether a step has set
     * it: the step keeps no {@link Outputs} past itself, so a backend's escape analysis may drop that object.
     */
    private double lastGradNorm = Double.NaN;
    private boolean gradNormRead;
    private Map<String, HostTensor> lastBatch;
    /**
     * A step's feeds for the training executable, reused: the batch's input and target, and the learning rate, momentum
     * and loss scale as tensors over the one-float arrays below, refilled each step. The same keys are put every step,
     * so a step allocates no map, node or scalar tensor (an executable reads its feeds only while it runs).
     */
    private final Map<String, HostTensor> stepFeeds = new HashMap<>();
    private final float[] lrFeed = new float[1], momentumFeed = new float[1], scaleFeed = new float[1], lossOut = new float[1];
    private final HostTensor lrTensor = HostTensor.of(DType.F32, Shape.scalar(), lrFeed);
    private final HostTensor momentumTensor = HostTensor.of(DType.F32, Shape.scalar(), momentumFeed);
    private final HostTensor scaleTensor = HostTensor.of(DType.F32, Shape.scalar(), scaleFeed);
    private long steps;
    private int epochs;
    private double epochLossSum;
    private long epochSteps;
    private long lastStepEnd = System.nanoTime();
    private boolean closed;

    private Trainer(Builder b) {
        this.backend = b.backend;
        this.model = b.model;
        // A part the builder was never given is a mistake in the builder's state, not a null argument.
        this.input = required(b.input, "Trainer: no input spec; call input(...)");
        this.target = required(b.target, "Trainer: no target spec; call target(...)");
        this.lossFn = required(b.loss, "Trainer: no loss function; call loss(...)");
        if (b.optimizer != null && b.lbfgs != null) throw new IllegalStateException("Trainer: both an optimizer and LBFGS were given; call one of optimizer(...), lbfgs(...)");
        this.lbfgs = b.lbfgs;
        this.optimizer = lbfgs != null ? null : required(b.optimizer, "Trainer: no optimizer; call optimizer(...) or lbfgs(...)");
        this.scheduler = b.scheduler;
        this.interval = b.interval;
        List<String> reserved = List.of(Optimizer.LR_INPUT, Optimizer.MOMENTUM_INPUT, GradScaler.SCALE_INPUT);
        if (input.name().equals(target.name()) || reserved.contains(input.name()) || reserved.contains(target.name())) {
            throw new IllegalArgumentException("Trainer: input '" + input.name() + "' and target '" + target.name()
                    + "' must have distinct names other than " + reserved);
        }
        this.lastMomentum = scheduler != null ? scheduler.getLastMomentum() : Double.NaN;
        this.feedsMomentum = !Double.isNaN(lastMomentum);
        if (feedsMomentum && (optimizer == null || !optimizer.hasMomentum())) {
            throw new IllegalArgumentException("Trainer: the scheduler " + scheduler.getClass().getSimpleName()
                    + " cycles the momentum (cycle_momentum, on by default as in PyTorch), but the optimizer " + (optimizer != null ? optimizer : lbfgs)
                    + " has no momentum or betas[0] to set; build the scheduler with cycleMomentum=false");
        }
        this.mixedPrecision = b.mixedPrecision;
        this.scaler = b.mixedPrecision == null ? null : b.scalerSet ? b.gradScaler : b.mixedPrecision == DType.F16 ? new GradScaler() : null;
        if (b.scalerSet && b.gradScaler != null && b.mixedPrecision == null) {
            throw new IllegalArgumentException("Trainer: a GradScaler was given without mixed precision; call mixedPrecision(DType.F16, scaler)");
        }
        if (scaler != null && lbfgs != null) {
            throw new IllegalArgumentException("Trainer: loss scaling (GradScaler) skips steps, which LBFGS's line search cannot; use mixedPrecision(dtype, null) or an optimizer");
        }
        boolean mode = model.isTraining();
        try {
            model.train();
            GraphBuilder g = new GraphBuilder();
            Tensor loss = lossOf(g);
            g.output(LOSS, loss);
            if (scaler != null) g.output(SCALED_LOSS, GradScaler.scaledLoss(g, loss));
            Graph built = g.build();
            this.forward = mixedPrecision == null ? built : Autocast.apply(built, mixedPrecision);
        } finally {
            model.train(mode);
        }
        int[] wrt = forward.parameters().values().stream()
                .filter(n -> ((Op.Parameter) n.op()).trainable()).mapToInt(Node::id).toArray();
        if (wrt.length == 0) throw new IllegalArgumentException("Trainer: the model has no trainable parameters:\n" + model);
        this.trainable = forward.parameters().values().stream()
                .filter(n -> ((Op.Parameter) n.op()).trainable()).map(n -> ((Op.Parameter) n.op()).name()).toList();
        this.gradients = Autograd.gradients(forward, forward.output(scaler != null ? SCALED_LOSS : LOSS).id(), wrt);
        if (lbfgs != null && !(b.clipping instanceof GradientClipping.None)) {
            throw new IllegalArgumentException("Trainer: gradient clipping (" + b.clipping + ") is not applied with LBFGS, which needs the true gradient; drop clipping(...)");
        }
        this.update = lbfgs != null ? null : optimizer.update(gradients, b.clipping, feedsMomentum, scaler != null);
        this.clipsByNorm = b.clipping instanceof GradientClipping.Norm;
        this.clipping = b.clipping;
        this.parameters = b.parameters != null ? b.parameters : backend.newParameters(b.seed);
        this.train = lbfgs != null ? backend.compile(parameters, forward, gradients) : backend.compile(parameters, forward, gradients, update);
    }

    private static <T> T required(T part, String message) {
        if (part == null) throw new IllegalStateException(message);
        return part;
    }

    @SuppressWarnings("try") // the scope is entered for its effect on the builder
    private Tensor lossOf(GraphBuilder g) {
        Tensor x = g.input(input.name(), input.dtype(), input.shape());
        Tensor y = g.input(target.name(), target.dtype(), target.shape());
        Tensor out = model.apply(x);
        // In its own scope, so a viewer draws the loss as one block apart from the model's layers.
        Tensor loss;
        try (var scope = g.scope(LOSS)) {
            loss = lossFn.apply(out, y);
        }
        if (loss == null || !loss.shape().isConcrete() || loss.shape().size() != 1 || !loss.dtype().isFloat()) {
            throw new IllegalArgumentException("Trainer: the loss function must return a float scalar, got " + (loss == null ? "null" : loss.node()));
        }
        return loss;
    }

    /** A builder for a trainer of {@code model} on {@code backend}. */
    public static Builder builder(Backend backend, Layer model) {
        return new Builder(backend, model);
    }

    // ---- training ----------------------------------------------------------------------------

    /**
     * Runs one training step on {@code batch} (the input and target feeds) and returns its loss,
     * computed before the update; then tells the listeners and, per step, advances the scheduler.
     * Update listeners get a {@link ComputeUpdate.StepDone}, or a {@link ComputeUpdate.Failed} when
     * the step throws.
     *
     * @throws FeedException when {@code batch} lacks the input or the target or holds any other
     *     name (the learning rate is fed by the trainer), naming it, the expected and the given feeds
     */
    public synchronized double step(Map<String, HostTensor> batch) {
        checkOpen();
        double lr = currentLr();
        long t0 = System.nanoTime();
        double loss;
        try {
            checkFeeds("step", batch, true);
            lastBatch = Map.copyOf(batch);
            if (lbfgs != null) {
                loss = lbfgs.step(train, batch, trainable, lr);
                gradNormRead = false;
                return finishStep(loss, lr, t0);
            }
            Map<String, HostTensor> feeds = stepFeeds;
            feeds.put(input.name(), batch.get(input.name()));
            feeds.put(target.name(), batch.get(target.name()));
            lrFeed[0] = (float) lr;
            feeds.put(Optimizer.LR_INPUT, lrTensor);
            if (feedsMomentum) {
                // a composite schedule may pass through a part without momentum: the last value stays, as in PyTorch's param group
                double m = scheduler.getLastMomentum();
                if (!Double.isNaN(m)) lastMomentum = m;
                momentumFeed[0] = (float) lastMomentum;
                feeds.put(Optimizer.MOMENTUM_INPUT, momentumTensor);
            }
            if (scaler != null) {
                scaleFeed[0] = (float) scaler.scale();
                feeds.put(GradScaler.SCALE_INPUT, scaleTensor);
            }
            if (scaler == null && !clipsByNorm) {
                // the loss is the one output read: run and read it together, no Outputs made (a warm cpu step allocates nothing)
                loss = train.runInto(feeds, LOSS, lossOut)[0];
                return finishStep(loss, lr, t0);
            }
            Outputs out = train.run(feeds);
            loss = out.copyInto(LOSS, lossOut)[0];
            if (scaler != null) {
                lastStepSkipped = out.scalar(GradScaler.FOUND_INF_OUTPUT) != 0;
                scaler.update(lastStepSkipped);
            }
            if (clipsByNorm) {
                lastGradNorm = out.scalar(GradientClipping.GRAD_NORM_OUTPUT);
                gradNormRead = true;
                GradientClipping.requireFinite(clipping, lastGradNorm);
            }
        } catch (RuntimeException e) {
            publish(new ComputeUpdate.Failed(steps, e));
            throw e;
        }
        return finishStep(loss, lr, t0);
    }

    private double finishStep(double loss, double lr, long t0) {
        long t1 = System.nanoTime();
        steps++;
        epochLossSum += loss;
        epochSteps++;
        if (!listeners.isEmpty()) for (StepListener l : listeners) l.onStep(steps, loss);
        if (!updateListeners.isEmpty()) publish(new ComputeUpdate.StepDone(steps, loss, lr, new StepTimings(t1 - t0, t1 - lastStepEnd)));
        lastStepEnd = t1;
        if (scheduler != null && interval == SchedulerInterval.STEP) scheduler.step();
        return loss;
    }

    /**
     * Checks that {@code batch} holds the input (and the target, when {@code needsTarget}) and
     * nothing else, so that a wrong batch is reported in the user's names: the executable would
     * also list the inputs the trainer feeds itself, such as the learning rate.
     */
    private void checkFeeds(String method, Map<String, HostTensor> batch, boolean needsTarget) {
        // the usual batch, checked without an iterator: the input (and the target) and at most the target besides
        if (batch.get(input.name()) != null && (!needsTarget || batch.get(target.name()) != null)
                && batch.size() == (batch.containsKey(target.name()) ? 2 : 1)) return;
        List<String> expected = needsTarget ? List.of(input.name(), target.name()) : List.of(input.name());
        for (InputSpec spec : needsTarget ? List.of(input, target) : List.of(input)) {
            if (batch.get(spec.name()) == null) {
                throw new FeedException("Trainer." + method + ": no feed for the " + (spec == input ? "input" : "target") + " '" + spec.name()
                        + "' (" + spec.dtype().label() + spec.shape() + "); expected " + expected + ", given " + new TreeSet<>(batch.keySet()));
            }
        }
        for (String k : batch.keySet()) {
            if (!k.equals(input.name()) && !k.equals(target.name())) {
                throw new FeedException("Trainer." + method + ": feed '" + k + "' is neither the input nor the target"
                        + (k.equals(Optimizer.LR_INPUT) ? " (the trainer feeds the learning rate '" + k + "' itself, from the optimizer or scheduler)" : "")
                        + (k.equals(Optimizer.MOMENTUM_INPUT) ? " (the trainer feeds the momentum '" + k + "' itself, from the scheduler)" : "")
                        + "; expected " + expected + ", given " + new TreeSet<>(batch.keySet()));
            }
        }
    }

    /** Ends an epoch: advances a per-epoch scheduler. */
    public void endEpoch() {
        endEpoch(Map.of());
    }

    /**
     * Ends an epoch: advances a per-epoch scheduler and sends update listeners a
     * {@link ComputeUpdate.EpochDone} with the mean loss of the epoch's steps and {@code metrics}
     * (what the loop measured, e.g. a test accuracy).
     */
    public synchronized void endEpoch(Map<String, Double> metrics) {
        if (scheduler != null && interval == SchedulerInterval.EPOCH) scheduler.step();
        epochs++;
        double mean = epochSteps > 0 ? epochLossSum / epochSteps : Double.NaN;
        epochLossSum = 0;
        epochSteps = 0;
        publish(new ComputeUpdate.EpochDone(epochs, mean, metrics));
    }

    /** Epochs ended so far ({@link #endEpoch()} calls, counting since the trainer was made or its state loaded). */
    public synchronized int epochs() {
        return epochs;
    }

    /** The learning rate the next step will be fed. */
    public synchronized double currentLr() {
        return scheduler != null ? scheduler.getLastLr() : optimizer != null ? optimizer.lr() : lbfgs.lr();
    }

    /**
     * The total gradient norm (before clipping) of the last step, as the step read it from the backend; only when the
     * trainer clips by norm.
     */
    public synchronized double lastGradNorm() {
        if (!clipsByNorm) throw new IllegalStateException("Trainer: grad norm is computed only with clipGradNorm");
        if (!gradNormRead) throw new IllegalStateException("Trainer: no step has run yet");
        return lastGradNorm;
    }

    // ---- evaluation ----------------------------------------------------------------------------

    /**
     * Runs the model in eval mode on {@code batch}, without gradients or updates, over the
     * training store: the result holds {@value #OUTPUT}, and {@value #LOSS} too when
     * {@code batch} holds the target.
     *
     * @throws FeedException when {@code batch} lacks the input or holds a name other than the input
     *     and the target, naming it, the expected and the given feeds
     */
    public synchronized Map<String, HostTensor> evaluate(Map<String, HostTensor> batch) {
        checkOpen();
        boolean withLoss = batch.containsKey(target.name());
        checkFeeds("evaluate", batch, withLoss);
        Executable e = withLoss ? evalLoss() : evalOutput();
        Outputs o = e.run(batch);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(OUTPUT, o.get(OUTPUT));
        if (withLoss) out.put(LOSS, o.get(LOSS));
        return out;
    }

    /** The model's eval-mode output for input {@code x}. */
    public HostTensor predict(HostTensor x) {
        return evaluate(Map.of(input.name(), x)).get(OUTPUT);
    }

    private Executable evalOutput() {
        if (evalOutput == null) evalOutput = compileEval(false);
        return evalOutput;
    }

    private Executable evalLoss() {
        if (evalLoss == null) evalLoss = compileEval(true);
        return evalLoss;
    }

    private Executable compileEval(boolean withLoss) {
        boolean mode = model.isTraining();
        try {
            model.eval();
            GraphBuilder g = new GraphBuilder();
            Tensor x = g.input(input.name(), input.dtype(), input.shape());
            Tensor out = model.apply(x);
            g.output(OUTPUT, out);
            if (withLoss) {
                Tensor y = g.input(target.name(), target.dtype(), target.shape());
                g.output(LOSS, lossFn.apply(out, y));
            }
            Graph built = g.build();
            return backend.compile(parameters, mixedPrecision == null ? built : Autocast.apply(built, mixedPrecision));
        } finally {
            model.train(mode);
        }
    }

    // ---- access --------------------------------------------------------------------------------

    /** The store holding the weights and the optimizer state, shared by training and evaluation. */
    public Parameters parameters() {
        return parameters;
    }

    /** The model. */
    public Layer model() {
        return model;
    }

    /** The optimizer, or null when the trainer runs {@link LBFGS}. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The LBFGS optimizer, or null when the trainer runs a graph {@link Optimizer}. */
    public LBFGS lbfgs() {
        return lbfgs;
    }

    /** The scheduler, or null. */
    public LrScheduler scheduler() {
        return scheduler;
    }

    /** Steps run so far. */
    public synchronized long steps() {
        return steps;
    }

    /** The half type products run in ({@link Builder#mixedPrecision}), or null when training in f32. */
    public DType mixedPrecision() {
        return mixedPrecision;
    }

    /** The loss scaler of F16 mixed precision, or null. */
    public GradScaler gradScaler() {
        return scaler;
    }

    /** True when the last step found a non-finite gradient and changed nothing (loss scaling only). */
    public synchronized boolean lastStepSkipped() {
        return lastStepSkipped;
    }

    /** The forward graph (model and loss, output {@value #LOSS}). */
    public Graph forwardGraph() {
        return forward;
    }

    /** The backend it trains on. */
    public Backend backend() {
        return backend;
    }

    /**
     * The batch of the last {@link #step} (input and target), or null before the first: what a
     * viewer watching this trainer probes node values with.
     */
    public synchronized Map<String, HostTensor> lastBatch() {
        return lastBatch;
    }

    /** The gradient graph continuing {@link #forwardGraph()}. */
    public Graph gradientGraph() {
        return gradients;
    }

    /** The optimizer's update graph continuing {@link #gradientGraph()}; null with {@link LBFGS}. */
    public Graph updateGraph() {
        return update;
    }

    /** Subscribes {@code l} to every step. */
    public void addListener(StepListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    /** Unsubscribes {@code l}. */
    public void removeListener(StepListener l) {
        listeners.remove(l);
    }

    /**
     * Subscribes {@code l} to this trainer's {@link ComputeUpdate}s: it gets a
     * {@link ComputeUpdate.GraphReady} with the forward and gradient graphs at once, then a
     * {@link ComputeUpdate.StepDone} after every step, a {@link ComputeUpdate.EpochDone} at every
     * {@link #endEpoch(Map)}, and whatever the loop {@link #publish}es. A viewer subscribes here.
     */
    public void addUpdateListener(ComputeUpdateListener l) {
        updateListeners.add(Objects.requireNonNull(l));
        l.onUpdate(new ComputeUpdate.GraphReady(forward, gradients));
    }

    /** Unsubscribes {@code l}. */
    public void removeUpdateListener(ComputeUpdateListener l) {
        updateListeners.remove(l);
    }

    /** Sends {@code update} to the update listeners, e.g. a loop's {@link NodeStats} or {@link ComputeUpdate.Finished}. */
    public void publish(ComputeUpdate update) {
        Objects.requireNonNull(update);
        for (ComputeUpdateListener l : updateListeners) l.onUpdate(update);
    }

    /**
     * The trainer's host-side state for a checkpoint (the store holds the rest): {@code step},
     * {@code epoch} and, with a scheduler, {@code scheduler}.
     */
    public synchronized Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", steps);
        m.put("epoch", epochs);
        if (scheduler != null) m.put("scheduler", scheduler.state());
        if (scaler != null) m.put("grad_scaler", scaler.state());
        return m;
    }

    /** Restores what {@link #state()} wrote. */
    @SuppressWarnings("unchecked")
    public synchronized void load(Map<String, Object> state) {
        if (state.get("step") instanceof Number n) steps = n.longValue();
        if (state.get("epoch") instanceof Number n) epochs = n.intValue();
        if (scheduler != null && state.get("scheduler") instanceof Map<?, ?> s) scheduler.load((Map<String, Object>) s);
        if (scaler != null && state.get("grad_scaler") instanceof Map<?, ?> s) scaler.load((Map<String, Object>) s);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("Trainer is closed");
    }

    /**
     * The {@link dev.jasg.core.Profiling} capability of the compiled training step (forward,
     * gradients and update in one executable), empty when the backend has none: switch it on and
     * {@code lastProfile()} gives every node's time and memory of the last step, node ids as in
     * {@link #forwardGraph()}, {@link #gradientGraph()} and {@link #updateGraph()}.
     */
    public java.util.Optional<dev.jasg.core.Profiling> profiling() {
        return dev.jasg.core.Profiling.of(train);
    }

    /** Frees the compiled executables; the backend and the parameter store stay usable. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        train.close();
        if (evalOutput != null) evalOutput.close();
        if (evalLoss != null) evalLoss.close();
    }

    /** Configures a {@link Trainer}. Required: input, target, loss, optimizer. */
    public static final class Builder {
        private final Backend backend;
        private final Layer model;
        private InputSpec input;
        private InputSpec target;
        private BiFunction<Tensor, Tensor, Tensor> loss;
        private Optimizer optimizer;
        private LBFGS lbfgs;
        private LrScheduler scheduler;
        private SchedulerInterval interval = SchedulerInterval.EPOCH;
        private GradientClipping clipping = GradientClipping.none();
        private DType mixedPrecision;
        private GradScaler gradScaler;
        private boolean scalerSet;
        private long seed;
        private Parameters parameters;

        private Builder(Backend backend, Layer model) {
            this.backend = Objects.requireNonNull(backend, "backend");
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The model's input. */
        public Builder input(InputSpec spec) {
            this.input = spec;
            return this;
        }

        /** The model's input, with dimensions as sizes and symbols: {@code input("x", F32, "B", 784)}. */
        public Builder input(String name, dev.jasg.core.DType dtype, Object... dims) {
            return input(InputSpec.of(name, dtype, dims));
        }

        /** The target the loss compares the output with. */
        public Builder target(InputSpec spec) {
            this.target = spec;
            return this;
        }

        /** The target, with dimensions as sizes and symbols: {@code target("y", I32, "B")}. */
        public Builder target(String name, dev.jasg.core.DType dtype, Object... dims) {
            return target(InputSpec.of(name, dtype, dims));
        }

        /** The loss: (model output, target) to a float scalar, e.g. {@code Losses::crossEntropy}. */
        public Builder loss(BiFunction<Tensor, Tensor, Tensor> loss) {
            this.loss = loss;
            return this;
        }

        /** The optimizer. */
        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * Trains with {@code lbfgs} instead of an optimizer: every {@link Trainer#step} is one
         * {@link LBFGS#step(Executable, Map, List, double)} over the model's trainable parameters
         * (in the forward graph's order), no gradient clipping. A scheduler sets its rate; the
         * schedulers take their base rate from an {@link Optimizer}, so build one with
         * {@code new SGD(lbfgs.lr())}.
         */
        public Builder lbfgs(LBFGS lbfgs) {
            this.lbfgs = lbfgs;
            return this;
        }

        /** A scheduler stepped by {@link Trainer#endEpoch()}. */
        public Builder scheduler(LrScheduler scheduler) {
            return scheduler(scheduler, SchedulerInterval.EPOCH);
        }

        /** A scheduler stepped at {@code interval}. */
        public Builder scheduler(LrScheduler scheduler, SchedulerInterval interval) {
            this.scheduler = scheduler;
            this.interval = Objects.requireNonNull(interval);
            return this;
        }

        /** Gradient clipping inside the step. */
        public Builder clipping(GradientClipping clipping) {
            this.clipping = Objects.requireNonNull(clipping);
            return this;
        }

        /** Clips the gradients to total 2-norm {@code maxNorm}. */
        public Builder clipGradNorm(double maxNorm) {
            return clipping(GradientClipping.gradNorm(maxNorm));
        }

        /** Clips the gradients to total {@code normType}-norm {@code maxNorm}. */
        public Builder clipGradNorm(double maxNorm, double normType) {
            return clipping(GradientClipping.gradNorm(maxNorm, normType));
        }

        /** Clamps every gradient element to {@code [-clip, clip]}. */
        public Builder clipGradValue(double clip) {
            return clipping(GradientClipping.gradValue(clip));
        }

        /**
         * Mixed precision ({@link Autocast}): matrix products and convolutions run with {@code half}
         * ({@link DType#F16} or {@link DType#BF16}) operands and f32 accumulation; everything else, the
         * loss and the weights (f32 master copies) stay f32, and so do the gradients the optimizer sees.
         * F16 gets a default {@link GradScaler} (dynamic loss scaling, overflowing steps skipped), BF16
         * none (its range is f32's), as with PyTorch's autocast; {@link #mixedPrecision(DType, GradScaler)}
         * chooses. Evaluation and prediction run the same products in half.
         */
        public Builder mixedPrecision(DType half) {
            if (!half.isHalf()) throw new IllegalArgumentException("Trainer: mixed precision needs f16 or bf16, got " + half.label());
            this.mixedPrecision = half;
            this.scalerSet = false;
            return this;
        }

        /** Mixed precision in {@code half} with the loss scaler {@code scaler} (null: no loss scaling). */
        public Builder mixedPrecision(DType half, GradScaler scaler) {
            mixedPrecision(half);
            this.gradScaler = scaler;
            this.scalerSet = true;
            return this;
        }

        /** The seed of a new parameter store (default 0); initialisation is reproducible from it. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Trains in an existing store of the backend (to resume, or to share weights), instead of a new seeded one. */
        public Builder parameters(Parameters parameters) {
            this.parameters = parameters;
            return this;
        }

        /** Builds the graphs and compiles the training step. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
