package dev.jasg.viewer.ui;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.NodeStats;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.Categories;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.GraphPainter;
import dev.jasg.viewer.graph.LayoutResult;
import dev.jasg.viewer.graph.ViewNode;
import dev.jasg.viewer.lab.Activation;
import dev.jasg.viewer.lab.GuiCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import javax.swing.AbstractAction;
import javax.swing.BorderFactory;
import javax.swing.ButtonGroup;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JMenu;
import javax.swing.JMenuItem;
import javax.swing.JPanel;
import javax.swing.JPopupMenu;
import javax.swing.JSplitPane;
import javax.swing.JTextField;
import javax.swing.JToggleButton;
import javax.swing.JToolBar;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.UIManager;
import javax.swing.WindowConstants;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.event.ActionEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The viewer's window: the graph canvas with its toolbar (forward or gradient view, fit, zoom,
 * collapse, search, PNG and SVG export, pause, step, reset, theme), the node inspector, the live
 * loss chart and a status bar. It drains a {@link ComputeUpdateQueue} ten times a second on the
 * event thread and sends {@link GuiCommand}s to the training loop, if there is one.
 *
 * <p>Create it with {@link #open} on the event thread; every method must be called there.
 */
public final class ViewerWindow {
    private static final Logger LOG = LoggerFactory.getLogger(ViewerWindow.class);
    private static final int DRAIN_PER_TICK = 50_000;

    /**
     * How the window looks and what it can do.
     *
     * @param language  the language of every text
     * @param title     what is being trained, for the title bar
     * @param dark      the dark look (else light)
     * @param onClose   run when the window has closed
     */
    public record Config(Language language, String title, boolean dark, Runnable onClose) {
        /** Checks the arguments. */
        public Config {
            Objects.requireNonNull(language, "language");
            Objects.requireNonNull(title, "title");
            if (onClose == null) onClose = () -> { };
        }
    }

    private final Config config;
    private final Messages m;
    private final ComputeUpdateQueue updates;
    private final Consumer<GuiCommand> commands;
    private final JFrame frame;
    private final GraphPanel graph;
    private final InspectorPanel inspector;
    private final LossChartPanel chart;
    private final JLabel status = new JLabel(" ");
    private final JLabel notice = new JLabel(" ");
    private final JLabel matchLabel = new JLabel(" ");
    private final JTextField search = new JTextField(16);
    private final JToggleButton pause;
    private final JToggleButton forwardView = new JToggleButton();
    private final JToggleButton gradientView = new JToggleButton();
    private final Timer timer;
    private long lastStep;
    private double lastLoss = Double.NaN;
    private double speed;
    private String state;
    private String pendingEdit;
    private int graphsSeen;
    private int matchCount;
    private Timer noticeTimer;
    private final boolean lab;
    private final EdgeHover hover;
    private final EditLauncher edits;
    private boolean finished;
    private final java.beans.PropertyChangeListener lafListener = e -> {
        if ("lookAndFeel".equals(e.getPropertyName())) SwingUtilities.invokeLater(this::retheme);
    };

    private ViewerWindow(Config config, ComputeUpdateQueue updates, Consumer<GuiCommand> commands) {
        this.config = config;
        this.m = Messages.of(config.language());
        this.updates = Objects.requireNonNull(updates, "updates");
        this.commands = commands;
        // A stats-only channel (Viewer.watch) answers statistics but cannot pause or edit.
        this.lab = commands != null && !(commands instanceof dev.jasg.viewer.lab.TrainerStats);
        this.state = m.get("status.waiting");
        frame = new JFrame(m.format("window.title", config.title()));
        frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        graph = new GraphPanel(m, new GraphPanel.Listener() {
            @Override
            public void selected(GraphModel model, ViewNode v) {
                // The view may have changed under the buttons (selecting a gradient-only node, Ctrl+G).
                (model.mode() == GraphModel.Mode.FORWARD ? forwardView : gradientView).setSelected(true);
                inspector.show(model, v);
                if (commands != null) commands.accept(new GuiCommand.RequestStats(v == null ? -1 : v.node().id()));
            }

            @Override
            public void contextMenu(GraphModel model, ViewNode v, String scope, Point p) {
                popup(model, v, scope, p);
            }

            @Override
            public void laidOut(LayoutResult layout) {
                updateStatus();
            }

            @Override
            public void edgeMenu(GraphModel model, int producer, int consumer, Point p) {
                edgePopup(model, producer, consumer, p);
            }

            @Override
            public void edgeHovered(GraphModel model, int producer) {
                hover.hovered(model, producer);
            }
        });
        inspector = new InspectorPanel(config.language(), commands == null ? null : id -> commands.accept(new GuiCommand.RequestStats(id)));
        chart = new LossChartPanel(m, this::notice);
        hover = new EdgeHover(m, graph.canvas(), commands, inspector::nodeId);
        edits = new EditLauncher(frame, m, this::send, id -> {
            GraphModel fwd = graph.model(GraphModel.Mode.FORWARD);
            return fwd != null && id >= 0 && id < fwd.graph().size() ? fwd.graph().node(id).path() : "%" + id;
        }, this::notice);
        pause = new JToggleButton(m.get("toolbar.pause"));

        JPanel graphSide = new JPanel(new BorderLayout());
        graphSide.add(graph, BorderLayout.CENTER);
        graphSide.add(new Legend(m, graph.canvas()::palette), BorderLayout.SOUTH);
        JSplitPane left = new JSplitPane(JSplitPane.VERTICAL_SPLIT, graphSide, chart);
        left.setResizeWeight(0.72);
        left.setContinuousLayout(true);
        chart.setPreferredSize(new Dimension(900, 260));
        JSplitPane main = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, left, inspector);
        main.setResizeWeight(1);
        main.setContinuousLayout(true);
        // ---- issue 17: layer editor and profiling tabs beside the graph, heat overlay on it (LabTools) ----
        LabTools labTools = new LabTools(m, commands, graph, this::selectNode);
        graphSide.remove(graph);
        graphSide.add(labTools.overlay(graph), BorderLayout.CENTER);
        main.setRightComponent(labTools.tabs(inspector));
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                labTools.dispose();
            }
        });
        // ---- end issue 17 ----

        JPanel bottom = new JPanel(new BorderLayout(12, 0));
        bottom.setBorder(BorderFactory.createEmptyBorder(3, 8, 3, 8));
        bottom.add(status, BorderLayout.WEST);
        bottom.add(notice, BorderLayout.CENTER);
        notice.setHorizontalAlignment(JLabel.RIGHT);

        frame.getContentPane().add(toolbar(), BorderLayout.NORTH);
        frame.getContentPane().add(main, BorderLayout.CENTER);
        frame.getContentPane().add(bottom, BorderLayout.SOUTH);
        keys(frame.getRootPane());
        frame.setSize(1500, 940);
        frame.setLocationByPlatform(true);

        timer = new Timer(100, e -> drain());
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                UIManager.removePropertyChangeListener(lafListener);
                timer.stop();
                graph.dispose();
                config.onClose().run();
            }
        });
        UIManager.addPropertyChangeListener(lafListener);
        graph.canvas().setPalette(Theme.isDark() ? GraphPainter.Palette.darkTheme() : GraphPainter.Palette.light());
        updateStatus();
    }

    /**
     * Opens a window showing {@code updates}; {@code commands} takes the Model Lab's commands, or is
     * null for a window that only watches. Call on the event thread, after {@link Theme#install}.
     */
    public static ViewerWindow open(Config config, ComputeUpdateQueue updates, Consumer<GuiCommand> commands) {
        if (!SwingUtilities.isEventDispatchThread()) throw new IllegalStateException("ViewerWindow.open must be called on the event thread");
        ViewerWindow w = new ViewerWindow(config, updates, commands);
        w.frame.setVisible(true);
        w.timer.start();
        w.drain();
        return w;
    }

    private JToolBar toolbar() {
        JToolBar bar = new JToolBar();
        bar.setFloatable(false);
        ButtonGroup views = new ButtonGroup();
        JToggleButton fwd = forwardView, grad = gradientView;
        fwd.setText(m.get("toolbar.forward"));
        fwd.setSelected(true);
        grad.setText(m.get("toolbar.gradient"));
        fwd.addActionListener(e -> graph.setMode(GraphModel.Mode.FORWARD));
        grad.addActionListener(e -> graph.setMode(GraphModel.Mode.GRADIENT));
        fwd.setToolTipText(m.get("toolbar.forward.tip"));
        grad.setToolTipText(m.get("toolbar.gradient.tip"));
        views.add(fwd);
        views.add(grad);
        bar.add(fwd);
        bar.add(grad);
        bar.addSeparator();
        bar.add(button("toolbar.fit", () -> graph.canvas().fit()));
        bar.add(button("toolbar.zoomOut", () -> graph.canvas().zoom(1 / 1.25)));
        bar.add(button("toolbar.zoomIn", () -> graph.canvas().zoom(1.25)));
        bar.add(button("toolbar.expandAll", graph::expandAll));
        bar.add(button("toolbar.collapseAll", graph::collapseAll));
        bar.addSeparator();
        search.putClientProperty("JTextField.placeholderText", m.get("toolbar.search"));
        search.putClientProperty("JTextField.showClearButton", true);
        search.setMaximumSize(new Dimension(220, 30));
        search.addActionListener(e -> {
            matchCount = graph.search(search.getText());
            matchLabel.setText(search.getText().isBlank() ? " " : matchCount == 0 ? m.get("toolbar.search.none") : m.format("toolbar.search.count", 1, matchCount));
        });
        bar.add(search);
        JButton next = button("toolbar.search.next", () -> {
            int rank = graph.nextMatch();
            if (rank > 0) matchLabel.setText(m.format("toolbar.search.count", rank, matchCount));
        });
        bar.add(next);
        bar.add(matchLabel);
        bar.addSeparator();
        bar.add(button("toolbar.exportPng", () -> Dialogs.saveFile(frame, m, "graph.png", "png").ifPresent(this::exportPngReport)));
        bar.add(button("toolbar.exportSvg", () -> Dialogs.saveFile(frame, m, "graph.svg", "svg").ifPresent(this::exportSvgReport)));
        bar.add(button("toolbar.screenshot", () -> Dialogs.saveFile(frame, m, "jasg-viewer.png", "png").ifPresent(p -> {
            try {
                saveScreenshot(p);
                notice(m.format("status.exported", p));
            } catch (IOException ex) {
                notice(m.format("status.exportFailed", ex.getMessage()));
            }
        })));
        bar.addSeparator();
        pause.setToolTipText(m.get("toolbar.pause.tip"));
        pause.addActionListener(e -> {
            boolean paused = pause.isSelected();
            pause.setText(m.get(paused ? "toolbar.resume" : "toolbar.pause"));
            send(paused ? new GuiCommand.Pause() : new GuiCommand.Resume());
        });
        JButton step = button("toolbar.step", () -> {
            pause.setSelected(true);
            pause.setText(m.get("toolbar.resume"));
            send(new GuiCommand.Step());
        });
        JButton reset = button("toolbar.reset", () -> {
            send(new GuiCommand.ResetWeights());
            chart.mark(lastStep, m.get("chart.reset"));
        });
        step.setToolTipText(m.get("toolbar.step.tip"));
        reset.setToolTipText(m.get("toolbar.reset.tip"));
        for (JComponent c : new JComponent[] {pause, step, reset}) {
            c.setEnabled(lab);
            bar.add(c);
        }
        bar.addSeparator();
        bar.add(button("toolbar.theme", () -> Theme.switchTo(!Theme.isDark())));
        return bar;
    }

    private JButton button(String key, Runnable action) {
        JButton b = new JButton(m.get(key));
        b.setFocusable(false);
        b.addActionListener(e -> action.run());
        return b;
    }

    private void keys(JComponent root) {
        bind(root, "ctrl F", "search", () -> search.requestFocusInWindow());
        bind(root, "ctrl 0", "fit", () -> graph.canvas().fit());
        bind(root, "ctrl EQUALS", "zoomIn", () -> graph.canvas().zoom(1.25));
        bind(root, "ctrl MINUS", "zoomOut", () -> graph.canvas().zoom(1 / 1.25));
        bind(root, "ctrl G", "toggleView", () -> graph.setMode(graph.mode() == GraphModel.Mode.FORWARD ? GraphModel.Mode.GRADIENT : GraphModel.Mode.FORWARD));
    }

    private static void bind(JComponent root, String stroke, String name, Runnable r) {
        root.getInputMap(JComponent.WHEN_IN_FOCUSED_WINDOW).put(KeyStroke.getKeyStroke(stroke), name);
        root.getActionMap().put(name, new AbstractAction() {
            @Override
            public void actionPerformed(ActionEvent e) {
                r.run();
            }
        });
    }

    private void send(GuiCommand c) {
        if (commands != null) commands.accept(c);
    }

    private void popup(GraphModel model, ViewNode v, String scope, Point p) {
        JPopupMenu menu = new JPopupMenu();
        if (v != null) {
            Node n = v.node();
            boolean editable = lab && model.mode() == GraphModel.Mode.FORWARD && !v.isOutput() && !v.proxy();
            if (editable && Categories.isActivation(n.op())) {
                JMenu replace = new JMenu(m.get("menu.replace"));
                Activation current = Activation.of(n.op()).orElse(null);
                for (Activation a : Activation.values()) {
                    if (a == current) continue;
                    JMenuItem item = new JMenuItem(a.title());
                    item.addActionListener(e -> replace(n.id(), a));
                    replace.add(item);
                }
                menu.add(replace);
            }
            if (editable && n.op() instanceof Op.Constant c && c.value().size() == 1) {
                JMenuItem edit = new JMenuItem(m.get("menu.editConstant"));
                edit.addActionListener(e -> Dialogs.constant(frame, m, n.path(), Double.toString(c.value().get(0))).ifPresent(value -> {
                    pendingEdit = n.path() + " = " + value;
                    send(new GuiCommand.EditConstant(n.id(), HostTensor.fromDoubles(n.dtype(), n.shape(), new double[] {value})));
                }));
                menu.add(edit);
            }
            if (editable && !(n.op() instanceof Op.Input)) {
                JMenuItem delete = new JMenuItem(m.get("menu.delete"));
                delete.setName("delete");
                delete.addActionListener(e -> openDelete(model.graph(), n));
                menu.add(delete);
            }
            if (commands != null) {
                JMenuItem stats = new JMenuItem(m.get("menu.stats"));
                stats.addActionListener(e -> send(new GuiCommand.RequestStats(n.id())));
                menu.add(stats);
            }
            if (!v.scope().isEmpty()) {
                String s = v.scope();
                JMenuItem collapse = new JMenuItem(m.format("menu.collapse", GraphModel.leaf(s)));
                collapse.addActionListener(e -> graph.toggle(s));
                menu.add(collapse);
            }
        } else if (scope != null) {
            JMenuItem toggle = new JMenuItem(m.format("menu.toggle", GraphModel.leaf(scope)));
            toggle.addActionListener(e -> graph.toggle(scope));
            menu.add(toggle);
        }
        if (menu.getComponentCount() > 0) menu.show(graph.canvas(), p.x, p.y);
    }

    private void edgePopup(GraphModel model, int producer, int consumer, Point p) {
        JPopupMenu menu = new JPopupMenu();
        if (lab && model.mode() == GraphModel.Mode.FORWARD) {
            Node from = model.graph().node(producer), to = model.graph().node(consumer);
            JMenuItem insert = new JMenuItem(m.get("menu.insert"));
            insert.setName("insert");
            insert.addActionListener(e -> openInsert(model.graph(), from, to));
            menu.add(insert);
        }
        if (commands != null) {
            JMenuItem stats = new JMenuItem(m.get("menu.stats"));
            stats.addActionListener(e -> selectNode(producer));
            menu.add(stats);
        }
        if (menu.getComponentCount() > 0) menu.show(graph.canvas(), p.x, p.y);
    }

    private void openInsert(dev.jasg.core.Graph g, Node from, Node to) {
        edits.insert(g, from, to);
    }

    private void openDelete(dev.jasg.core.Graph g, Node n) {
        edits.delete(g, n);
    }

    // ---- updates -------------------------------------------------------------------------------

    private void drain() {
        updates.drain(this::handle, DRAIN_PER_TICK);
        chart.flush();
        updateStatus();
    }

    private void handle(ComputeUpdate u) {
        switch (u) {
            case ComputeUpdate.GraphReady r -> {
                graph.setGraphs(r.forward(), r.gradients());
                if (graphsSeen++ > 0 && pendingEdit != null) {
                    chart.mark(lastStep, pendingEdit);
                    notice(m.format(finished ? "status.editedFinished" : "status.recompiled", pendingEdit));
                }
                pendingEdit = null;
            }
            case ComputeUpdate.StepDone s -> {
                lastStep = s.step();
                lastLoss = s.loss();
                double sps = s.timings().stepsPerSecond();
                speed = speed == 0 ? sps : 0.9 * speed + 0.1 * sps;
                chart.addStep(s.step(), s.loss());
                if (finished) state = m.format("status.finished", s.step());
                else if (!pause.isSelected()) state = m.get("status.running");
            }
            case ComputeUpdate.EpochDone e -> {
                chart.addEpoch(lastStep, e.loss(), e.metrics());
                Double acc = e.metrics().get("accuracy");
                notice(acc == null ? m.format("status.epoch", e.epoch(), fmt(e.loss())) : m.format("status.epochAccuracy", e.epoch(), fmt(e.loss()),
                        String.format(Locale.ROOT, "%.1f", 100 * acc)));
            }
            case NodeStats s -> {
                inspector.showStats(s);
                hover.show(s);
            }
            case ComputeUpdate.ModelEdited e -> {
                String label = edits.takeMarker(e.description());
                chart.mark(e.step(), label);
                notice(m.format(finished ? "status.editedFinished" : "status.recompiled", label));
            }
            case ComputeUpdate.Finished f -> {
                finished = true;
                state = m.format("status.finished", f.steps());
                pause.setEnabled(false);
            }
            case ComputeUpdate.Failed f -> {
                state = m.format("status.failed", f.message());
                LOG.error("training failed at step {}", f.step(), f.error());
            }
        }
        if (pause.isSelected() && !finished && !(u instanceof ComputeUpdate.Failed)) state = m.get("status.paused");
    }

    private void updateStatus() {
        StringBuilder sb = new StringBuilder();
        GraphModel fwd = graph.model(GraphModel.Mode.FORWARD), grad = graph.model(GraphModel.Mode.GRADIENT);
        if (fwd != null) sb.append(m.format("status.graph", fwd.graph().size(), grad.graph().nodes().size())).append("   ");
        sb.append(m.format("status.step", lastStep, fmt(lastLoss)));
        if (speed > 0) sb.append("   ").append(m.format("status.speed", String.format(Locale.ROOT, "%.0f", speed)));
        sb.append("   ").append(state);
        if (updates.dropped() > 0) sb.append("   ").append(m.format("status.dropped", updates.dropped()));
        status.setText(sb.toString());
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Shows {@code text} in the status bar for a few seconds; callable from any thread. */
    public void notice(String text) {
        if (!SwingUtilities.isEventDispatchThread()) {
            SwingUtilities.invokeLater(() -> notice(text));
            return;
        }
        notice.setText(text);
        if (noticeTimer != null) noticeTimer.stop();
        noticeTimer = new Timer(8000, e -> notice.setText(" "));
        noticeTimer.setRepeats(false);
        noticeTimer.start();
    }

    private void retheme() {
        graph.canvas().setPalette(Theme.isDark() ? GraphPainter.Palette.darkTheme() : GraphPainter.Palette.light());
        inspector.restyle();
        chart.applyTheme();
        frame.repaint();
    }

    private void exportPngReport(Path p) {
        try {
            exportGraphPng(p);
            notice(m.format("status.exported", p));
        } catch (IOException e) {
            notice(m.format("status.exportFailed", e.getMessage()));
        }
    }

    private void exportSvgReport(Path p) {
        try {
            exportGraphSvg(p);
            notice(m.format("status.exported", p));
        } catch (IOException e) {
            notice(m.format("status.exportFailed", e.getMessage()));
        }
    }

    // ---- programmatic control (tests, scripts, embedding) --------------------------------------

    /** Applies the waiting updates now rather than at the next tick. */
    public void refresh() {
        drain();
    }

    /** Switches between the forward and the gradient view. */
    public void setMode(GraphModel.Mode mode) {
        graph.setMode(mode);
    }

    /** Selects graph node {@code id} as a click would, centring on it; false when no view shows it. */
    public boolean selectNode(int id) {
        return graph.selectNode(id);
    }

    /** The current view's model, or null before the first graph arrived. */
    public GraphModel model() {
        return graph.model();
    }

    /** True when the current view is laid out and drawn. */
    public boolean isLaidOut() {
        return graph.isLaidOut();
    }

    /** The inspector's page as plain text. */
    public String inspectorText() {
        return inspector.plainText();
    }

    /** Searches like the search field; returns the number of matches. */
    public int search(String text) {
        search.setText(text);
        matchCount = graph.search(text);
        return matchCount;
    }

    /**
     * Asks the training loop to replace forward node {@code id}'s activation by {@code a}, as the
     * context menu does; the chart marks the step where the new graph arrives.
     */
    public void replace(int id, Activation a) {
        GraphModel fwd = graph.model(GraphModel.Mode.FORWARD);
        if (fwd == null || commands == null) return;
        Node n = fwd.graph().node(id);
        pendingEdit = n.op().label() + " → " + a.op().label();
        send(GuiCommand.ReplaceOp.activation(id, a));
        notice(m.format("status.replacing", n.path(), a.title()));
    }

    /** Writes the whole graph of the current view as a PNG. */
    public void exportGraphPng(Path file) throws IOException {
        graph.exportPng(file);
    }

    /** Writes the whole graph of the current view as an SVG. */
    public void exportGraphSvg(Path file) throws IOException {
        graph.exportSvg(file);
    }

    /** Writes the loss chart as a PNG. */
    public void exportChartPng(Path file) throws IOException {
        chart.savePng(file, 1200, 600);
    }

    /** Writes an image of the whole window, as it is drawn now, as a PNG. */
    public void saveScreenshot(Path file) throws IOException {
        JComponent root = frame.getRootPane();
        BufferedImage img = new BufferedImage(Math.max(1, root.getWidth()), Math.max(1, root.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            root.paint(g);
        } finally {
            g.dispose();
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
    }

    /** The frame. */
    public JFrame frame() {
        return frame;
    }

    /** Closes the window. */
    public void close() {
        frame.dispose();
    }

    /** Shows the training as paused (or running) without sending a command: the loop already is. */
    public void showPaused(boolean paused) {
        pause.setSelected(paused);
        pause.setText(m.get(paused ? "toolbar.resume" : "toolbar.pause"));
        state = m.get(paused ? "status.paused" : "status.waiting");
        updateStatus();
    }

    /** Presses the pause button (or releases it), as a user would. */
    public void setPaused(boolean paused) {
        if (pause.isSelected() != paused) pause.doClick();
    }

    /**
     * Titles scopes with their layers' classes ({@code 1: Linear}); give it
     * {@link GraphModel#layerClasses} of the model being trained.
     */
    public void setLayerClasses(java.util.Map<String, String> classes) {
        graph.setLayerClasses(classes);
    }

    /**
     * The window point (on screen) of the drawn edge from forward node {@code producer} to
     * {@code consumer}, or null when the current view does not draw it (for GUI tests).
     */
    public Point edgeOnScreen(int producer, int consumer) {
        int route = graph.routeOf(producer, consumer);
        if (route < 0) return null;
        Point p = graph.canvas().edgePoint(route);
        if (p.x < 0 || p.y < 0 || p.x >= graph.canvas().getWidth() || p.y >= graph.canvas().getHeight()) return null;
        javax.swing.SwingUtilities.convertPointToScreen(p, graph.canvas());
        return p;
    }

    /** The screen point of the centre of graph node {@code id}'s box in the current view, or null when it is not on the canvas. */
    public Point nodeOnScreen(int id) {
        LayoutResult r = graph.canvas().layoutResult();
        GraphModel gm = graph.model();
        if (r == null || gm == null || gm.indexOf(id) < 0) return null;
        int b = r.boxOf(gm.indexOf(id));
        if (b < 0) return null;
        java.awt.geom.Rectangle2D s = dev.jasg.viewer.graph.Viewport.onScreen(graph.canvas().view(), r.boxes().get(b).bounds());
        Point p = new Point((int) s.getCenterX(), (int) s.getCenterY());
        if (!graph.canvas().contains(p)) return null;
        SwingUtilities.convertPointToScreen(p, graph.canvas());
        return p;
    }

    /** The graph canvas's bounds and its view, for geometry checks in tests: the window rectangle of every box. */
    public java.util.List<java.awt.geom.Rectangle2D> boxesOnCanvas() {
        LayoutResult r = graph.canvas().layoutResult();
        java.util.List<java.awt.geom.Rectangle2D> out = new java.util.ArrayList<>();
        if (r == null) return out;
        for (LayoutResult.Box b : r.boxes()) out.add(dev.jasg.viewer.graph.Viewport.onScreen(graph.canvas().view(), b.bounds()));
        return out;
    }

    /** The canvas size. */
    public Dimension canvasSize() {
        return graph.canvas().getSize();
    }

    /** Fits the whole graph, as the toolbar's button does. */
    public void fit() {
        graph.canvas().fit();
    }

    /**
     * Opens the "Insert here..." dialog on the edge from forward node {@code producer} to
     * {@code consumer}, as the edge's context menu does, and returns it; null when this window
     * cannot edit (no Model Lab) or the forward graph has no such edge.
     */
    public EditDialog openInsertDialog(int producer, int consumer) {
        GraphModel fwd = graph.model(GraphModel.Mode.FORWARD);
        if (!lab || fwd == null || !fwd.graph().consumers(producer).contains(consumer)) return null;
        openInsert(fwd.graph(), fwd.graph().node(producer), fwd.graph().node(consumer));
        return edits.dialog();
    }

    /** The open insert or delete dialog, or null. */
    public EditDialog editDialog() {
        return edits.dialog();
    }

    /** The text the hovered edge shows, or null. */
    public String[] hoverText() {
        return graph.canvas().hoverText();
    }

    /** The loss chart's marker labels, oldest first. */
    public java.util.List<String> chartMarkers() {
        return chart.markers().stream().map(org.jfree.chart.plot.Marker::getLabel).toList();
    }

    /** The pause button's label. */
    public String pauseLabel() {
        return pause.getText();
    }

    /** The status bar's text. */
    public String statusText() {
        return status.getText();
    }

    /** For key bindings in tests: the search field. */
    JTextField searchField() {
        return search;
    }
}
