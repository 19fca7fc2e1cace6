package dev.jasg.viewer.graph;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.BitSet;
import java.util.Set;

/**
 * Draws a {@link LayoutResult} in world coordinates on any {@link Graphics2D}: the canvas, a PNG
 * image or an SVG document. It draws only what meets the clip, and leaves out text when the zoom
 * makes it unreadable, which keeps a graph of thousands of nodes smooth to pan.
 */
public final class GraphPainter {
    /**
     * The colours of one theme.
     *
     * @param dark       whether it is the dark theme (picks the category fills)
     * @param background canvas background
     * @param text       text on boxes
     * @param muted      edge labels and details
     * @param edge       edges
     * @param highlight  edges of the selected node and its outline
     * @param match      search matches
     * @param groupFill  scope frames
     * @param groupLine  scope frame borders
     */
    public record Palette(boolean dark, Color background, Color text, Color muted, Color edge, Color highlight, Color match,
                          Color groupFill, Color groupLine) {
        /** The light theme. */
        public static Palette light() {
            return new Palette(false, new Color(0xFAFAFB), new Color(0x1E1E1E), new Color(0x6B6F76), new Color(0x9AA0A8),
                    new Color(0x1F6FEB), new Color(0xE8A400), new Color(0xDDE5F0), new Color(0xB8C0CC));
        }

        /** The dark theme. */
        public static Palette darkTheme() {
            return new Palette(true, new Color(0x1E1F22), new Color(0xECECEC), new Color(0x9DA2AA), new Color(0x6A7079),
                    new Color(0x4C9BFF), new Color(0xFFC233), new Color(0x2B2D31), new Color(0x4A4F58));
        }
    }

    /**
     * What to emphasise.
     *
     * @param selected the selected node index, or -1
     * @param matches  node indices matching the search
     */
    public record Marks(int selected, BitSet matches) {
        /** Nothing marked. */
        public static Marks none() {
            return new Marks(-1, new BitSet());
        }
    }

    private static final Stroke THIN = new BasicStroke(1f);
    private static final Stroke THICK = new BasicStroke(2.2f);
    private static final Stroke OUTLINE = new BasicStroke(3f);
    private static final Stroke DASHED = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 3f}, 0f);

    private GraphPainter() {}

    /**
     * Paints {@code layout} onto {@code g}, whose transform maps world to device coordinates;
     * {@code scale} is that transform's zoom (for the level of detail), {@code nodesFormat} the
     * caption of a collapsed scope with {@code {0}} for its node count.
     */
    public static void paint(Graphics2D g, LayoutResult layout, Palette p, Marks marks, double scale, String nodesFormat) {
        paint(g, layout, p, marks, scale, nodesFormat, layout.model()::scopeTitle);
    }

    /** The zoom below which boxes carry no text (the canvas then writes overview labels in window-sized letters). */
    public static final double TEXT_SCALE = 0.33;

    /** {@link #paint(Graphics2D, LayoutResult, Palette, Marks, double, String)} with scope titles from {@code scopeTitles} (path to title). */
    public static void paint(Graphics2D g, LayoutResult layout, Palette p, Marks marks, double scale, String nodesFormat,
                             java.util.function.Function<String, String> scopeTitles) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        Shape clipShape = g.getClip();
        Rectangle2D clip = clipShape != null ? clipShape.getBounds2D() : layout.bounds();
        boolean text = scale >= TEXT_SCALE;
        boolean labels = scale >= 0.6;
        GraphModel model = layout.model();

        for (LayoutResult.Group gr : layout.groups()) {
            Rectangle2D b = gr.bounds();
            if (!b.intersects(clip)) continue;
            RoundRectangle2D r = new RoundRectangle2D.Double(b.getX(), b.getY(), b.getWidth(), b.getHeight(), 10, 10);
            g.setColor(withAlpha(p.groupFill(), p.dark() ? 150 : 60));
            g.fill(r);
            g.setColor(p.groupLine());
            g.setStroke(THIN);
            g.draw(r);
            if (text) {
                g.setFont(GraphLayout.TITLE_FONT);
                g.setColor(p.muted());
                g.drawString("\u25BE " + scopeTitles.apply(gr.scope()), (float) (b.getX() + 8), (float) (b.getY() + 15));
            }
        }

        int selectedBox = marks.selected() >= 0 ? layout.boxOf(marks.selected()) : -1;
        for (LayoutResult.Route e : layout.edges()) {
            if (!e.bbox().intersects(clip)) continue;
            boolean hot = selectedBox >= 0 && touches(e, marks.selected(), selectedBox);
            g.setColor(hot ? p.highlight() : p.edge());
            g.setStroke(hot ? THICK : THIN);
            Path2D path = new Path2D.Double();
            double[] xs = e.xs(), ys = e.ys();
            if (xs.length == 0) continue;
            path.moveTo(xs[0], ys[0]);
            for (int i = 1; i < xs.length; i++) path.lineTo(xs[i], ys[i]);
            g.draw(path);
            if (xs.length >= 2) arrow(g, xs[xs.length - 2], ys[xs.length - 2], xs[xs.length - 1], ys[xs.length - 1]);
            if (labels && !Double.isNaN(e.labelX())) {
                g.setFont(GraphLayout.DETAIL_FONT);
                g.setColor(hot ? p.highlight() : p.muted());
                g.drawString(e.label(), (float) e.labelX() + 1, (float) e.labelY() + 10);
            }
        }

        for (LayoutResult.Box box : layout.boxes()) {
            Rectangle2D b = box.bounds();
            if (!b.intersects(clip)) continue;
            if (box.isScope()) {
                paintScope(g, box, p, text, nodesFormat, scopeTitles.apply(box.scope()));
                continue;
            }
            ViewNode v = model.nodes().get(box.node());
            Shape shape = v.isOutput() ? new RoundRectangle2D.Double(b.getX(), b.getY(), b.getWidth(), b.getHeight(), b.getHeight(), b.getHeight())
                    : new RoundRectangle2D.Double(b.getX(), b.getY(), b.getWidth(), b.getHeight(), 8, 8);
            g.setColor(v.proxy() ? withAlpha(v.category().fill(p.dark()), 90) : v.category().fill(p.dark()));
            g.fill(shape);
            if (v.gradient() && !v.isOutput()) {
                Shape old = g.getClip();
                g.clip(shape);
                g.setColor(v.tint().fill(p.dark()));
                g.fill(new Rectangle2D.Double(b.getX(), b.getY(), 5, b.getHeight()));
                g.setClip(old);
            }
            boolean selected = box.node() == marks.selected();
            boolean match = marks.matches().get(box.node());
            g.setColor(selected ? p.highlight() : match ? p.match() : v.category().fill(p.dark()).darker());
            g.setStroke(selected || match ? OUTLINE : v.proxy() ? DASHED : THIN);
            g.draw(shape);
            if (text) {
                g.setColor(p.text());
                g.setFont(GraphLayout.TITLE_FONT);
                centred(g, v.title(), b, b.getY() + 15);
                g.setFont(GraphLayout.DETAIL_FONT);
                g.setColor(p.dark() ? p.text().darker() : p.text().brighter().brighter());
                centred(g, v.detail(), b, b.getY() + 28);
            }
        }
    }

    private static void paintScope(Graphics2D g, LayoutResult.Box box, Palette p, boolean text, String nodesFormat, String title) {
        Rectangle2D b = box.bounds();
        RoundRectangle2D r = new RoundRectangle2D.Double(b.getX(), b.getY(), b.getWidth(), b.getHeight(), 10, 10);
        g.setColor(Category.SCOPE.fill(p.dark()));
        g.fill(r);
        g.setColor(p.groupLine());
        g.setStroke(DASHED);
        g.draw(r);
        // A second frame offset down-right: a stack of boxes.
        g.setStroke(THIN);
        g.draw(new Line2D.Double(b.getX() + 6, b.getMaxY() + 3, b.getMaxX() + 3, b.getMaxY() + 3));
        g.draw(new Line2D.Double(b.getMaxX() + 3, b.getY() + 6, b.getMaxX() + 3, b.getMaxY() + 3));
        if (text) {
            g.setColor(p.text());
            g.setFont(GraphLayout.TITLE_FONT);
            centred(g, "\u25B8 " + title, b, b.getY() + 16);
            g.setFont(GraphLayout.DETAIL_FONT);
            g.setColor(p.muted());
            centred(g, nodesFormat.replace("{0}", Integer.toString(box.count())), b, b.getY() + 30);
        }
    }

    private static boolean touches(LayoutResult.Route e, int node, int box) {
        if (e.from() != box && e.to() != box) return false;
        int[] pairs = e.nodes();
        for (int i = 0; i < pairs.length; i += 2) if (pairs[i] == node || pairs[i + 1] == node) return true;
        return false;
    }

    private static void arrow(Graphics2D g, double x0, double y0, double x1, double y1) {
        double a = Math.atan2(y1 - y0, x1 - x0);
        Path2D head = new Path2D.Double();
        head.moveTo(x1, y1);
        head.lineTo(x1 - 7 * Math.cos(a - 0.4), y1 - 7 * Math.sin(a - 0.4));
        head.lineTo(x1 - 7 * Math.cos(a + 0.4), y1 - 7 * Math.sin(a + 0.4));
        head.closePath();
        g.fill(head);
    }

    private static void centred(Graphics2D g, String s, Rectangle2D b, double baseline) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) (b.getCenterX() - fm.stringWidth(s) / 2.0), (float) baseline);
    }

    private static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** The transform that fits {@code world} into a {@code w x h} viewport with a margin, never zooming in past 1.5. */
    public static AffineTransform fit(Rectangle2D world, double w, double h) {
        double s = Math.min(1.5, Math.min((w - 40) / Math.max(1, world.getWidth()), (h - 40) / Math.max(1, world.getHeight())));
        s = Math.max(s, 0.02);
        AffineTransform t = new AffineTransform();
        t.translate((w - world.getWidth() * s) / 2 - world.getX() * s, (h - world.getHeight() * s) / 2 - world.getY() * s);
        t.scale(s, s);
        return t;
    }

    /** The font used for titles, for callers measuring text. */
    public static Font titleFont() {
        return GraphLayout.TITLE_FONT;
    }

    /** Unused scopes removed from {@code collapsed}: those the model no longer has. */
    public static Set<String> prune(Set<String> collapsed, GraphModel model) {
        Set<String> out = new java.util.LinkedHashSet<>(collapsed);
        out.retainAll(model.scopes().keySet());
        return out;
    }
}
