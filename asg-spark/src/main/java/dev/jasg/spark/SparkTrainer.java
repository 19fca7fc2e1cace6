package dev.jasg.spark;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateListener;
import dev.jasg.nn.train.StepTimings;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.CollectionAccumulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Data-parallel training on Apache Spark: one model replica per task of a barrier stage
 * ({@code rdd.barrier()}), one task per partition of the training RDD. Every replica is built
 * from the same seed on its own backend ({@code cpu}, {@code vulkan}, ... per executor) and trains
 * on its partition, as {@link SyncMode} says: synchronous SGD (gradients averaged every step) or
 * local SGD (parameters and optimizer state averaged every k steps). The exchanges go through
 * Spark's barrier {@code allGather}, chunked; the reduction order is fixed, so a run is
 * deterministic.
 *
 * <pre>{@code
 * SparkTrainer trainer = SparkTrainer.builder()
 *         .model(() -> new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10)))
 *         .loss(Losses::crossEntropy).optimizer(() -> new SGD(0.05, 0.9))
 *         .input("x", DType.F32, 784).target("y", DType.I32)
 *         .batchSizePerWorker(64).steps(1000).seed(42)
 *         .checkpoints("hdfs:///user/me/run1", 100)
 *         .build();
 * TrainingResult r = trainer.fit(examples.repartition(8));   // 8 workers
 * }</pre>
 *
 * <p>With a checkpoint directory, the first task writes every stored tensor and the loss curve
 * every N steps (atomically, through Hadoop's FileSystem API), and every stage attempt starts from
 * the newest checkpoint: when a task fails, Spark retries the whole barrier stage
 * ({@code spark.stage.maxConsecutiveAttempts}, 4 by default; in local mode use
 * {@code local[N,F]} so a task failure does not end the job) and the run goes on from the last
 * checkpoint, ending exactly where an uninterrupted run ends (the batches are a function of the
 * step, {@link BatchSchedule}). A model whose forward pass draws random numbers (dropout) resumes
 * with another random stream; the rest is the same.
 *
 * <p>Requirements: as many free task slots as partitions (barrier mode starts all tasks at once;
 * dynamic allocation off), every partition non-empty, a loss that is a mean over the batch. The
 * learning rate is the optimizer's constant {@code lr()} (no scheduler yet); gradient clipping is
 * not offered.
 *
 * <p>Thread safety: a trainer is immutable after {@link Builder#build()}; {@link #fit} may be
 * called from several threads, each call a separate Spark job.
 */
public final class SparkTrainer {
    private final Builder b;

    private SparkTrainer(Builder b) {
        this.b = b;
    }

    /** A builder; model, loss, optimizer, input, target and steps are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on {@code data}, one worker per partition, and returns the final state. Blocks until
     * the barrier stage ends (or fails after Spark's retries, with Spark's exception).
     */
    public TrainingResult fit(JavaRDD<TrainingExample> data) {
        SparkContext sc = data.context();
        int workers = data.getNumPartitions();
        if (workers < 1) throw new IllegalArgumentException("SparkTrainer: the RDD has no partitions");
        CollectionAccumulator<StepProgress> progress = sc.collectionAccumulator("jasg.spark.progress");
        Map<String, String> hadoop = new LinkedHashMap<>();
        sc.hadoopConfiguration().forEach(e -> hadoop.put(e.getKey(), e.getValue()));
        RunPlan plan = new RunPlan(b.model, b.loss, b.optimizer, b.input, b.target, b.batch, b.backend, b.seed, b.steps, b.mode,
                b.shuffle, b.checkpointDir, b.checkpointEvery, b.chunkFloats, b.faults, hadoop, progress);
        double lr = b.optimizer.create().lr();
        ProgressDispatch dispatch = new ProgressDispatch(List.copyOf(b.listeners), List.copyOf(b.updateListeners), lr, progress.id());
        sc.addSparkListener(dispatch);
        List<WorkerResult> results;
        try {
            results = Barrier.runAndCollect(data, WorkerResult.class, it -> WorkerLoop.run(plan, it));
        } catch (RuntimeException e) {
            dispatch.failed(e);
            throw e;
        } finally {
            sc.removeSparkListener(dispatch);
        }
        if (results.size() != 1) throw new IllegalStateException("SparkTrainer: expected one result from task 0, got " + results.size());
        WorkerResult w = results.get(0);
        Map<String, HostTensor> state = new LinkedHashMap<>();
        for (int i = 0; i < w.names().length; i++) state.put(w.names()[i], HostTensor.of(DType.F32, Shape.of(w.shapes()[i]), w.values()[i]));
        double seconds = w.nanos() / 1e9;
        long trained = (b.steps - w.resumedFrom()) * (long) b.batch * w.workers();
        dispatch.finish(w.losses(), (long) b.batch * w.workers(), seconds > 0 ? trained / seconds : 0, w.stageAttempt(),
                b.steps > w.resumedFrom() ? w.nanos() / (double) (b.steps - w.resumedFrom()) : 0);
        return new TrainingResult(state, w.losses(), w.workers(), w.resumedFrom(), w.stageAttempt() + 1, seconds, seconds > 0 ? trained / seconds : 0);
    }

    /** The settings of a {@link SparkTrainer}. Not thread-safe; build on one thread. */
    public static final class Builder {
        private ModelFactory model;
        private LossFunction loss;
        private OptimizerFactory optimizer;
        private FeedSpec input;
        private FeedSpec target;
        private int batch = 32;
        private String backend = "cpu";
        private long seed;
        private long steps;
        private SyncMode mode = SyncMode.synchronous();
        private boolean shuffle = true;
        private String checkpointDir;
        private int checkpointEvery;
        private int chunkFloats = Allreduce.DEFAULT_CHUNK_FLOATS;
        private FaultInjector faults = FaultInjector.NONE;
        private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
        private final List<ComputeUpdateListener> updateListeners = new CopyOnWriteArrayList<>();

        private Builder() {}

        /** Makes the model in every task. */
        public Builder model(ModelFactory model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The loss, a mean over the batch ({@code Losses::crossEntropy}). */
        public Builder loss(LossFunction loss) {
            this.loss = Objects.requireNonNull(loss, "loss");
            return this;
        }

        /** Makes the optimizer in every task ({@code () -> new SGD(0.05, 0.9)}). */
        public Builder optimizer(OptimizerFactory optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /** The model's input: name, dtype and one example's dimensions ({@code input("x", F32, 784)}). */
        public Builder input(String name, DType dtype, int... dims) {
            this.input = new FeedSpec(name, dtype, dims);
            return this;
        }

        /** The target: name, dtype and one example's dimensions, none for a class label ({@code target("y", I32)}). */
        public Builder target(String name, DType dtype, int... dims) {
            this.target = new FeedSpec(name, dtype, dims);
            return this;
        }

        /** Examples per step on each worker (default 32); a step trains on this times the workers. */
        public Builder batchSizePerWorker(int batch) {
            if (batch < 1) throw new IllegalArgumentException("SparkTrainer: batch size per worker must be >= 1, got " + batch);
            this.batch = batch;
            return this;
        }

        /** The backend each task creates by name (default {@code cpu}); it must be on the executors' class path. */
        public Builder backend(String backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** The seed of every replica's parameter store and of the shuffle (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Steps to train, at least 1. */
        public Builder steps(long steps) {
            if (steps < 1 || steps > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("SparkTrainer: steps must be in [1, 2^31 - 9], got " + steps);
            this.steps = steps;
            return this;
        }

        /** Synchronous SGD (the default) or local SGD. */
        public Builder mode(SyncMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Whether each worker walks its shard in a new random order every epoch (default true) or in order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * Checkpoints every {@code everySteps} steps to {@code dir}, a path or URI every task and
         * the driver reach through Hadoop's FileSystem API, and resumes from the newest one there
         * (also at the start of a new {@link #fit}, to continue a run). With local SGD,
         * {@code everySteps} must be a multiple of the local steps (replicas are equal only then).
         */
        public Builder checkpoints(String dir, int everySteps) {
            if (everySteps < 1) throw new IllegalArgumentException("SparkTrainer: checkpoint interval must be >= 1 steps, got " + everySteps);
            this.checkpointDir = Objects.requireNonNull(dir, "dir");
            this.checkpointEvery = everySteps;
            return this;
        }

        /** Floats per allGather message (default 1 Mi, 4 MiB before Base64); smaller messages for a driver short of memory. */
        public Builder chunkFloats(int chunkFloats) {
            if (chunkFloats < 1) throw new IllegalArgumentException("SparkTrainer: chunkFloats must be >= 1, got " + chunkFloats);
            this.chunkFloats = chunkFloats;
            return this;
        }

        /** A test hook that fails tasks on purpose ({@link FaultInjector#failOnce}); default none. */
        public Builder faultInjector(FaultInjector faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /** Tells {@code l} every step on the driver. */
        public Builder listener(ProgressListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * Sends {@code l} the run as {@link ComputeUpdate}s, as a local {@code Trainer} does: a
         * {@link ComputeUpdate.StepDone} per step (its timings are the run's mean time per step),
         * then {@link ComputeUpdate.Finished}, or {@link ComputeUpdate.Failed}. The viewer watches a
         * distributed run this way (its graph view stays empty: the graphs live in the tasks).
         */
        public Builder updateListener(ComputeUpdateListener l) {
            updateListeners.add(Objects.requireNonNull(l, "updateListener"));
            return this;
        }

        /** Checks the settings and makes the trainer. */
        public SparkTrainer build() {
            if (model == null) throw new IllegalStateException("SparkTrainer: no model; call model(...)");
            if (loss == null) throw new IllegalStateException("SparkTrainer: no loss; call loss(...)");
            if (optimizer == null) throw new IllegalStateException("SparkTrainer: no optimizer; call optimizer(...)");
            if (input == null) throw new IllegalStateException("SparkTrainer: no input; call input(...)");
            if (target == null) throw new IllegalStateException("SparkTrainer: no target; call target(...)");
            if (steps == 0) throw new IllegalStateException("SparkTrainer: no step count; call steps(...)");
            if (input.name().equals(target.name())) throw new IllegalArgumentException("SparkTrainer: input and target are both named '" + input.name() + "'");
            if (mode instanceof SyncMode.LocalSgd l && checkpointDir != null && checkpointEvery % l.localSteps() != 0) {
                throw new IllegalArgumentException("SparkTrainer: with local SGD every " + l.localSteps() + " steps, the checkpoint interval ("
                        + checkpointEvery + ") must be a multiple of it: the replicas are equal only right after an average");
            }
            Builder copy = new Builder();
            copy.model = model;
            copy.loss = loss;
            copy.optimizer = optimizer;
            copy.input = input;
            copy.target = target;
            copy.batch = batch;
            copy.backend = backend;
            copy.seed = seed;
            copy.steps = steps;
            copy.mode = mode;
            copy.shuffle = shuffle;
            copy.checkpointDir = checkpointDir;
            copy.checkpointEvery = checkpointEvery;
            copy.chunkFloats = chunkFloats;
            copy.faults = faults;
            copy.listeners.addAll(listeners);
            copy.updateListeners.addAll(updateListeners);
            return new SparkTrainer(copy);
        }
    }

    /** Nanoseconds per step, for the {@link StepTimings} of the updates. */
    static StepTimings timings(double nanosPerStep) {
        long n = (long) nanosPerStep;
        return new StepTimings(n, n);
    }
}
