package dev.jasg.viewer.ui;

import dev.jasg.core.Graph;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.GraphExport;
import dev.jasg.viewer.graph.GraphLayout;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.GraphPainter;
import dev.jasg.viewer.graph.LayoutResult;
import dev.jasg.viewer.graph.ViewNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.swing.JPanel;
import javax.swing.SwingUtilities;
import java.awt.BorderLayout;
import java.awt.Point;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The graph side of the window: the two views (forward and gradient) of the current graphs, their
 * collapsed scopes, selection and search, over a {@link GraphCanvas}. Layouts run on a background
 * thread and are kept per view and collapse state, so switching views or toggling a scope back is
 * instant and the window never waits for ELK. Everything else runs on the event thread.
 */
final class GraphPanel extends JPanel {
    private static final Logger LOG = LoggerFactory.getLogger(GraphPanel.class);
    /** Boxes shown at first; deeper scopes start collapsed in larger graphs. */
    static final int INITIAL_BOXES = 700;

    /** What the panel reports. */
    interface Listener {
        /** Box {@code v} of {@code model} was selected, or nothing ({@code v} null). */
        void selected(GraphModel model, ViewNode v);

        /** A context menu for box {@code v} (null: none) or scope {@code scope} was asked for at {@code p}. */
        void contextMenu(GraphModel model, ViewNode v, String scope, Point p);

        /** A layout finished (for the status bar). */
        void laidOut(LayoutResult layout);

        /**
         * A context menu for the edge from graph node {@code producer} to graph node
         * {@code consumer} of {@code model} was asked for at {@code p}.
         */
        void edgeMenu(GraphModel model, int producer, int consumer, Point p);

        /** The pointer rests on an edge carrying the value of graph node {@code producer} (-1: on none). */
        void edgeHovered(GraphModel model, int producer);
    }

    private final Messages messages;
    private final Listener listener;
    private final GraphCanvas canvas;
    private final ExecutorService layoutThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jasg-layout");
        t.setDaemon(true);
        return t;
    });
    private final Map<GraphModel.Mode, GraphModel> models = new EnumMap<>(GraphModel.Mode.class);
    private final Map<GraphModel.Mode, Set<String>> collapsed = new EnumMap<>(GraphModel.Mode.class);
    private final Map<String, LayoutResult> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LayoutResult> e) {
            return size() > 8;
        }
    };
    private GraphModel.Mode mode = GraphModel.Mode.FORWARD;
    private int selectedId = -1;
    private int selected = -1;
    private BitSet matches = new BitSet();
    private int matchCursor = -1;
    private long generation;
    private int pendingCentre = -1;
    private int graphVersion;
    private java.util.Map<String, String> layerClasses = java.util.Map.of();
    private Graph forwardGraph, gradientGraph;

    GraphPanel(Messages messages, Listener listener) {
        super(new BorderLayout());
        this.messages = messages;
        this.listener = listener;
        this.canvas = new GraphCanvas(new GraphCanvas.Events() {
            @Override
            public void selected(int node) {
                select(node, false);
            }

            @Override
            public void toggled(String scope) {
                toggle(scope);
            }

            @Override
            public void contextMenu(int node, String scope, Point p) {
                GraphModel m = model();
                if (m == null) return;
                if (node >= 0) select(node, false);
                listener.contextMenu(m, node >= 0 ? m.nodes().get(node) : null, scope, p);
            }

            @Override
            public void edgeMenu(int route, Point p) {
                int[] e = edgeNodes(route);
                if (e != null) listener.edgeMenu(model(), e[0], e[1], p);
            }

            @Override
            public void edgeHovered(int route) {
                int[] e = route < 0 ? null : edgeNodes(route);
                if (model() != null) listener.edgeHovered(model(), e == null ? -1 : e[0]);
            }
        });
        canvas.setNodesFormat(messages.get("canvas.scopeNodes"));
        canvas.setMessage(messages.get("canvas.waiting"));
        add(canvas, BorderLayout.CENTER);
    }

    GraphCanvas canvas() {
        return canvas;
    }

    /**
     * The graph nodes (ids) at the ends of edge route {@code route}: the first pair it stands for
     * whose ends are real nodes (not output markers or stand-ins), else its first pair; null when none.
     */
    int[] edgeNodes(int route) {
        LayoutResult r = canvas.layoutResult();
        if (r == null || route < 0 || route >= r.edges().size()) return null;
        int[] pairs = r.edges().get(route).nodes();
        GraphModel m = r.model();
        for (int i = 0; i < pairs.length; i += 2) {
            ViewNode a = m.nodes().get(pairs[i]), b = m.nodes().get(pairs[i + 1]);
            if (!a.isOutput() && !b.isOutput() && !a.proxy() && !b.proxy()) return new int[] {a.node().id(), b.node().id()};
        }
        return pairs.length == 0 ? null : new int[] {m.nodes().get(pairs[0]).node().id(), m.nodes().get(pairs[1]).node().id()};
    }

    /** The route of the edge from graph node {@code producer} to {@code consumer} in the shown layout, or -1. */
    int routeOf(int producer, int consumer) {
        LayoutResult r = canvas.layoutResult();
        if (r == null) return -1;
        for (int i = 0; i < r.edges().size(); i++) {
            int[] pairs = r.edges().get(i).nodes();
            for (int k = 0; k < pairs.length; k += 2) {
                if (r.model().nodes().get(pairs[k]).node().id() == producer && r.model().nodes().get(pairs[k + 1]).node().id() == consumer
                        && !r.model().nodes().get(pairs[k + 1]).isOutput()) return i;
            }
        }
        return -1;
    }

    /** Titles scopes with their layers' classes ({@code 1: Linear}); see {@link GraphModel#layerClasses}. */
    void setLayerClasses(java.util.Map<String, String> classes) {
        this.layerClasses = java.util.Map.copyOf(classes);
        if (forwardGraph != null) setGraphs(forwardGraph, gradientGraph);
    }

    /** Shows new graphs (a new trainer, or an edit that kept the node ids), keeping view, collapse state and selection. */
    void setGraphs(Graph forward, Graph gradients) {
        boolean first = models.isEmpty();
        graphVersion++;
        forwardGraph = forward;
        gradientGraph = gradients;
        for (GraphModel.Mode m : GraphModel.Mode.values()) {
            GraphModel gm = GraphModel.of(forward, gradients, m, layerClasses);
            models.put(m, gm);
            Set<String> c = collapsed.get(m);
            collapsed.put(m, c == null ? GraphLayout.collapseToFit(gm, INITIAL_BOXES) : GraphPainter.prune(c, gm));
        }
        cache.clear();
        GraphModel gm = model();
        selected = selectedId >= 0 ? gm.indexOf(selectedId) : -1;
        if (selected < 0) selectedId = -1;
        matches = new BitSet();
        relayout(!first);
        listener.selected(gm, selected >= 0 ? gm.nodes().get(selected) : null);
    }

    GraphModel model() {
        return models.get(mode);
    }

    GraphModel model(GraphModel.Mode m) {
        return models.get(m);
    }

    GraphModel.Mode mode() {
        return mode;
    }

    /** Switches to view {@code m}; the selected node stays selected when the other view shows it. */
    void setMode(GraphModel.Mode m) {
        if (m == mode) return;
        mode = m;
        GraphModel gm = model();
        if (gm == null) return;
        selected = selectedId >= 0 ? gm.indexOf(selectedId) : -1;
        matches = new BitSet();
        relayout(false);
        listener.selected(gm, selected >= 0 ? gm.nodes().get(selected) : null);
    }

    /** Selects box {@code index} of the current view (-1: nothing); centres on it when {@code centre}. */
    void select(int index, boolean centre) {
        GraphModel gm = model();
        if (gm == null) return;
        selected = index;
        selectedId = index >= 0 ? gm.nodes().get(index).node().id() : -1;
        if (index >= 0) expandTo(gm.nodes().get(index).scope());
        canvas.setMarks(selected, matches);
        if (centre && index >= 0) {
            canvas.centreOn(index);
            // A scope opened for it is laid out in the background: centre again when that is shown.
            pendingCentre = isLaidOut() ? -1 : index;
        }
        listener.selected(gm, index >= 0 ? gm.nodes().get(index) : null);
    }

    /** Selects graph node {@code id} in the current view, switching to the gradient view when only it has the node; true when found. */
    boolean selectNode(int id) {
        GraphModel gm = model();
        if (gm == null) return false;
        if (gm.indexOf(id) < 0 && mode == GraphModel.Mode.FORWARD && models.get(GraphModel.Mode.GRADIENT).indexOf(id) >= 0) {
            setMode(GraphModel.Mode.GRADIENT);
            gm = model();
        }
        int index = gm.indexOf(id);
        if (index < 0) return false;
        select(index, true);
        return true;
    }

    int selectedIndex() {
        return selected;
    }

    /** Finds boxes whose path, name or op contains {@code text}; selects the first. Returns the number of matches. */
    int search(String text) {
        GraphModel gm = model();
        matches = new BitSet();
        matchCursor = -1;
        if (gm == null || text.isBlank()) {
            canvas.setMarks(selected, matches);
            return 0;
        }
        String q = text.trim().toLowerCase(Locale.ROOT);
        for (ViewNode v : gm.nodes()) if (v.searchText().toLowerCase(Locale.ROOT).contains(q)) matches.set(v.index());
        canvas.setMarks(selected, matches);
        if (!matches.isEmpty()) nextMatch();
        return matches.cardinality();
    }

    /** Selects the next search match; returns its rank (1-based), or 0. */
    int nextMatch() {
        if (matches.isEmpty()) return 0;
        matchCursor = matches.nextSetBit(matchCursor + 1);
        if (matchCursor < 0) matchCursor = matches.nextSetBit(0);
        select(matchCursor, true);
        return matches.get(0, matchCursor + 1).cardinality();
    }

    /** Toggles scope {@code scope}. */
    void toggle(String scope) {
        Set<String> c = collapsed.get(mode);
        if (c == null) return;
        if (!c.remove(scope)) {
            c.add(scope);
            // The scope's inner collapses are kept, so expanding it again restores them.
        }
        relayout(true);
    }

    /** Expands every scope. */
    void expandAll() {
        Set<String> c = collapsed.get(mode);
        if (c == null) return;
        c.clear();
        relayout(true);
    }

    /**
     * Collapses the outermost level of scopes that has more than one: the layers, not the single
     * {@code grad} scope around the whole gradient graph.
     */
    void collapseAll() {
        GraphModel gm = model();
        if (gm == null) return;
        Set<String> c = collapsed.get(mode);
        c.clear();
        int maxDepth = 0;
        for (String s : gm.scopes().keySet()) maxDepth = Math.max(maxDepth, GraphModel.ancestors(s).size());
        for (int depth = 1; depth <= maxDepth; depth++) {
            for (String s : gm.scopes().keySet()) if (GraphModel.ancestors(s).size() == depth) c.add(s);
            if (c.size() > 1 || depth == maxDepth) break;
            c.clear();
        }
        relayout(false);
    }

    /** Expands the scopes around {@code scope} so a box inside it shows. */
    private void expandTo(String scope) {
        Set<String> c = collapsed.get(mode);
        boolean changed = false;
        for (String s : GraphModel.ancestors(scope)) changed |= c.remove(s);
        if (changed) relayout(true);
    }

    private void relayout(boolean keepView) {
        GraphModel gm = model();
        Set<String> c = new LinkedHashSet<>(collapsed.get(mode));
        String key = graphVersion + "|" + mode + "|" + c;
        LayoutResult cached = cache.get(key);
        long gen = ++generation;
        if (cached != null) {
            show(cached, keepView);
            return;
        }
        canvas.setMessage(messages.format("canvas.layingOut", GraphLayout.visible(gm, c)));
        layoutThread.submit(() -> {
            LayoutResult r;
            try {
                r = new GraphLayout().layout(gm, c);
            } catch (RuntimeException e) {
                LOG.error("layout failed", e);
                SwingUtilities.invokeLater(() -> canvas.setMessage(messages.format("canvas.layoutFailed", e.getMessage())));
                return;
            }
            LOG.debug("laid out {} boxes in {} ms", r.boxes().size(), r.millis());
            SwingUtilities.invokeLater(() -> {
                cache.put(key, r);
                if (gen == generation) show(r, keepView);
            });
        });
    }

    private void show(LayoutResult r, boolean keepView) {
        canvas.setLayout(r, keepView);
        canvas.setMarks(selected, matches);
        if (pendingCentre >= 0 && r.model() == model()) {
            canvas.centreOn(pendingCentre);
            pendingCentre = -1;
        }
        listener.laidOut(r);
    }

    /** True when the current view is laid out and shown. */
    boolean isLaidOut() {
        LayoutResult r = canvas.layoutResult();
        return r != null && r.model() == model() && r.collapsed().equals(collapsed.get(mode));
    }

    void exportPng(Path file) throws IOException {
        LayoutResult r = requireLayout();
        GraphExport.png(r, canvas.palette(), canvas.marks(), messages.get("canvas.scopeNodes"), file);
    }

    void exportSvg(Path file) throws IOException {
        LayoutResult r = requireLayout();
        GraphExport.svg(r, canvas.palette(), canvas.marks(), messages.get("canvas.scopeNodes"), file);
    }

    private LayoutResult requireLayout() throws IOException {
        LayoutResult r = canvas.layoutResult();
        if (r == null) throw new IOException(messages.get("canvas.waiting"));
        return r;
    }

    void dispose() {
        layoutThread.shutdownNow();
    }
}
