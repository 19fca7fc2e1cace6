package dev.jasg.viewer.graph;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.geom.AffineTransform;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The geometry of looking at a graph: fit shows everything, zoom keeps the pointer's spot, nothing pans out of sight. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class ViewportTest {
    /** Graphs of every proportion, in windows of every proportion: world rectangle, window w, h. */
    static Stream<Object[]> fits() {
        return Stream.of(
                new Object[] {new Rectangle2D.Double(0, 0, 300, 9000), 900.0, 600.0},   // tall, as a gradient graph
                new Object[] {new Rectangle2D.Double(0, 0, 12000, 200), 900.0, 600.0},  // wide
                new Object[] {new Rectangle2D.Double(0, 0, 80, 60), 900.0, 600.0},     // tiny: not blown up past 1.5
                new Object[] {new Rectangle2D.Double(10, 20, 40000, 90000), 640.0, 480.0}, // larger than MIN_SCALE allows
                new Object[] {new Rectangle2D.Double(-50, -80, 500, 500), 300.0, 1000.0});
    }

    @ParameterizedTest
    @MethodSource("fits")
    void fitShowsTheWholeGraphCentred(Rectangle2D world, double w, double h) {
        AffineTransform t = Viewport.fit(world, w, h);
        Rectangle2D r = Viewport.onScreen(t, world);
        assertTrue(r.getMinX() >= Viewport.MARGIN - 1e-6 && r.getMinY() >= Viewport.MARGIN - 1e-6, r.toString());
        assertTrue(r.getMaxX() <= w - Viewport.MARGIN + 1e-6 && r.getMaxY() <= h - Viewport.MARGIN + 1e-6, r.toString());
        assertEquals(w / 2, r.getCenterX(), 1e-6);
        assertEquals(h / 2, r.getCenterY(), 1e-6);
        assertTrue(t.getScaleX() <= 1.5);
        // One side touches the margin: the graph is as large as it can be.
        assertTrue(Math.abs(r.getWidth() - (w - 2 * Viewport.MARGIN)) < 1e-6 || Math.abs(r.getHeight() - (h - 2 * Viewport.MARGIN)) < 1e-6
                || t.getScaleX() == 1.5, r.toString());
    }

    @Test
    void fitOfARealGradientLayoutContainsEveryBox() {
        GraphModel model = SampleGraphs.model(1, GraphModel.Mode.GRADIENT);
        LayoutResult layout = new GraphLayout().layout(model, Set.of());
        AffineTransform t = Viewport.fit(layout.bounds(), 900, 600);
        Rectangle2D window = new Rectangle2D.Double(0, 0, 900, 600);
        for (LayoutResult.Box b : layout.boxes()) assertTrue(window.contains(Viewport.onScreen(t, b.bounds())), "box " + b + " outside the fitted window");
        for (LayoutResult.Group g : layout.groups()) assertTrue(window.contains(Viewport.onScreen(t, g.bounds())), g.scope());
    }

    @Test
    void zoomKeepsThePointUnderThePointer() {
        AffineTransform view = Viewport.fit(new Rectangle2D.Double(0, 0, 1000, 3000), 900, 600);
        Point2D pointer = new Point2D.Double(700, 120);
        Point2D before = inverse(view, pointer);
        for (double f : new double[] {1.25, 1.25, 1.25, 1 / 1.5, 3}) {
            view = Viewport.zoomAt(view, pointer, f, 0.2);
            Point2D after = inverse(view, pointer);
            assertEquals(before.getX(), after.getX(), 1e-6);
            assertEquals(before.getY(), after.getY(), 1e-6);
        }
        assertTrue(Viewport.zoomAt(view, pointer, 1e6, 0.2).getScaleX() <= Viewport.MAX_SCALE + 1e-9);
        assertEquals(0.1, Viewport.zoomAt(view, pointer, 1e-6, 0.2).getScaleX(), 1e-9, "never smaller than half the fitted scale");
        assertEquals(0.0025, Viewport.zoomAt(view, pointer, 1e-9, 0.005).getScaleX(), 1e-9, "a huge graph can be zoomed out to half its fit");
    }

    @Test
    void threeZoomInsAtACornerAndAPanFarAwayStillShowTheGraph() {
        Rectangle2D world = new Rectangle2D.Double(0, 0, 400, 8000);
        AffineTransform view = Viewport.fit(world, 900, 600);
        for (int i = 0; i < 3; i++) view = Viewport.clamp(Viewport.zoomAt(view, new Point2D.Double(5, 5), 1.25, view.getScaleX()), world, 900, 600);
        assertTrue(visible(view, world, 900, 600), Viewport.onScreen(view, world).toString());
        AffineTransform far = AffineTransform.getTranslateInstance(-50_000, 40_000);
        far.concatenate(view);
        AffineTransform back = Viewport.clamp(far, world, 900, 600);
        assertTrue(visible(back, world, 900, 600), Viewport.onScreen(back, world).toString());
        assertEquals(view.getScaleX(), back.getScaleX(), 1e-12, "clamping only moves");
        assertTrue(view == Viewport.clamp(view, world, 900, 600) || Viewport.clamp(view, world, 900, 600).equals(view), "a view in sight is left alone");
    }

    @Test
    void theMinimapSitsInTheCornerAndMapsTheVisiblePart() {
        Rectangle2D world = new Rectangle2D.Double(0, 0, 400, 8000);
        AffineTransform mm = Viewport.minimap(world, 900, 600, 200, 150, 10);
        Rectangle2D r = Viewport.onScreen(mm, world);
        assertEquals(890, r.getMaxX(), 1e-6);
        assertEquals(590, r.getMaxY(), 1e-6);
        assertTrue(r.getWidth() <= 200 + 1e-6 && r.getHeight() <= 150 + 1e-6, r.toString());
        AffineTransform view = AffineTransform.getScaleInstance(1, 1);
        Rectangle2D seen = Viewport.visibleWorld(view, 900, 600);
        assertEquals(new Rectangle2D.Double(0, 0, 900, 600), seen);
        AffineTransform centred = Viewport.centreOn(view, new Point2D.Double(200, 4000), 900, 600);
        assertEquals(450, centred.transform(new Point2D.Double(200, 4000), null).getX(), 1e-9);
        assertEquals(300, centred.transform(new Point2D.Double(200, 4000), null).getY(), 1e-9);
    }

    @Test
    void distanceToAnEdgeRoute() {
        double[] xs = {0, 0, 100}, ys = {0, 50, 50};
        assertEquals(0, Viewport.distanceToPolyline(new Point2D.Double(0, 25), xs, ys), 1e-9);
        assertEquals(3, Viewport.distanceToPolyline(new Point2D.Double(40, 53), xs, ys), 1e-9);
        assertEquals(5, Viewport.distanceToPolyline(new Point2D.Double(-3, -4), xs, ys), 1e-9);
    }

    private static boolean visible(AffineTransform view, Rectangle2D world, double w, double h) {
        return Viewport.onScreen(view, world).intersects(new Rectangle2D.Double(0, 0, w, h));
    }

    private static Point2D inverse(AffineTransform t, Point2D p) {
        try {
            return t.inverseTransform(p, null);
        } catch (java.awt.geom.NoninvertibleTransformException e) {
            throw new AssertionError(e);
        }
    }
}
