package dev.jasg.viewer.graph;

import java.awt.geom.AffineTransform;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;

/**
 * The geometry of looking at a laid-out graph through a window: fitting it whole, zooming around a
 * point, keeping some of it in sight, and the minimap's mapping. A view is an
 * {@link AffineTransform} from world (layout) to window pixels, uniform scale, no rotation. Pure
 * functions, no Swing: the canvas uses them and the tests check them.
 */
public final class Viewport {
    /** The smallest zoom: a 20,000-pixel graph still fits a 400-pixel window. */
    public static final double MIN_SCALE = 0.02;
    /** The largest zoom. */
    public static final double MAX_SCALE = 8;
    /** Pixels of margin around a fitted graph. */
    public static final double MARGIN = 20;
    /** Pixels of the graph that always stay in the window after a pan or zoom. */
    public static final double KEEP_VISIBLE = 60;

    private Viewport() {}

    /**
     * The view showing all of {@code world} in a {@code w x h} window with a margin, centred, never
     * zooming in past 1.5 (a three-box graph is not blown up).
     */
    public static AffineTransform fit(Rectangle2D world, double w, double h) {
        double s = Math.min((w - 2 * MARGIN) / Math.max(1, world.getWidth()), (h - 2 * MARGIN) / Math.max(1, world.getHeight()));
        // No lower bound: a graph larger than MIN_SCALE allows is still shown whole.
        s = s > 0 ? Math.min(s, 1.5) : MIN_SCALE;
        AffineTransform t = new AffineTransform();
        t.translate((w - world.getWidth() * s) / 2 - world.getX() * s, (h - world.getHeight() * s) / 2 - world.getY() * s);
        t.scale(s, s);
        return t;
    }

    /**
     * {@code view} zoomed by {@code factor} around window point {@code p}: the world point under
     * {@code p} stays under it. The zoom stays between half of {@code minScale} (the scale that
     * fits the graph: zooming out further only makes it a dot) and {@link #MAX_SCALE}.
     */
    public static AffineTransform zoomAt(AffineTransform view, Point2D p, double factor, double minScale) {
        double s = view.getScaleX();
        double target = Math.max(minScale / 2, Math.min(MAX_SCALE, s * factor));
        double f = target / s;
        AffineTransform t = new AffineTransform();
        t.translate(p.getX(), p.getY());
        t.scale(f, f);
        t.translate(-p.getX(), -p.getY());
        t.concatenate(view);
        return t;
    }

    /**
     * {@code view} moved the least so that at least {@link #KEEP_VISIBLE} pixels (or all, when
     * smaller) of {@code world} show in the {@code w x h} window in each direction: panning or
     * zooming never leaves an empty canvas.
     */
    public static AffineTransform clamp(AffineTransform view, Rectangle2D world, double w, double h) {
        Rectangle2D r = view.createTransformedShape(world).getBounds2D();
        double keepX = Math.min(KEEP_VISIBLE, r.getWidth()), keepY = Math.min(KEEP_VISIBLE, r.getHeight());
        double dx = 0, dy = 0;
        if (r.getMaxX() < keepX) dx = keepX - r.getMaxX();
        else if (r.getMinX() > w - keepX) dx = w - keepX - r.getMinX();
        if (r.getMaxY() < keepY) dy = keepY - r.getMaxY();
        else if (r.getMinY() > h - keepY) dy = h - keepY - r.getMinY();
        if (dx == 0 && dy == 0) return view;
        AffineTransform t = AffineTransform.getTranslateInstance(dx, dy);
        t.concatenate(view);
        return t;
    }

    /** The window rectangle that {@code world} occupies under {@code view}. */
    public static Rectangle2D onScreen(AffineTransform view, Rectangle2D world) {
        return view.createTransformedShape(world).getBounds2D();
    }

    /**
     * The minimap: where a {@code world} is drawn in a box of at most {@code maxW x maxH} pixels at
     * the bottom-right of a {@code w x h} window, {@code pad} pixels from its edges; the transform
     * from world to window pixels.
     */
    public static AffineTransform minimap(Rectangle2D world, double w, double h, double maxW, double maxH, double pad) {
        double s = Math.min(maxW / Math.max(1, world.getWidth()), maxH / Math.max(1, world.getHeight()));
        double mw = world.getWidth() * s, mh = world.getHeight() * s;
        AffineTransform t = new AffineTransform();
        t.translate(w - pad - mw - world.getX() * s, h - pad - mh - world.getY() * s);
        t.scale(s, s);
        return t;
    }

    /** The part of the world a {@code w x h} window shows under {@code view}. */
    public static Rectangle2D visibleWorld(AffineTransform view, double w, double h) {
        double s = view.getScaleX();
        return new Rectangle2D.Double(-view.getTranslateX() / s, -view.getTranslateY() / s, w / s, h / s);
    }

    /**
     * {@code view} moved so that world point {@code centre} is at the middle of a {@code w x h}
     * window, at the same zoom (a click on the minimap).
     */
    public static AffineTransform centreOn(AffineTransform view, Point2D centre, double w, double h) {
        double s = view.getScaleX();
        AffineTransform t = new AffineTransform();
        t.translate(w / 2 - centre.getX() * s, h / 2 - centre.getY() * s);
        t.scale(s, s);
        return t;
    }

    /** The shortest distance from {@code p} to the polyline {@code xs, ys}. */
    public static double distanceToPolyline(Point2D p, double[] xs, double[] ys) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 1; i < xs.length; i++) {
            best = Math.min(best, java.awt.geom.Line2D.ptSegDist(xs[i - 1], ys[i - 1], xs[i], ys[i], p.getX(), p.getY()));
        }
        if (xs.length == 1) best = p.distance(xs[0], ys[0]);
        return best;
    }
}
