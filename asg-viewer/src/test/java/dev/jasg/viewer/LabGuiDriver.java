package dev.jasg.viewer;

import dev.jasg.core.Backend;
import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.lab.LabSession;
import dev.jasg.viewer.ui.EditDialog;
import dev.jasg.viewer.ui.ViewerWindow;

import javax.imageio.ImageIO;
import javax.swing.JComponent;
import javax.swing.JMenuItem;
import javax.swing.SwingUtilities;
import java.awt.Component;
import java.awt.Container;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.Robot;
import java.awt.Window;
import java.awt.event.InputEvent;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run by {@link ScreenshotTest} in its own JVM on an X display: drives the real window with
 * {@link Robot} mouse events as a user would, on the demo MLP (Linear 784-128, ReLU, Linear 128-64,
 * ReLU, Linear 64-10):
 * <ol>
 *   <li>Fit in both views shows every box inside the canvas;</li>
 *   <li>the pointer resting on an edge shows its live statistics;</li>
 *   <li>a right click on the edge from the first ReLU into the second Linear, "Insert here...",
 *       Linear(n, 5): the preview is red and names the failing node; Apply stays off and nothing
 *       changes;</li>
 *   <li>Dropout(0.3) on that edge, Apply (a Robot click): the graph gets the dropout, every weight
 *       and optimizer moment is kept at the moment of the edit, and training goes on;</li>
 *   <li>a right click on a ReLU, "Delete...": the dialog lists what goes.</li>
 * </ol>
 * Writes {@code gui.txt} (what it saw, as properties) and screenshots {@code lab.png},
 * {@code insert-failed.png}, {@code insert-dialog.png}, {@code delete-dialog.png} into the output
 * directory. Arguments: output directory, language, optional {@code backend=cpu|vulkan}.
 */
public final class LabGuiDriver {
    private LabGuiDriver() {}

    public static void main(String[] args) {
        try {
            drive(args);
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void drive(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(150_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("LabGuiDriver: timed out");
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        Language lang = Language.parse(args[1]).orElseThrow();
        String backendName = args.length > 2 && args[2].startsWith("backend=") ? args[2].substring(8) : "cpu";
        Messages m = Messages.of(lang);
        Backend backend = ViewerMain.backend(backendName, m, System.err);
        if (backend == null) System.exit(4);
        ViewerOptions o = ViewerOptions.parse("--model", "mlp", "--lang", args[1], "--epochs", "0");
        DemoData data = DemoData.synthetic(2048, 32, 1);
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        LabSession lab = ViewerMain.session(o, backend, data, s -> System.err.println("notice: " + s));
        lab.addListener(updates);
        ViewerWindow w = Viewer.open(updates, lab::send, new ViewerWindow.Config(lang, "mlp · " + backend.name(), true, null));
        Viewer.attach(w, lab);
        onEdt(() -> {
            w.frame().setLocation(0, 0);
            return null;
        });
        lab.start();
        Properties seen = new Properties();
        Robot robot = new Robot();
        robot.setAutoDelay(40);
        await("30 steps", () -> lab.steps() >= 30);
        awaitLayout(w);

        // 1. Fit shows every box, in both views.
        for (GraphModel.Mode mode : GraphModel.Mode.values()) {
            onEdt(() -> {
                w.setMode(mode);
                return null;
            });
            awaitLayout(w);
            String outside = onEdt(() -> {
                w.fit();
                Dimension d = w.canvasSize();
                Rectangle2D canvas = new Rectangle2D.Double(0, 0, d.width, d.height);
                int bad = 0;
                for (Rectangle2D r : w.boxesOnCanvas()) if (!canvas.contains(r)) bad++;
                return bad + " of " + w.boxesOnCanvas().size();
            });
            seen.setProperty("fit." + mode.name().toLowerCase(), outside);
            onEdt(() -> {
                w.frame().getRootPane().paintImmediately(w.frame().getRootPane().getBounds());
                w.saveScreenshot(out.resolve("fit-" + mode.name().toLowerCase() + ".png"));
                return null;
            });
        }
        onEdt(() -> {
            w.setMode(GraphModel.Mode.FORWARD);
            return null;
        });
        awaitLayout(w);

        // The edge from the first ReLU into the second Linear's MatMul.
        int[] edge = onEdt(() -> {
            Graph g = w.model().graph();
            for (Node n : g.nodes()) {
                if (n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU) {
                    for (int c : g.consumers(n.id())) if (g.node(c).op() instanceof Op.MatMul) return new int[] {n.id(), c};
                }
            }
            throw new IllegalStateException("no ReLU -> MatMul edge");
        });
        onEdt(() -> w.selectNode(edge[0]));
        awaitLayout(w);
        Thread.sleep(300);

        // 2. Hover the edge: its live statistics.
        Point at = onEdt(() -> w.edgeOnScreen(edge[0], edge[1]));
        if (at == null) throw new IllegalStateException("the edge " + edge[0] + " -> " + edge[1] + " is not on screen");
        robot.mouseMove(at.x, at.y);
        robot.mouseMove(at.x + 1, at.y);
        await("the hover statistics", () -> onEdt(() -> {
            w.refresh();
            String[] t = w.hoverText();
            return t != null && t.length >= 4;
        }));
        seen.setProperty("hover", String.join(" | ", onEdt(w::hoverText)));

        // Pause, so the weights can be compared before and after the edit.
        onEdt(() -> {
            w.setPaused(true);
            return null;
        });
        await("the pause", () -> lab.state() == LabSession.State.PAUSED);
        seen.setProperty("pauseLabel", onEdt(w::pauseLabel));
        int nodesBefore = onEdt(() -> w.model().graph().size());

        // 3. A failing insert: Linear(n, 5) where the next Linear wants 128 features.
        EditDialog failing = openInsert(robot, w, edge);
        onEdt(() -> {
            failing.choose(EditDialog.Kind.LINEAR, 5);
            return null;
        });
        await("the failed preview", () -> onEdt(failing::checked));
        seen.setProperty("failed.red", Boolean.toString(onEdt(failing::previewFailed)));
        seen.setProperty("failed.text", onEdt(failing::previewText));
        seen.setProperty("failed.applyEnabled", Boolean.toString(onEdt(() -> failing.applyButton().isEnabled())));
        shoot(failing, out.resolve("insert-failed.png"));
        click(robot, onEdt(failing::applyButton));
        Thread.sleep(300);
        seen.setProperty("failed.nodesAfter", onEdt(() -> {
            w.refresh();
            return w.model().graph().size() + "/" + nodesBefore;
        }));

        // 4. Dropout(0.3) on the same edge, applied with a click.
        onEdt(() -> {
            failing.choose(EditDialog.Kind.DROPOUT, 0.3);
            return null;
        });
        await("the dropout preview", () -> onEdt(failing::checked));
        seen.setProperty("dropout.red", Boolean.toString(onEdt(failing::previewFailed)));
        seen.setProperty("dropout.text", onEdt(failing::previewText));
        shoot(failing, out.resolve("insert-dialog.png"));
        Map<String, double[]> weights = store(lab);
        long stepAtEdit = lab.steps();
        click(robot, onEdt(failing::applyButton));
        await("the edited graph", () -> onEdt(() -> {
            w.refresh();
            return w.model().graph().nodes().stream().anyMatch(n -> n.op() instanceof Op.DropoutMask);
        }));
        Map<String, double[]> after = store(lab);
        int kept = 0, changed = 0;
        for (var e : weights.entrySet()) {
            if (java.util.Arrays.equals(e.getValue(), after.get(e.getKey()))) kept++;
            else changed++;
        }
        seen.setProperty("dropout.p", onEdt(() -> {
            for (Node n : w.model().graph().nodes()) if (n.op() instanceof Op.DropoutMask d) return d.p() + " in " + n.scope();
            return "none";
        }));
        seen.setProperty("dropout.reads", onEdt(() -> {
            Graph g = w.model().graph();
            Node mask = g.nodes().stream().filter(n -> n.op() instanceof Op.DropoutMask).findFirst().orElseThrow();
            // The second Linear's MatMul now reads a node of the inserted layer.
            for (Node n : g.nodes()) {
                if (n.op() instanceof Op.MatMul && n.id() > mask.id() && g.node(n.input(0)).scope().equals(mask.scope())) return "yes";
            }
            return "no";
        }));
        seen.setProperty("kept", kept + "/" + weights.size());
        seen.setProperty("changed", Integer.toString(changed));
        seen.setProperty("history", Integer.toString(lab.history().size()));
        onEdt(() -> {
            w.setPaused(false);
            return null;
        });
        await("training after the edit", () -> lab.steps() > stepAtEdit + 40);
        seen.setProperty("stepAtEdit", Long.toString(stepAtEdit));
        seen.setProperty("stepsAfter", Long.toString(lab.steps()));
        seen.setProperty("stateAfter", lab.state().name());

        // 5. Delete on a ReLU: the dialog lists what goes (cancelled).
        int relu = onEdt(() -> {
            for (Node n : w.model().graph().nodes()) if (n.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU) return n.id();
            return -1;
        });
        onEdt(() -> w.selectNode(relu));
        awaitLayout(w);
        Thread.sleep(300);
        Point box = onEdt(() -> w.nodeOnScreen(relu));
        rightClick(robot, box);
        click(robot, awaitItem(w, "delete"));
        EditDialog delete = awaitDialog(w);
        await("the delete preview", () -> onEdt(delete::checked));
        seen.setProperty("delete.text", onEdt(delete::previewText));
        seen.setProperty("delete.red", Boolean.toString(onEdt(delete::previewFailed)));
        shoot(delete, out.resolve("delete-dialog.png"));
        onEdt(() -> {
            delete.dispose();
            w.setMode(GraphModel.Mode.FORWARD);
            w.fit();
            return null;
        });
        Thread.sleep(800);
        onEdt(() -> {
            w.refresh();
            w.frame().getRootPane().paintImmediately(w.frame().getRootPane().getBounds());
            w.saveScreenshot(out.resolve("lab.png"));
            return null;
        });
        seen.setProperty("status", onEdt(w::statusText));
        seen.setProperty("markers", String.join(" | ", onEdt(w::chartMarkers)));
        try (var wr = Files.newBufferedWriter(out.resolve("gui.txt"))) {
            seen.store(wr, "LabGuiDriver " + lang);
        }
        lab.close();
        SwingUtilities.invokeAndWait(w::close);
        backend.close();
        System.out.println("LabGuiDriver: done, " + lab.steps() + " steps");
        System.exit(0);
    }

    private static EditDialog openInsert(Robot robot, ViewerWindow w, int[] edge) throws Exception {
        Point at = onEdt(() -> w.edgeOnScreen(edge[0], edge[1]));
        rightClick(robot, at);
        click(robot, awaitItem(w, "insert"));
        return awaitDialog(w);
    }

    private static EditDialog awaitDialog(ViewerWindow w) throws Exception {
        await("the dialog", () -> onEdt(() -> w.editDialog() != null && w.editDialog().isShowing()));
        return onEdt(w::editDialog);
    }

    private static void rightClick(Robot robot, Point p) {
        robot.mouseMove(p.x, p.y);
        robot.mousePress(InputEvent.BUTTON3_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON3_DOWN_MASK);
    }

    private static void click(Robot robot, JComponent c) throws Exception {
        Point p = onEdt(() -> {
            Point s = c.getLocationOnScreen();
            return new Point(s.x + c.getWidth() / 2, s.y + c.getHeight() / 2);
        });
        robot.mouseMove(p.x, p.y);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
    }

    /** The showing context-menu item named {@code name}. */
    private static JMenuItem awaitItem(ViewerWindow w, String name) throws Exception {
        AtomicReference<JMenuItem> found = new AtomicReference<>();
        await("the menu item " + name, () -> onEdt(() -> {
            for (Window win : Window.getWindows()) {
                JMenuItem i = find(win, name);
                if (i != null) {
                    found.set(i);
                    return true;
                }
            }
            return false;
        }));
        return found.get();
    }

    private static JMenuItem find(Component c, String name) {
        if (c instanceof JMenuItem i && name.equals(i.getName()) && i.isShowing()) return i;
        if (c instanceof Container k) {
            for (Component child : k.getComponents()) {
                JMenuItem i = find(child, name);
                if (i != null) return i;
            }
        }
        return null;
    }

    private static Map<String, double[]> store(LabSession lab) {
        Map<String, double[]> m = new HashMap<>();
        for (String n : lab.parameters().names()) m.put(n, lab.parameters().get(n).toDoubles());
        return m;
    }

    /** Paints a dialog (its own window) into a PNG. */
    private static void shoot(EditDialog d, Path file) throws Exception {
        onEdt(() -> {
            JComponent root = d.getRootPane();
            root.paintImmediately(root.getBounds());
            BufferedImage img = new BufferedImage(Math.max(1, root.getWidth()), Math.max(1, root.getHeight()), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            try {
                root.paint(g);
            } finally {
                g.dispose();
            }
            ImageIO.write(img, "png", file.toFile());
            return null;
        });
    }

    private static void awaitLayout(ViewerWindow w) throws Exception {
        await("the layout", () -> onEdt(() -> {
            w.refresh();
            return w.isLaidOut();
        }));
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
