package dev.jasg.viewer;

import dev.jasg.core.Backend;
import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.graph.ViewNode;
import dev.jasg.viewer.lab.LabSession;
import dev.jasg.viewer.ui.ViewerWindow;

import javax.swing.SwingUtilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run by {@link ScreenshotTest} in its own JVM on an X display: opens the viewer on a small MLP in
 * the given language (training on {@code --gpu}, which falls back to the CPU), waits for the graph,
 * selects the first ReLU, and writes {@code viewer.png} (the window), {@code graph.png},
 * {@code graph.svg}, {@code loss.png} and {@code inspector.txt} (the inspector's text) into the
 * output directory. Exit status 0 on success; a watchdog ends it after two minutes.
 *
 * <p>Arguments: output directory, language, and optionally {@code cpu} to skip the GPU.
 */
public final class ScreenshotDriver {
    private ScreenshotDriver() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(120_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("ScreenshotDriver: timed out");
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        Language lang = Language.parse(args[1]).orElseThrow();
        boolean gpu = args.length < 3 || !args[2].equals("cpu");
        Messages m = Messages.of(lang);
        Backend backend = ViewerMain.backend(gpu ? "vulkan" : "cpu", m, System.err);
        if (backend == null) System.exit(4);
        System.out.println("backend: " + backend.name());
        ViewerOptions o = ViewerOptions.parse("--model", "mlp", "--lang", args[1]);
        DemoData data = DemoData.synthetic(2048, 32, 1);
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        LabSession lab = ViewerMain.session(o, backend, data, s -> System.err.println("notice: " + s));
        lab.addListener(updates);
        ViewerWindow w = Viewer.open(updates, lab::send, new ViewerWindow.Config(lang, "mlp · " + data.description() + " · " + backend.name(), true, null));
        lab.start();
        await("40 steps", () -> lab.steps() >= 40);
        await("the layout", () -> onEdt(() -> {
            w.refresh();
            return w.isLaidOut();
        }));
        int relu = onEdt(() -> {
            for (ViewNode v : w.model().nodes()) {
                if (v.node().op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU && !v.isOutput()) return v.node().id();
            }
            throw new IllegalStateException("no ReLU in the graph");
        });
        onEdt(() -> w.selectNode(relu));
        await("the layout after selecting", () -> onEdt(() -> {
            w.refresh();
            return w.isLaidOut();
        }));
        // Let the statistics of the selected node arrive and the chart fill a little.
        Thread.sleep(1500);
        onEdt(() -> {
            w.refresh();
            w.frame().getRootPane().paintImmediately(w.frame().getRootPane().getBounds());
            w.saveScreenshot(out.resolve("viewer.png"));
            w.exportGraphPng(out.resolve("graph.png"));
            w.exportGraphSvg(out.resolve("graph.svg"));
            w.exportChartPng(out.resolve("loss.png"));
            Files.writeString(out.resolve("inspector.txt"), w.inspectorText());
            return null;
        });
        lab.close();
        SwingUtilities.invokeAndWait(w::close);
        backend.close();
        System.out.println("ScreenshotDriver: done, " + lab.steps() + " steps");
        System.exit(0);
    }

    private static <T> T onEdt(Callable<T> c) throws Exception {
        AtomicReference<T> r = new AtomicReference<>();
        AtomicReference<Exception> err = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                r.set(c.call());
            } catch (Exception e) {
                err.set(e);
            }
        });
        if (err.get() != null) throw err.get();
        return r.get();
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}
