package dev.jasg.viewer.demo;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateListener;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.nn.train.Trainer;
import dev.jasg.viewer.lab.EditPreview;
import dev.jasg.viewer.lab.GraphEdit;
import dev.jasg.viewer.lab.GuiCommand;
import dev.jasg.viewer.lab.Insert;
import dev.jasg.viewer.lab.LabSession;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The README's Model Lab demo, measured: an MLP {@code 784-h-h-10} overfits a small Fashion-MNIST
 * subset; after {@code editStep} steps Dropout(p) goes between its two hidden Linear layers
 * through {@link LabSession#apply(GraphEdit)} (the path the window's "Insert here..." dialog
 * takes), and training continues. After every epoch (one pass over the subset) the trainer's
 * eval-mode loss and accuracy on the training subset and on held-out images are measured and sent
 * with the {@link ComputeUpdate.EpochDone} ({@code train_loss}, {@code val_loss},
 * {@code train_accuracy}, {@code accuracy}), so the loss chart draws both curves. {@link #run} with
 * no edit, from the same seed, is the control: the generalisation gap (held-out loss minus training
 * loss) after the edit is smaller with Dropout than without.
 *
 * <pre>
 * java -cp viewer.jar dev.jasg.viewer.demo.DropoutDemo     # prints both runs' curves and gaps
 * </pre>
 *
 * Not thread-safe: one run at a time per instance of its data.
 */
public final class DropoutDemo {
    private DropoutDemo() {}

    /**
     * The experiment's sizes.
     *
     * @param hidden     the width of the two hidden layers
     * @param train      training images (the first ones of Fashion-MNIST's training set)
     * @param batch      batch size; an epoch is {@code train / batch} steps
     * @param editEpochs epochs before the edit
     * @param epochs     epochs in all
     * @param p          the dropout probability
     * @param lr         Adam's learning rate
     * @param seed       the seed of the weights, the batch order and the dropout masks
     */
    public record Config(int hidden, int train, int batch, int editEpochs, int epochs, double p, double lr, long seed) {
        /**
         * The README's and the test's run: 784-128-128-10 on 1,000 images, batches of 50, Dropout(0.3)
         * after 3 of 15 epochs (300 steps), Adam(1e-3), seed 7.
         */
        public static Config small() {
            return new Config(128, 1000, 50, 3, 15, 0.3, 1e-3, 7);
        }

        /** Steps before the edit. */
        public long editStep() {
            return (long) editEpochs * (train / batch);
        }
    }

    /** One evaluation, after epoch {@code epoch} (step {@code step}), in eval mode. */
    public record Point(int epoch, long step, double trainLoss, double valLoss, double trainAccuracy, double valAccuracy) {
        /** Held-out loss minus training loss. */
        public double gap() {
            return valLoss - trainLoss;
        }
    }

    /** A run's evaluations, and the edit's result (null for the control). */
    public record Run(List<Point> points, EditPreview edit) {
        /** The mean gap over the evaluations after step {@code from}. */
        public double meanGapAfter(long from) {
            return points.stream().filter(p -> p.step() > from).mapToDouble(Point::gap).average().orElse(Double.NaN);
        }

        /** The mean of training accuracy minus held-out accuracy after step {@code from}. */
        public double meanAccuracyGapAfter(long from) {
            return points.stream().filter(p -> p.step() > from).mapToDouble(p -> p.trainAccuracy() - p.valAccuracy()).average().orElse(Double.NaN);
        }
    }

    /** The model: {@code Flatten, Linear(784,h), ReLU, Linear(h,h), ReLU, Linear(h,10)}; scopes 0 to 5. */
    public static Sequential model(int hidden) {
        return new Sequential(new Flatten(), new Linear(784, hidden), new ReLU(), new Linear(hidden, hidden), new ReLU(), new Linear(hidden, 10));
    }

    /** The edit: {@code what} between the first hidden layer's ReLU (scope 2) and the second Linear (scope 3). */
    public static GraphEdit edit(Insert what) {
        return GraphEdit.insertBetween("2", "3", what);
    }

    /**
     * Builds the session of {@code c} on {@code data} (training images as loaded, held-out images
     * from its test set), paused; {@link #drive} runs it.
     */
    public static LabSession session(Backend backend, Config c, DemoData data, List<ComputeUpdateListener> listeners) throws IOException {
        DemoData all = DemoData.load(data.directory(), data.directory() == null, c.train(), c.train(), c.seed());
        all.startEpoch(1);
        Map<String, HostTensor> everything = all.next();
        HostTensor trainX = everything.get("x");
        int[] trainY = labels(everything.get("y"));
        HostTensor valX = data.testImages();
        int[] valY = data.testLabels();
        LabSession.Builder b = LabSession.builder(backend, model(c.hidden()))
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy).optimizer(new Adam(c.lr())).data(data).epochs(c.epochs()).seed(c.seed()).startPaused(true)
                .evaluator(t -> {
                    Map<String, Double> m = new LinkedHashMap<>();
                    double[] tr = lossAndAccuracy(t, trainX, trainY), va = lossAndAccuracy(t, valX, valY);
                    m.put("train_loss", tr[0]);
                    m.put("val_loss", va[0]);
                    m.put("train_accuracy", tr[1]);
                    m.put("accuracy", va[1]);
                    return m;
                });
        for (ComputeUpdateListener l : listeners) b.listener(l);
        return b.build();
    }

    /**
     * Runs {@code lab} (built by {@link #session}, not started) to the end: {@code editStep} steps,
     * then {@code edit} (null: none) through {@link LabSession#apply(GraphEdit)}, then the rest.
     * Returns the edit's result, or null.
     */
    public static EditPreview drive(LabSession lab, long editStep, GraphEdit edit, Duration timeout) throws Exception {
        lab.start();
        for (long s = 0; s < editStep; s++) lab.send(new GuiCommand.Step());
        // Commands run in order: the edit is checked and applied after exactly editStep steps.
        var applied = edit == null ? null : lab.apply(edit);
        lab.send(new GuiCommand.Resume());
        EditPreview r = applied == null ? null : applied.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!lab.awaitState(timeout, LabSession.State.FINISHED, LabSession.State.FAILED, LabSession.State.STOPPED)) {
            throw new IllegalStateException("the demo did not finish within " + timeout);
        }
        if (lab.state() != LabSession.State.FINISHED) throw new IllegalStateException("the demo ended " + lab.state());
        return r;
    }

    /** One run of {@code c} with {@code what} inserted (null: the control), without a window. */
    public static Run run(Backend backend, Config c, DemoData data, Insert what) throws Exception {
        List<Point> points = new CopyOnWriteArrayList<>();
        long perEpoch = c.train() / c.batch();
        ComputeUpdateListener collect = u -> {
            if (u instanceof ComputeUpdate.EpochDone e) {
                Map<String, Double> metrics = e.metrics();
                points.add(new Point(e.epoch(), e.epoch() * perEpoch, metrics.get("train_loss"), metrics.get("val_loss"), metrics.get("train_accuracy"),
                        metrics.get("accuracy")));
            }
        };
        try (LabSession lab = session(backend, c, data, List.of(collect))) {
            EditPreview r = drive(lab, c.editStep(), what == null ? null : edit(what), Duration.ofMinutes(10));
            return new Run(List.copyOf(points), r);
        }
    }

    /** Fashion-MNIST (Debian's directory) limited to {@code c.train()} images, batches of {@code c.batch()}; synthetic when absent. */
    public static DemoData data(Config c) throws IOException {
        return DemoData.load(null, false, c.batch(), c.train(), c.seed());
    }

    /** Mean cross-entropy and accuracy of the trainer's eval-mode logits for {@code x}. */
    static double[] lossAndAccuracy(Trainer t, HostTensor x, int[] y) {
        HostTensor logits = t.predict(x);
        int n = y.length, k = logits.shape().dim(1), right = 0;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits.get(i * k + j));
            double sum = 0;
            for (int j = 0; j < k; j++) {
                double v = logits.get(i * k + j);
                sum += Math.exp(v - max);
                if (v > logits.get(i * k + best)) best = j;
            }
            loss += max + Math.log(sum) - logits.get(i * k + y[i]);
            if (best == y[i]) right++;
        }
        return new double[] {loss / n, right / (double) n};
    }

    private static int[] labels(HostTensor t) {
        int[] out = new int[(int) t.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) t.get(i);
        return out;
    }

    /** Prints both runs of {@link Config#small} (or of the 8 arguments, the fields of a {@link Config}) and the gaps. */
    public static void main(String[] args) throws Exception {
        Config c = Config.small();
        if (args.length == 8) {
            c = new Config(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Double.parseDouble(args[5]), Double.parseDouble(args[6]), Long.parseLong(args[7]));
        }
        PrintStream out = System.out;
        try (Backend backend = Backends.create("cpu")) {
            DemoData data = data(c);
            out.println(c + " on " + data.description());
            Run control = run(backend, c, data(c), null);
            Run dropout = run(backend, c, data(c), Insert.dropout(c.p()));
            out.println("epoch  step  | control: train_loss val_loss gap  | dropout: train_loss val_loss gap");
            for (int i = 0; i < Math.min(control.points().size(), dropout.points().size()); i++) {
                Point a = control.points().get(i), b = dropout.points().get(i);
                out.printf("%5d %5d  |  %.4f %.4f %.4f  |  %.4f %.4f %.4f%n", a.epoch(), a.step(), a.trainLoss(), a.valLoss(), a.gap(), b.trainLoss(), b.valLoss(), b.gap());
            }
            out.printf("mean gap after the edit: control %.4f, dropout %.4f; accuracy gap: control %.4f, dropout %.4f%n",
                    control.meanGapAfter(c.editStep()), dropout.meanGapAfter(c.editStep()),
                    control.meanAccuracyGapAfter(c.editStep()), dropout.meanAccuracyGapAfter(c.editStep()));
        }
    }
}
