package dev.jasg.viewer.ui;

import dev.jasg.nn.spec.JavaExport;
import dev.jasg.nn.spec.LayerType;
import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.builder.BuilderModel;
import dev.jasg.viewer.graph.GraphPainter;

import javax.imageio.ImageIO;
import javax.swing.AbstractAction;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.JTree;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import javax.swing.WindowConstants;
import javax.swing.filechooser.FileNameExtensionFilter;
import javax.swing.tree.DefaultMutableTreeNode;
import javax.swing.tree.DefaultTreeCellRenderer;
import javax.swing.tree.TreePath;
import java.awt.BorderLayout;
import java.awt.Cursor;
import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.event.ActionEvent;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The model builder ({@code viewer.jar --builder}): a palette of every registered layer and tensor
 * op ({@link LayerType}), grouped by category, to drag onto the canvas ({@link BuilderCanvas}); the
 * selected node's hyper-parameters as a form ({@link ParamForm}); the training settings, Start, Pause
 * and Stop, the live loss chart and metrics ({@link BuilderTraining}); menus to create, open and save
 * the architecture as JSON ({@link ModelSpec}), export it as Java ({@link JavaExport}), load a
 * template, and undo or redo every edit (Ctrl+Z, Ctrl+Y). "Inspect" opens the viewer's window on the
 * graph being trained.
 *
 * <p>Create it with {@link #open} on the event thread; every method must be called there.
 */
public final class BuilderWindow {
    private final Messages m;
    private final BuilderModel model;
    private final JFrame frame;
    private final BuilderCanvas canvas;
    private final BuilderTraining training;
    private JMenu templates;
    private final JTree palette;
    private final JPanel nodePanel = new JPanel(new BorderLayout());
    private final JLabel status = new JLabel(" ");
    private final JTabbedPane side = new JTabbedPane();
    private final JMenuItem undo;
    private final JMenuItem redo;
    private ParamForm nodeForm;
    private String formFor;
    private ModelSpec formSpec;
    private LayerType dragging;
    private Path file;
    private Consumer<String> errors;
    private final java.beans.PropertyChangeListener lafListener = e -> {
        if ("lookAndFeel".equals(e.getPropertyName())) SwingUtilities.invokeLater(this::retheme);
    };

    private BuilderWindow(Language language, ModelSpec initial, Runnable onClose) {
        m = Messages.of(language);
        model = new BuilderModel(initial);
        frame = new JFrame(m.format("builder.title", initial.name()));
        frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        errors = text -> JOptionPane.showMessageDialog(frame, text, m.get("builder.error"), JOptionPane.ERROR_MESSAGE);
        canvas = new BuilderCanvas(model, m, this::status);
        canvas.onSelection(id -> SwingUtilities.invokeLater(this::showNode));
        training = new BuilderTraining(model, m, this::status);
        palette = palette();

        JScrollPane paletteScroll = new JScrollPane(palette);
        paletteScroll.setPreferredSize(new Dimension(210, 400));
        JPanel paletteSide = new JPanel(new BorderLayout());
        JLabel paletteTitle = new JLabel(m.get("builder.palette"));
        paletteTitle.setBorder(BorderFactory.createEmptyBorder(4, 6, 4, 6));
        paletteSide.add(paletteTitle, BorderLayout.NORTH);
        paletteSide.add(paletteScroll, BorderLayout.CENTER);

        JSplitPane centre = new JSplitPane(JSplitPane.VERTICAL_SPLIT, canvas, training.chartPanel());
        centre.setResizeWeight(0.7);
        canvas.setPreferredSize(new Dimension(900, 600));
        training.chartPanel().setPreferredSize(new Dimension(900, 240));
        side.addTab(m.get("builder.tab.node"), nodePanel);
        side.addTab(m.get("builder.tab.training"), training.settings());
        side.setPreferredSize(new Dimension(330, 500));
        side.setMinimumSize(new Dimension(320, 200));
        training.chartPanel().setMinimumSize(new Dimension(300, 120));
        canvas.setMinimumSize(new Dimension(300, 200));
        JSplitPane right = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, centre, side);
        right.setResizeWeight(1);
        JSplitPane main = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, paletteSide, right);
        main.setResizeWeight(0);

        JPanel bottom = new JPanel(new BorderLayout());
        bottom.setBorder(BorderFactory.createEmptyBorder(3, 8, 3, 8));
        bottom.add(status, BorderLayout.CENTER);

        undo = item("builder.menu.undo", "ctrl Z", model::undo);
        redo = item("builder.menu.redo", "ctrl Y", model::redo);
        frame.setJMenuBar(menus());
        frame.getContentPane().add(main, BorderLayout.CENTER);
        frame.getContentPane().add(bottom, BorderLayout.SOUTH);
        bind("ctrl shift Z", "redo2", model::redo);
        bind("DELETE", "delete", canvas::deleteSelection);
        bind("BACK_SPACE", "delete2", canvas::deleteSelection);
        model.addListener(this::changed);
        frame.setSize(1500, 940);
        frame.setLocationByPlatform(true);
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                UIManager.removePropertyChangeListener(lafListener);
                training.dispose();
                if (onClose != null) onClose.run();
            }
        });
        UIManager.addPropertyChangeListener(lafListener);
        retheme();
        changed();
        showNode();
    }

    /**
     * Opens a builder window on {@code initial} (null: File, New) in {@code language}; {@code onClose}
     * (may be null) runs when it has closed. Call on the event thread, after {@link Theme#install}.
     */
    public static BuilderWindow open(Language language, ModelSpec initial, Runnable onClose) {
        if (!SwingUtilities.isEventDispatchThread()) throw new IllegalStateException("BuilderWindow.open must be called on the event thread");
        BuilderWindow w = new BuilderWindow(Objects.requireNonNull(language, "language"), initial == null ? BuilderModel.newSpec() : initial, onClose);
        w.frame.setVisible(true);
        SwingUtilities.invokeLater(w.canvas::fit);
        return w;
    }

    // ---- menus -------------------------------------------------------------------------------------

    private JMenuBar menus() {
        JMenuBar bar = new JMenuBar();
        JMenu file = new JMenu(m.get("builder.menu.file"));
        file.add(item("builder.menu.new", "ctrl N", () -> {
            model.load(BuilderModel.newSpec());
            this.file = null;
            canvas.fit();
        }));
        file.add(item("builder.menu.open", "ctrl O", () -> choose(false, "json", "model.json").ifPresent(this::openFile)));
        file.add(item("builder.menu.save", "ctrl S", () -> {
            if (this.file != null) saveFile(this.file);
            else choose(true, "json", fileName(".json")).ifPresent(this::saveFile);
        }));
        file.add(item("builder.menu.saveAs", null, () -> choose(true, "json", fileName(".json")).ifPresent(this::saveFile)));
        file.add(item("builder.menu.exportJava", "ctrl E", () -> choose(true, "java", className() + ".java").ifPresent(this::exportJava)));
        file.addSeparator();
        file.add(item("builder.menu.close", "ctrl W", frame::dispose));
        JMenu edit = new JMenu(m.get("builder.menu.edit"));
        edit.add(undo);
        edit.add(redo);
        edit.add(item("builder.menu.delete", null, canvas::deleteSelection));
        templates = new JMenu(m.get("builder.menu.templates"));
        for (String t : BuilderModel.templateNames()) {
            if (t.equals(dev.jasg.models.spec.ZooSpecs.names().get(0))) templates.addSeparator();
            JMenuItem i = new JMenuItem(t);
            i.addActionListener(e -> loadTemplate(t));
            templates.add(i);
        }
        JMenu view = new JMenu(m.get("builder.menu.view"));
        view.add(item("builder.menu.fit", "ctrl 0", canvas::fit));
        view.add(item("builder.menu.theme", null, () -> Theme.switchTo(!Theme.isDark())));
        JMenu run = new JMenu(m.get("builder.menu.train"));
        run.add(item("builder.train.start", "F5", training::start));
        run.add(item("builder.train.stop", null, training::stop));
        run.add(item("builder.train.inspect", "ctrl I", training::inspect));
        bar.add(file);
        bar.add(edit);
        bar.add(templates);
        bar.add(view);
        bar.add(run);
        return bar;
    }

    private JMenuItem item(String key, String stroke, Runnable action) {
        JMenuItem i = new JMenuItem(m.get(key));
        if (stroke != null) i.setAccelerator(KeyStroke.getKeyStroke(stroke));
        i.addActionListener(e -> action.run());
        return i;
    }

    private void bind(String stroke, String name, Runnable r) {
        JComponent root = frame.getRootPane();
        root.getInputMap(JComponent.WHEN_IN_FOCUSED_WINDOW).put(KeyStroke.getKeyStroke(stroke), name);
        root.getActionMap().put(name, new AbstractAction() {
            @Override
            public void actionPerformed(ActionEvent e) {
                // Delete in a text field deletes text, not the node.
                if (name.startsWith("delete") && frame.getFocusOwner() instanceof javax.swing.text.JTextComponent) return;
                r.run();
            }
        });
    }

    private java.util.Optional<Path> choose(boolean save, String ext, String suggested) {
        JFileChooser fc = new JFileChooser(file != null && file.getParent() != null ? file.getParent().toFile() : null);
        fc.setFileFilter(new FileNameExtensionFilter(ext.toUpperCase(Locale.ROOT), ext));
        fc.setDialogTitle(m.get(save ? (ext.equals("java") ? "builder.menu.exportJava" : "builder.menu.saveAs") : "builder.menu.open"));
        if (save) fc.setSelectedFile(new File(suggested));
        int r = save ? fc.showSaveDialog(frame) : fc.showOpenDialog(frame);
        if (r != JFileChooser.APPROVE_OPTION) return java.util.Optional.empty();
        Path p = fc.getSelectedFile().toPath();
        if (save && !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("." + ext)) p = p.resolveSibling(p.getFileName() + "." + ext);
        return java.util.Optional.of(p);
    }

    private String fileName(String ext) {
        return model.spec().name().replaceAll("[^A-Za-z0-9_.-]", "_") + ext;
    }

    private String className() {
        String s = model.spec().name().replaceAll("[^A-Za-z0-9_]", "");
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) s = "Model" + s;
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    // ---- files (also the API of tests and scripts) -------------------------------------------------

    /** Opens the spec at {@code path}; an unreadable, invalid or newer-version file shows an error and changes nothing. Returns whether it opened. */
    public boolean openFile(Path path) {
        BuilderModel.Result r = model.open(path);
        if (!r.applied()) {
            errors.accept(m.format("builder.error.open", path, r.message()));
            return false;
        }
        file = path;
        canvas.fit();
        status(m.format("builder.status.opened", path));
        return true;
    }

    /** Saves the spec as JSON at {@code path} (atomically); an I/O error shows a message. Returns whether it was saved. */
    public boolean saveFile(Path path) {
        try {
            model.save(path);
            file = path;
            status(m.format("builder.status.saved", path));
            return true;
        } catch (IOException | RuntimeException e) {
            errors.accept(m.format("builder.error.save", path, e.getMessage()));
            return false;
        }
    }

    /** Exports the spec as a Java program at {@code path} (class named after the file); a spec that does not build shows why. Returns whether it was written. */
    public boolean exportJava(Path path) {
        try {
            JavaExport.write(model.spec(), path);
            status(m.format("builder.status.exported", path));
            return true;
        } catch (IOException | RuntimeException e) {
            errors.accept(m.format("builder.error.export", path, e.getMessage()));
            return false;
        }
    }

    /** Loads template {@code name}, replacing the canvas (and its history). */
    public void loadTemplate(String name) {
        model.loadTemplate(name);
        file = null;
        canvas.fit();
    }

    /** Where error messages go (a dialog by default; tests collect them). */
    public void setErrorSink(Consumer<String> sink) {
        errors = Objects.requireNonNull(sink, "sink");
    }

    // ---- palette ---------------------------------------------------------------------------------------

    private JTree palette() {
        DefaultMutableTreeNode root = new DefaultMutableTreeNode("palette");
        for (LayerType.Category c : LayerType.Category.values()) {
            DefaultMutableTreeNode group = new DefaultMutableTreeNode(m.get("builder.category." + c.name().toLowerCase(Locale.ROOT)));
            for (LayerType t : LayerType.values()) if (t.category() == c) group.add(new DefaultMutableTreeNode(t));
            root.add(group);
        }
        JTree tree = new JTree(root);
        tree.setRootVisible(false);
        tree.setShowsRootHandles(true);
        for (int i = 0; i < tree.getRowCount(); i++) tree.expandRow(i);
        tree.setCellRenderer(new DefaultTreeCellRenderer() {
            @Override
            public java.awt.Component getTreeCellRendererComponent(JTree t, Object value, boolean sel, boolean expanded, boolean leaf, int row, boolean focus) {
                Object v = ((DefaultMutableTreeNode) value).getUserObject();
                super.getTreeCellRendererComponent(t, v instanceof LayerType lt ? lt.jsonName() : v, sel, expanded, leaf, row, focus);
                setIcon(null);
                if (v instanceof LayerType) setToolTipText(m.get("builder.palette.tip"));
                return this;
            }
        });
        javax.swing.ToolTipManager.sharedInstance().registerComponent(tree);
        MouseAdapter drag = new MouseAdapter() {
            @Override
            public void mousePressed(MouseEvent e) {
                dragging = typeAt(tree, e.getPoint());
                if (dragging != null) tree.setCursor(Cursor.getPredefinedCursor(Cursor.HAND_CURSOR));
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                tree.setCursor(Cursor.getDefaultCursor());
                LayerType t = dragging;
                dragging = null;
                if (t == null) return;
                Point p = SwingUtilities.convertPoint(tree, e.getPoint(), canvas);
                if (canvas.contains(p)) drop(t, p);
            }

            @Override
            public void mouseClicked(MouseEvent e) {
                LayerType t = typeAt(tree, e.getPoint());
                if (t != null && e.getClickCount() == 2) drop(t, new Point(canvas.getWidth() / 2, canvas.getHeight() / 3));
            }
        };
        tree.addMouseListener(drag);
        return tree;
    }

    private static LayerType typeAt(JTree tree, Point p) {
        TreePath path = tree.getPathForLocation(p.x, p.y);
        if (path == null) return null;
        return ((DefaultMutableTreeNode) path.getLastPathComponent()).getUserObject() instanceof LayerType t ? t : null;
    }

    /** Adds a node of {@code type} centred at canvas point {@code p}, as dropping a palette item there does; returns its id. */
    public String drop(LayerType type, Point p) {
        ModelSpec.Position at = canvas.toModel(p);
        String id = model.addNode(type, new ModelSpec.Position(Math.round(at.x() - BuilderCanvas.W / 2), Math.round(at.y() - BuilderCanvas.H / 2)));
        canvas.select(id);
        status(m.format("builder.status.added", id, type.jsonName()));
        return id;
    }

    // ---- the selected node's form --------------------------------------------------------------------

    private void showNode() {
        String id = canvas.selectedNode();
        if (Objects.equals(id, formFor) && model.spec() == formSpec) return;
        ModelSpec s = model.spec();
        ModelSpec.Node n = id == null ? null : s.node(id);
        formFor = id;
        formSpec = s;
        nodePanel.removeAll();
        JPanel head = new JPanel(new BorderLayout());
        head.setBorder(BorderFactory.createEmptyBorder(6, 6, 6, 6));
        if (id == null) {
            head.add(new JLabel("<html>" + m.get("builder.node.none") + "</html>"), BorderLayout.NORTH);
            nodeForm = null;
        } else if (n == null) {
            ModelSpec.Input in = s.inputs().stream().filter(i -> i.name().equals(id)).findFirst().orElse(null);
            if (in == null) return;
            head.add(new JLabel(m.format("builder.node.input", in.name(), in.dtype().label())), BorderLayout.NORTH);
            nodeForm = new ParamForm((name, text) -> {
                BuilderModel.Result r = model.setInputShape(id, text);
                return r.applied() ? null : r.message();
            });
            javax.swing.JTextField shape = new javax.swing.JTextField(ParamForm.text(in.shape()), 12);
            shape.setName("shape");
            shape.addActionListener(e -> {
                BuilderModel.Result r = model.setInputShape(id, shape.getText());
                if (!r.applied()) status(m.format("builder.status.refused", r.message()));
            });
            nodeForm.addRow(m.get("builder.node.shape"), shape);
        } else {
            LayerType t = LayerType.of(n.type()).orElse(null);
            var ns = model.shapes().get(id);
            String shape = ns == null ? "" : ns.known() ? ns.shape().toString() : ns.problem();
            head.add(new JLabel("<html><b>" + id + "</b> · " + n.type() + "<br>" + m.format("builder.node.shapeIs", escape(shape)) + "</html>"), BorderLayout.NORTH);
            JButton output = new JButton(m.get("builder.menu.setOutput"));
            output.setName("setOutput");
            output.setEnabled(!id.equals(s.output()));
            output.addActionListener(e -> model.setOutput(id));
            head.add(output, BorderLayout.SOUTH);
            nodeForm = t == null ? new ParamForm((a, b) -> null) : ParamForm.of(t.params(), n.params(), (name, text) -> {
                BuilderModel.Result r = model.setParam(id, name, text);
                if (!r.applied()) status(m.format("builder.status.refused", r.message()));
                return r.applied() ? null : r.message();
            });
        }
        nodePanel.add(head, BorderLayout.NORTH);
        if (nodeForm != null) {
            nodeForm.finish();
            nodePanel.add(new JScrollPane(nodeForm), BorderLayout.CENTER);
        }
        nodePanel.revalidate();
        nodePanel.repaint();
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private void changed() {
        undo.setEnabled(model.canUndo());
        redo.setEnabled(model.canRedo());
        frame.setTitle(m.format("builder.title", model.spec().name()) + (file != null ? " · " + file.getFileName() : ""));
        String problem = model.graphProblem();
        if (problem != null) status(problem);
        SwingUtilities.invokeLater(this::showNode);
    }

    private void status(String text) {
        status.setText(text == null || text.isEmpty() ? " " : text);
    }

    private void retheme() {
        canvas.setPalette(Theme.isDark() ? GraphPainter.Palette.darkTheme() : GraphPainter.Palette.light());
        training.applyTheme();
        frame.repaint();
    }

    // ---- programmatic access (tests, scripts, screenshots) --------------------------------------------

    /** The builder's model (the spec and its history). */
    public BuilderModel model() {
        return model;
    }

    /** The frame. */
    public JFrame frame() {
        return frame;
    }

    /** The status line's text. */
    public String statusText() {
        return status.getText();
    }

    /** The screen point of palette item {@code type} (scrolled into view), or null. */
    public Point paletteItemOnScreen(LayerType type) {
        for (int row = 0; row < palette.getRowCount(); row++) {
            TreePath path = palette.getPathForRow(row);
            if (((DefaultMutableTreeNode) path.getLastPathComponent()).getUserObject() == type) {
                palette.scrollRowToVisible(row);
                Rectangle r = palette.getRowBounds(row);
                Point p = new Point(r.x + Math.min(r.width, 60) / 2, r.y + r.height / 2);
                SwingUtilities.convertPointToScreen(p, palette);
                return p;
            }
        }
        return null;
    }

    /** The screen point of {@code x, y} on the canvas. */
    public Point canvasOnScreen(int x, int y) {
        Point p = new Point(x, y);
        SwingUtilities.convertPointToScreen(p, canvas);
        return p;
    }

    /** The canvas size. */
    public Dimension canvasSize() {
        return canvas.getSize();
    }

    /** The screen point of node {@code id}'s output port. */
    public Point outPortOnScreen(String id) {
        return screen(canvas.outPort(id));
    }

    /** The screen point of node {@code id}'s input port {@code port}. */
    public Point inPortOnScreen(String id, int port) {
        return screen(canvas.inPort(new BuilderModel.Port(id, port)));
    }

    /** The screen point of the centre of node {@code id}'s box. */
    public Point nodeOnScreen(String id) {
        Rectangle2D b = canvas.box(id);
        return screen(new Point2D.Double(b.getCenterX(), b.getCenterY()));
    }

    private Point screen(Point2D p) {
        Point q = new Point((int) Math.round(p.getX()), (int) Math.round(p.getY()));
        SwingUtilities.convertPointToScreen(q, canvas);
        return q;
    }

    /** The port colours of the connection being dragged: "node:port" to true (green) or false (red); empty when none is dragged. */
    public java.util.Map<String, Boolean> dragColours() {
        java.util.Map<String, Boolean> out = new java.util.TreeMap<>();
        canvas.dragCompatibility().forEach((p, c) -> out.put(p.node() + ":" + p.port(), c.compatible()));
        return out;
    }

    /** The port the dragged connection snaps to, as "node:port", or null. */
    public String snappedPort() {
        BuilderModel.Port p = canvas.snappedPort();
        return p == null ? null : p.node() + ":" + p.port();
    }

    /** Selects node or input {@code id} as a click would. */
    public void select(String id) {
        canvas.select(id);
        showNode();
    }

    /** Types {@code text} into the selected node's field {@code name} and commits it; the refusal, or null. */
    public String enterParam(String name, String text) {
        showNode();
        if (nodeForm == null) throw new IllegalStateException("no node selected");
        return nodeForm.enter(name, text);
    }

    /** Sets a training setting as a user would ({@link BuilderTraining#enter}); the refusal, or null. */
    public String enterTraining(String form, String name, String text) {
        side.setSelectedIndex(1);
        return training.enter(form, name, text);
    }

    /** Shows the node tab or the training tab. */
    public void showTab(boolean trainingTab) {
        side.setSelectedIndex(trainingTab ? 1 : 0);
    }

    /** Presses Start. */
    public void startTraining() {
        training.start();
    }

    /** Pauses or resumes training. */
    public void setPaused(boolean paused) {
        training.setPaused(paused);
    }

    /** The training session of the last Start, or null. */
    public dev.jasg.nn.spec.TrainingSession session() {
        return training.session();
    }

    /** The metrics line under the chart. */
    public String metricsText() {
        return training.metricsText();
    }

    /** The number of steps on the chart. */
    public int chartSteps() {
        return training.chartSteps();
    }

    /** The chart's held-out metric points by metric name ({@code "15=0.42"}: step and value). */
    public java.util.Map<String, java.util.List<String>> chartMetrics() {
        return training.chartMetrics();
    }

    /** The template names of the Templates menu, in menu order. */
    public java.util.List<String> templateMenu() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < templates.getItemCount(); i++) if (templates.getItem(i) != null) names.add(templates.getItem(i).getText());
        return names;
    }

    /** Opens (or brings up) the viewer window on the graph being trained; null before training started. */
    public ViewerWindow inspect() {
        return training.inspect();
    }

    /** Fits the canvas to the graph. */
    public void fit() {
        canvas.fit();
    }

    /** Writes an image of the whole window as it is drawn now. */
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

    /** Closes the window (stopping any training). */
    public void close() {
        frame.dispose();
    }
}
