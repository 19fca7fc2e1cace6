package dev.jasg.viewer.ui;

import dev.jasg.nn.io.PartialLoad;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.lab.EditableLayer;
import dev.jasg.viewer.lab.GuiCommand;
import dev.jasg.viewer.lab.LayerResize;
import dev.jasg.viewer.lab.ResizePreview;

import javax.swing.BorderFactory;
import javax.swing.DefaultComboBoxModel;
import javax.swing.DefaultListCellRenderer;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSpinner;
import javax.swing.JTextArea;
import javax.swing.SpinnerNumberModel;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The Model Lab's layer editor (phase D): pick a layer of the model (Linear, Conv2d,
 * MultiHeadAttention, FeedForward), change its settings, "Preview" lists the layers adapted
 * downstream and the tensors that will be re-initialised, "Apply" commits the edit only when that
 * cascade succeeds (a failure is shown in red and changes nothing). It also saves a checkpoint and
 * loads one partially (what kept its shape takes the saved values). Everything goes to the training
 * thread as {@link GuiCommand}s. Swing only: create and use it on the event thread.
 */
final class LayerEditorPanel extends JPanel {
    private static final long serialVersionUID = 1L;
    private static final Color RED = new Color(0xC62828);

    private final transient Messages m;
    private final transient Consumer<GuiCommand> commands;
    private final DefaultComboBoxModel<EditableLayer> layers = new DefaultComboBoxModel<>();
    private final JComboBox<EditableLayer> layerBox = new JComboBox<>(layers);
    private final JPanel form = new JPanel(new GridBagLayout());
    private final Map<String, JSpinner> spinners = new LinkedHashMap<>();
    private final JTextArea result = new JTextArea(12, 30);
    private final JButton preview;
    private final JButton apply;
    private final JButton save;
    private final JButton load;
    private final JButton refresh;
    private transient ResizePreview last;

    LayerEditorPanel(Messages m, Consumer<GuiCommand> commands) {
        super(new BorderLayout(0, 8));
        this.m = m;
        this.commands = commands;
        setBorder(BorderFactory.createEmptyBorder(8, 8, 8, 8));
        layerBox.setRenderer(new DefaultListCellRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected, boolean focus) {
                super.getListCellRendererComponent(list, value, index, selected, focus);
                if (value instanceof EditableLayer l) setText(l.scope() + " · " + l.kind());
                return this;
            }
        });
        layerBox.addActionListener(e -> rebuildForm());
        refresh = button("layerEditor.refresh", this::refresh);
        JPanel top = new JPanel(new BorderLayout(6, 0));
        top.add(new JLabel(m.get("layerEditor.layer")), BorderLayout.WEST);
        top.add(layerBox, BorderLayout.CENTER);
        top.add(refresh, BorderLayout.EAST);

        preview = button("layerEditor.preview", () -> send(false));
        apply = button("layerEditor.apply", () -> send(true));
        save = button("layerEditor.save", this::saveCheckpoint);
        load = button("layerEditor.load", this::loadCheckpoint);
        preview.setToolTipText(m.get("layerEditor.preview.tip"));
        apply.setToolTipText(m.get("layerEditor.apply.tip"));
        load.setToolTipText(m.get("layerEditor.load.tip"));
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 0));
        buttons.add(preview);
        buttons.add(apply);
        JPanel files = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 0));
        files.add(save);
        files.add(load);

        JPanel middle = new JPanel(new BorderLayout(0, 6));
        middle.add(form, BorderLayout.NORTH);
        middle.add(buttons, BorderLayout.CENTER);
        middle.add(files, BorderLayout.SOUTH);

        result.setEditable(false);
        result.setLineWrap(true);
        result.setWrapStyleWord(true);
        add(top, BorderLayout.NORTH);
        JPanel center = new JPanel(new BorderLayout(0, 8));
        center.add(middle, BorderLayout.NORTH);
        center.add(new JScrollPane(result), BorderLayout.CENTER);
        add(center, BorderLayout.CENTER);
        boolean live = commands != null;
        for (JButton b : new JButton[] {preview, apply, save, load, refresh}) b.setEnabled(live);
        layerBox.setEnabled(live);
        result.setText(m.get(live ? "layerEditor.hint" : "layerEditor.watchOnly"));
    }

    private JButton button(String key, Runnable action) {
        JButton b = new JButton(m.get(key));
        b.addActionListener(e -> action.run());
        return b;
    }

    /** Asks the session for the editable layers again (after an edit, the sizes changed). */
    void refresh() {
        if (commands == null) return;
        var f = new CompletableFuture<List<EditableLayer>>();
        commands.accept(new GuiCommand.ListEditableLayers(f));
        f.thenAccept(list -> SwingUtilities.invokeLater(() -> setLayers(list)));
    }

    /** Fills the layer list, keeping the selected scope when it is still there. */
    void setLayers(List<EditableLayer> list) {
        String keep = selected() == null ? null : selected().scope();
        layers.removeAllElements();
        for (EditableLayer l : list) layers.addElement(l);
        if (list.isEmpty()) {
            result.setText(m.get("layerEditor.noLayers"));
        }
        if (keep != null) select(keep);
        rebuildForm();
    }

    /** Selects the layer at {@code scope} (or the innermost editable layer containing it); false when there is none. */
    boolean select(String scope) {
        String s = scope;
        while (true) {
            for (int i = 0; i < layers.getSize(); i++) {
                if (layers.getElementAt(i).scope().equals(s)) {
                    layerBox.setSelectedIndex(i);
                    return true;
                }
            }
            int dot = s.lastIndexOf('.');
            if (dot < 0) return false;
            s = s.substring(0, dot);
        }
    }

    EditableLayer selected() {
        return (EditableLayer) layerBox.getSelectedItem();
    }

    private void rebuildForm() {
        form.removeAll();
        spinners.clear();
        EditableLayer l = selected();
        if (l != null) {
            GridBagConstraints c = new GridBagConstraints();
            c.insets = new Insets(2, 0, 2, 8);
            c.anchor = GridBagConstraints.WEST;
            int row = 0;
            for (var e : l.settings().entrySet()) {
                c.gridx = 0;
                c.gridy = row;
                c.weightx = 0;
                c.fill = GridBagConstraints.NONE;
                form.add(new JLabel(e.getKey()), c);
                JSpinner sp = new JSpinner(new SpinnerNumberModel((int) e.getValue(), e.getKey().equals("padding") ? 0 : 1, 1 << 20, 1));
                sp.setName(e.getKey());
                c.gridx = 1;
                c.weightx = 1;
                c.fill = GridBagConstraints.HORIZONTAL;
                form.add(sp, c);
                spinners.put(e.getKey(), sp);
                row++;
            }
        }
        form.revalidate();
        form.repaint();
    }

    /** Sets setting {@code name} of the selected layer in the form (as typing it would). */
    void setSetting(String name, int value) {
        JSpinner s = spinners.get(name);
        if (s == null) throw new IllegalArgumentException("no setting " + name + " for " + selected());
        s.setValue(value);
    }

    /** The settings that differ from the layer's current values. */
    private Map<String, Integer> changes() {
        Map<String, Integer> out = new LinkedHashMap<>();
        EditableLayer l = selected();
        if (l == null) return out;
        for (var e : spinners.entrySet()) {
            int v = (Integer) e.getValue().getValue();
            if (!l.settings().get(e.getKey()).equals(v)) out.put(e.getKey(), v);
        }
        return out;
    }

    /** Previews ({@code apply} false) or applies the form's changes. */
    void send(boolean apply) {
        EditableLayer l = selected();
        Map<String, Integer> ch = changes();
        if (commands == null || l == null) return;
        if (ch.isEmpty()) {
            showText(m.get("layerEditor.noChange"), false);
            return;
        }
        var f = new CompletableFuture<ResizePreview>();
        commands.accept(new GuiCommand.ResizeLayer(new LayerResize(l.scope(), ch), apply, f));
        showText(m.get("layerEditor.checking"), false);
        f.thenAccept(p -> SwingUtilities.invokeLater(() -> {
            showPreview(p);
            if (p instanceof ResizePreview.Ready r && r.applied()) refresh();
        }));
    }

    /** Shows the outcome of a preview or an apply: green-free plain text when it fits, red when it does not. */
    void showPreview(ResizePreview p) {
        last = p;
        switch (p) {
            case ResizePreview.Ready r -> {
                StringBuilder sb = new StringBuilder(m.get(r.applied() ? "layerEditor.applied" : "layerEditor.fits")).append('\n');
                sb.append(m.format("layerEditor.now", r.resize().scope(), r.layer())).append("\n\n");
                sb.append(m.format("layerEditor.adapted", r.adapted().isEmpty() ? "—" : String.join(", ", r.adapted()))).append('\n');
                sb.append(m.format("layerEditor.reinit", r.reinitialised().size())).append('\n');
                for (ResizePreview.Reinitialised x : r.reinitialised()) sb.append("  ").append(x).append('\n');
                sb.append(m.format("layerEditor.kept", r.kept().size()));
                showText(sb.toString(), false);
            }
            case ResizePreview.Failed f -> showText(m.format("layerEditor.failed", f.message(m)), true);
        }
    }

    private void showText(String text, boolean failed) {
        result.setText(text);
        result.setForeground(failed ? RED : UIManager.getColor("TextArea.foreground"));
        result.setCaretPosition(0);
    }

    JButton previewButton() {
        return preview;
    }

    JButton applyButton() {
        return apply;
    }

    int selectedCount() {
        return layers.getSize();
    }

    String layerAt(int i) {
        EditableLayer l = layers.getElementAt(i);
        return l.scope() + " " + l.kind() + l.settings();
    }

    ResizePreview lastPreview() {
        return last;
    }

    String resultText() {
        return result.getText();
    }

    boolean resultIsRed() {
        return RED.equals(result.getForeground());
    }

    private void saveCheckpoint() {
        Path dir = chooseDir();
        if (dir != null) saveCheckpoint(dir);
    }

    /** Saves a checkpoint into {@code dir} and reports it. */
    void saveCheckpoint(Path dir) {
        var f = new CompletableFuture<Path>();
        commands.accept(new GuiCommand.SaveCheckpoint(dir, f));
        f.whenComplete((p, e) -> SwingUtilities.invokeLater(() -> showText(e == null ? m.format("layerEditor.saved", p) : m.format("layerEditor.ioFailed", cause(e)), e != null)));
    }

    private void loadCheckpoint() {
        Path dir = chooseDir();
        if (dir != null) loadCheckpoint(dir);
    }

    /** Loads what fits of the checkpoint in {@code dir} and reports what was loaded, re-initialised, missing and unexpected. */
    void loadCheckpoint(Path dir) {
        var f = new CompletableFuture<PartialLoad>();
        commands.accept(new GuiCommand.LoadCheckpoint(dir, f));
        f.whenComplete((r, e) -> SwingUtilities.invokeLater(() -> {
            if (e != null) {
                showText(m.format("layerEditor.ioFailed", cause(e)), true);
                return;
            }
            StringBuilder sb = new StringBuilder(m.format("layerEditor.loaded", dir, r.loaded().size())).append('\n');
            sb.append(m.format("layerEditor.loadReinit", r.reinitialised().size())).append('\n');
            for (PartialLoad.ShapeMismatch x : r.reinitialised()) sb.append("  ").append(x).append('\n');
            sb.append(m.format("layerEditor.missing", r.missing().isEmpty() ? "—" : String.join(", ", r.missing()))).append('\n');
            sb.append(m.format("layerEditor.unexpected", r.unexpected().isEmpty() ? "—" : String.join(", ", r.unexpected())));
            showText(sb.toString(), false);
        }));
    }

    private static String cause(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private Path chooseDir() {
        JFileChooser ch = new JFileChooser();
        ch.setFileSelectionMode(JFileChooser.DIRECTORIES_ONLY);
        ch.setDialogTitle(m.get("layerEditor.chooseDir"));
        return ch.showDialog(this, m.get("layerEditor.choose")) == JFileChooser.APPROVE_OPTION ? ch.getSelectedFile().toPath() : null;
    }
}
