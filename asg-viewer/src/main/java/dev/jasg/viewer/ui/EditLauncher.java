package dev.jasg.viewer.ui;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.lab.EditPreview;
import dev.jasg.viewer.lab.GraphEdit;
import dev.jasg.viewer.lab.GuiCommand;

import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Opens the window's insert and delete dialogs ({@link EditDialog}), one at a time, wired to the
 * training loop through {@link GuiCommand.EditGraph}, and remembers the chart marker of an applied
 * edit in the window's language until the loop's {@code ModelEdited} arrives. Event thread only.
 */
final class EditLauncher {
    private final JFrame frame;
    private final Messages m;
    private final Consumer<GuiCommand> send;
    private final IntFunction<String> nodePath;
    private final Consumer<String> notice;
    private EditDialog dialog;
    private String pendingMarker;

    EditLauncher(JFrame frame, Messages m, Consumer<GuiCommand> send, IntFunction<String> nodePath, Consumer<String> notice) {
        this.frame = frame;
        this.m = m;
        this.send = send;
        this.nodePath = nodePath;
        this.notice = notice;
    }

    /** Opens "Insert here..." on the edge from {@code from} to {@code to} of forward graph {@code g}. */
    void insert(Graph g, Node from, Node to) {
        if (dialog != null) dialog.dispose();
        dialog = EditDialog.insert(frame, m, g, from, to, this::check, r -> notice.accept(m.format("status.recompiled", m.format("chart.inserted", from.path() + " → " + to.path()))));
        dialog.setVisible(true);
    }

    /** Opens "Delete" on node {@code n} of forward graph {@code g}. */
    void delete(Graph g, Node n) {
        if (dialog != null) dialog.dispose();
        dialog = EditDialog.delete(frame, m, g, n, this::check, r -> { });
        dialog.setVisible(true);
    }

    /** The open dialog, or null. */
    EditDialog dialog() {
        return dialog != null && dialog.isDisplayable() ? dialog : null;
    }

    /** The marker for an applied edit: the window's own label when the window made the edit, else {@code description}. */
    String takeMarker(String description) {
        String label = pendingMarker != null ? pendingMarker : description;
        pendingMarker = null;
        return label;
    }

    private CompletableFuture<EditPreview> check(GraphEdit edit, boolean apply) {
        var f = new CompletableFuture<EditPreview>();
        if (apply) {
            // Set before the loop's ModelEdited can arrive.
            String label = switch (edit) {
                case GraphEdit.InsertBetween e -> m.format("chart.inserted", e.what().title());
                case GraphEdit.InsertBetweenScopes e -> m.format("chart.inserted", e.what().title());
                case GraphEdit.DeleteCascade e -> m.format("chart.deleted", nodePath.apply(e.node()));
                case GraphEdit.DeletePassthrough e -> m.format("chart.deleted", e.scope() != null ? e.scope() : nodePath.apply(e.node()));
            };
            pendingMarker = label;
            f.whenComplete((r, err) -> {
                if (!(r instanceof EditPreview.Ready)) SwingUtilities.invokeLater(() -> {
                    if (label.equals(pendingMarker)) pendingMarker = null;
                });
            });
        }
        send.accept(new GuiCommand.EditGraph(edit, apply, f));
        return f;
    }
}
