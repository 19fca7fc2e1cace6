package dev.jasg.viewer.graph;

import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Set;

/**
 * A laid-out {@link GraphModel} in world coordinates (pixels at zoom 1, y down): boxes, the
 * rectangles of expanded scopes, and edge routes.
 *
 * @param model     what was laid out
 * @param collapsed the scopes drawn as one box
 * @param boxes     the boxes, nodes and collapsed scopes
 * @param groups    expanded scopes, outermost first
 * @param edges     edge routes
 * @param bounds    the rectangle holding everything
 * @param millis    how long the layout took
 */
public record LayoutResult(GraphModel model, Set<String> collapsed, List<Box> boxes, List<Group> groups, List<Route> edges,
                           Rectangle2D bounds, long millis) {

    /**
     * A box: graph node {@code node} (an index into {@link GraphModel#nodes()}), or a collapsed
     * scope when {@code node} is -1.
     *
     * @param node   the box's node index, or -1
     * @param scope  the collapsed scope, or null
     * @param count  boxes inside a collapsed scope
     * @param bounds where it is
     */
    public record Box(int node, String scope, int count, Rectangle2D bounds) {
        /** True for a collapsed scope. */
        public boolean isScope() {
            return node < 0;
        }
    }

    /**
     * An expanded scope drawn as a frame around its boxes.
     *
     * @param scope  its path
     * @param depth  nesting depth, 1 at the top
     * @param bounds its frame; the header is the top {@link GraphLayout#GROUP_HEADER} pixels
     */
    public record Group(String scope, int depth, Rectangle2D bounds) {}

    /**
     * An edge route from box {@code from} to box {@code to} (indices into {@link #boxes()}).
     *
     * @param from   source box
     * @param to     target box
     * @param xs     x of the points, source end first
     * @param ys     y of the points
     * @param label  the shape text
     * @param labelX left of the label, NaN when none was placed
     * @param labelY top of the label
     * @param bbox   the rectangle holding the route
     * @param nodes  the node indices this route stands for (several when scopes are collapsed), as from/to pairs
     */
    public record Route(int from, int to, double[] xs, double[] ys, String label, double labelX, double labelY, Rectangle2D bbox, int[] nodes) {}

    /** The index in {@link #boxes()} of the box showing node index {@code node} (itself, or its collapsed scope); -1 when none. */
    public int boxOf(int node) {
        for (int i = 0; i < boxes.size(); i++) if (boxes.get(i).node() == node) return i;
        ViewNode v = model.nodes().get(node);
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            if (b.isScope() && (v.scope().equals(b.scope()) || v.scope().startsWith(b.scope() + "."))) return i;
        }
        return -1;
    }
}
