package dev.jasg.viewer;

import dev.jasg.core.Backend;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.demo.DropoutDemo;
import dev.jasg.viewer.lab.Insert;
import dev.jasg.viewer.lab.LabSession;
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
 * {@link LabSession#apply} (what the window's "Insert here..." dialog calls) and training goes on.
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
        DropoutDemo.drive(lab, c.editStep(), DropoutDemo.edit(Insert.dropout(c.p())), Duration.ofMinutes(20));
        Thread.sleep(1500);
        onEdt(() -> {
            w.refresh();
            for (var n : w.model().graph().nodes()) {
                if (n.op() instanceof dev.jasg.core.Op.DropoutMask) {
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
