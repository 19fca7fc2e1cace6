package dev.jasg.examples;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendUnavailableException;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Shape;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.ConvOptions;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.MaxPool2d;
import dev.jasg.nn.Linear;
import dev.jasg.nn.Layer;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.data.Collate;
import dev.jasg.nn.data.DataLoader;
import dev.jasg.nn.data.Dataset;
import dev.jasg.nn.data.InMemoryDataset;
import dev.jasg.nn.data.MapDataset;
import dev.jasg.nn.data.Sample;
import dev.jasg.nn.data.transform.Normalize;
import dev.jasg.nn.io.CheckpointManager;
import dev.jasg.nn.io.CheckpointState;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.metrics.Classification;
import dev.jasg.nn.metrics.ProgressBar;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.optim.Optimizer;
import dev.jasg.nn.optim.SGD;
import dev.jasg.nn.optim.CosineAnnealingLR;
import dev.jasg.nn.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Classifies Fashion-MNIST clothing images with a 784-256-128-10 ReLU MLP, trained with
 * cross-entropy and Adam (learning rate 2e-3, cosine-annealed to 0 over the run, batch 128).
 * On the CPU, batch 128 passes 88% test accuracy in four epochs, a third sooner in wall time
 * than batch 64 at 1e-3; {@code --optimizer sgd} (Nesterov momentum 0.9, lr 0.05) gets there
 * in four epochs too, and Adam stays the default as the less rate-sensitive of the two. Each epoch it
 * evaluates the 10,000 test images, prints the test loss, accuracy and the epoch's time, and
 * saves a checkpoint (weights and optimizer state) keeping the last two and the best by test
 * accuracy.
 *
 * <p>The data comes from Debian's {@code dataset-fashion-mnist} package
 * ({@value dev.jasg.nn.data.FashionMnist#DEBIAN_DIR}) or {@code --data DIR}. Pixels are scaled
 * to [0, 1] and standardised with the training set's mean and standard deviation.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=dev.jasg.examples.FashionMnist -Dexec.args="--epochs 5"</pre>
 */
public final class FashionMnist {
    /** The test accuracy the MLP is expected to reach within five epochs on the full training set. */
    public static final double TARGET_ACCURACY = 0.88;

    /** Mean and standard deviation of the training pixels after scaling to [0, 1]. */
    static final double PIXEL_MEAN = 0.2860, PIXEL_STD = 0.3530;

    /** Layer widths of the MLP. */
    static final int[] MLP_LAYERS = {784, 256, 128, 10};

    static final String USAGE = """
            usage: FashionMnist [options]
              --data DIR      directory holding the four Fashion-MNIST IDX files, plain or .gz
                              (default %s, from 'apt-get install dataset-fashion-mnist')
              --out DIR       checkpoint directory (default: a new temporary directory under ./target,
                              or under the system temporary directory when there is no ./target)
              --model NAME    mlp (784-256-128-10, ReLU) or cnn (two conv3x3+ReLU+maxpool2 blocks of 32 and 64
                              channels, Linear 3136-128, ReLU, Linear 128-10) (default mlp)
              --epochs N      training epochs (default 5)
              --batch N       training batch size (default 128)
              --optimizer O   adam, or sgd (Nesterov momentum 0.9) (default adam)
              --lr X          learning rate, cosine-annealed to 0 over the epochs
                              (default 0.002 for adam, 0.05 for sgd)
              --limit N       train on the first N training images only (default all 60000)
              --test-limit N  evaluate on the first N test images only (default all 10000)
              --seed N        seed of the initialisation and the shuffle (default 0)
              --backend NAME  cpu, reference or vulkan (default cpu)
              --gpu           short for --backend vulkan
              --mixed T       mixed precision: products and convolutions in T (f16 or bf16) with f32
                              accumulation, f32 master weights, loss scaling for f16 (default off: f32)
              --help          print this help and exit
            """.formatted(dev.jasg.nn.data.FashionMnist.DEBIAN_DIR);

    private FashionMnist() {}

    /**
     * The parsed command line.
     *
     * @param data      dataset directory, or null for the Debian default
     * @param out       checkpoint directory, or null for a new temporary one
     * @param model     architecture name, {@code mlp} or {@code cnn}
     * @param epochs    epochs to train
     * @param batch     training batch size
     * @param optimizer {@code adam} or {@code sgd}
     * @param lr        initial learning rate, or NaN for the optimizer's default ({@link #learningRate()})
     * @param limit     training images to use (0: all)
     * @param testLimit test images to evaluate (0: all)
     * @param seed      seed of the parameter store and the shuffle
     * @param backend   backend name
     * @param mixed     the half type of mixed-precision training ({@code Trainer.Builder.mixedPrecision}), or null for f32
     * @param help      whether {@code --help} was given
     */
    public record Options(Path data, Path out, String model, int epochs, int batch, String optimizer, double lr, int limit,
                          int testLimit, long seed, String backend, DType mixed, boolean help) {
        /** The defaults: Debian data, temporary checkpoints, mlp, 5 epochs, batch 128, Adam at its default rate, all images, seed 0, cpu, f32. */
        public static Options defaults() {
            return new Options(null, null, "mlp", 5, 128, "adam", Double.NaN, 0, 0, 0, "cpu", null, false);
        }

        /** The initial learning rate: {@link #lr()}, or 2e-3 for Adam and 0.05 for SGD when none was given. */
        public double learningRate() {
            return !Double.isNaN(lr) ? lr : optimizer.equals("sgd") ? 0.05 : 2e-3;
        }
    }

    /** A command line that cannot be run; the message says what is wrong with it. */
    public static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Parses {@code args}; throws {@link UsageException} on an unknown flag, a missing value or a bad number. */
    public static Options parse(String[] args) {
        Options o = Options.defaults();
        Path data = o.data(), out = o.out();
        String model = o.model(), backend = o.backend(), optimizer = o.optimizer();
        int epochs = o.epochs(), batch = o.batch(), limit = o.limit(), testLimit = o.testLimit();
        double lr = o.lr();
        long seed = o.seed();
        DType mixed = o.mixed();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--gpu" -> backend = "vulkan";
                case "--data" -> data = Path.of(value(args, i++));
                case "--out" -> out = Path.of(value(args, i++));
                case "--backend" -> backend = value(args, i++);
                case "--model" -> {
                    model = value(args, i++);
                    if (!model.equals("mlp") && !model.equals("cnn")) throw new UsageException("unknown model '" + model + "' (mlp or cnn)");
                }
                case "--epochs" -> epochs = positiveInt(flag, value(args, i++));
                case "--batch" -> batch = positiveInt(flag, value(args, i++));
                case "--limit" -> limit = positiveInt(flag, value(args, i++));
                case "--test-limit" -> testLimit = positiveInt(flag, value(args, i++));
                case "--seed" -> seed = parseNumber(flag, value(args, i++), Long::parseLong);
                case "--optimizer" -> {
                    optimizer = value(args, i++);
                    if (!optimizer.equals("adam") && !optimizer.equals("sgd")) throw new UsageException("unknown optimizer '" + optimizer + "' (adam or sgd)");
                }
                case "--lr" -> {
                    lr = parseNumber(flag, value(args, i++), Double::parseDouble);
                    if (!(lr > 0) || Double.isInfinite(lr)) throw new UsageException("--lr must be a positive number, got " + args[i]);
                }
                case "--mixed" -> {
                    String t = value(args, i++);
                    mixed = switch (t) {
                        case "f16" -> DType.F16;
                        case "bf16" -> DType.BF16;
                        default -> throw new UsageException("--mixed takes f16 or bf16, got '" + t + "'");
                    };
                }
                default -> throw new UsageException("unknown option '" + flag + "'");
            }
        }
        return new Options(data, out, model, epochs, batch, optimizer, lr, limit, testLimit, seed, backend, mixed, help);
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) throw new UsageException(args[i] + " needs a value");
        return args[i + 1];
    }

    private static int positiveInt(String flag, String s) {
        int n = parseNumber(flag, s, Integer::parseInt);
        if (n < 1) throw new UsageException(flag + " must be a positive integer, got " + s);
        return n;
    }

    private static <N> N parseNumber(String flag, String s, java.util.function.Function<String, N> parser) {
        try {
            return parser.apply(s);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a number, got '" + s + "'");
        }
    }

    // ---- training --------------------------------------------------------------------------------

    /** One epoch's figures: mean training loss, test loss and accuracy, seconds spent training and evaluating. */
    public record EpochStats(int epoch, double trainLoss, double testLoss, double testAccuracy, double trainSeconds, double evalSeconds) {}

    /** A finished run: each epoch's figures, the checkpoint directory and the best checkpoint. */
    public record Result(List<EpochStats> epochs, Path checkpoints, Path best) {
        /** Test accuracy after the last epoch. */
        public double finalAccuracy() {
            return epochs.get(epochs.size() - 1).testAccuracy();
        }

        /** Mean training seconds per epoch. */
        public double secondsPerEpoch() {
            return epochs.stream().mapToDouble(EpochStats::trainSeconds).average().orElse(Double.NaN);
        }
    }

    /** The MLP: flatten [B, 1, 28, 28] to [B, 784], then Linear-ReLU-Linear-ReLU-Linear to 10 logits. */
    public static Layer mlp() {
        return new Sequential(new Flatten(),
                new Linear(MLP_LAYERS[0], MLP_LAYERS[1]), new ReLU(),
                new Linear(MLP_LAYERS[1], MLP_LAYERS[2]), new ReLU(),
                new Linear(MLP_LAYERS[2], MLP_LAYERS[3]));
    }

    /**
     * The CNN: two blocks of Conv2d 3x3 (padding 1) + ReLU + MaxPool2d(2), 1->32->64 channels,
     * then flatten [B, 64*7*7 = 3136], Linear 3136->128, ReLU, Linear 128->10.
     */
    public static Layer cnn() {
        ConvOptions same = ConvOptions.defaults().padding(1);
        return new Sequential(
                new Conv2d(1, 32, 3, same), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, same), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(64 * 7 * 7, 128), new ReLU(), new Linear(128, 10));
    }

    /** The model {@code name} names: {@link #mlp()} or {@link #cnn()}. */
    static Layer model(String name) {
        return name.equals("cnn") ? cnn() : mlp();
    }

    /** A one-line description of the model {@code name} names. */
    static String describe(String name) {
        return name.equals("cnn") ? "CNN conv(1-32)-pool-conv(32-64)-pool-3136-128-10 (ReLU)" : "MLP 784-256-128-10 (ReLU)";
    }

    /** The first {@code n} examples of {@code d} (all of them when {@code n} is 0 or at least its size), copied. */
    public static InMemoryDataset first(InMemoryDataset d, int n) {
        if (n <= 0 || n >= d.size()) return d;
        return new InMemoryDataset(firstRows(d.features(), n), firstRows(d.labels(), n));
    }

    private static HostTensor firstRows(HostTensor t, int n) {
        int[] dims = t.shape().dims().clone();
        int per = t.size() / dims[0];
        dims[0] = n;
        return HostTensor.of(t.dtype(), Shape.of(dims), Arrays.copyOf(t.floats(), n * per));
    }

    /**
     * Trains the model of {@code o} on {@code train} for {@code o.epochs()} epochs on {@code backend},
     * evaluating on {@code test} and checkpointing into {@code checkpoints} after each epoch;
     * {@code bar} shows the batches, {@code onEpoch} sees each epoch's figures.
     */
    public static Result train(Backend backend, InMemoryDataset train, InMemoryDataset test, Options o, Path checkpoints,
                               ProgressBar bar, Consumer<EpochStats> onEpoch) throws IOException {
        Layer model = model(o.model());
        Optimizer optimizer = o.optimizer().equals("sgd") ? new SGD(o.learningRate(), 0.9, 0, 0, true) : new Adam(o.learningRate());
        CosineAnnealingLR schedule = new CosineAnnealingLR(optimizer, o.epochs());
        CheckpointManager manager = new CheckpointManager(checkpoints, 2, "test_accuracy", CheckpointManager.Mode.MAX, 1);
        List<EpochStats> history = new ArrayList<>();
        Trainer.Builder builder = Trainer.builder(backend, model)
                .input("x", DType.F32, "B", 1, 28, 28)
                .target("y", DType.I32, "B")
                .loss(Losses::crossEntropy)
                .optimizer(optimizer)
                .scheduler(schedule)
                .seed(o.seed());
        if (o.mixed() != null) builder.mixedPrecision(o.mixed());
        try (Trainer trainer = builder.build();
             DataLoader<Sample, Map<String, HostTensor>> loader = DataLoader.builder(standardised(train), Collate.stack("x", "y"))
                     .batchSize(o.batch()).shuffle(o.seed()).prefetch(4).build();
             DataLoader<Sample, Map<String, HostTensor>> testLoader = DataLoader.builder(standardised(test), Collate.stack("x", "y"))
                     .batchSize(1000).build()) {
            for (int epoch = 1; epoch <= o.epochs(); epoch++) {
                long t0 = System.nanoTime();
                bar.startEpoch(epoch, o.epochs(), loader.batchesPerEpoch());
                double lossSum = 0;
                long seen = 0;
                for (Map<String, HostTensor> batch : loader) {
                    int n = batch.get("y").size();
                    double loss = trainer.step(batch);
                    lossSum += loss * n;
                    seen += n;
                    bar.step(n, loss);
                }
                bar.endEpoch();
                trainer.endEpoch();
                long t1 = System.nanoTime();
                double[] eval = evaluate(trainer, testLoader);
                long t2 = System.nanoTime();
                EpochStats stats = new EpochStats(epoch, lossSum / seen, eval[0], eval[1], (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                history.add(stats);
                manager.save(trainer.parameters(), checkpointState(stats, trainer, loader, o));
                onEpoch.accept(stats);
            }
        }
        Optional<Path> best = manager.best();
        return new Result(history, checkpoints, best.orElse(null));
    }

    /** Test loss (mean over examples) and accuracy of the trainer's current weights, batch by batch through {@link Trainer#evaluate}. */
    static double[] evaluate(Trainer trainer, DataLoader<Sample, Map<String, HostTensor>> testLoader) {
        int total = testLoader.batchesPerEpoch();
        List<int[]> predicted = new ArrayList<>(total), actual = new ArrayList<>(total);
        double lossSum = 0;
        int n = 0;
        for (Map<String, HostTensor> batch : testLoader) {
            Map<String, HostTensor> out = trainer.evaluate(batch);
            int[] labels = Classification.labels(batch.get("y"));
            predicted.add(Classification.argmax(out.get(Trainer.OUTPUT)));
            actual.add(labels);
            lossSum += out.get(Trainer.LOSS).item() * labels.length;
            n += labels.length;
        }
        return new double[] {lossSum / n, Classification.accuracy(concat(predicted, n), concat(actual, n))};
    }

    private static int[] concat(List<int[]> parts, int n) {
        int[] all = new int[n];
        int k = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, all, k, p.length);
            k += p.length;
        }
        return all;
    }

    /** Standardises each image lazily (the loader's worker thread does it while the trainer runs). */
    private static Dataset<Sample> standardised(InMemoryDataset d) {
        Normalize normalize = new Normalize(new double[] {PIXEL_MEAN}, new double[] {PIXEL_STD});
        return new MapDataset<>(d, s -> s.withFeatures(normalize.apply(s.features())));
    }

    private static CheckpointState checkpointState(EpochStats s, Trainer trainer, DataLoader<?, ?> loader, Options o) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", s.trainLoss());
        metrics.put("test_loss", s.testLoss());
        metrics.put("test_accuracy", s.testAccuracy());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", o.model());
        if (o.model().equals("mlp")) config.put("layers", Arrays.stream(MLP_LAYERS).boxed().toList());
        else config.put("description", describe(o.model()));
        config.put("activation", "relu");
        config.put("batch", o.batch());
        config.put("optimizer", o.optimizer());
        config.put("lr", o.learningRate());
        config.put("epochs", o.epochs());
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("init_seed", o.seed());
        rng.put("loader", loader.state());
        Object scheduler = trainer.state().get("scheduler");
        @SuppressWarnings("unchecked")
        Map<String, Object> schedulerState = scheduler instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        return CheckpointState.at(s.epoch(), trainer.steps()).withMetrics(metrics).withModelConfig(config)
                .withRng(rng).withScheduler(schedulerState);
    }

    // ---- command line ----------------------------------------------------------------------------

    /**
     * Runs the program on {@code args}, writing results to {@code out} and problems to {@code err};
     * returns the exit status: 0 done, 2 a bad command line, missing data or an unavailable backend.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (UsageException e) {
            err.println("FashionMnist: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (o.help()) {
            out.print(USAGE);
            return 0;
        }
        Path dataDir = o.data() != null ? o.data() : Path.of(dev.jasg.nn.data.FashionMnist.DEBIAN_DIR);
        if (dev.jasg.nn.data.FashionMnist.find(dataDir).isEmpty()) {
            err.println("FashionMnist: " + missingDataMessage(dataDir));
            return 2;
        }
        Backend backend;
        try {
            backend = Backends.create(o.backend());
        } catch (BackendUnavailableException e) {
            err.println("FashionMnist: the '" + o.backend() + "' backend is not available: " + e.getMessage());
            if (o.backend().equalsIgnoreCase("vulkan")) {
                err.println("The GPU backend needs the asg-runtime-gpu module on the class path and a Vulkan device"
                        + " (Mesa's lavapipe works on any machine: apt-get install libvulkan1 mesa-vulkan-drivers).");
            }
            return 2;
        }
        try (backend) {
            InMemoryDataset train = first(dev.jasg.nn.data.FashionMnist.train(dataDir), o.limit());
            InMemoryDataset test = first(dev.jasg.nn.data.FashionMnist.test(dataDir), o.testLimit());
            Path checkpoints = o.out() != null ? o.out() : defaultOutDir();
            out.printf(Locale.ROOT, "JASG Fashion-MNIST on the '%s' backend: %s, cross-entropy, %s lr %s (cosine-annealed), batch %d%n",
                    backend.name(), describe(o.model()), o.optimizer().equals("sgd") ? "SGD (Nesterov momentum 0.9)" : "Adam", o.learningRate(), o.batch());
            out.printf(Locale.ROOT, "data: %s (%d training, %d test images); checkpoints: %s%n", dataDir, train.size(), test.size(), checkpoints.toAbsolutePath());
            Result r = train(backend, train, test, o, checkpoints, ProgressBar.forConsole(out), s -> out.printf(Locale.ROOT,
                    "epoch %d/%d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  %.1f s training (%.0f images/s), %.1f s evaluating%n",
                    s.epoch(), o.epochs(), s.trainLoss(), s.testLoss(), 100 * s.testAccuracy(), s.trainSeconds(),
                    train.size() / s.trainSeconds(), s.evalSeconds()));
            out.printf(Locale.ROOT, "final test accuracy %.2f%% after %d epochs, %.1f s per epoch (training)%n",
                    100 * r.finalAccuracy(), o.epochs(), r.secondsPerEpoch());
            if (r.best() != null) out.println("best checkpoint: " + r.best().toAbsolutePath());
            return 0;
        } catch (IOException e) {
            err.println("FashionMnist: " + e.getMessage());
            return 1;
        }
    }

    /** What to say when the dataset is not in {@code dir}: which files and how to get them. */
    static String missingDataMessage(Path dir) {
        return "Fashion-MNIST not found in " + dir
                + " (need train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz).\n"
                + "On Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (installs them in " + dev.jasg.nn.data.FashionMnist.DEBIAN_DIR + "),\n"
                + "or download the four files from https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) and pass --data DIR.";
    }

    /** A new directory under {@code ./target} when the program runs from a Maven module, else under the system temporary directory. */
    private static Path defaultOutDir() throws IOException {
        Path target = Path.of("target");
        return Files.isDirectory(target) ? Files.createTempDirectory(target, "fashion-mnist-")
                : Files.createTempDirectory("jasg-fashion-mnist-");
    }

    /** Runs {@link #run} and exits with its status when that is not 0. */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) System.exit(status);
    }
}
