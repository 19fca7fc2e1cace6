package dev.jasg.viewer;

import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.Trainer;
import dev.jasg.viewer.lab.GuiCommand;
import dev.jasg.viewer.lab.TrainerStats;
import dev.jasg.viewer.ui.Theme;
import dev.jasg.viewer.ui.ViewerWindow;

import javax.swing.SwingUtilities;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Opens the viewer from any thread. Watching a training loop of your own takes one line:
 *
 * <pre>{@code
 * Viewer.watch(trainer, Language.RU);   // subscribes to the trainer's updates and opens the window
 * for (var batch : loader) trainer.step(batch);
 * }</pre>
 *
 * A watching window shows the live statistics of the selected node and of a hovered edge too:
 * the trainer measures them on its last batch between steps ({@link TrainerStats}).
 *
 * For pause, step, reset and live edits, train in a {@link dev.jasg.viewer.lab.LabSession} and
 * pass its {@code send} as the command sink to {@link #open}.
 */
public final class Viewer {
    private Viewer() {}

    /**
     * Opens a window on {@code updates}; {@code commands} takes the window's {@link GuiCommand}s, or
     * is null for a window that only watches. Installs the FlatLaf look of {@code config}.
     */
    public static ViewerWindow open(ComputeUpdateQueue updates, Consumer<GuiCommand> commands, ViewerWindow.Config config) {
        AtomicReference<ViewerWindow> w = new AtomicReference<>();
        Runnable make = () -> {
            Theme.install(config.dark());
            w.set(ViewerWindow.open(config, updates, commands));
        };
        if (SwingUtilities.isEventDispatchThread()) {
            make.run();
            return w.get();
        }
        try {
            SwingUtilities.invokeAndWait(make);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the viewer", e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException("the viewer could not open", e.getCause());
        }
        return w.get();
    }

    /**
     * Subscribes a new queue to {@code trainer}'s updates and opens a watching window (no commands)
     * on it, in {@code language}, dark.
     */
    public static ViewerWindow watch(Trainer trainer, Language language) {
        ComputeUpdateQueue updates = new ComputeUpdateQueue();
        trainer.addUpdateListener(updates);
        String name = trainer.model().getClass().getSimpleName();
        // The window asks for the statistics of the node it shows; the trainer answers between steps.
        TrainerStats stats = new TrainerStats(trainer, java.time.Duration.ofMillis(500));
        ViewerWindow w = open(updates, stats, new ViewerWindow.Config(language, name.isEmpty() ? "model" : name, true, () -> {
            stats.close();
            trainer.removeUpdateListener(updates);
        }));
        setLayerClasses(w, trainer.model());
        return w;
    }

    /**
     * Tells window {@code w} about the Model Lab session it steers: the session's layer classes
     * (scope titles such as {@code 1: Linear}) and whether it starts paused (the Pause button then
     * reads Resume). Call after {@link #open} with {@code lab::send} as the command sink.
     */
    public static void attach(ViewerWindow w, dev.jasg.viewer.lab.LabSession lab) {
        setLayerClasses(w, lab.model().inner());
        boolean paused = lab.state() == dev.jasg.viewer.lab.LabSession.State.PAUSED || lab.startsPaused();
        if (paused) SwingUtilities.invokeLater(() -> w.showPaused(true));
    }

    private static void setLayerClasses(ViewerWindow w, dev.jasg.nn.Layer model) {
        java.util.Map<String, String> classes = dev.jasg.viewer.graph.GraphModel.layerClasses(model);
        SwingUtilities.invokeLater(() -> w.setLayerClasses(classes));
    }
}
