package dev.jasg.viewer;

import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.Trainer;
import dev.jasg.viewer.lab.GuiCommand;
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
        return open(updates, null, new ViewerWindow.Config(language, name.isEmpty() ? "model" : name, true, null));
    }
}
