package dev.jasg.viewer;

import dev.jasg.core.Backend;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.UnaryOp;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.AdamW;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.lab.LabSession;
import dev.jasg.viewer.ui.EditDialog;
import dev.jasg.viewer.ui.ViewerWindow;

import javax.swing.SwingUtilities;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes the README's Model Lab picture (not a test): an MLP 784-256-256-10 overfits a few synthetic
 * images (128 by default, the fifth argument) (training accuracy far above held-out accuracy); at step {@code edit} Dropout(0.3) goes
 * between its two hidden Linear layers through the window's "Insert here..." dialog, and training
 * continues for {@code steps} steps in all. Writes {@code <out>/model-lab-<lang>.png}.
 *
 * <pre>
 * Xvfb :7 &amp; DISPLAY=:7 java -cp ... dev.jasg.viewer.LabDemoShot docs en 600 1800
 * </pre>
 */
public final class LabDemoShot {
    private LabDemoShot() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Language lang = Language.parse(args[1]).orElseThrow();
        long edit = Long.parseLong(args[2]), total = Long.parseLong(args[3]);
        Backend backend = ViewerMain.backend("cpu", Messages.of(lang), System.err);
        int n = Integer.parseInt(args.length > 4 ? args[4] : "128");
        DemoData data = DemoData.synthetic(n, 32, 1);
        // The same n training images, standardised as training sees them: one batch of all of them.
        DemoData all = DemoData.synthetic(n, n, 1);
        all.startEpoch(1);
        Map<String, HostTensor> train = all.next();
        HostTensor trainX = train.get("x");
        int[] trainY = new int[n];
        for (int i = 0; i < n; i++) trainY[i] = (int) train.get("y").get(i);
        HostTensor testX = data.testImages();
        int[] testY = data.testLabels();
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        LabSession lab = LabSession.builder(backend, new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(),
                        new Linear(256, 10)))
                .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                .loss(Losses::crossEntropy).optimizer(new AdamW(2e-3)).data(data).maxSteps(total).seed(1)
                .evaluator(t -> {
                    Map<String, Double> m = new LinkedHashMap<>(ViewerMain.accuracy(t, testX, testY));
                    m.put("train_accuracy", ViewerMain.accuracy(t, trainX, trainY).get("accuracy"));
                    return m;
                })
                .listener(updates).build();
        ViewerWindow w = Viewer.open(updates, lab::send, new ViewerWindow.Config(lang, "MLP 784-256-256-10 · " + n + " images", true, null));
        Viewer.attach(w, lab);
        lab.start();
        while (lab.steps() < edit) Thread.sleep(20);
        int[] e = onEdt(() -> {
            w.refresh();
            var g = w.model().graph();
            for (Node r : g.nodes()) {
                if (r.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU && r.scope().equals("2")) return new int[] {r.id(), g.consumers(r.id()).get(0)};
            }
            throw new IllegalStateException("no ReLU in scope 2");
        });
        EditDialog d = onEdt(() -> w.openInsertDialog(e[0], e[1]));
        onEdt(() -> {
            d.choose(EditDialog.Kind.DROPOUT, 0.3);
            return null;
        });
        while (!onEdt(d::checked)) Thread.sleep(20);
        onEdt(() -> {
            d.applyButton().doClick();
            return null;
        });
        while (lab.state() != LabSession.State.FINISHED) Thread.sleep(50);
        Thread.sleep(500);
        onEdt(() -> {
            w.refresh();
            w.selectNode(onEdt2(w));
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

    private static int onEdt2(ViewerWindow w) {
        for (Node r : w.model().graph().nodes()) if (r.op() instanceof Op.DropoutMask) return r.id();
        return -1;
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
