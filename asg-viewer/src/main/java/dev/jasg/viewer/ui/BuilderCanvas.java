package dev.jasg.viewer.ui;

import dev.jasg.nn.spec.LayerType;
import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.nn.spec.ShapeInference;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.builder.BuilderModel;
import dev.jasg.viewer.graph.Category;
import dev.jasg.viewer.graph.GraphPainter;

import javax.swing.JComponent;
import javax.swing.JMenuItem;
import javax.swing.JPopupMenu;
import javax.swing.SwingUtilities;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.RenderingHints;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.MouseWheelEvent;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The builder's canvas: the spec's inputs and nodes as boxes at their saved positions, input ports
 * on a box's top edge and its output port at the bottom, edges as curves. Drag a box to move it (one
 * {@code Move} edit on release); drag from an output port to connect: while dragging, every input
 * port is green where the edge would fit ({@link BuilderModel#compatibility}, shape inference on the
 * partial graph) and red where it would not, and the end snaps to the nearest port within reach;
 * releasing on a green port connects, on a red one says why and changes nothing. Click selects a
 * box or an edge; Delete removes it; right-click offers "Set as output" and "Delete". The wheel
 * zooms around the pointer; dragging the background pans.
 *
 * <p>Swing: use on the event thread.
 */
final class BuilderCanvas extends JComponent {
    /** Box size in model units. */
    static final double W = 170, H = 46;
    private static final double PORT = 5.5;
    /** How near (in pixels) the pointer must be for a port to catch the dragged edge. */
    static final double SNAP = 22;

    private final BuilderModel model;
    private final Messages m;
    private final Consumer<String> status;
    private GraphPainter.Palette palette = GraphPainter.Palette.darkTheme();
    private double scale = 1, ox = 20, oy = 10;

    private String selectedNode;
    private BuilderModel.Port selectedEdge;
    // connection drag
    private String dragFrom;
    private Map<BuilderModel.Port, ShapeInference.Compatibility> compat;
    private Point2D dragAt;
    private BuilderModel.Port snapped;
    // move drag
    private String moving;
    private double moveDx, moveDy;
    private ModelSpec.Position movedTo;
    // pan drag
    private Point panFrom;
    private Consumer<String> selection = id -> { };

    BuilderCanvas(BuilderModel model, Messages m, Consumer<String> status) {
        this.model = model;
        this.m = m;
        this.status = status;
        setFocusable(true);
        setOpaque(true);
        MouseAdapter mouse = new MouseAdapter() {
            @Override
            public void mousePressed(MouseEvent e) {
                pressed(e);
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                dragged(e);
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                released(e);
            }

            @Override
            public void mouseWheelMoved(MouseWheelEvent e) {
                zoomAt(Math.pow(1.1, -e.getPreciseWheelRotation()), e.getPoint());
            }
        };
        addMouseListener(mouse);
        addMouseMotionListener(mouse);
        addMouseWheelListener(mouse);
        model.addListener(() -> {
            if (selectedNode != null && model.spec().node(selectedNode) == null && !isInput(selectedNode)) select(null);
            if (selectedEdge != null && model.source(selectedEdge) == null) selectedEdge = null;
            repaint();
        });
    }

    /** Calls {@code l} with the selected node or input id (null for none) whenever the selection changes. */
    void onSelection(Consumer<String> l) {
        selection = l;
    }

    void setPalette(GraphPainter.Palette p) {
        palette = p;
        repaint();
    }

    // ---- geometry --------------------------------------------------------------------------------

    private boolean isInput(String id) {
        return model.spec().inputs().stream().anyMatch(i -> i.name().equals(id));
    }

    private ModelSpec.Position pos(String id) {
        if (id.equals(moving) && movedTo != null) return movedTo;
        ModelSpec.Position p = model.spec().layout().get(id);
        return p != null ? p : new ModelSpec.Position(0, 0);
    }

    /** The canvas point of model point {@code (x, y)}. */
    Point2D toScreen(double x, double y) {
        return new Point2D.Double(x * scale + ox, y * scale + oy);
    }

    /** The model point of canvas point {@code p}. */
    ModelSpec.Position toModel(Point p) {
        return new ModelSpec.Position((p.x - ox) / scale, (p.y - oy) / scale);
    }

    /** The box of node or input {@code id} on the canvas. */
    Rectangle2D box(String id) {
        ModelSpec.Position p = pos(id);
        Point2D a = toScreen(p.x(), p.y());
        return new Rectangle2D.Double(a.getX(), a.getY(), W * scale, H * scale);
    }

    /** The canvas point of input port {@code port}. */
    Point2D inPort(BuilderModel.Port port) {
        Rectangle2D b = box(port.node());
        int n = Math.max(1, model.ports(port.node()));
        return new Point2D.Double(b.getX() + b.getWidth() * (port.port() + 1) / (n + 1), b.getY());
    }

    /** The canvas point of the output port of {@code id}. */
    Point2D outPort(String id) {
        Rectangle2D b = box(id);
        return new Point2D.Double(b.getCenterX(), b.getMaxY());
    }

    private Iterable<String> ids() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (ModelSpec.Input i : model.spec().inputs()) ids.add(i.name());
        for (ModelSpec.Node n : model.spec().nodes()) ids.add(n.id());
        return ids;
    }

    private String boxAt(Point p) {
        String hit = null;
        for (String id : ids()) if (box(id).contains(p)) hit = id;
        return hit;
    }

    private String outPortAt(Point p) {
        for (String id : ids()) if (outPort(id).distance(p) <= Math.max(9, PORT * scale + 4)) return id;
        return null;
    }

    private BuilderModel.Port inPortAt(Point2D p, double reach) {
        BuilderModel.Port best = null;
        double bestD = reach;
        for (ModelSpec.Node n : model.spec().nodes()) {
            for (int k = 0; k < model.ports(n.id()); k++) {
                BuilderModel.Port port = new BuilderModel.Port(n.id(), k);
                double d = inPort(port).distance(p);
                if (d <= bestD) {
                    bestD = d;
                    best = port;
                }
            }
        }
        return best;
    }

    private CubicCurve2D curve(Point2D a, Point2D b) {
        double dy = Math.max(30 * scale, Math.abs(b.getY() - a.getY()) / 2);
        return new CubicCurve2D.Double(a.getX(), a.getY(), a.getX(), a.getY() + dy, b.getX(), b.getY() - dy, b.getX(), b.getY());
    }

    private BuilderModel.Port edgeAt(Point p) {
        for (ModelSpec.Edge e : model.spec().edges()) {
            if (model.spec().node(e.to()) == null) continue;
            BuilderModel.Port port = new BuilderModel.Port(e.to(), e.port());
            CubicCurve2D c = curve(outPort(e.from()), inPort(port));
            for (int i = 0; i <= 40; i++) {
                double t = i / 40.0;
                if (point(c, t).distance(p) < 5) return port;
            }
        }
        return null;
    }

    private static Point2D point(CubicCurve2D c, double t) {
        double u = 1 - t;
        double x = u * u * u * c.getX1() + 3 * u * u * t * c.getCtrlX1() + 3 * u * t * t * c.getCtrlX2() + t * t * t * c.getX2();
        double y = u * u * u * c.getY1() + 3 * u * u * t * c.getCtrlY1() + 3 * u * t * t * c.getCtrlY2() + t * t * t * c.getY2();
        return new Point2D.Double(x, y);
    }

    // ---- mouse -----------------------------------------------------------------------------------

    private void pressed(MouseEvent e) {
        requestFocusInWindow();
        Point p = e.getPoint();
        if (SwingUtilities.isRightMouseButton(e) || e.isPopupTrigger()) {
            popup(p);
            return;
        }
        String out = outPortAt(p);
        if (out != null) {
            startConnection(out);
            dragAt = p;
            repaint();
            return;
        }
        String hit = boxAt(p);
        if (hit != null) {
            select(hit);
            moving = hit;
            ModelSpec.Position mp = toModel(p), at = pos(hit);
            moveDx = mp.x() - at.x();
            moveDy = mp.y() - at.y();
            movedTo = null;
            return;
        }
        BuilderModel.Port edge = edgeAt(p);
        if (edge != null) {
            selectEdge(edge);
            return;
        }
        select(null);
        panFrom = p;
    }

    private void dragged(MouseEvent e) {
        Point p = e.getPoint();
        if (dragFrom != null) {
            dragTo(p);
        } else if (moving != null) {
            ModelSpec.Position mp = toModel(p);
            movedTo = new ModelSpec.Position(Math.round(mp.x() - moveDx), Math.round(mp.y() - moveDy));
            repaint();
        } else if (panFrom != null) {
            ox += p.x - panFrom.x;
            oy += p.y - panFrom.y;
            panFrom = p;
            repaint();
        }
    }

    private void released(MouseEvent e) {
        if (dragFrom != null) {
            dragTo(e.getPoint());
            finishConnection();
        } else if (moving != null) {
            String id = moving;
            ModelSpec.Position to = movedTo;
            moving = null;
            movedTo = null;
            if (to != null) model.move(id, to);
        }
        panFrom = null;
        repaint();
    }

    /** Starts dragging a connection from {@code from}'s output port: computes every port's colour. */
    void startConnection(String from) {
        dragFrom = from;
        compat = model.compatibility(from);
        snapped = null;
        dragAt = outPort(from);
        long fits = compat.values().stream().filter(ShapeInference.Compatibility::compatible).count();
        status.accept(m.format("builder.status.dragging", from, fits, compat.size()));
        repaint();
    }

    /** Moves the dragged connection's end to canvas point {@code p}, snapping to the nearest port within {@link #SNAP} pixels. */
    void dragTo(Point2D p) {
        dragAt = p;
        snapped = inPortAt(p, SNAP);
        if (snapped != null) {
            ShapeInference.Compatibility c = compat.get(snapped);
            if (c != null) status.accept((c.compatible() ? m.get("builder.status.fits") : m.get("builder.status.doesNotFit")) + " " + c.reason());
        }
        repaint();
    }

    /** Ends the connection drag: connects to the snapped port when it fits. */
    void finishConnection() {
        BuilderModel.Port target = snapped;
        String from = dragFrom;
        dragFrom = null;
        compat = null;
        snapped = null;
        dragAt = null;
        if (target != null) {
            BuilderModel.Result r = model.connect(from, target.node(), target.port());
            status.accept(r.applied() ? m.format("builder.status.connected", from, target.node(), r.message() == null ? "" : r.message())
                    : m.format("builder.status.refused", r.message()));
        }
        repaint();
    }

    /** The colours of the input ports of the connection being dragged (empty when none). */
    Map<BuilderModel.Port, ShapeInference.Compatibility> dragCompatibility() {
        return compat == null ? Map.of() : Map.copyOf(compat);
    }

    /** The port the dragged connection snaps to now, or null. */
    BuilderModel.Port snappedPort() {
        return snapped;
    }

    private void popup(Point p) {
        String hit = boxAt(p);
        BuilderModel.Port edge = hit == null ? edgeAt(p) : null;
        JPopupMenu menu = new JPopupMenu();
        if (hit != null && model.spec().node(hit) != null) {
            select(hit);
            JMenuItem out = new JMenuItem(m.get("builder.menu.setOutput"));
            out.addActionListener(e -> model.setOutput(hit));
            menu.add(out);
            JMenuItem del = new JMenuItem(m.get("builder.menu.delete"));
            del.addActionListener(e -> model.removeNode(hit));
            menu.add(del);
        } else if (edge != null) {
            selectEdge(edge);
            JMenuItem del = new JMenuItem(m.get("builder.menu.deleteEdge"));
            del.addActionListener(e -> model.disconnect(edge.node(), edge.port()));
            menu.add(del);
        }
        if (menu.getComponentCount() > 0) menu.show(this, p.x, p.y);
    }

    void select(String id) {
        selectedNode = id;
        selectedEdge = null;
        selection.accept(id);
        repaint();
    }

    private void selectEdge(BuilderModel.Port e) {
        selectedNode = null;
        selectedEdge = e;
        selection.accept(null);
        repaint();
    }

    /** The selected node or input, or null. */
    String selectedNode() {
        return selectedNode;
    }

    /** Deletes the selected node or edge. */
    void deleteSelection() {
        if (selectedNode != null && model.spec().node(selectedNode) != null) model.removeNode(selectedNode);
        else if (selectedEdge != null) model.disconnect(selectedEdge.node(), selectedEdge.port());
    }

    // ---- view --------------------------------------------------------------------------------------

    void zoomAt(double f, Point at) {
        double s = Math.max(0.2, Math.min(3, scale * f));
        ox = at.x - (at.x - ox) * s / scale;
        oy = at.y - (at.y - oy) * s / scale;
        scale = s;
        repaint();
    }

    /** Shows every box. */
    void fit() {
        if (model.spec().nodes().isEmpty()) {
            // a new model: its input at the top left, at full size
            scale = 1;
            ox = 20;
            oy = 10;
            repaint();
            return;
        }
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (String id : ids()) {
            ModelSpec.Position p = pos(id);
            x0 = Math.min(x0, p.x());
            y0 = Math.min(y0, p.y());
            x1 = Math.max(x1, p.x() + W);
            y1 = Math.max(y1, p.y() + H + 18);
        }
        if (x0 == Double.MAX_VALUE || getWidth() <= 0) return;
        double s = Math.min(1.0, Math.min((getWidth() - 40) / (x1 - x0), (getHeight() - 40) / (y1 - y0)));
        scale = Math.max(0.2, s);
        ox = 20 - x0 * scale + Math.max(0, (getWidth() - 40 - (x1 - x0) * scale) / 2);
        oy = 20 - y0 * scale;
        repaint();
    }

    // ---- painting --------------------------------------------------------------------------------

    @Override
    protected void paintComponent(Graphics g0) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(palette.background());
            g.fillRect(0, 0, getWidth(), getHeight());
            ModelSpec s = model.spec();
            if (s.nodes().isEmpty()) {
                g.setColor(palette.muted());
                g.setFont(getFont().deriveFont(14f));
                String hint = m.get("builder.canvas.hint");
                g.drawString(hint, Math.max(10, (getWidth() - g.getFontMetrics().stringWidth(hint)) / 2), getHeight() / 2);
            }
            // edges
            for (ModelSpec.Edge e : s.edges()) {
                if (s.node(e.to()) == null) continue;
                BuilderModel.Port port = new BuilderModel.Port(e.to(), e.port());
                boolean sel = port.equals(selectedEdge);
                g.setColor(sel ? palette.highlight() : palette.edge());
                g.setStroke(new BasicStroke(sel ? 2.6f : 1.6f));
                g.draw(curve(outPort(e.from()), inPort(port)));
            }
            Map<String, ShapeInference.NodeShape> shapes = model.shapes();
            Font title = getFont().deriveFont(Font.BOLD, (float) Math.max(8, 12.5 * scale));
            Font small = getFont().deriveFont(Font.PLAIN, (float) Math.max(7, 11 * scale));
            for (ModelSpec.Input in : s.inputs()) {
                drawBox(g, in.name(), in.name(), m.get("builder.input"), in.toShape().toString(), Category.INPUT, false, title, small);
            }
            for (ModelSpec.Node n : s.nodes()) {
                ShapeInference.NodeShape ns = shapes.get(n.id());
                String shape = ns == null ? "" : ns.known() ? ns.shape().toString() : "?";
                drawBox(g, n.id(), n.id(), n.type(), shape, category(n.type()), n.id().equals(s.output()), title, small);
            }
            // ports
            for (ModelSpec.Node n : s.nodes()) {
                for (int k = 0; k < model.ports(n.id()); k++) {
                    BuilderModel.Port port = new BuilderModel.Port(n.id(), k);
                    Color fill = palette.muted();
                    if (compat != null) {
                        ShapeInference.Compatibility c = compat.get(port);
                        if (c != null) fill = c.compatible() ? GREEN : RED;
                    }
                    drawPort(g, inPort(port), fill, port.equals(snapped));
                }
            }
            for (String id : ids()) drawPort(g, outPort(id), id.equals(dragFrom) ? palette.highlight() : palette.text(), false);
            if (dragFrom != null && dragAt != null) {
                Point2D end = snapped != null ? inPort(snapped) : dragAt;
                ShapeInference.Compatibility c = snapped != null ? compat.get(snapped) : null;
                g.setColor(c == null ? palette.highlight() : c.compatible() ? GREEN : RED);
                g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
                g.draw(curve(outPort(dragFrom), end));
            }
        } finally {
            g.dispose();
        }
    }

    /** Green of a port where a dragged edge fits. */
    static final Color GREEN = new Color(0x2ECC71);
    /** Red of a port where it does not. */
    static final Color RED = new Color(0xE74C3C);

    private void drawBox(Graphics2D g, String id, String name, String type, String shape, Category cat, boolean output, Font title, Font small) {
        Rectangle2D b = box(id);
        RoundRectangle2D r = new RoundRectangle2D.Double(b.getX(), b.getY(), b.getWidth(), b.getHeight(), 10 * scale, 10 * scale);
        g.setColor(cat.fill(palette.dark()));
        g.fill(r);
        boolean sel = id.equals(selectedNode);
        g.setColor(sel ? palette.highlight() : output ? Category.OUTPUT.fill(!palette.dark()) : palette.groupLine());
        g.setStroke(new BasicStroke(sel || output ? 2.6f : 1.2f));
        g.draw(r);
        g.setColor(palette.text());
        g.setFont(title);
        FontMetrics fm = g.getFontMetrics();
        String head = name + " · " + type;
        while (fm.stringWidth(head) > b.getWidth() - 10 && head.length() > 4) head = head.substring(0, head.length() - 2);
        g.drawString(head, (float) (b.getX() + 7 * scale), (float) (b.getY() + 18 * scale));
        g.setFont(small);
        String line = shape + (output ? "  → " + m.get("builder.output") : "");
        g.drawString(line, (float) (b.getX() + 7 * scale), (float) (b.getY() + 36 * scale));
    }

    private void drawPort(Graphics2D g, Point2D c, Color fill, boolean big) {
        double r = (big ? PORT * 1.8 : PORT) * Math.max(0.7, scale);
        Ellipse2D e = new Ellipse2D.Double(c.getX() - r, c.getY() - r, 2 * r, 2 * r);
        g.setColor(fill);
        g.fill(e);
        g.setColor(palette.background());
        g.setStroke(new BasicStroke(1.2f));
        g.draw(e);
    }

    /** The viewer category whose colour a node type's box takes. */
    static Category category(String type) {
        LayerType t = LayerType.of(type).orElse(null);
        if (t == null) return Category.ARITHMETIC;
        return switch (t.category()) {
            case LINEAR, ATTENTION, RECURRENT -> Category.ARITHMETIC;
            case CONVOLUTION, POOLING -> Category.CONVOLUTION;
            case NORMALIZATION -> Category.NORMALISATION;
            case ACTIVATION -> Category.ACTIVATION;
            case REGULARIZATION -> Category.REDUCTION;
            case SHAPE, TENSOR_OP -> Category.SHAPE;
        };
    }
}
