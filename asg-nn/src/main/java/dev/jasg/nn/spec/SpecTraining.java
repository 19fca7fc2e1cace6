package dev.jasg.nn.spec;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.Layer;
import dev.jasg.nn.data.Collate;
import dev.jasg.nn.data.DataLoader;
import dev.jasg.nn.data.Dataset;
import dev.jasg.nn.data.Sample;
import dev.jasg.nn.optim.LrScheduler;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.StepListener;
import dev.jasg.nn.train.Trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.jasg.nn.spec.SpecException.Kind.TRAINING;
import static dev.jasg.nn.spec.SpecException.Kind.UNKNOWN_TYPE;

/**
 * Trains a spec's model with its training settings: the model of {@link ModelSpec#build()}, the
 * loss, optimizer, scheduler, batch size, epochs, seed and backend it names, on its dataset
 * ({@link SpecData}) through a {@link DataLoader} shuffled with the seed. The Java that
 * {@link JavaExport} writes makes the same calls in the same order, so it reproduces these losses.
 *
 * <p>Stateless; each call builds its own trainer, so calls may run on different threads.
 */
public final class SpecTraining {
    /** The feed name of the target; an input may not have it. */
    public static final String TARGET = "target";

    private SpecTraining() {}

    /**
     * A spec's training settings, resolved against the registries.
     *
     * @param loss            the loss
     * @param optimizer       the optimizer type
     * @param optimizerParams its resolved hyper-parameters
     * @param scheduler       the scheduler type, or null
     * @param schedulerParams its resolved hyper-parameters, or null
     * @param dataset         the dataset kind
     * @param datasetParams   its resolved parameters
     */
    public record Settings(LossType loss, OptimizerType optimizer, Map<String, Object> optimizerParams, SchedulerType scheduler,
                           Map<String, Object> schedulerParams, DatasetKind dataset, Map<String, Object> datasetParams) {}

    /** Checks the spec's training settings against the registries (and that the model has one input); returns them resolved. */
    public static Settings checkSettings(ModelSpec spec) {
        ModelSpec.Training t = spec.training();
        if (t == null) throw new SpecException(TRAINING, "/training", "the spec has no training settings");
        LossType loss = LossType.of(t.loss()).orElseThrow(() -> new SpecException(UNKNOWN_TYPE, "/training/loss",
                "unknown loss '" + t.loss() + "'; one of " + Arrays.stream(LossType.values()).map(LossType::jsonName).toList()));
        OptimizerType opt = OptimizerType.of(t.optimizer().type()).orElseThrow(() -> new SpecException(UNKNOWN_TYPE, "/training/optimizer/type",
                "unknown optimizer '" + t.optimizer().type() + "'; one of " + Arrays.stream(OptimizerType.values()).map(OptimizerType::jsonName).toList()));
        Map<String, Object> op = Param.resolve(opt.params(), t.optimizer().params(), "optimizer " + opt.jsonName(), "/training/optimizer/params");
        SchedulerType sched = null;
        Map<String, Object> sp = null;
        if (t.scheduler() != null) {
            sched = SchedulerType.of(t.scheduler().type()).orElseThrow(() -> new SpecException(UNKNOWN_TYPE, "/training/scheduler/type",
                    "unknown scheduler '" + t.scheduler().type() + "'; one of " + Arrays.stream(SchedulerType.values()).map(SchedulerType::jsonName).toList()));
            sp = Param.resolve(sched.params(), t.scheduler().params(), "scheduler " + sched.jsonName(), "/training/scheduler/params");
        }
        DatasetKind data = DatasetKind.of(t.dataset().type()).orElseThrow(() -> new SpecException(UNKNOWN_TYPE, "/training/dataset/type",
                "unknown dataset '" + t.dataset().type() + "'; one of " + Arrays.stream(DatasetKind.values()).map(DatasetKind::jsonName).toList()));
        Map<String, Object> dp = Param.resolve(data.params(), t.dataset().params(), "dataset " + data.jsonName(), "/training/dataset/params");
        double validation = ((Number) dp.get(DatasetKind.VALIDATION)).doubleValue();
        if (!(validation < 1)) throw new SpecException(SpecException.Kind.BAD_PARAMETER, "/training/dataset/params/" + DatasetKind.VALIDATION,
                "dataset " + data.jsonName() + ": the held-out fraction 'validation' must be below 1, got " + validation);
        if (spec.inputs().size() != 1) throw new SpecException(TRAINING, "/inputs", "training needs exactly one input, the spec has " + spec.inputs().size());
        ModelSpec.Input in = spec.inputs().get(0);
        if (in.name().equals(TARGET)) throw new SpecException(TRAINING, "/inputs/0/name", "the input may not be named '" + TARGET + "', the target's feed name");
        if (in.shape().isEmpty() || !(in.shape().get(0) instanceof String) || in.shape().stream().skip(1).anyMatch(d -> !(d instanceof Integer))) {
            throw new SpecException(TRAINING, "/inputs/0/shape", "training needs an input shape of a symbolic batch then sizes, like [\"B\", 1, 28, 28], got " + in.shape());
        }
        return new Settings(loss, opt, op, sched, sp, data, dp);
    }

    /** The per-example input shape (the input's shape without its batch axis). */
    static int[] exampleShape(ModelSpec spec) {
        return spec.inputs().get(0).shape().stream().skip(1).mapToInt(d -> (Integer) d).toArray();
    }

    /** The per-example target shape of a regression loss: the output's shape without its batch axis. */
    static int[] targetShape(ModelSpec spec) {
        Shape out = ShapeInference.inferAll(spec).getOrDefault(spec.output(), spec.inputs().get(0).toShape());
        int[] d = new int[out.rank() - 1];
        for (int i = 1; i < out.rank(); i++) {
            if (out.isSymbolic(i)) throw new SpecException(TRAINING, "/output", "the output shape " + out + " has a symbolic axis after the batch");
            d[i - 1] = out.dim(i);
        }
        return d;
    }

    /** The training data the spec names. */
    public static Dataset<Sample> dataset(ModelSpec spec) {
        Settings s = checkSettings(spec);
        Map<String, Object> p = s.datasetParams();
        int limit = (Integer) p.get("limit");
        return switch (s.dataset()) {
            case FASHION_MNIST -> SpecData.fashionMnist((String) p.get("dir"), limit);
            case CSV -> SpecData.csv((String) p.get("path"), (String) p.get("label_column"), (String) p.get("delimiter"), (Boolean) p.get("header"),
                    s.loss().classification() ? DType.I32 : DType.F32, limit);
            case IMAGE_FOLDER -> SpecData.imageFolder((String) p.get("path"), (Integer) p.get("height"), (Integer) p.get("width"), limit);
            case SYNTHETIC -> SpecData.synthetic(exampleShape(spec), (Integer) p.get("size"), s.loss().classification() ? (Integer) p.get("classes") : 0,
                    s.loss().classification() ? new int[0] : targetShape(spec), ((Integer) p.get("seed")).longValue(), limit);
        };
    }

    /**
     * Trains the spec's model for its epochs, at most {@code maxSteps} steps (0: the spec's
     * {@code max_steps}, or no limit), on a new backend of the spec's name; returns each step's loss.
     * {@code listener} (may be null) sees each step as it ends.
     */
    public static List<Double> train(ModelSpec spec, int maxSteps, StepListener listener) {
        return run(spec, maxSteps, listener, null, () -> true);
    }

    /** Sees each evaluation of the held-out examples: the step it followed and its metrics ({@value #VAL_LOSS}, {@value #ACCURACY}). */
    @FunctionalInterface
    public interface EvalListener {
        /** Called on the training thread after the evaluation following step {@code step}. */
        void onEval(long step, Map<String, Double> metrics);
    }

    /** The metric name of the mean loss over the held-out examples. */
    public static final String VAL_LOSS = "val_loss";
    /** The metric name of the fraction of held-out examples whose largest output is the label (classification losses). */
    public static final String ACCURACY = "accuracy";

    /**
     * {@link #train}, and also: {@code onTrainer} (may be null) gets the trainer once it is built,
     * before the first step (to add {@code ComputeUpdateListener}s for a live view), and
     * {@code proceed} is asked before every step; when it returns false, training ends there
     * (it may block, which pauses training). {@link TrainingSession} runs this on a thread.
     */
    public static List<Double> run(ModelSpec spec, int maxSteps, StepListener listener, java.util.function.Consumer<Trainer> onTrainer,
                                   java.util.function.BooleanSupplier proceed) {
        return run(spec, maxSteps, listener, null, onTrainer, proceed);
    }

    /**
     * {@link #run(ModelSpec, int, StepListener, java.util.function.Consumer, java.util.function.BooleanSupplier)},
     * evaluating the held-out part of the dataset (its {@code validation} fraction, the last
     * examples; the rest is trained on) every {@code eval_every} steps, at the end of every epoch
     * and at the end of training (unless that step was just evaluated): {@code onEval} (may be
     * null) sees each; an epoch's {@link dev.jasg.nn.train.ComputeUpdate.EpochDone} carries its
     * metrics, and a {@link dev.jasg.nn.train.ComputeUpdate.Finished} ends the trainer's updates.
     * Evaluation runs in eval mode and changes neither the parameters nor the random streams, so
     * the losses are those of a run without it.
     */
    public static List<Double> run(ModelSpec spec, int maxSteps, StepListener listener, EvalListener onEval, java.util.function.Consumer<Trainer> onTrainer,
                                   java.util.function.BooleanSupplier proceed) {
        Settings s = checkSettings(spec);
        Layer model = spec.build();
        ModelSpec.Training t = spec.training();
        int limit = maxSteps > 0 ? maxSteps : t.maxSteps();
        ModelSpec.Input in = spec.inputs().get(0);
        Dataset<Sample> all = dataset(spec);
        checkExamples(spec, s, all);
        double validation = ((Number) s.datasetParams().get(DatasetKind.VALIDATION)).doubleValue();
        int evalEvery = (Integer) s.datasetParams().get(DatasetKind.EVAL_EVERY);
        Dataset<Sample> data = SpecData.trainingPart(all, validation);
        Dataset<Sample> heldOut = SpecData.heldOutPart(all, validation);
        if (data.size() == 0) throw new SpecException(TRAINING, "/training/dataset/params/" + DatasetKind.VALIDATION,
                "holding out " + heldOut.size() + " of " + all.size() + " examples leaves none to train on");
        boolean classification = s.loss().classification();
        List<Double> losses = new ArrayList<>();
        try (Backend backend = Backends.create(t.backend())) {
            Optimizer optimizer = s.optimizer().create(s.optimizerParams(), "/training/optimizer/params");
            Trainer.Builder b = Trainer.builder(backend, model)
                    .input(in.name(), in.dtype(), in.shape().toArray())
                    .target(TARGET, classification ? DType.I32 : DType.F32, targetDims(spec, s))
                    .loss(s.loss().fn())
                    .optimizer(optimizer)
                    .seed(t.seed());
            if (s.scheduler() != null) {
                LrScheduler sched = s.scheduler().create(optimizer, s.schedulerParams(), "/training/scheduler/params");
                b.scheduler(sched, SchedulerType.perStep(s.schedulerParams()) ? Trainer.SchedulerInterval.STEP : Trainer.SchedulerInterval.EPOCH);
            }
            try (Trainer trainer = b.build();
                 DataLoader<Sample, Map<String, HostTensor>> loader = DataLoader.builder(data, Collate.stack(in.name(), TARGET))
                         .batchSize(t.batchSize()).shuffle(t.seed()).build()) {
                if (onTrainer != null) onTrainer.accept(trainer);
                long evaluated = -1;
                Map<String, Double> last = Map.of();
                epochs:
                for (int epoch = 0; epoch < t.epochs(); epoch++) {
                    for (Map<String, HostTensor> batch : loader) {
                        if (!proceed.getAsBoolean()) break epochs;
                        double loss = trainer.step(batch);
                        losses.add(loss);
                        if (listener != null) listener.onStep(losses.size(), loss);
                        if (evalEvery > 0 && losses.size() % evalEvery == 0 && heldOut.size() > 0) {
                            last = evaluate(trainer, heldOut, in.name(), t.batchSize(), classification);
                            evaluated = losses.size();
                            if (onEval != null) onEval.onEval(evaluated, last);
                        }
                        if (limit > 0 && losses.size() >= limit) break epochs;
                    }
                    if (heldOut.size() > 0 && evaluated != losses.size()) {
                        last = evaluate(trainer, heldOut, in.name(), t.batchSize(), classification);
                        evaluated = losses.size();
                        if (onEval != null) onEval.onEval(evaluated, last);
                    }
                    trainer.endEpoch(heldOut.size() > 0 ? last : Map.of());
                }
                if (heldOut.size() > 0 && evaluated != losses.size() && !losses.isEmpty()) {
                    last = evaluate(trainer, heldOut, in.name(), t.batchSize(), classification);
                    evaluated = losses.size();
                    if (onEval != null) onEval.onEval(evaluated, last);
                }
                trainer.publish(new ComputeUpdate.Finished(trainer.steps()));
            }
        }
        return losses;
    }

    /**
     * Evaluates {@code trainer}'s model (eval mode, no updates) on {@code data} in order, in
     * batches of {@code batchSize} fed as input {@code inputName} and target {@value #TARGET}:
     * {@value #VAL_LOSS}, the loss averaged over the examples (each batch's mean loss weighted by
     * its size), and for {@code classification} also {@value #ACCURACY}, the fraction of examples
     * whose largest output (the first, on ties) is at the label's index.
     */
    public static Map<String, Double> evaluate(Trainer trainer, Dataset<Sample> data, String inputName, int batchSize, boolean classification) {
        if (data.size() == 0) throw new IllegalArgumentException("evaluate: no examples");
        double lossSum = 0;
        long correct = 0;
        long n = 0;
        try (DataLoader<Sample, Map<String, HostTensor>> loader = DataLoader.builder(data, Collate.stack(inputName, TARGET)).batchSize(batchSize).build()) {
            for (Map<String, HostTensor> batch : loader) {
                Map<String, HostTensor> out = trainer.evaluate(batch);
                HostTensor target = batch.get(TARGET);
                int b = target.shape().dim(0);
                lossSum += out.get(Trainer.LOSS).item() * b;
                if (classification) {
                    double[] y = out.get(Trainer.OUTPUT).toDoubles();
                    int classes = y.length / b;
                    for (int i = 0; i < b; i++) {
                        int best = 0;
                        for (int c = 1; c < classes; c++) if (y[i * classes + c] > y[i * classes + best]) best = c;
                        if (best == (int) target.get(i)) correct++;
                    }
                }
                n += b;
            }
        }
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put(VAL_LOSS, lossSum / n);
        if (classification) m.put(ACCURACY, (double) correct / n);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Checks that the dataset's first example fits the input and the loss's target, so a mismatch
     * is reported in the spec's terms ({@code /training/dataset}) rather than by the trainer's feed check.
     */
    static void checkExamples(ModelSpec spec, Settings s, Dataset<Sample> data) {
        if (data.size() == 0) throw new SpecException(TRAINING, "/training/dataset", "the dataset is empty");
        Sample first = data.get(0);
        int[] x = first.features().shape().dims();
        int[] want = exampleShape(spec);
        if (!Arrays.equals(x, want)) {
            throw new SpecException(TRAINING, "/training/dataset", "the dataset's examples have shape " + Arrays.toString(x) + " but the input '"
                    + spec.inputs().get(0).name() + "' takes " + Arrays.toString(want) + " per example");
        }
        int[] y = first.label().shape().dims();
        int[] target = s.loss().classification() ? new int[0] : targetShape(spec);
        if (!Arrays.equals(y, target)) {
            throw new SpecException(TRAINING, "/training/dataset", "the dataset's labels have shape " + Arrays.toString(y) + " per example but the loss "
                    + s.loss().jsonName() + " on the output '" + spec.output() + "' needs " + Arrays.toString(target)
                    + (s.loss().classification() ? " (a class index)" : " (the output's shape without the batch)"));
        }
    }

    /** The target's dimensions as {@link Trainer.Builder#target} takes them: {@code "B"} then the per-example shape. */
    static Object[] targetDims(ModelSpec spec, Settings s) {
        Object batch = spec.inputs().get(0).shape().get(0);
        if (s.loss().classification()) return new Object[] {batch};
        int[] d = targetShape(spec);
        Object[] out = new Object[d.length + 1];
        out[0] = batch;
        for (int i = 0; i < d.length; i++) out[i + 1] = d[i];
        return out;
    }
}
