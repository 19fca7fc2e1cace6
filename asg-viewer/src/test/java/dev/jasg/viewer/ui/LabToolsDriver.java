package dev.jasg.viewer.ui;

import dev.jasg.core.Backend;
import dev.jasg.core.Backends;
import dev.jasg.core.DType;
import dev.jasg.nn.Conv2d;
import dev.jasg.nn.Flatten;
import dev.jasg.nn.Linear;
import dev.jasg.nn.ReLU;
import dev.jasg.nn.Sequential;
import dev.jasg.nn.loss.Losses;
import dev.jasg.nn.optim.Adam;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.InputSpec;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.Viewer;
import dev.jasg.viewer.demo.DemoData;
import dev.jasg.viewer.lab.LabSession;
import dev.jasg.viewer.lab.ResizePreview;

import javax.imageio.ImageIO;
import javax.swing.JTabbedPane;
import javax.swing.SwingUtilities;
import java.awt.Component;
import java.awt.Container;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run by {@link LabToolsWindowTest} in its own JVM on an X display: opens the real viewer window on
 * a small CNN in a Model Lab session and drives the issue-17 tabs through their components, as a
 * user would: the layer editor previews and applies {@code out_channels=6} of the convolution
 * (the Linear after it is adapted), refuses {@code groups=3} in red, then the profile tab switches
 * profiling on and the table and heat overlay fill. Writes {@code result.properties} and
 * screenshots ({@code editor_<lang>.png}, {@code profile_<lang>.png}, {@code window_<lang>.png}).
 *
 * <p>Arguments: output directory, language, backend ({@code cpu} or {@code vulkan}).
 */
public final class LabToolsDriver {
    private LabToolsDriver() {}

    public static void main(String[] args) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(150_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("LabToolsDriver: timed out");
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            drive(Path.of(args[0]), Language.parse(args[1]).orElseThrow(), args.length > 2 ? args[2] : "cpu");
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void drive(Path out, Language lang, String backendName) throws Exception {
        Files.createDirectories(out);
        Messages m = Messages.of(lang);
        Properties result = new Properties();
        try (Backend backend = Backends.create(backendName)) {
            var model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new Flatten(), new Linear(4 * 26 * 26, 10));
            ComputeUpdateQueue updates = new ComputeUpdateQueue();
            LabSession lab = LabSession.builder(backend, model)
                    .input(InputSpec.of("x", DType.F32, "B", 1, 28, 28)).target(InputSpec.of("y", DType.I32, "B"))
                    .loss(Losses::crossEntropy).optimizer(new Adam(1e-3)).data(DemoData.synthetic(512, 16, 3)).seed(5).listener(updates).build();
            var w = Viewer.open(updates, lab::send, new ViewerWindow.Config(lang, "lab tools · " + backend.name(), true, null));
            lab.start();
            await("5 steps", () -> lab.steps() >= 5);
            await("the layout", () -> onEdt(() -> {
                w.refresh();
                return w.isLaidOut();
            }));
            LabTools tools = onEdt(() -> find(w.frame().getContentPane()));
            JTabbedPane tabs = tools.tabPane();
            LayerEditorPanel editor = tools.editor();
            result.setProperty("tabs", onEdt(() -> tabs.getTitleAt(0) + "|" + tabs.getTitleAt(1) + "|" + tabs.getTitleAt(2)));

            // The layer editor: pause, preview and apply a wider convolution, then a refused edit.
            onEdt(() -> {
                tabs.setSelectedIndex(1);
                w.setPaused(true);
                return null;
            });
            await("the pause", () -> lab.state() == LabSession.State.PAUSED);
            await("the editable layers", () -> onEdt(() -> editor.select("0")));
            result.setProperty("layers", onEdt(() -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < editor.selectedCount(); i++) sb.append(editor.layerAt(i)).append(';');
                return sb.toString();
            }));
            float[] biasBefore = lab.parameters().get("3.bias").floats().clone();
            onEdt(() -> {
                editor.setSetting("out_channels", 6);
                editor.previewButton().doClick();
                return null;
            });
            await("the preview", () -> onEdt(() -> editor.lastPreview() != null));
            ResizePreview p = onEdt(editor::lastPreview);
            result.setProperty("preview", p.getClass().getSimpleName() + " " + onEdt(editor::resultText).replace('\n', ' '));
            result.setProperty("previewRed", Boolean.toString(onEdt(editor::resultIsRed)));
            result.setProperty("historyAfterPreview", Integer.toString(lab.history().size()));
            saveComponent(tabs, out.resolve("editor_" + lang.name().toLowerCase() + ".png"));
            onEdt(() -> {
                editor.applyButton().doClick();
                return null;
            });
            await("the apply", () -> onEdt(() -> editor.lastPreview() instanceof ResizePreview.Ready r && r.applied()));
            result.setProperty("historyAfterApply", Integer.toString(lab.history().size()));
            result.setProperty("conv", Arrays.toString(lab.parameters().get("0.weight").shape().dims()));
            result.setProperty("linear", Arrays.toString(lab.parameters().get("3.weight").shape().dims()));
            result.setProperty("biasKept", Boolean.toString(Arrays.equals(biasBefore, lab.parameters().get("3.bias").floats())));
            await("the editor reloads the new sizes", () -> onEdt(() -> editor.select("0") && editor.selected().settings().get("out_channels") == 6));
            onEdt(() -> {
                editor.setSetting("groups", 3);
                editor.applyButton().doClick();
                return null;
            });
            await("the refusal", () -> onEdt(() -> editor.lastPreview() instanceof ResizePreview.Failed));
            result.setProperty("refused", onEdt(editor::resultText).replace('\n', ' '));
            result.setProperty("refusedRed", Boolean.toString(onEdt(editor::resultIsRed)));
            result.setProperty("historyAfterRefusal", Integer.toString(lab.history().size()));
            long at = lab.steps();
            onEdt(() -> {
                w.setPaused(false);
                return null;
            });
            await("training after the edit", () -> lab.steps() > at + 5);
            result.setProperty("stepsAfterEdit", Long.toString(lab.steps() - at));

            // The profile: switch it on and wait for the table and the overlay.
            ProfilePanel profile = tools.profile();
            onEdt(() -> {
                tabs.setSelectedIndex(2);
                profile.profileBox().doClick();
                return null;
            });
            await("a profile", () -> onEdt(() -> profile.table().getRowCount() > 0 && tools.heat().profile() != null));
            Thread.sleep(500);
            result.setProperty("rows", Integer.toString(onEdt(() -> profile.table().getRowCount())));
            result.setProperty("forwardNodes", Integer.toString(onEdt(() -> tools.heat().profile().forward().size())));
            result.setProperty("summary", onEdt(profile::summaryText).replace('\n', ' '));
            result.setProperty("firstRowTime", onEdt(() -> String.valueOf(profile.table().getValueAt(0, 3))));
            result.setProperty("lastRowTime", onEdt(() -> String.valueOf(profile.table().getValueAt(profile.table().getRowCount() - 1, 3))));
            onEdt(() -> {
                w.refresh();
                w.frame().getRootPane().paintImmediately(w.frame().getRootPane().getBounds());
                w.saveScreenshot(out.resolve("window_" + lang.name().toLowerCase() + ".png"));
                return null;
            });
            saveComponent(tabs, out.resolve("profile_" + lang.name().toLowerCase() + ".png"));
            onEdt(() -> {
                profile.profileBox().doClick();
                return null;
            });
            result.setProperty("expected.fits", m.get("layerEditor.fits"));
            result.setProperty("expected.applied", m.get("layerEditor.applied"));
            try (var wr = Files.newBufferedWriter(out.resolve("result.properties"))) {
                result.store(wr, null);
            }
            lab.close();
            SwingUtilities.invokeAndWait(w::close);
        }
    }

    private static LabTools find(Container c) {
        for (Component k : c.getComponents()) {
            if (k instanceof JTabbedPane t && t.getClientProperty("labTools") instanceof LabTools l) return l;
            if (k instanceof Container cc) {
                LabTools l = find(cc);
                if (l != null) return l;
            }
        }
        return null;
    }

    private static void saveComponent(Component c, Path file) throws Exception {
        BufferedImage img = onEdt(() -> {
            BufferedImage b = new BufferedImage(Math.max(1, c.getWidth()), Math.max(1, c.getHeight()), BufferedImage.TYPE_INT_RGB);
            var g = b.createGraphics();
            c.paint(g);
            g.dispose();
            return b;
        });
        ImageIO.write(img, "png", file.toFile());
    }

    static <T> T onEdt(Callable<T> c) throws Exception {
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

    static void await(String what, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
