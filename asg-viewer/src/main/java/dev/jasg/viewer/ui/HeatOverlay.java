package dev.jasg.viewer.ui;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.viewer.graph.LayoutResult;
import dev.jasg.viewer.graph.ViewNode;
import dev.jasg.viewer.lab.LabProfile;

import javax.swing.JComponent;
import javax.swing.SwingUtilities;
import javax.swing.plaf.LayerUI;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Paints the last step's profile over the graph canvas: every node box tinted from pale yellow
 * (fast) to red (the slowest node of the view), a collapsed scope by the sum of its nodes, the
 * hottest path outlined, and the time written under boxes that are large enough to read. Swing
 * only: every method on the event thread.
 */
final class HeatOverlay extends LayerUI<JComponent> {
    private static final long serialVersionUID = 1L;
    private static final Color PATH = new Color(0xD0021B);

    private final transient GraphCanvas canvas;
    private transient LabProfile profile;
    private transient int anomalyNode = -1;

    HeatOverlay(GraphCanvas canvas) {
        this.canvas = canvas;
    }

    /** Shows {@code p} (null hides the overlay). */
    void setProfile(LabProfile p) {
        this.profile = p;
        canvas.repaint();
    }

    LabProfile profile() {
        return profile;
    }

    /** Rings node {@code id} as the first to produce a NaN or an infinity (-1: none). */
    void setAnomaly(int id) {
        anomalyNode = id;
        canvas.repaint();
    }

    @Override
    public void paint(Graphics g0, JComponent c) {
        super.paint(g0, c);
        LayoutResult layout = canvas.layoutResult();
        if (layout == null || (profile == null && anomalyNode < 0)) return;
        Graphics2D g = (Graphics2D) g0.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Point at = SwingUtilities.convertPoint(canvas, 0, 0, c);
            g.clipRect(at.x, at.y, canvas.getWidth(), canvas.getHeight());
            g.translate(at.x, at.y);
            AffineTransform view = canvas.viewTransform();
            Graph graph = layout.model().graph();
            Map<Integer, Long> nanos = new HashMap<>();
            if (profile != null) for (var e : profile.profile().entries()) nanos.put(e.node(), e.nanos());
            long max = 1;
            Map<LayoutResult.Box, Long> boxTime = new HashMap<>();
            for (LayoutResult.Box b : layout.boxes()) {
                long t = 0;
                if (b.isScope()) {
                    for (Node n : graph.nodes()) if (n.scope().equals(b.scope()) || n.scope().startsWith(b.scope() + ".")) t += nanos.getOrDefault(n.id(), 0L);
                } else {
                    t = nanos.getOrDefault(nodeId(layout, b), 0L);
                }
                boxTime.put(b, t);
                max = Math.max(max, t);
            }
            Set<Integer> path = new HashSet<>(profile == null ? List.of() : profile.profile().hottestPath(graph));
            g.setFont(canvas.getFont() != null ? canvas.getFont().deriveFont(Font.BOLD, 11f) : new Font(Font.SANS_SERIF, Font.BOLD, 11));
            for (LayoutResult.Box b : layout.boxes()) {
                Rectangle2D r = view.createTransformedShape(b.bounds()).getBounds2D();
                if (r.getMaxX() < 0 || r.getMaxY() < 0 || r.getX() > canvas.getWidth() || r.getY() > canvas.getHeight()) continue;
                int id = b.isScope() ? -1 : nodeId(layout, b);
                if (profile != null) {
                    long t = boxTime.get(b);
                    double h = Math.sqrt((double) t / max);
                    g.setColor(heat(h));
                    g.fill(r);
                    if (!b.isScope() && path.contains(id)) {
                        g.setColor(PATH);
                        g.setStroke(new BasicStroke(3f));
                        g.draw(r);
                    }
                    if (t > 0 && r.getWidth() > 46 && r.getHeight() > 14) {
                        String text = ms(t);
                        g.setColor(new Color(0, 0, 0, 170));
                        g.drawString(text, (float) (r.getMaxX() - g.getFontMetrics().stringWidth(text) - 3), (float) (r.getMaxY() - 3));
                    }
                }
                if (id == anomalyNode && id >= 0) {
                    g.setColor(Color.MAGENTA);
                    g.setStroke(new BasicStroke(4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
                    g.draw(new Rectangle2D.Double(r.getX() - 4, r.getY() - 4, r.getWidth() + 8, r.getHeight() + 8));
                }
            }
        } finally {
            g.dispose();
        }
    }

    private static int nodeId(LayoutResult layout, LayoutResult.Box b) {
        ViewNode v = layout.model().nodes().get(b.node());
        return v.node().id();
    }

    /** Pale translucent yellow at 0 to saturated red at 1. */
    static Color heat(double h) {
        h = Math.max(0, Math.min(1, h));
        int green = (int) Math.round(230 * (1 - h));
        int alpha = (int) Math.round(40 + 150 * h);
        return new Color(255, green, 0, alpha);
    }

    static String ms(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 10 ? String.format(Locale.ROOT, "%.0f ms", ms) : ms >= 0.1 ? String.format(Locale.ROOT, "%.2f ms", ms)
                : String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }
}
