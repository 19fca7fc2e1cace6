package dev.jasg.viewer;

import dev.jasg.core.Backend;
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
 * <p>Arguments: output directory, language, then optional {@code key=value} settings: {@code backend=cpu}
 * (default: {@code --gpu}), {@code model=mlp|cnn|transformer}, {@code select=relu} (the op label of the node
 * to select), {@code steps=40} (steps before the picture), {@code data=synthetic|fashion},
 * {@code view=forward|gradient} and {@code theme=dark|light}. {@code docs/} screenshots are made with it, e.g.
 * {@code ... ScreenshotDriver docs ru model=transformer select=gelu steps=600 data=fashion}.
 */
public final class ScreenshotDriver {
    private ScreenshotDriver() {}

    public static void main(String[] args) {
        try {
            drive(args);
        } catch (Throwable e) {
            e.printStackTrace();
            // The event thread would keep the JVM alive.
            Runtime.getRuntime().halt(1);
        }
    }

    private static void drive(String[] args) throws Exception {
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
        java.util.Map<String, String> opt = new java.util.HashMap<>(java.util.Map.of("backend", "vulkan", "model", "mlp", "select", "relu",
                "steps", "40", "data", "synthetic", "view", "forward", "theme", "dark"));
        for (int i = 2; i < args.length; i++) opt.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        Messages m = Messages.of(lang);
        Backend backend = ViewerMain.backend(opt.get("backend"), m, System.err);
        if (backend == null) System.exit(4);
        System.out.println("backend: " + backend.name());
        ViewerOptions o = ViewerOptions.parse("--model", opt.get("model"), "--lang", args[1], "--epochs", "0");
        DemoData data = opt.get("data").equals("fashion") ? DemoData.load(null, false, 64, 0, 0) : DemoData.synthetic(2048, 32, 1);
        long steps = Long.parseLong(opt.get("steps"));
        String select = opt.get("select");
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        LabSession lab = ViewerMain.session(o, backend, data, s -> System.err.println("notice: " + s));
        lab.addListener(updates);
        ViewerWindow w = Viewer.open(updates, lab::send, new ViewerWindow.Config(lang, opt.get("model") + " · " + data.description() + " · " + backend.name(), !opt.get("theme").equals("light"), null));
        Viewer.attach(w, lab);
        lab.start();
        await(steps + " steps", () -> lab.steps() >= steps);
        if (opt.get("view").equals("gradient")) onEdt(() -> {
            w.setMode(dev.jasg.viewer.graph.GraphModel.Mode.GRADIENT);
            return null;
        });
        await("the layout", () -> onEdt(() -> {
            w.refresh();
            return w.isLaidOut();
        }));
        int node = onEdt(() -> {
            for (ViewNode v : w.model().nodes()) {
                if (v.node().op().label().equals(select) && !v.isOutput() && !v.proxy()) return v.node().id();
            }
            throw new IllegalStateException("no " + select + " in the graph");
        });
        onEdt(() -> w.selectNode(node));
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
        if (opt.getOrDefault("edit", "yes").equals("yes") && select.equals("relu")) exerciseTheLab(w, lab, node, out);
        lab.close();
        SwingUtilities.invokeAndWait(w::close);
        backend.close();
        System.out.println("ScreenshotDriver: done, " + lab.steps() + " steps");
        System.exit(0);
    }

    /**
     * Through the window, as a user would: pause (steps stop), replace the ReLU by GELU (the window's
     * graph shows GELU at the same id), resume (steps go on). Writes what happened to {@code lab.txt}.
     */
    private static void exerciseTheLab(ViewerWindow w, LabSession lab, int relu, Path out) throws Exception {
        onEdt(() -> {
            w.setPaused(true);
            return null;
        });
        await("the pause", () -> lab.state() == LabSession.State.PAUSED);
        long paused = lab.steps();
        Thread.sleep(400);
        long stillPaused = lab.steps();
        onEdt(() -> {
            w.replace(relu, dev.jasg.viewer.lab.Activation.GELU);
            return null;
        });
        await("the new graph", () -> onEdt(() -> {
            w.refresh();
            return w.model().graph().node(relu).op().label().equals("gelu");
        }));
        onEdt(() -> {
            w.setPaused(false);
            return null;
        });
        await("training after the edit", () -> lab.steps() > stillPaused + 5);
        String op = onEdt(() -> w.model().graph().node(relu).op().label());
        Files.writeString(out.resolve("lab.txt"), "paused=" + paused + "\nstillPaused=" + stillPaused + "\nop=" + op + "\nafter=" + lab.steps() + "\n");
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
