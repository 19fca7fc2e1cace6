package dev.jasg.viewer;

import dev.jasg.core.Backend;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.demo.DropoutDemo;
import dev.jasg.viewer.lab.GuiCommand;
import dev.jasg.viewer.lab.LabSession;
import dev.jasg.viewer.ui.EditDialog;
import dev.jasg.viewer.ui.ViewerWindow;

import javax.swing.SwingUtilities;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes the README's Model Lab picture (not a test): {@link DropoutDemo}'s run in a window. An MLP
 * 784-128-128-10 overfits 1,000
 * Fashion-MNIST images; after 3 epochs Dropout(0.3) goes between its hidden Linear layers through
 * the window's "Insert here..." dialog (which calls {@link LabSession#apply}, as
 * {@code DropoutDemoTest} does) and training goes on.
 * The chart draws the eval-mode training and held-out losses and accuracies after every epoch.
 * Writes {@code <out>/model-lab-<lang>.png}.
 *
 * <pre>
 * Xvfb :7 &amp; DISPLAY=:7 java -cp ... dev.jasg.viewer.LabDemoShot docs en
 * </pre>
 */
public final class LabDemoShot {
    private LabDemoShot() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Language lang = Language.parse(args[1]).orElseThrow();
        DropoutDemo.Config c = DropoutDemo.Config.small();
        Backend backend = ViewerMain.backend("cpu", Messages.of(lang), System.err);
        DemoData data = DropoutDemo.data(c);
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        LabSession lab = DropoutDemo.session(backend, c, data, List.of(updates));
        String title = "MLP 784-" + c.hidden() + "-" + c.hidden() + "-10 · Fashion-MNIST · " + c.train();
        ViewerWindow w = Viewer.open(updates, lab::send, new ViewerWindow.Config(lang, title, true, null));
        Viewer.attach(w, lab);
        lab.start();
        for (long s = 0; s < c.editStep(); s++) lab.send(new GuiCommand.Step());
        while (lab.steps() < c.editStep()) Thread.sleep(20);
        Thread.sleep(500);
        // As a user would: right-click the edge from the first ReLU (scope 2) into the second Linear, Dropout, 0.3, Apply.
        int[] edge = onEdt(() -> {
            w.refresh();
            var g = w.model().graph();
            for (Node r : g.nodes()) {
                if (r.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU && r.scope().equals("2")) return new int[] {r.id(), g.consumers(r.id()).get(0)};
            }
            throw new IllegalStateException("no ReLU in scope 2");
        });
        EditDialog d = onEdt(() -> w.openInsertDialog(edge[0], edge[1]));
        onEdt(() -> {
            d.choose(EditDialog.Kind.DROPOUT, c.p());
            return null;
        });
        while (!onEdt(d::checked)) Thread.sleep(20);
        onEdt(() -> {
            d.applyButton().doClick();
            return null;
        });
        while (lab.history().isEmpty()) Thread.sleep(20);
        onEdt(() -> {
            w.setPaused(false);
            return null;
        });
        if (!lab.awaitState(Duration.ofMinutes(20), LabSession.State.FINISHED)) throw new IllegalStateException("the demo did not finish: " + lab.state());
        Thread.sleep(1500);
        onEdt(() -> {
            w.refresh();
            for (var n : w.model().graph().nodes()) {
                if (n.op() instanceof Op.DropoutMask) {
                    w.selectNode(n.id());
                    break;
                }
            }
            return null;
        });
        Thread.sleep(1500);
        onEdt(() -> {
            w.refresh();
            w.fit();
            w.frame().getRootPane().paintImmediately(w.frame().getRootPane().getBounds());
            w.saveScreenshot(out.resolve("model-lab-" + args[1] + ".png"));
            return null;
        });
        lab.close();
        SwingUtilities.invokeAndWait(w::close);
        System.exit(0);
    }

    private static <T> T onEdt(Callable<T> c) throws Exception {
        AtomicReference<T> r = new AtomicReference<>();
        AtomicReference<Exception> err = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                r.set(c.call());
            } catch (Exception ex) {
                err.set(ex);
            }
        });
        if (err.get() != null) throw err.get();
        return r.get();
    }
}
