package dev.jasg.viewer.ui;

import dev.jasg.core.Node;
import dev.jasg.nn.train.NodeStats;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.lab.GuiCommand;

import javax.swing.Timer;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The live statistics of the tensor on the edge under the pointer: once the pointer has rested a
 * quarter of a second it asks the training loop (a {@link GuiCommand.RequestStats} of the edge's
 * producer), shows the answer next to the pointer on the canvas, and when the pointer leaves, asks
 * again for the selected node's statistics. Event thread only.
 */
final class EdgeHover {
    private final Messages m;
    private final GraphCanvas canvas;
    private final Consumer<GuiCommand> commands;
    private final IntSupplier selected;
    private int hovered = -1;
    private int route = -1;
    private Timer timer;

    /** {@code commands} null: no loop to ask (nothing is shown); {@code selected} the inspector's node (-1: none). */
    EdgeHover(Messages m, GraphCanvas canvas, Consumer<GuiCommand> commands, IntSupplier selected) {
        this.m = m;
        this.canvas = canvas;
        this.commands = commands;
        this.selected = selected;
    }

    /** The pointer rests on an edge carrying the value of graph node {@code producer} of {@code model} (-1: on none). */
    void hovered(GraphModel model, int producer) {
        if (timer != null) timer.stop();
        hovered = -1;
        route = canvas.hoveredEdge();
        if (commands == null) return;
        if (producer < 0) {
            // Back to the selected node's statistics.
            if (selected.getAsInt() >= 0) commands.accept(new GuiCommand.RequestStats(selected.getAsInt()));
            return;
        }
        hovered = producer;
        Node n = model.graph().node(producer);
        canvas.setHoverText(route, new String[] {n.path() + "  " + GraphModel.shapeLabel(n), m.get("hover.fetching")}, null, false);
        // Only once the pointer rests a moment, so sweeping over the graph sends nothing.
        timer = new Timer(250, e -> {
            if (hovered == producer) commands.accept(new GuiCommand.RequestStats(producer));
        });
        timer.setRepeats(false);
        timer.start();
    }

    /** Shows {@code s} when it is of the hovered edge's value. */
    void show(NodeStats s) {
        if (s.node() != hovered) return;
        String[] lines = {
                s.path(),
                m.format("hover.range", fmt(s.min()), fmt(s.max())),
                m.format("hover.moments", fmt(s.mean()), fmt(s.std())),
                m.format("hover.count", s.count(), s.nonFinite(), s.step())};
        canvas.setHoverText(route, lines, s.histogram().counts(), s.nonFinite() > 0);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.4g", v);
    }
}
