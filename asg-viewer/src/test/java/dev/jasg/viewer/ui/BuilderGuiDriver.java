package dev.jasg.viewer.ui;

import dev.jasg.nn.spec.LayerType;
import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.viewer.Language;

import javax.swing.SwingUtilities;
import java.awt.Point;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run by {@link BuilderWindowTest} in its own JVM on an X display (and by hand for the README's
 * pictures): builds LeNet-5 in the model builder with Robot mouse events (each layer dragged from
 * the palette onto the canvas, each connection dragged from an output port to an input port, with
 * the port colours read mid-drag), sets the hyper-parameters through the node form, undoes and redoes
 * with Ctrl+Z / Ctrl+Y, trains 50 steps on synthetic data, opens the viewer on the trained graph,
 * saves the JSON, reopens it, refuses a newer-format file, and exports Java. Writes {@code gui.txt}
 * (what it saw), {@code losses.txt}, {@code lenet.json} and {@code LeNetBuilt.java} into the output
 * directory, and with {@code shots=DIR} the screenshots {@code builder-canvas-LANG.png},
 * {@code builder-training-LANG.png} and {@code builder-inspect-LANG.png} into DIR; {@code dataset=fashion} trains on
 * Fashion-MNIST (Debian's {@code dataset-fashion-mnist}) with batch 64, and {@code steps=N} sets the step limit (default 50).
 *
 * <pre>
 * Xvfb :7 -screen 0 1600x1000x24 &amp; DISPLAY=:7 java -cp &lt;test classpath&gt; dev.jasg.viewer.ui.BuilderGuiDriver target/b en shots=docs dataset=fashion steps=300
 * </pre>
 */
public final class BuilderGuiDriver {
    private BuilderGuiDriver() {}

    public static void main(String[] args) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(String.join(" ", args).contains("shots=") ? 900_000 : 170_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("BuilderGuiDriver: timed out");
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            drive(args);
            Runtime.getRuntime().halt(0);
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
    }

    private record Layer(String id, LayerType type, double fx, double fy, String[] params) {}

    private static void drive(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        Language lang = Language.parse(args[1]).orElseThrow();
        Path shots = null;
        java.util.Map<String, String> opt = new java.util.HashMap<>();
        for (int i = 2; i < args.length; i++) opt.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        if (opt.containsKey("shots")) shots = Path.of(opt.get("shots"));
        Path shotDir = shots;
        Properties seen = new Properties();
        AtomicReference<BuilderWindow> ref = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            Theme.install(true);
            ref.set(BuilderWindow.open(lang, null, null));
        });
        BuilderWindow w = ref.get();
        Robot robot = new Robot();
        robot.setAutoDelay(5);
        idle(robot);
        Thread.sleep(600);
        idle(robot);

        long start = System.nanoTime();
        // ---- LeNet-5 from the palette: two columns on the canvas ----
        List<Layer> layers = List.of(
                new Layer("conv1", LayerType.CONV2D, 0.33, 0.10, new String[] {"out_channels", "6", "kernel_size", "5", "padding", "2"}),
                new Layer("relu1", LayerType.RELU, 0.33, 0.25, new String[0]),
                new Layer("pool1", LayerType.MAX_POOL2D, 0.33, 0.40, new String[] {"kernel_size", "2"}),
                new Layer("conv2", LayerType.CONV2D, 0.33, 0.55, new String[] {"in_channels", "6", "out_channels", "16", "kernel_size", "5"}),
                new Layer("relu2", LayerType.RELU, 0.33, 0.70, new String[0]),
                new Layer("pool2", LayerType.MAX_POOL2D, 0.33, 0.85, new String[] {"kernel_size", "2"}),
                new Layer("flatten1", LayerType.FLATTEN, 0.66, 0.10, new String[0]),
                new Layer("fc1", LayerType.LINEAR, 0.66, 0.25, new String[] {"in_features", "400", "out_features", "120"}),
                new Layer("relu3", LayerType.RELU, 0.66, 0.40, new String[0]),
                new Layer("fc2", LayerType.LINEAR, 0.66, 0.55, new String[] {"in_features", "120", "out_features", "84"}),
                new Layer("relu4", LayerType.RELU, 0.66, 0.70, new String[0]),
                new Layer("fc3", LayerType.LINEAR, 0.66, 0.85, new String[] {"in_features", "84", "out_features", "10"}));
        java.awt.Dimension size = onEdt(w::canvasSize);
        seen.setProperty("canvas", size.width + "x" + size.height);
        for (Layer l : layers) {
            Point from = onEdt(() -> w.paletteItemOnScreen(l.type()));
            Point to = onEdt(() -> w.canvasOnScreen((int) (l.fx() * size.width), (int) (l.fy() * size.height)));
            drag(robot, from, to, 10, null);
            String id = onEdt(() -> w.model().spec().nodes().isEmpty() ? null : w.model().spec().nodes().get(w.model().spec().nodes().size() - 1).id());
            if (!l.id().equals(id)) throw new AssertionError("dropping " + l.type() + " made " + id + ", expected " + l.id() + "; status: " + onEdt(w::statusText));
            for (int i = 0; i < l.params().length; i += 2) {
                String name = l.params()[i], value = l.params()[i + 1];
                String why = onEdt(() -> {
                    w.select(l.id());
                    return w.enterParam(name, value);
                });
                if (why != null) throw new AssertionError(l.id() + "." + name + " = " + value + ": " + why);
            }
        }
        seen.setProperty("nodes", Integer.toString(onEdt(() -> w.model().spec().nodes().size())));

        seen.setProperty("seconds.layers", Long.toString((System.nanoTime() - start) / 1_000_000_000L));
        // ---- connections: drag from each output port to the next input port ----
        List<String> chain = new ArrayList<>(List.of("x"));
        for (Layer l : layers) chain.add(l.id());
        for (int i = 0; i + 1 < chain.size(); i++) {
            String a = chain.get(i), b = chain.get(i + 1);
            Point from = onEdt(() -> w.outPortOnScreen(a));
            Point to = onEdt(() -> w.inPortOnScreen(b, 0));
            // release a few pixels off the port: it must snap
            Point off = new Point(to.x + 7, to.y - 5);
            int k = i;
            drag(robot, from, off, 12, () -> {
                if (k == 0 || a.equals("pool2") || a.equals("flatten1")) {
                    String colours = onEdt(() -> w.dragColours().toString());
                    seen.setProperty("colours." + a, colours);
                    seen.setProperty("snapped." + a, String.valueOf(onEdt(w::snappedPort)));
                }
                if (a.equals("flatten1")) shot(w, shotDir, "builder-canvas-" + lang.code() + ".png");
            });
            boolean connected = onEdt(() -> w.model().spec().edges().stream().anyMatch(e -> e.from().equals(a) && e.to().equals(b)));
            if (!connected) throw new AssertionError("no edge " + a + " -> " + b + " after the drag; status: " + onEdt(w::statusText));
        }
        // a red port refuses: fc3's output into conv1's port (replacing x) does not fit
        Point from = onEdt(() -> w.outPortOnScreen("fc3")), to = onEdt(() -> w.inPortOnScreen("conv1", 0));
        ModelSpec beforeRed = onEdt(() -> w.model().spec());
        drag(robot, from, to, 12, () -> seen.setProperty("red.fc3->conv1", String.valueOf(onEdt(() -> w.dragColours().get("conv1:0")))));
        seen.setProperty("red.unchanged", Boolean.toString(onEdt(() -> w.model().spec() == beforeRed)));
        seen.setProperty("red.status", onEdt(w::statusText));
        onEdt(() -> {
            w.model().setOutput("fc3");
            return null;
        });

        // ---- undo / redo from the keyboard ----
        ModelSpec built = onEdt(() -> w.model().spec());
        onEdt(() -> {
            w.frame().toFront();
            w.frame().requestFocus();
            return null;
        });
        idle(robot);
        Point centre = onEdt(() -> w.canvasOnScreen(5, 5));
        robot.mouseMove(centre.x, centre.y);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        idle(robot);
        key(robot, KeyEvent.VK_Z);
        key(robot, KeyEvent.VK_Z);
        ModelSpec undone = onEdt(() -> w.model().spec());
        seen.setProperty("undo.output", String.valueOf(undone.output()));
        seen.setProperty("undo.edges", Integer.toString(undone.edges().size()));
        key(robot, KeyEvent.VK_Y);
        key(robot, KeyEvent.VK_Y);
        seen.setProperty("redo.same", Boolean.toString(onEdt(() -> w.model().spec()) == built));
        if (onEdt(() -> w.model().spec()) != built) throw new AssertionError("undo/redo did not return to the built spec");
        onEdt(() -> {
            w.fit();
            return null;
        });
        idle(robot);

        // ---- training settings through the panel, then 50 steps (pausing halfway to inspect the graph) ----
        boolean fashion = "fashion".equals(opt.get("dataset"));
        int steps = Integer.parseInt(opt.getOrDefault("steps", "50"));
        String[][] settings = fashion
                ? new String[][] {{"general", "dataset", "fashion_mnist"}, {"general", "epochs", "1"}, {"general", "max_steps", Integer.toString(steps)},
                        {"general", "batch_size", "64"}, {"general", "seed", "3"}, {"optimizer", "lr", "0.002"}}
                : new String[][] {{"general", "epochs", "4"}, {"general", "batch_size", "16"}, {"general", "max_steps", Integer.toString(steps)}, {"general", "seed", "3"},
                        {"optimizer", "lr", "0.002"}, {"dataset", "size", "256"}};
        for (String[] s : settings) {
            String why = onEdt(() -> w.enterTraining(s[0], s[1], s[2]));
            if (why != null) throw new AssertionError(String.join(" ", s) + ": " + why);
            idle(robot);
            Thread.sleep(50);
            idle(robot);
        }
        ModelSpec.Training t = onEdt(() -> w.model().spec().training());
        seen.setProperty("training", t.epochs() + " " + t.maxSteps() + " " + t.seed() + " " + new java.util.TreeMap<>(t.optimizer().params()) + " " + new java.util.TreeMap<>(t.dataset().params()));
        seen.setProperty("seconds.built", Long.toString((System.nanoTime() - start) / 1_000_000_000L));
        onEdt(() -> {
            w.startTraining();
            return null;
        });
        long t0 = System.nanoTime();
        while (onEdt(() -> w.session() == null || w.session().losses().size() < steps / 2)) {
            if (System.nanoTime() - t0 > (90L + steps) * 1_000_000_000L) throw new AssertionError("training did not get halfway; " + onEdt(w::metricsText));
            Thread.sleep(20);
        }
        onEdt(() -> {
            w.setPaused(true);
            return null;
        });
        Thread.sleep(300);
        int atPause = onEdt(() -> w.session().losses().size());
        Thread.sleep(700);
        seen.setProperty("pause.steps", atPause + " " + onEdt(() -> w.session().losses().size()));

        // ---- inspect the graph being trained in the viewer: select the first convolution, its live statistics ----
        ViewerWindow v = onEdt(w::inspect);
        if (v == null) throw new AssertionError("Inspect opened no window");
        long t1 = System.nanoTime();
        while (!onEdt(v::isLaidOut)) {
            if (System.nanoTime() - t1 > 60_000_000_000L) throw new AssertionError("the inspector's graph was not laid out");
            Thread.sleep(100);
            onEdt(() -> {
                v.refresh();
                return null;
            });
        }
        onEdt(() -> {
            v.frame().setSize(1280, 800);
            return null;
        });
        Thread.sleep(400);
        int conv = onEdt(() -> {
            for (var n : v.model().graph().nodes()) if (n.op().label().startsWith("conv")) return n.id();
            return -1;
        });
        seen.setProperty("inspect.selected", Boolean.toString(onEdt(() -> v.selectNode(conv))));
        idle(robot);
        Point vc = onEdt(() -> {
            Point p = new Point(v.canvasSize().width / 2, v.canvasSize().height / 2);
            SwingUtilities.convertPointToScreen(p, v.frame().getContentPane());
            return p;
        });
        robot.mouseMove(vc.x, vc.y);
        for (int i = 0; i < 3; i++) {
            robot.keyPress(KeyEvent.VK_CONTROL);
            robot.keyPress(KeyEvent.VK_EQUALS);
            robot.keyRelease(KeyEvent.VK_EQUALS);
            robot.keyRelease(KeyEvent.VK_CONTROL);
            idle(robot);
        }
        onEdt(() -> v.selectNode(conv));
        Thread.sleep(1500);
        onEdt(() -> {
            v.refresh();
            return null;
        });
        idle(robot);
        seen.setProperty("inspect.text", onEdt(v::inspectorText).lines().limit(3).reduce("", (a, b) -> a + " " + b).trim());
        if (shotDir != null) onEdt(() -> {
            v.saveScreenshot(shotDir.resolve("builder-inspect-" + lang.code() + ".png"));
            return null;
        });
        onEdt(() -> {
            v.close();
            w.setPaused(false);
            return null;
        });
        while (onEdt(() -> !w.session().isDone())) {
            if (System.nanoTime() - t0 > (150L + 2L * steps) * 1_000_000_000L) throw new AssertionError("training did not finish; " + onEdt(w::metricsText));
            Thread.sleep(100);
        }
        List<Double> losses = onEdt(() -> w.session()).await();
        Thread.sleep(400);
        idle(robot);
        seen.setProperty("seconds.trained", Long.toString((System.nanoTime() - start) / 1_000_000_000L));
        seen.setProperty("metrics", onEdt(w::metricsText));
        seen.setProperty("chartSteps", Integer.toString(onEdt(w::chartSteps)));
        seen.setProperty("evaluations", onEdt(() -> w.session()).evaluations().stream().map(e -> Long.toString(e.step())).reduce((a, b) -> a + " " + b).orElse(""));
        seen.setProperty("chartMetrics", String.valueOf(onEdt(w::chartMetrics)));
        seen.setProperty("templates", String.join("|", onEdt(w::templateMenu)));
        try (Writer wr = Files.newBufferedWriter(out.resolve("losses.txt"))) {
            for (double l : losses) wr.write(Double.toString(l) + "\n");
        }
        onEdt(() -> {
            w.showTab(true);
            return null;
        });
        idle(robot);
        if (shots != null) shot(w, shots, "builder-training-" + lang.code() + ".png");

        // ---- save, reopen, refuse a newer format, export ----
        Path json = out.resolve("lenet.json");
        seen.setProperty("saved", Boolean.toString(onEdt(() -> w.saveFile(json))));
        ModelSpec saved = onEdt(() -> w.model().spec());
        onEdt(() -> {
            w.model().load(dev.jasg.viewer.builder.BuilderModel.newSpec());
            return null;
        });
        seen.setProperty("reopened", Boolean.toString(onEdt(() -> w.openFile(json))));
        seen.setProperty("reopened.equal", Boolean.toString(onEdt(() -> w.model().spec()).equals(saved)));
        Path bad = out.resolve("newer.json");
        Files.writeString(bad, Files.readString(json).replace("\"format_version\" : 1", "\"format_version\" : 2"));
        List<String> errors = new ArrayList<>();
        ModelSpec beforeBad = onEdt(() -> w.model().spec());
        seen.setProperty("bad.opened", Boolean.toString(onEdt(() -> {
            w.setErrorSink(errors::add);
            return w.openFile(bad);
        })));
        seen.setProperty("bad.unchanged", Boolean.toString(onEdt(() -> w.model().spec()) == beforeBad));
        seen.setProperty("bad.error", String.join(" | ", errors).replace('\n', ' '));
        seen.setProperty("exported", Boolean.toString(onEdt(() -> w.exportJava(out.resolve("LeNetBuilt.java")))));
        seen.setProperty("seconds.all", Long.toString((System.nanoTime() - start) / 1_000_000_000L));
        try (Writer wr = Files.newBufferedWriter(out.resolve("gui.txt"))) {
            seen.store(wr, "BuilderGuiDriver " + lang.code());
        }
        onEdt(() -> {
            w.close();
            return null;
        });
    }

    private static void drag(Robot r, Point from, Point to, int steps, Runnable beforeRelease) throws Exception {
        r.mouseMove(from.x, from.y);
        r.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        for (int i = 1; i <= steps; i++) {
            r.mouseMove(from.x + (to.x - from.x) * i / steps, from.y + (to.y - from.y) * i / steps);
        }
        idle(r);
        if (beforeRelease != null) beforeRelease.run();
        r.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        idle(r);
    }

    /**
     * Waits until what the robot did has reached the window: an X round trip ({@code Toolkit.sync}), a pause for the
     * toolkit's thread to post the events it read, then the event queue drained up to that point, twice. Not
     * {@link Robot#waitForIdle}: its native sync waits for a property event of the toolkit's own that, on the 2-vCPU Xeon
     * build machine of 2026-12-07, stopped arriving once the builder window was up, so every call ran into its 10 s
     * timeout and the driver into its watchdog.
     */
    private static void idle(Robot r) throws Exception {
        for (int i = 0; i < 2; i++) {
            java.awt.Toolkit.getDefaultToolkit().sync();
            r.delay(40);
            SwingUtilities.invokeAndWait(() -> {});
        }
    }

    private static void key(Robot r, int code) throws Exception {
        r.keyPress(KeyEvent.VK_CONTROL);
        r.keyPress(code);
        r.keyRelease(code);
        r.keyRelease(KeyEvent.VK_CONTROL);
        idle(r);
        Thread.sleep(80);
        idle(r);
    }

    private static void shot(BuilderWindow w, Path dir, String name) {
        if (dir == null) return;
        try {
            onEdt(() -> {
                w.saveScreenshot(dir.resolve(name));
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T onEdt(Callable<T> c) {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Exception> err = new AtomicReference<>();
        try {
            SwingUtilities.invokeAndWait(() -> {
                try {
                    out.set(c.call());
                } catch (Exception e) {
                    err.set(e);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (err.get() != null) throw new IllegalStateException(err.get());
        return out.get();
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }
}
