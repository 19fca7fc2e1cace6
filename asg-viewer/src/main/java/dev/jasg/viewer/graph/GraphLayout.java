package dev.jasg.viewer.graph;

import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeLabelPlacement;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.options.HierarchyHandling;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkLabel;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays out a {@link GraphModel} with the Eclipse Layout Kernel's layered algorithm (Sugiyama:
 * cycle breaking, layering by network simplex, crossing minimisation, Brandes-Köpf placement,
 * orthogonal edge routing), top to bottom. Expanded scopes become compound nodes laid out together
 * with their surroundings (hierarchy handling {@code INCLUDE_CHILDREN}), so edges cross scope
 * frames cleanly; a collapsed scope is one box and the edges into it are merged. Edge labels (the
 * shapes) are placed by ELK at the edges' centres.
 *
 * <p>Pure computation with no Swing: safe off the event thread, and what {@code SampleGraphs}
 * measures.
 */
public final class GraphLayout {
    /** Height of a node box. */
    public static final double NODE_HEIGHT = 34;
    /** Height of a scope frame's header. */
    public static final double GROUP_HEADER = 20;
    /** The font of box titles. */
    public static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 12);
    /** The font of box details and edge labels. */
    public static final Font DETAIL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);

    /**
     * Above this many boxes ELK does not place the edge labels (its label dummies more than double
     * the layout time); each shape is then written once under the box it leaves.
     */
    public static final int ELK_LABEL_LIMIT = 600;

    private final boolean elkLabels;

    /** A layout in which ELK places edge labels for graphs of up to {@link #ELK_LABEL_LIMIT} boxes. */
    public GraphLayout() {
        this(true);
    }

    /** A layout in which ELK places edge labels when {@code elkLabels} and the graph is small enough. */
    public GraphLayout(boolean elkLabels) {
        this.elkLabels = elkLabels;
    }

    /** Text width in {@code font}. */
    public static double width(String s, Font font) {
        return font.getStringBounds(s, FRC).getWidth();
    }

    /** Lays out {@code model} with the scopes in {@code collapsed} drawn as single boxes. */
    public LayoutResult layout(GraphModel model, Set<String> collapsed) {
        long t0 = System.nanoTime();
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.DOWN);
        root.setProperty(CoreOptions.HIERARCHY_HANDLING, HierarchyHandling.INCLUDE_CHILDREN);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
        root.setProperty(CoreOptions.SPACING_NODE_NODE, 18.0);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 26.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 12.0);
        root.setProperty(CoreOptions.SPACING_EDGE_LABEL, 2.0);
        root.setProperty(CoreOptions.PADDING, new ElkPadding(16));

        // Which visible box each model node is drawn in: itself, or its outermost collapsed scope.
        List<ViewNode> nodes = model.nodes();
        String[] rep = new String[nodes.size()];
        for (ViewNode v : nodes) {
            for (String s : GraphModel.ancestors(v.scope())) {
                if (collapsed.contains(s)) {
                    rep[v.index()] = s;
                    break;
                }
            }
        }
        Map<String, ElkNode> groups = new LinkedHashMap<>();
        Map<String, Integer> groupDepth = new HashMap<>();
        List<LayoutResult.Box> boxes = new ArrayList<>();
        List<ElkNode> boxNodes = new ArrayList<>();
        Map<String, Integer> scopeBox = new HashMap<>();
        int[] boxOfNode = new int[nodes.size()];
        for (ViewNode v : nodes) {
            if (rep[v.index()] != null) {
                String s = rep[v.index()];
                Integer b = scopeBox.get(s);
                if (b == null) {
                    ElkNode parent = container(model, root, groups, groupDepth, parentScope(s));
                    ElkNode e = ElkGraphUtil.createNode(parent);
                    String title = "\u25B8 " + model.scopeTitle(s);
                    e.setDimensions(Math.max(width(title, TITLE_FONT), width("00000 nodes", DETAIL_FONT)) + 34, NODE_HEIGHT + 4);
                    b = boxes.size();
                    scopeBox.put(s, b);
                    boxes.add(new LayoutResult.Box(-1, s, 0, null));
                    boxNodes.add(e);
                }
                boxOfNode[v.index()] = b;
                LayoutResult.Box old = boxes.get(b);
                boxes.set(b, new LayoutResult.Box(-1, s, old.count() + 1, null));
            } else {
                ElkNode parent = container(model, root, groups, groupDepth, v.scope());
                ElkNode e = ElkGraphUtil.createNode(parent);
                double w = Math.max(width(v.title(), TITLE_FONT), width(v.detail(), DETAIL_FONT)) + 20;
                e.setDimensions(Math.max(56, w), NODE_HEIGHT);
                boxOfNode[v.index()] = boxes.size();
                boxes.add(new LayoutResult.Box(v.index(), null, 1, null));
                boxNodes.add(e);
            }
        }
        // Edges between boxes; the edges collapsed into one keep their node pairs.
        Map<Long, List<int[]>> merged = new LinkedHashMap<>();
        Map<Long, String> labels = new HashMap<>();
        for (GraphModel.Edge e : model.edges()) {
            int a = boxOfNode[e.from()], b = boxOfNode[e.to()];
            if (a == b) continue;
            long key = ((long) a << 32) | b;
            merged.computeIfAbsent(key, k -> new ArrayList<>()).add(new int[] {e.from(), e.to()});
            labels.putIfAbsent(key, e.label());
        }
        boolean edgeLabels = elkLabels && boxes.size() <= ELK_LABEL_LIMIT;
        List<ElkEdge> elkEdges = new ArrayList<>(merged.size());
        List<Long> keys = new ArrayList<>(merged.keySet());
        for (long key : keys) {
            ElkEdge edge = ElkGraphUtil.createSimpleEdge(boxNodes.get((int) (key >>> 32)), boxNodes.get((int) key));
            ElkGraphUtil.updateContainment(edge);
            if (edgeLabels) {
                String text = labels.get(key);
                ElkLabel l = ElkGraphUtil.createLabel(text, edge);
                l.setDimensions(width(text, DETAIL_FONT) + 2, 12);
                l.setProperty(CoreOptions.EDGE_LABELS_PLACEMENT, EdgeLabelPlacement.CENTER);
            }
            elkEdges.add(edge);
        }

        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

        // Back to absolute coordinates: ELK gives each node relative to its parent and each edge
        // relative to the node that contains it.
        for (int i = 0; i < boxes.size(); i++) {
            ElkNode e = boxNodes.get(i);
            double[] o = offset(e.getParent());
            LayoutResult.Box b = boxes.get(i);
            boxes.set(i, new LayoutResult.Box(b.node(), b.scope(), b.count(), new Rectangle2D.Double(o[0] + e.getX(), o[1] + e.getY(), e.getWidth(), e.getHeight())));
        }
        List<LayoutResult.Group> frames = new ArrayList<>();
        for (var g : groups.entrySet()) {
            ElkNode e = g.getValue();
            double[] o = offset(e.getParent());
            frames.add(new LayoutResult.Group(g.getKey(), groupDepth.get(g.getKey()), new Rectangle2D.Double(o[0] + e.getX(), o[1] + e.getY(), e.getWidth(), e.getHeight())));
        }
        frames.sort(java.util.Comparator.comparingInt(LayoutResult.Group::depth));
        List<LayoutResult.Route> routes = new ArrayList<>(elkEdges.size());
        Set<Integer> labelledSources = new java.util.HashSet<>();
        for (int k = 0; k < elkEdges.size(); k++) {
            ElkEdge edge = elkEdges.get(k);
            long key = keys.get(k);
            double[] o = offset(edge.getContainingNode());
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (ElkEdgeSection s : edge.getSections()) {
                xs.add(o[0] + s.getStartX());
                ys.add(o[1] + s.getStartY());
                for (ElkBendPoint p : s.getBendPoints()) {
                    xs.add(o[0] + p.getX());
                    ys.add(o[1] + p.getY());
                }
                xs.add(o[0] + s.getEndX());
                ys.add(o[1] + s.getEndY());
            }
            double lx = Double.NaN, ly = Double.NaN;
            String text = labels.get(key);
            if (edgeLabels && !edge.getLabels().isEmpty()) {
                ElkLabel l = edge.getLabels().get(0);
                lx = o[0] + l.getX();
                ly = o[1] + l.getY();
            } else if (!edgeLabels && !xs.isEmpty() && labelledSources.add((int) (key >>> 32))) {
                // Every edge out of a box carries the same value: label the first one, just below the box.
                lx = xs.get(0) + 3;
                ly = ys.get(0) + 1;
            }
            double[] ax = xs.stream().mapToDouble(Double::doubleValue).toArray(), ay = ys.stream().mapToDouble(Double::doubleValue).toArray();
            Rectangle2D.Double bb = bbox(ax, ay);
            if (!Double.isNaN(lx)) bb.add(new Rectangle2D.Double(lx, ly, width(text, DETAIL_FONT) + 2, 12));
            List<int[]> pairs = merged.get(key);
            int[] flat = new int[pairs.size() * 2];
            for (int i = 0; i < pairs.size(); i++) {
                flat[2 * i] = pairs.get(i)[0];
                flat[2 * i + 1] = pairs.get(i)[1];
            }
            routes.add(new LayoutResult.Route((int) (key >>> 32), (int) key, ax, ay, text, lx, ly, bb, flat));
        }
        Rectangle2D bounds = new Rectangle2D.Double(0, 0, root.getWidth(), root.getHeight());
        return new LayoutResult(model, Set.copyOf(collapsed), List.copyOf(boxes), List.copyOf(frames), List.copyOf(routes), bounds,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** The compound node of {@code scope}, made (with its ancestors) on first use; the root for the top level. */
    private static ElkNode container(GraphModel model, ElkNode root, Map<String, ElkNode> groups, Map<String, Integer> depth, String scope) {
        if (scope.isEmpty()) return root;
        ElkNode g = groups.get(scope);
        if (g != null) return g;
        ElkNode parent = container(model, root, groups, depth, parentScope(scope));
        g = ElkGraphUtil.createNode(parent);
        g.setProperty(CoreOptions.PADDING, new ElkPadding(GROUP_HEADER + 8, 10, 10, 10));
        g.setProperty(CoreOptions.NODE_SIZE_MINIMUM, new org.eclipse.elk.core.math.KVector(width("\u25BE " + model.scopeTitle(scope), TITLE_FONT) + 24, GROUP_HEADER + 20));
        g.setProperty(CoreOptions.NODE_SIZE_CONSTRAINTS, java.util.EnumSet.of(org.eclipse.elk.core.options.SizeConstraint.MINIMUM_SIZE));
        groups.put(scope, g);
        depth.put(scope, GraphModel.ancestors(scope).size());
        return g;
    }

    private static String parentScope(String scope) {
        int i = scope.lastIndexOf('.');
        return i < 0 ? "" : scope.substring(0, i);
    }

    private static double[] offset(ElkNode n) {
        double x = 0, y = 0;
        for (ElkNode p = n; p != null && p.getParent() != null; p = p.getParent()) {
            x += p.getX();
            y += p.getY();
        }
        return new double[] {x, y};
    }

    private static Rectangle2D.Double bbox(double[] xs, double[] ys) {
        double x0 = Double.POSITIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < xs.length; i++) {
            x0 = Math.min(x0, xs[i]);
            x1 = Math.max(x1, xs[i]);
            y0 = Math.min(y0, ys[i]);
            y1 = Math.max(y1, ys[i]);
        }
        if (xs.length == 0) return new Rectangle2D.Double();
        return new Rectangle2D.Double(x0 - 6, y0 - 6, x1 - x0 + 12, y1 - y0 + 12);
    }

    /** Scopes whose collapse keeps at most about {@code budget} boxes visible: the deepest ones first. */
    public static Set<String> collapseToFit(GraphModel model, int budget) {
        Set<String> collapsed = new LinkedHashSet<>();
        if (model.nodes().size() <= budget) return collapsed;
        int maxDepth = 0;
        for (String s : model.scopes().keySet()) maxDepth = Math.max(maxDepth, GraphModel.ancestors(s).size());
        for (int depth = maxDepth; depth >= 1; depth--) {
            collapsed.clear();
            for (String s : model.scopes().keySet()) if (GraphModel.ancestors(s).size() == depth) collapsed.add(s);
            if (visible(model, collapsed) <= budget || depth == 1) {
                // Collapse this level; deeper ones are inside and need not be listed.
                return collapsed;
            }
        }
        return collapsed;
    }

    /** Boxes visible with {@code collapsed}. */
    public static int visible(GraphModel model, Set<String> collapsed) {
        Set<String> reps = new java.util.HashSet<>();
        int n = 0;
        outer:
        for (ViewNode v : model.nodes()) {
            for (String s : GraphModel.ancestors(v.scope())) {
                if (collapsed.contains(s)) {
                    if (reps.add(s)) n++;
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }
}
