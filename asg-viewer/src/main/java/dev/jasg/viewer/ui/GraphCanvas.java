package dev.jasg.viewer.ui;

import dev.jasg.viewer.graph.GraphLayout;
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
                dragStart = e.getPoint();
                dragView = new AffineTransform(view);
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                if (e.isPopupTrigger()) popup(e);
                dragStart = null;
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                if (dragStart == null || !SwingUtilities.isLeftMouseButton(e)) return;
                AffineTransform t = AffineTransform.getTranslateInstance(e.getX() - dragStart.x, e.getY() - dragStart.y);
                t.concatenate(dragView);
                view = t;
                repaint();
            }

            @Override
            public void mouseClicked(MouseEvent e) {
                if (!SwingUtilities.isLeftMouseButton(e) || layout == null) return;
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
        if (b != null && !b.isScope()) events.contextMenu(b.node(), null, e.getPoint());
        else events.contextMenu(-1, b != null ? b.scope() : scopeAt(w), e.getPoint());
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
        view = GraphPainter.fit(layout.bounds(), getWidth(), getHeight());
        // A tall graph fitted whole is unreadable: fit the width, show the top.
        if (view.getScaleX() < 0.3 && layout.bounds().getHeight() > layout.bounds().getWidth() * 2) {
            double s = Math.min(1, Math.max(0.3, (getWidth() - 40) / Math.max(1, layout.bounds().getWidth())));
            view = new AffineTransform();
            view.translate((getWidth() - layout.bounds().getWidth() * s) / 2, 20);
            view.scale(s, s);
        }
        fitPending = false;
        repaint();
    }

    /** Zooms by {@code factor} around the centre. */
    void zoom(double factor) {
        zoomAt(new Point(getWidth() / 2, getHeight() / 2), factor);
    }

    private void zoomAt(Point p, double factor) {
        double s = view.getScaleX() * factor;
        if (s < 0.02 || s > 8) return;
        AffineTransform t = new AffineTransform();
        t.translate(p.x, p.y);
        t.scale(factor, factor);
        t.translate(-p.x, -p.y);
        t.concatenate(view);
        view = t;
        repaint();
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
        view = t;
        repaint();
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
