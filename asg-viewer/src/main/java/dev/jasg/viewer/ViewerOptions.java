package dev.jasg.viewer;

import dev.jasg.nn.data.FashionMnist;
import dev.jasg.viewer.demo.DemoModel;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * The command line of {@code viewer.jar}.
 *
 * @param language     the language, or null when {@code --lang} named none we know ({@link #languageArg()} has it)
 * @param languageArg  what {@code --lang} said, or null
 * @param backend      backend name ({@code --gpu} is {@code vulkan})
 * @param model        the demo model
 * @param data         Fashion-MNIST directory, or null for Debian's
 * @param synthetic    synthetic images even when Fashion-MNIST is there
 * @param epochs       epochs to train, 0 for no limit
 * @param steps        steps to train, 0 for no limit
 * @param batch        batch size
 * @param lr           learning rate of AdamW
 * @param limit        training images to use, 0 for all
 * @param seed         seed of the weights and the batch order
 * @param headless     no window
 * @param dark         the dark look
 * @param paused       start paused
 * @param help         {@code --help} was given
 */
public record ViewerOptions(Language language, String languageArg, String backend, DemoModel model, Path data, boolean synthetic, int epochs,
                            long steps, int batch, double lr, int limit, long seed, boolean headless, boolean dark, boolean paused, boolean help) {

    /** The usage text. */
    public static final String USAGE = """
            usage: java -jar viewer.jar [options]
            Trains a small model live and shows its graph, an EN/RU node inspector and the loss chart.
              --lang LANG      language of the window and the progress lines: en or ru
                               (also english, russian; any case); unknown values fall back to English
              --gpu            train on the Vulkan GPU backend; without a Vulkan device the CPU is used
              --backend NAME   cpu, vulkan or reference (default cpu)
              --model NAME     mlp, cnn or transformer (default transformer)
              --data DIR       directory of the four Fashion-MNIST files, plain or .gz (default %s;
                               without the dataset, synthetic shapes are used)
              --synthetic      use synthetic shapes even when Fashion-MNIST is present
              --epochs N       epochs to train (default 5; 0 trains until stopped)
              --steps N        stop after N steps (default: no limit)
              --batch N        batch size (default 64)
              --lr X           AdamW learning rate (default 0.002)
              --limit N        use the first N training images only (default: all)
              --seed N         seed of the initial weights and the batch order (default 0)
              --headless       no window: train and print progress (also when there is no display)
              --theme NAME     dark or light (default dark)
              --paused         open paused; press Step or Resume
              --onnx FILE      show the graph of an ONNX model (opsets 13-18) instead of training;
                               with --headless, print a summary of the imported graph
              --builder [FILE] open the model builder (palette, training panel, JSON, Java export)
                               on a new model or on the model spec FILE (.json); takes --lang and --theme
              --help           print this help and exit
            Exit status: 0 done, 1 training failed, 2 bad command line or missing data.
            """.formatted(FashionMnist.DEBIAN_DIR);

    /** A command line that cannot be run; the message says what is wrong with it. */
    public static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The defaults: English, cpu, transformer, Debian data, 5 epochs, batch 64, lr 0.002, seed 0, dark. */
    public static ViewerOptions defaults() {
        return new ViewerOptions(Language.EN, null, "cpu", DemoModel.TRANSFORMER, null, false, 5, 0, 64, 2e-3, 0, 0, false, true, false, false);
    }

    /** Parses {@code args}; throws {@link UsageException} on an unknown flag, a missing value or a bad number. */
    public static ViewerOptions parse(String... args) {
        ViewerOptions d = defaults();
        Language language = d.language();
        String languageArg = null, backend = d.backend();
        DemoModel model = d.model();
        Path data = null;
        boolean synthetic = false, headless = false, dark = d.dark(), paused = false, help = false;
        int epochs = d.epochs(), batch = d.batch(), limit = 0;
        long steps = 0, seed = 0;
        double lr = d.lr();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--lang" -> {
                    languageArg = value(args, i++);
                    language = Language.parse(languageArg).orElse(null);
                }
                case "--gpu" -> backend = "vulkan";
                case "--backend" -> backend = value(args, i++).toLowerCase(Locale.ROOT);
                case "--model" -> {
                    String v = value(args, i++);
                    model = DemoModel.parse(v).orElseThrow(() -> new UsageException("unknown model '" + v + "' (mlp, cnn or transformer)"));
                }
                case "--data" -> data = Path.of(value(args, i++));
                case "--synthetic" -> synthetic = true;
                case "--epochs" -> epochs = nonNegative(flag, value(args, i++));
                case "--steps" -> steps = number(flag, value(args, i++), Long::parseLong);
                case "--batch" -> batch = positive(flag, value(args, i++));
                case "--limit" -> limit = positive(flag, value(args, i++));
                case "--seed" -> seed = number(flag, value(args, i++), Long::parseLong);
                case "--lr" -> {
                    lr = number(flag, value(args, i++), Double::parseDouble);
                    if (!(lr > 0) || Double.isInfinite(lr)) throw new UsageException("--lr must be a positive number, got " + args[i]);
                }
                case "--headless" -> headless = true;
                case "--theme" -> {
                    String v = value(args, i++).toLowerCase(Locale.ROOT);
                    if (!v.equals("dark") && !v.equals("light")) throw new UsageException("--theme must be dark or light, got '" + v + "'");
                    dark = v.equals("dark");
                }
                case "--paused" -> paused = true;
                default -> throw new UsageException("unknown option '" + flag + "'");
            }
        }
        if (steps < 0) throw new UsageException("--steps must be >= 0, got " + steps);
        return new ViewerOptions(language, languageArg, backend, model, data, synthetic, epochs, steps, batch, lr, limit, seed, headless, dark, paused, help);
    }

    /** The language to use: the one asked for, or English. */
    public Language languageOrDefault() {
        return language != null ? language : Language.EN;
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) throw new UsageException(args[i] + " needs a value");
        return args[i + 1];
    }

    private static int positive(String flag, String s) {
        int n = number(flag, s, Integer::parseInt);
        if (n < 1) throw new UsageException(flag + " must be a positive integer, got " + s);
        return n;
    }

    private static int nonNegative(String flag, String s) {
        int n = number(flag, s, Integer::parseInt);
        if (n < 0) throw new UsageException(flag + " must be >= 0, got " + s);
        return n;
    }

    private static <N> N number(String flag, String s, Function<String, N> parser) {
        try {
            return parser.apply(s.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a number, got '" + s + "'");
        }
    }
}
