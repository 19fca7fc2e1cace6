package dev.jasg.viewer;

import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.viewer.builder.BuilderModel;
import dev.jasg.viewer.ui.BuilderWindow;
import dev.jasg.viewer.ui.Theme;

import javax.swing.SwingUtilities;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar viewer.jar --builder [model.json]}: opens the model builder
 * ({@link BuilderWindow}) on a new model, or on the spec file given after the flag. The viewer
 * options that apply ({@code --lang}, {@code --theme}) are honoured; the others are refused with the
 * usage text. The builder needs a display: without one it says so and exits with status 2.
 *
 * <p>Stateless static methods; each call works on its own objects.
 */
public final class BuilderMain {
    /** The option that selects this mode. */
    public static final String OPTION = "--builder";

    private BuilderMain() {}

    /** Whether {@code args} hold {@code --builder}. */
    public static boolean requested(String[] args) {
        for (String a : args) if (a.equals(OPTION)) return true;
        return false;
    }

    /**
     * The parsed command line: the spec file (or null) and the remaining viewer options; a
     * {@link ViewerOptions.UsageException} for a repeated flag or an option the builder has no use for.
     */
    record Command(Path file, ViewerOptions options) {}

    static Command parse(String[] args) {
        Path file = null;
        boolean seen = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION)) {
                if (seen) throw new ViewerOptions.UsageException(OPTION + " is given twice");
                seen = true;
                if (i + 1 < args.length && !args[i + 1].startsWith("--")) file = Path.of(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--lang") || a.equals("--theme")) i++;
            else if (!a.equals("--help") && !a.equals("-h")) {
                throw new ViewerOptions.UsageException(OPTION + " takes only a model file, --lang and --theme; got '" + a + "'");
            }
        }
        return new Command(file, ViewerOptions.parse(rest.toArray(new String[0])));
    }

    /** Runs {@code viewer.jar --builder [FILE] [options]}; the exit status: 0 closed, 2 a bad command line, file or no display. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Command c;
        try {
            c = parse(args);
        } catch (ViewerOptions.UsageException e) {
            err.println("viewer: " + e.getMessage());
            err.print(ViewerOptions.USAGE);
            return 2;
        }
        if (c.options().help()) {
            out.print(ViewerOptions.USAGE);
            return 0;
        }
        ModelSpec spec = null;
        if (c.file() != null) {
            try {
                spec = BuilderModel.check(ModelSpec.read(c.file()));
            } catch (Exception e) {
                err.println("viewer: cannot open " + c.file() + ": " + e.getMessage());
                return 2;
            }
        }
        if (!ViewerMain.displayUsable()) {
            err.println("viewer: the model builder needs a display (set DISPLAY, or run Xvfb)");
            return 2;
        }
        CountDownLatch closed = new CountDownLatch(1);
        ModelSpec initial = spec;
        try {
            SwingUtilities.invokeAndWait(() -> {
                Theme.install(c.options().dark());
                BuilderWindow w = BuilderWindow.open(c.options().languageOrDefault(), initial, closed::countDown);
                if (c.file() != null) w.openFile(c.file());
            });
            closed.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (java.lang.reflect.InvocationTargetException e) {
            err.println("viewer: " + e.getCause().getMessage());
            return 1;
        }
    }
}
