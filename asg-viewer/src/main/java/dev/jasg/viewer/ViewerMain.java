package dev.jasg.viewer;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.nn.data.FashionMnist;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.nn.train.Trainer;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.lab.LabSession;
import dev.jasg.viewer.lab.LabText;
import dev.jasg.viewer.ui.ViewerWindow;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code java -jar viewer.jar}: trains a demo model (by default a small vision transformer on
 * Fashion-MNIST, or on synthetic shapes when the dataset is not installed) in a {@link LabSession}
 * with the viewer window open, or, with {@code --headless} or without a display, prints its
 * progress instead. See {@link ViewerOptions#USAGE}.
 */
public final class ViewerMain {
    private ViewerMain() {}

    /** Runs the program and exits with its status. */
    public static void main(String[] args) {
        // viewer.jar logs through slf4j-simple: short names, no thread names, unless the user set them.
        System.setProperty("org.slf4j.simpleLogger.showThreadName", System.getProperty("org.slf4j.simpleLogger.showThreadName", "false"));
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", System.getProperty("org.slf4j.simpleLogger.showShortLogName", "true"));
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the program on {@code args}, printing to {@code out} and {@code err}; returns the exit
     * status: 0 done, 1 training failed, 2 a bad command line or missing data. With a window it
     * returns when the window is closed.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (OnnxView.requested(args)) return OnnxView.run(args, out, err);
        if (BuilderMain.requested(args)) return BuilderMain.run(args, out, err);
        ViewerOptions o;
        try {
            o = ViewerOptions.parse(args);
        } catch (ViewerOptions.UsageException e) {
            err.println("viewer: " + e.getMessage());
            err.print(ViewerOptions.USAGE);
            return 2;
        }
        if (o.help()) {
            out.print(ViewerOptions.USAGE);
            return 0;
        }
        if (o.language() == null) err.println("viewer: unknown language '" + o.languageArg() + "' (en or ru); using English");
        Language lang = o.languageOrDefault();
        Messages m = Messages.of(lang);

        if (o.data() != null && !o.synthetic() && FashionMnist.find(o.data()).isEmpty()) {
            err.println("viewer: " + m.format("progress.noData", o.data()));
            return 2;
        }
        Backend backend = backend(o.backend(), m, err);
        if (backend == null) return 2;
        try (backend) {
            DemoData data;
            try {
                data = DemoData.load(o.data(), o.synthetic(), o.batch(), o.limit(), o.seed());
            } catch (IOException e) {
                err.println("viewer: " + e.getMessage());
                return 2;
            }
            boolean headless = o.headless() || !displayUsable();
            if (!o.headless() && headless) err.println("viewer: " + m.get("progress.noDisplay"));
            out.println(m.format("progress.header", m.get("model." + o.model().id()), describe(m, data), data.trainSize(), backend.name()));
            return headless ? headless(o, m, backend, data, out) : windowed(o, m, backend, data, err);
        }
    }

    /** Where the demo's images come from, in {@code m}'s language. */
    static String describe(Messages m, DemoData data) {
        return data.directory() == null ? m.get("data.synthetic") : m.format("data.fashion", data.directory());
    }

    /** True when a window can be opened: a display is set and answers. */
    static boolean displayUsable() {
        if (GraphicsEnvironment.isHeadless()) return false;
        try {
            return GraphicsEnvironment.getLocalGraphicsEnvironment().getScreenDevices().length > 0;
        } catch (Throwable e) {
            // AWTError "Can't connect to X11 window server" when DISPLAY names a display that is not there.
            return false;
        }
    }

    /** The backend {@code name}; for vulkan, the CPU when no Vulkan device can be opened. Null when none can be started. */
    static Backend backend(String name, Messages m, PrintStream err) {
        try {
            return Backends.create(name);
        } catch (RuntimeException | LinkageError e) {
            if (!name.equalsIgnoreCase("vulkan")) {
                err.println("viewer: " + m.format("progress.noBackend", name, e.getMessage()));
                return null;
            }
            err.println("viewer: " + m.format("progress.gpuFallback", e.getMessage()));
            try {
                return Backends.create("cpu");
            } catch (RuntimeException e2) {
                err.println("viewer: " + m.format("progress.noBackend", "cpu", e2.getMessage()));
                return null;
            }
        }
    }

    /** A session training the demo model of {@code o} on {@code data}. */
    static LabSession session(ViewerOptions o, Backend backend, DemoData data, Consumer<LabText> notices) {
        HostTensor testX = data.testImages();
        int[] testY = data.testLabels();
        return LabSession.builder(backend, o.model().build())
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28))
                .target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy)
                .optimizer(new AdamW(o.lr()))
                .data(data)
                .epochs(o.epochs())
                .maxSteps(o.steps())
                .seed(o.seed())
                .evaluator(t -> accuracy(t, testX, testY))
                .startPaused(o.paused())
                .notices(notices)
                .build();
    }

    /** The held-out accuracy of the trainer's current weights. */
    static Map<String, Double> accuracy(Trainer t, HostTensor x, int[] y) {
        HostTensor logits = t.predict(x);
        int n = y.length, c = logits.shape().dim(1), right = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < c; k++) if (logits.get(i * c + k) > logits.get(i * c + best)) best = k;
            if (best == y[i]) right++;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("accuracy", right / (double) n);
        return out;
    }

    private static int headless(ViewerOptions o, Messages m, Backend backend, DemoData data, PrintStream out) {
        if (o.epochs() == 0 && o.steps() == 0) out.println(m.get("progress.endless"));
        try (LabSession lab = session(o, backend, data, s -> out.println(m.format("progress.notice", s.render(m))))) {
            lab.addListener(new ConsoleProgress(m, out, 50));
            lab.start();
            while (!lab.awaitState(Duration.ofSeconds(1), LabSession.State.FINISHED, LabSession.State.FAILED, LabSession.State.STOPPED)) {
                // keep waiting; progress is printed by the listener
            }
            return lab.state() == LabSession.State.FAILED ? 1 : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int windowed(ViewerOptions o, Messages m, Backend backend, DemoData data, PrintStream err) {
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        AtomicReference<ViewerWindow> window = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        try (LabSession lab = session(o, backend, data, s -> {
            ViewerWindow w = window.get();
            if (w != null) w.notice(s.render(m));
        })) {
            lab.addListener(updates);
            String title = m.get("model." + o.model().id()) + " · " + describe(m, data) + " · " + backend.name();
            window.set(Viewer.open(updates, lab::send, new ViewerWindow.Config(m.language(), title, o.dark(), closed::countDown)));
            Viewer.attach(window.get(), lab);
            lab.start();
            closed.await();
            return lab.state() == LabSession.State.FAILED ? 1 : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("viewer: " + e.getMessage());
            return 1;
        }
    }
}
