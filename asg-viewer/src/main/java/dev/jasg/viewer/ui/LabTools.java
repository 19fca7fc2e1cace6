package dev.jasg.viewer.ui;

import dev.jasg.core.Graph;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.lab.GuiCommand;

import javax.swing.JComponent;
import javax.swing.JLayer;
import javax.swing.JTabbedPane;
import javax.swing.Timer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The issue-17 tools of the viewer window, kept apart from {@link ViewerWindow}: a tab pane beside
 * the graph holding the inspector, the {@link LayerEditorPanel} and the {@link ProfilePanel}, and the
 * {@link HeatOverlay} over the graph. It follows the window without hooks of its own: a timer
 * notices a new graph (the editor reloads its layers) and a new selection (the editor picks the
 * selected node's layer). Swing only: create and use it on the event thread.
 */
final class LabTools {
    private final GraphPanel graph;
    private final HeatOverlay overlay;
    private final LayerEditorPanel editor;
    private final ProfilePanel profile;
    private final JTabbedPane tabs = new JTabbedPane();
    private final Timer follow;
    private final String[] tabTitles;
    private Graph seenGraph;
    private int seenSelection = -1;

    LabTools(Messages m, Consumer<GuiCommand> commands, GraphPanel graph, IntConsumer select) {
        this.graph = graph;
        this.overlay = new HeatOverlay(graph.canvas());
        this.editor = new LayerEditorPanel(m, commands);
        this.profile = new ProfilePanel(m, commands, overlay, select);
        follow = new Timer(250, e -> follow());
        follow.start();
        tabs.setName("labTools");
        tabs.putClientProperty("labTools", this);
        this.tabTitles = new String[] {m.get("tabs.inspector"), m.get("tabs.layerEditor"), m.get("tabs.profile")};
    }

    /** The tab pane: the inspector first, then the layer editor and the profile. */
    JTabbedPane tabs(JComponent inspector) {
        tabs.addTab(tabTitles[0], inspector);
        tabs.addTab(tabTitles[1], editor);
        tabs.addTab(tabTitles[2], profile);
        return tabs;
    }

    /** {@code graphPanel} with the heat overlay over it. */
    JComponent overlay(JComponent graphPanel) {
        return new JLayer<>(graphPanel, overlay);
    }

    private void follow() {
        if (!tabs.isShowing()) return;
        GraphModel fwd = graph.model(GraphModel.Mode.FORWARD);
        if (fwd != null && fwd.graph() != seenGraph) {
            seenGraph = fwd.graph();
            editor.refresh();
        }
        GraphModel gm = graph.model();
        int sel = graph.selectedIndex();
        if (gm != null && sel != seenSelection) {
            seenSelection = sel;
            if (sel >= 0 && sel < gm.nodes().size()) editor.select(gm.nodes().get(sel).node().scope());
        }
    }

    /** Stops following the window. */
    void dispose() {
        follow.stop();
    }

    LayerEditorPanel editor() {
        return editor;
    }

    ProfilePanel profile() {
        return profile;
    }

    HeatOverlay heat() {
        return overlay;
    }

    JTabbedPane tabPane() {
        return tabs;
    }
}
