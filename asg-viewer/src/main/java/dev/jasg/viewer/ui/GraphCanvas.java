package dev.jasg.viewer.ui;

import dev.jasg.viewer.graph.GraphLayout;
import dev.jasg.viewer.graph.Viewport;
import dev.jasg.viewer.graph.GraphPainter;
import dev.jasg.viewer.graph.LayoutResult;

import javax.swing.JComponent;
import javax.swing.SwingUtilities;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.MouseWheelEvent;
import java.awt.geom.AffineTransform;
import java.awt.geom.NoninvertibleTransformException;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.util.BitSet;
import java.util.function.Consumer;

/**
 * The zoomable, pannable drawing of a {@link LayoutResult}: the wheel zooms around the pointer,
 * dragging pans, a click selects a box, a double click on a scope (its frame's header, or its
 * collapsed box) toggles it, and a right click asks for a context menu. Painting goes through
 * {@link GraphPainter} with the clip in world coordinates, so only what is visible is drawn.
 * Used on the event thread only.
 */
final class GraphCanvas extends JComponent {
    /** What the canvas reports back. */
    interface Events {
        /** Box node index {@code node} was clicked (-1: the background). */
        void selected(int node);

        /** Scope {@code scope} should collapse or expand. */
        void toggled(String scope);

        /** A context menu for node index {@code node} (-1 for none) or scope {@code scope} at {@code p}. */
        void contextMenu(int node, String scope, Point p);

        /** A context menu for edge route {@code route} (an index into the layout's edges) at {@code p}. */
        void edgeMenu(int route, Point p);

        /** The pointer rests on edge route {@code route}, or on none (-1). */
        void edgeHovered(int route);
    }

    private final Events events;
    private LayoutResult layout;
    private AffineTransform view = new AffineTransform();
    private GraphPainter.Palette palette = GraphPainter.Palette.darkTheme();
    private int selected = -1;
    private BitSet matches = new BitSet();
    private String message;
    private String nodesFormat = "{0}";
    private Point dragStart;
    private AffineTransform dragView;
    private boolean fitPending = true;
    private int hoveredEdge = -1;
    private Point hoverPoint;
    private String[] hoverLines;
    private long[] hoverHistogram;
    private boolean hoverBad;
    private boolean draggingMinimap;
    private java.awt.image.BufferedImage minimapImage;
    private Object minimapKey;

    GraphCanvas(Events events) {
        this.events = events;
        setPreferredSize(new Dimension(900, 600));
        setFocusable(true);
        setFont(javax.swing.UIManager.getFont("Label.font"));
        setToolTipText(""); // turns tooltips on; the text comes from getToolTipText(MouseEvent)
        MouseAdapter mouse = new MouseAdapter() {
            @Override
            public void mousePressed(MouseEvent e) {
                requestFocusInWindow();
                if (e.isPopupTrigger()) {
                    popup(e);
                    return;
                }
                if (SwingUtilities.isLeftMouseButton(e) && minimapContains(e.getPoint())) {
                    draggingMinimap = true;
                    minimapJump(e.getPoint());
                    return;
                }
                dragStart = e.getPoint();
                dragView = new AffineTransform(view);
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                if (e.isPopupTrigger()) popup(e);
                dragStart = null;
                draggingMinimap = false;
            }

            @Override
            public void mouseMoved(MouseEvent e) {
                hover(e.getPoint());
            }

            @Override
            public void mouseExited(MouseEvent e) {
                hover(null);
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                if (draggingMinimap) {
                    minimapJump(e.getPoint());
                    return;
                }
                if (dragStart == null || !SwingUtilities.isLeftMouseButton(e)) return;
                AffineTransform t = AffineTransform.getTranslateInstance(e.getX() - dragStart.x, e.getY() - dragStart.y);
                t.concatenate(dragView);
                setView(t);
            }

            @Override
            public void mouseClicked(MouseEvent e) {
                if (!SwingUtilities.isLeftMouseButton(e) || layout == null || minimapContains(e.getPoint())) return;
                Point2D w = toWorld(e.getPoint());
                if (e.getClickCount() == 2) {
                    String scope = scopeAt(w);
                    if (scope != null) events.toggled(scope);
                    return;
                }
                LayoutResult.Box b = boxAt(w);
                events.selected(b != null && !b.isScope() ? b.node() : -1);
            }

            @Override
            public void mouseWheelMoved(MouseWheelEvent e) {
                double f = Math.pow(1.15, -e.getPreciseWheelRotation());
                zoomAt(e.getPoint(), f);
            }
        };
        addMouseListener(mouse);
        addMouseMotionListener(mouse);
        addMouseWheelListener(mouse);
    }

    private void popup(MouseEvent e) {
        if (layout == null) return;
        Point2D w = toWorld(e.getPoint());
        LayoutResult.Box b = boxAt(w);
        int edge = b == null ? edgeAt(w) : -1;
        if (b != null && !b.isScope()) events.contextMenu(b.node(), null, e.getPoint());
        else if (edge >= 0) events.edgeMenu(edge, e.getPoint());
        else events.contextMenu(-1, b != null ? b.scope() : scopeAt(w), e.getPoint());
    }

    private void hover(Point p) {
        int edge = -1;
        if (p != null && layout != null && !minimapContains(p)) {
            Point2D w = toWorld(p);
            if (boxAt(w) == null) edge = edgeAt(w);
        }
        hoverPoint = p;
        if (edge != hoveredEdge) {
            hoveredEdge = edge;
            hoverLines = null;
            hoverHistogram = null;
            events.edgeHovered(edge);
        }
        if (edge >= 0 || hoverLines != null) repaint();
    }

    /** The edge route within a few pixels of world point {@code w}, or -1. */
    int edgeAt(Point2D w) {
        if (layout == null) return -1;
        double tolerance = 5 / Math.max(1e-6, view.getScaleX());
        int best = -1;
        double bestD = tolerance;
        for (int i = 0; i < layout.edges().size(); i++) {
            LayoutResult.Route r = layout.edges().get(i);
            if (!r.bbox().contains(w) && r.bbox().getWidth() > 0) {
                java.awt.geom.Rectangle2D grown = new java.awt.geom.Rectangle2D.Double(r.bbox().getX() - tolerance, r.bbox().getY() - tolerance,
                        r.bbox().getWidth() + 2 * tolerance, r.bbox().getHeight() + 2 * tolerance);
                if (!grown.contains(w)) continue;
            }
            double d = Viewport.distanceToPolyline(w, r.xs(), r.ys());
            if (d <= bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }

    /** The hovered edge, or -1. */
    int hoveredEdge() {
        return hoveredEdge;
    }

    /**
     * Shows {@code lines} (and a histogram) next to the pointer while it rests on the edge
     * {@code route}; {@code bad} draws it in the alarm colour (NaN or Inf seen).
     */
    void setHoverText(int route, String[] lines, long[] histogram, boolean bad) {
        if (route != hoveredEdge) return;
        hoverLines = lines;
        hoverHistogram = histogram;
        hoverBad = bad;
        repaint();
    }

    /** The text shown for the hovered edge, or null. */
    String[] hoverText() {
        return hoverLines;
    }

    /** A window point of edge route {@code route}: the middle of its longest segment. */
    Point edgePoint(int route) {
        LayoutResult.Route r = layout.edges().get(route);
        int best = 1;
        double len = -1;
        for (int i = 1; i < r.xs().length; i++) {
            double l = Math.hypot(r.xs()[i] - r.xs()[i - 1], r.ys()[i] - r.ys()[i - 1]);
            if (l > len) {
                len = l;
                best = i;
            }
        }
        Point2D mid = new Point2D.Double((r.xs()[best] + r.xs()[best - 1]) / 2, (r.ys()[best] + r.ys()[best - 1]) / 2);
        Point2D p = view.transform(mid, null);
        return new Point((int) Math.round(p.getX()), (int) Math.round(p.getY()));
    }

    private void setView(AffineTransform t) {
        view = layout == null || getWidth() <= 0 ? t : Viewport.clamp(t, layout.bounds(), getWidth(), getHeight());
        repaint();
    }

    /** The view: world to window pixels. */
    AffineTransform view() {
        return new AffineTransform(view);
    }

    // ---- minimap -------------------------------------------------------------------------------

    private static final int MINIMAP_W = 200, MINIMAP_H = 150, MINIMAP_PAD = 10;

    /** The minimap's transform, or null when the whole graph is in view (no minimap then). */
    AffineTransform minimapTransform() {
        if (layout == null || getWidth() < 3 * MINIMAP_W || getHeight() < 2 * MINIMAP_H) return null;
        java.awt.geom.Rectangle2D shown = Viewport.onScreen(view, layout.bounds());
        if (shown.getMinX() >= -1 && shown.getMinY() >= -1 && shown.getMaxX() <= getWidth() + 1 && shown.getMaxY() <= getHeight() + 1) return null;
        return Viewport.minimap(layout.bounds(), getWidth(), getHeight(), MINIMAP_W, MINIMAP_H, MINIMAP_PAD);
    }

    private java.awt.geom.Rectangle2D minimapFrame(AffineTransform mm) {
        java.awt.geom.Rectangle2D r = Viewport.onScreen(mm, layout.bounds());
        return new java.awt.geom.Rectangle2D.Double(r.getX() - 4, r.getY() - 4, r.getWidth() + 8, r.getHeight() + 8);
    }

    private boolean minimapContains(Point p) {
        AffineTransform mm = minimapTransform();
        return mm != null && minimapFrame(mm).contains(p);
    }

    private void minimapJump(Point p) {
        AffineTransform mm = minimapTransform();
        if (mm == null) return;
        try {
            Point2D w = mm.inverseTransform(p, null);
            setView(Viewport.centreOn(view, w, getWidth(), getHeight()));
        } catch (NoninvertibleTransformException e) {
            // a degenerate minimap: nothing to jump to
        }
    }

    private void paintMinimap(Graphics2D g) {
        AffineTransform mm = minimapTransform();
        if (mm == null) return;
        java.awt.geom.Rectangle2D frame = minimapFrame(mm);
        Object key = java.util.List.of(layout, palette, (int) frame.getWidth(), (int) frame.getHeight());
        if (minimapImage == null || !key.equals(minimapKey)) {
            minimapImage = new java.awt.image.BufferedImage((int) Math.ceil(frame.getWidth()), (int) Math.ceil(frame.getHeight()), java.awt.image.BufferedImage.TYPE_INT_ARGB);
            Graphics2D mg = minimapImage.createGraphics();
            mg.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
            mg.setColor(new Color(palette.background().getRed(), palette.background().getGreen(), palette.background().getBlue(), 235));
            mg.fillRoundRect(0, 0, minimapImage.getWidth(), minimapImage.getHeight(), 8, 8);
            mg.translate(-frame.getX(), -frame.getY());
            mg.transform(mm);
            for (LayoutResult.Group gr : layout.groups()) {
                mg.setColor(palette.groupLine());
                mg.fill(gr.bounds());
            }
            for (LayoutResult.Box b : layout.boxes()) {
                mg.setColor(b.isScope() ? dev.jasg.viewer.graph.Category.SCOPE.fill(palette.dark()) : layout.model().nodes().get(b.node()).category().fill(palette.dark()));
                mg.fill(b.bounds());
            }
            mg.dispose();
            minimapKey = key;
        }
        g.drawImage(minimapImage, (int) frame.getX(), (int) frame.getY(), null);
        g.setColor(palette.groupLine());
        g.draw(new java.awt.geom.RoundRectangle2D.Double(frame.getX(), frame.getY(), frame.getWidth(), frame.getHeight(), 8, 8));
        java.awt.geom.Rectangle2D seen = Viewport.visibleWorld(view, getWidth(), getHeight());
        java.awt.geom.Rectangle2D r = Viewport.onScreen(mm, seen).createIntersection(frame);
        g.setColor(new Color(palette.highlight().getRed(), palette.highlight().getGreen(), palette.highlight().getBlue(), 60));
        g.fill(r);
        g.setColor(palette.highlight());
        g.draw(r);
    }

    // ---- level of detail -----------------------------------------------------------------------

    /**
     * When the boxes' own text is too small to read, the scopes' titles in window-sized letters
     * (outermost first, none overlapping) and, while they fit, the boxes' titles: a zoomed-out
     * graph still says what is where.
     */
    private void paintOverviewLabels(Graphics2D g, double scale) {
        if (scale >= GraphPainter.TEXT_SCALE) return;
        Font f = (getFont() != null ? getFont() : GraphLayout.TITLE_FONT).deriveFont(Font.BOLD, 12f);
        g.setFont(f);
        java.awt.FontMetrics fm = g.getFontMetrics();
        java.util.List<java.awt.geom.Rectangle2D> taken = new java.util.ArrayList<>();
        java.awt.Rectangle window = new java.awt.Rectangle(0, 0, getWidth(), getHeight());
        for (LayoutResult.Group gr : layout.groups()) label(g, fm, layout.model().scopeTitle(gr.scope()), Viewport.onScreen(view, gr.bounds()), false, taken, window);
        for (LayoutResult.Box b : layout.boxes()) {
            if (b.isScope()) label(g, fm, layout.model().scopeTitle(b.scope()), Viewport.onScreen(view, b.bounds()), true, taken, window);
        }
        g.setFont(f.deriveFont(Font.PLAIN, 10f));
        fm = g.getFontMetrics();
        for (LayoutResult.Box b : layout.boxes()) {
            if (!b.isScope()) label(g, fm, layout.model().nodes().get(b.node()).title(), Viewport.onScreen(view, b.bounds()), true, taken, window);
        }
    }

    private void label(Graphics2D g, java.awt.FontMetrics fm, String text, java.awt.geom.Rectangle2D r, boolean centred, java.util.List<java.awt.geom.Rectangle2D> taken,
                       java.awt.Rectangle window) {
        if (!r.intersects(window)) return;
        int tw = fm.stringWidth(text), th = fm.getAscent() + 2;
        if (tw + 2 > r.getWidth() && centred && r.getWidth() < 24) return;
        // A scope's title goes inside its frame's top-left corner, or next to the frame when it is narrower.
        boolean outside = !centred && tw + 6 > r.getWidth();
        double x = centred ? r.getCenterX() - tw / 2.0 - 3 : outside ? r.getMaxX() + 4 : Math.max(r.getX() + 2, 2);
        double y = centred ? r.getCenterY() - th / 2.0 : Math.max(r.getY() + 1, 2);
        java.awt.geom.Rectangle2D pill = new java.awt.geom.Rectangle2D.Double(x, y, tw + 6, th);
        for (java.awt.geom.Rectangle2D t : taken) if (t.intersects(pill)) return;
        taken.add(pill);
        g.setColor(new Color(palette.background().getRed(), palette.background().getGreen(), palette.background().getBlue(), 200));
        g.fill(new java.awt.geom.RoundRectangle2D.Double(pill.getX(), pill.getY(), pill.getWidth(), pill.getHeight(), 6, 6));
        g.setColor(palette.text());
        g.drawString(text, (float) (x + 3), (float) (y + fm.getAscent()));
    }

    private void paintHover(Graphics2D g) {
        if (hoverLines == null || hoverPoint == null || hoveredEdge < 0) return;
        Font f = (getFont() != null ? getFont() : GraphLayout.DETAIL_FONT).deriveFont(Font.PLAIN, 11f);
        g.setFont(f);
        java.awt.FontMetrics fm = g.getFontMetrics();
        int w = 0;
        for (String l : hoverLines) w = Math.max(w, fm.stringWidth(l));
        int histH = hoverHistogram != null ? 36 : 0;
        w = Math.max(w, 160) + 16;
        int h = hoverLines.length * (fm.getHeight()) + histH + 12;
        int x = Math.min(hoverPoint.x + 16, getWidth() - w - 4), y = Math.min(hoverPoint.y + 16, getHeight() - h - 4);
        x = Math.max(4, x);
        y = Math.max(4, y);
        g.setColor(new Color(palette.background().getRed(), palette.background().getGreen(), palette.background().getBlue(), 240));
        g.fillRoundRect(x, y, w, h, 10, 10);
        g.setColor(hoverBad ? new Color(0xE5484D) : palette.highlight());
        g.drawRoundRect(x, y, w, h, 10, 10);
        g.setColor(palette.text());
        int ly = y + 6 + fm.getAscent();
        for (String l : hoverLines) {
            g.drawString(l, x + 8, ly);
            ly += fm.getHeight();
        }
        if (hoverHistogram != null && hoverHistogram.length > 0) {
            long max = 1;
            for (long c : hoverHistogram) max = Math.max(max, c);
            double bw = (w - 16) / (double) hoverHistogram.length;
            int base = y + h - 6;
            g.setColor(palette.highlight());
            for (int i = 0; i < hoverHistogram.length; i++) {
                int bh = (int) Math.round((histH - 4) * hoverHistogram[i] / (double) max);
                g.fillRect((int) (x + 8 + i * bw), base - bh, Math.max(1, (int) bw - 1), bh);
            }
        }
    }

    /** Shows {@code l}; keeps the view when {@code keepView} (an edit or a collapse), else fits it. */
    void setLayout(LayoutResult l, boolean keepView) {
        this.layout = l;
        this.message = null;
        if (!keepView) fitPending = true;
        repaint();
    }

    LayoutResult layoutResult() {
        return layout;
    }

    /** Shows {@code text} instead of (or over) the graph, e.g. while laying out. */
    void setMessage(String text) {
        this.message = text;
        repaint();
    }

    void setPalette(GraphPainter.Palette p) {
        this.palette = p;
        repaint();
    }

    GraphPainter.Palette palette() {
        return palette;
    }

    void setNodesFormat(String f) {
        this.nodesFormat = f;
    }

    void setMarks(int selected, BitSet matches) {
        this.selected = selected;
        this.matches = matches;
        repaint();
    }

    GraphPainter.Marks marks() {
        return new GraphPainter.Marks(selected, matches);
    }

    /** Fits the whole graph into the window. */
    void fit() {
        if (layout == null || getWidth() <= 0) {
            fitPending = true;
            return;
        }
        // The whole graph, however tall: the overview labels and the minimap keep it readable.
        view = Viewport.fit(layout.bounds(), getWidth(), getHeight());
        fitPending = false;
        repaint();
    }

    /** Zooms by {@code factor} around the centre. */
    void zoom(double factor) {
        zoomAt(new Point(getWidth() / 2, getHeight() / 2), factor);
    }

    /** Zooms by {@code factor} around window point {@code p}, which stays over the same spot of the graph. */
    void zoomAt(Point p, double factor) {
        if (layout == null || getWidth() <= 0) return;
        double fitScale = Viewport.fit(layout.bounds(), getWidth(), getHeight()).getScaleX();
        setView(Viewport.zoomAt(view, p, factor, fitScale));
    }

    /** Centres the view on box node index {@code node}, zooming in to a readable size if needed. */
    void centreOn(int node) {
        if (layout == null) return;
        int b = layout.boxOf(node);
        if (b < 0) return;
        Rectangle2D r = layout.boxes().get(b).bounds();
        double s = Math.max(view.getScaleX(), 0.9);
        AffineTransform t = new AffineTransform();
        t.translate(getWidth() / 2.0 - r.getCenterX() * s, getHeight() / 2.0 - r.getCenterY() * s);
        t.scale(s, s);
        setView(t);
    }

    /** The zoom. */
    double scale() {
        return view.getScaleX();
    }

    // ---- issue 17: the profiling heat overlay (HeatOverlay) paints with the view ----
    /** A copy of the world-to-component transform. */
    AffineTransform viewTransform() {
        return new AffineTransform(view);
    }
    // ---- end issue 17 ----

    private Point2D toWorld(Point p) {
        try {
            return view.inverseTransform(p, null);
        } catch (NoninvertibleTransformException e) {
            return new Point2D.Double();
        }
    }

    /** The hovered box's path, id and shape. */
    @Override
    public String getToolTipText(MouseEvent e) {
        if (layout == null) return null;
        LayoutResult.Box b = boxAt(toWorld(e.getPoint()));
        if (b == null) return null;
        if (b.isScope()) return b.scope() + " (" + nodesFormat.replace("{0}", Integer.toString(b.count())) + ")";
        var v = layout.model().nodes().get(b.node());
        String what = v.isOutput() ? v.output() : v.node().path();
        return "<html><b>" + dev.jasg.viewer.inspect.NodeDescription.esc(what) + "</b><br>%" + v.node().id() + " · "
                + v.node().dtype().label() + v.node().shape() + "</html>";
    }

    private LayoutResult.Box boxAt(Point2D w) {
        for (LayoutResult.Box b : layout.boxes()) if (b.bounds().contains(w)) return b;
        return null;
    }

    /** The scope whose collapsed box or frame header is at {@code w}, innermost first. */
    private String scopeAt(Point2D w) {
        for (LayoutResult.Box b : layout.boxes()) if (b.isScope() && b.bounds().contains(w)) return b.scope();
        String hit = null;
        int depth = -1;
        for (LayoutResult.Group g : layout.groups()) {
            Rectangle2D r = g.bounds();
            if (new Rectangle2D.Double(r.getX(), r.getY(), r.getWidth(), GraphLayout.GROUP_HEADER).contains(w) && g.depth() > depth) {
                hit = g.scope();
                depth = g.depth();
            }
        }
        return hit;
    }

    @Override
    protected void paintComponent(Graphics g0) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            g.setColor(palette.background());
            g.fillRect(0, 0, getWidth(), getHeight());
            if (layout != null) {
                if (fitPending) fit();
                AffineTransform base = g.getTransform();
                g.transform(view);
                GraphPainter.paint(g, layout, palette, marks(), view.getScaleX(), nodesFormat);
                g.setTransform(base);
                paintOverviewLabels(g, view.getScaleX());
                paintMinimap(g);
                paintHover(g);
            }
            if (message != null) {
                Font f = getFont() != null ? getFont() : GraphLayout.TITLE_FONT;
                g.setFont(f.deriveFont(Font.BOLD, 14f));
                int w = g.getFontMetrics().stringWidth(message);
                g.setColor(new Color(palette.background().getRed(), palette.background().getGreen(), palette.background().getBlue(), 220));
                g.fillRoundRect(getWidth() / 2 - w / 2 - 14, 14, w + 28, 30, 12, 12);
                g.setColor(palette.text());
                g.drawString(message, getWidth() / 2 - w / 2, 34);
            }
        } finally {
            g.dispose();
        }
    }
}
