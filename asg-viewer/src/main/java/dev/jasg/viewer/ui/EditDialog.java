package dev.jasg.viewer.ui;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.lab.Activation;
import dev.jasg.viewer.lab.EditPreview;
import dev.jasg.viewer.lab.GraphEdit;
import dev.jasg.viewer.lab.Insert;

import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JDialog;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JSpinner;
import javax.swing.JTextArea;
import javax.swing.SpinnerNumberModel;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import java.awt.BorderLayout;
import java.awt.CardLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The Model Lab's phase C dialogs: "Insert here..." on an edge (the palette and its parameters)
 * and "Delete" on a node (what goes, with a cascade to the layer around it). Every change of the
 * choice is checked at once by the training loop ({@code preview}: shape inference on the edited
 * forward graph, the gradient graph rebuilt) and the result shown under it: what the edit does,
 * or, in red, the failing node and its shapes; Apply stays off until the edit fits, and a failed
 * apply changes nothing. Non-modal, so training and the chart go on while it is open. Event
 * thread only.
 */
public final class EditDialog extends JDialog {
    /** Checks ({@code apply} false) or applies an edit on the training loop; the future completes on any thread. */
    public interface Checker {
        /** The outcome of {@code edit}. */
        CompletableFuture<EditPreview> check(GraphEdit edit, boolean apply);
    }

    /** The palette, in the order shown. */
    public enum Kind {
        /** {@code Dropout(p)}. */
        DROPOUT,
        /** {@code BatchNorm1d}. */
        BATCH_NORM,
        /** {@code LayerNorm}. */
        LAYER_NORM,
        /** {@code ReLU}. */
        RELU,
        /** {@code GELU}. */
        GELU,
        /** Any other activation. */
        ACTIVATION,
        /** {@code Linear(n, m)}. */
        LINEAR,
        /** {@code Identity}. */
        IDENTITY
    }

    private static final Color RED = new Color(0xE5484D);
    private static final Color GREEN = new Color(0x3FA34D);

    private final Messages m;
    private final Checker checker;
    private final Consumer<EditPreview.Ready> applied;
    private final JTextArea preview = new JTextArea(4, 44);
    private final JButton apply;
    private final JComboBox<String> kinds = new JComboBox<>();
    private final JSpinner p = new JSpinner(new SpinnerNumberModel(0.5, 0.0, 1.0, 0.05));
    private final JComboBox<Activation> activation = new JComboBox<>(Activation.values());
    private final JSpinner features;
    private final JCheckBox residual;
    private final CardLayout cards = new CardLayout();
    private final JPanel params = new JPanel(cards);
    private final Graph before;
    private final Node producer;
    private final Node consumer;
    private final Node deleted;
    private GraphEdit current;
    private EditPreview last;
    private long generation;

    private EditDialog(JFrame owner, Messages m, Graph before, Node producer, Node consumer, Node deleted, Checker checker, Consumer<EditPreview.Ready> applied) {
        super(owner, false);
        this.m = m;
        this.checker = checker;
        this.applied = applied;
        this.before = before;
        this.producer = producer;
        this.consumer = consumer;
        this.deleted = deleted;
        int n = producer != null && producer.shape().rank() > 0 && !producer.shape().isSymbolic(producer.shape().rank() - 1)
                ? producer.shape().dim(producer.shape().rank() - 1) : 16;
        features = new JSpinner(new SpinnerNumberModel(n, 1, 1 << 20, 1));
        residual = new JCheckBox(m.get("dialog.insert.residual"));
        apply = new JButton(m.get(deleted != null ? "dialog.delete.confirm" : "dialog.apply"));
        apply.setEnabled(false);
        apply.setName("apply");
        JButton cancel = new JButton(m.get("dialog.cancel"));
        cancel.addActionListener(e -> dispose());
        apply.addActionListener(e -> apply());

        JPanel body = new JPanel(new BorderLayout(8, 8));
        body.setBorder(BorderFactory.createEmptyBorder(12, 12, 12, 12));
        if (deleted == null) {
            setTitle(m.format("dialog.insert.title", producer.path(), consumer.path()));
            JPanel left = new JPanel(new BorderLayout());
            left.add(palette(), BorderLayout.WEST);
            body.add(left, BorderLayout.NORTH);
        } else {
            setTitle(m.format("dialog.delete.title", deleted.path()));
            JLabel what = new JLabel(m.format("dialog.delete.prompt", deleted.path(), deleted.op().label()));
            body.add(what, BorderLayout.NORTH);
            current = GraphEdit.deleteCascade(deleted.id());
        }
        preview.setEditable(false);
        preview.setLineWrap(true);
        preview.setWrapStyleWord(true);
        preview.setName("preview");
        preview.setOpaque(true);
        preview.setBorder(BorderFactory.createCompoundBorder(BorderFactory.createLineBorder(UIManager.getColor("Separator.foreground")),
                BorderFactory.createEmptyBorder(6, 8, 6, 8)));
        body.add(preview, BorderLayout.CENTER);
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 0));
        buttons.add(cancel);
        buttons.add(apply);
        body.add(buttons, BorderLayout.SOUTH);
        setContentPane(body);
        getRootPane().setDefaultButton(apply);
        pack();
        setMinimumSize(new Dimension(520, getHeight()));
        setLocationRelativeTo(owner);
        check();
    }

    /** The "Insert here..." dialog for the edge from {@code producer} to {@code consumer} of forward graph {@code before}. */
    public static EditDialog insert(JFrame owner, Messages m, Graph before, Node producer, Node consumer, Checker checker, Consumer<EditPreview.Ready> applied) {
        return new EditDialog(owner, m, before, producer, consumer, null, checker, applied);
    }

    /** The "Delete" dialog for {@code node} of forward graph {@code before}: the node, or the layer around it, with what goes. */
    public static EditDialog delete(JFrame owner, Messages m, Graph before, Node node, Checker checker, Consumer<EditPreview.Ready> applied) {
        return new EditDialog(owner, m, before, null, null, node, checker, applied);
    }

    private JPanel palette() {
        for (Kind k : Kind.values()) kinds.addItem(m.get("dialog.insert.kind." + k.name().toLowerCase(java.util.Locale.ROOT)));
        kinds.setName("kind");
        activation.setRenderer(new javax.swing.DefaultListCellRenderer() {
            @Override
            public java.awt.Component getListCellRendererComponent(javax.swing.JList<?> list, Object value, int index, boolean sel, boolean focus) {
                return super.getListCellRendererComponent(list, value instanceof Activation a ? a.title() : value, index, sel, focus);
            }
        });
        activation.setSelectedItem(Activation.values().length > 2 ? Activation.values()[2] : Activation.values()[0]);
        params.add(row(m.get("dialog.insert.p"), p), Kind.DROPOUT.name());
        params.add(row(m.get("dialog.insert.activation"), activation), Kind.ACTIVATION.name());
        params.add(row(m.get("dialog.insert.features"), features), Kind.LINEAR.name());
        params.add(new JLabel(" "), "none");
        p.setName("p");
        features.setName("features");
        residual.setName("residual");
        JPanel top = new JPanel(new GridBagLayout());
        GridBagConstraints c = new GridBagConstraints();
        c.insets = new Insets(2, 0, 2, 8);
        c.anchor = GridBagConstraints.WEST;
        c.gridx = 0;
        c.gridy = 0;
        top.add(new JLabel(m.format("dialog.insert.edge", producer.path(), consumer.path(), producer.dtype().label() + producer.shape())), spanning(c));
        c.gridy = 1;
        c.gridwidth = 1;
        top.add(new JLabel(m.get("dialog.insert.layer")), c);
        c.gridx = 1;
        top.add(kinds, c);
        c.gridx = 0;
        c.gridy = 2;
        top.add(params, spanning(c));
        c.gridy = 3;
        top.add(residual, spanning(c));
        kinds.addActionListener(e -> check());
        activation.addActionListener(e -> check());
        residual.addActionListener(e -> check());
        p.addChangeListener(e -> check());
        features.addChangeListener(e -> check());
        return top;
    }

    private static GridBagConstraints spanning(GridBagConstraints c) {
        GridBagConstraints s = (GridBagConstraints) c.clone();
        s.gridwidth = 2;
        s.fill = GridBagConstraints.HORIZONTAL;
        return s;
    }

    private static JPanel row(String label, java.awt.Component field) {
        JPanel r = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
        r.add(new JLabel(label));
        r.add(Box.createHorizontalStrut(8));
        r.add(field);
        return r;
    }

    /** The palette entry chosen, as an {@link Insert}. */
    public Insert chosen() {
        Kind k = Kind.values()[Math.max(0, kinds.getSelectedIndex())];
        Insert i = switch (k) {
            case DROPOUT -> Insert.dropout(((Number) p.getValue()).doubleValue());
            case BATCH_NORM -> Insert.batchNorm();
            case LAYER_NORM -> Insert.layerNorm();
            case RELU -> Insert.relu();
            case GELU -> Insert.gelu();
            case ACTIVATION -> Insert.activation((Activation) activation.getSelectedItem());
            case LINEAR -> Insert.linear(((Number) features.getValue()).intValue());
            case IDENTITY -> Insert.identity();
        };
        return residual.isSelected() ? Insert.residual(i) : i;
    }

    /** Chooses a palette entry and its parameter (p for dropout, out features for Linear; ignored otherwise), as a user would. */
    public void choose(Kind kind, double parameter) {
        if (kind == Kind.DROPOUT) p.setValue(parameter);
        if (kind == Kind.LINEAR) features.setValue((int) parameter);
        kinds.setSelectedIndex(kind.ordinal());
        check();
    }

    private void check() {
        if (deleted == null) {
            Kind k = Kind.values()[Math.max(0, kinds.getSelectedIndex())];
            cards.show(params, switch (k) {
                case DROPOUT, ACTIVATION, LINEAR -> k.name();
                default -> "none";
            });
            current = GraphEdit.insertBetween(producer.id(), consumer.id(), chosen());
        }
        long gen = ++generation;
        GraphEdit edit = current;
        last = null;
        apply.setEnabled(false);
        show(m.get("dialog.preview.checking"), null);
        checker.check(edit, false).whenComplete((r, err) -> SwingUtilities.invokeLater(() -> {
            if (gen != generation) return;
            shown(r, err);
        }));
    }

    private void apply() {
        if (!(last instanceof EditPreview.Ready)) return;
        long gen = ++generation;
        last = null;
        apply.setEnabled(false);
        checker.check(current, true).whenComplete((r, err) -> SwingUtilities.invokeLater(() -> {
            if (gen != generation) return;
            shown(r, err);
            if (r instanceof EditPreview.Ready ready && ready.applied()) {
                applied.accept(ready);
                dispose();
            }
        }));
    }

    private void shown(EditPreview r, Throwable err) {
        last = r;
        if (err != null || r == null) {
            show(m.format("dialog.preview.failed", err == null ? "?" : String.valueOf(err.getMessage()), ""), RED);
            return;
        }
        switch (r) {
            case EditPreview.Failed f -> show(m.format("dialog.preview.failed", f.node(), f.shapes().isEmpty() ? "" : " " + f.shapes()) + "\n" + f.why().render(m), RED);
            case EditPreview.Ready ok -> {
                String text = deleted == null
                        ? m.format("dialog.preview.insert", chosen().title(), ok.forward().size(), before.size(), ok.gradients().nodes().size())
                        : m.format("dialog.preview.delete", String.join(", ", removed(before, ok.forward())), ok.forward().size(), before.size());
                show(text, GREEN);
                apply.setEnabled(true);
            }
        }
    }

    private void show(String text, Color colour) {
        preview.setText(text);
        preview.setForeground(colour == null ? UIManager.getColor("Label.disabledForeground") : colour);
    }

    /** The node paths (parameter names for parameters) of {@code before} that {@code after} no longer has. */
    static List<String> removed(Graph before, Graph after) {
        Map<String, Integer> left = new HashMap<>();
        for (Node n : after.nodes()) left.merge(label(n), 1, Integer::sum);
        List<String> out = new ArrayList<>();
        for (Node n : before.nodes()) {
            String l = label(n);
            Integer k = left.get(l);
            if (k == null || k == 0) out.add(l);
            else left.put(l, k - 1);
        }
        return out;
    }

    private static String label(Node n) {
        return n.op() instanceof Op.Parameter p ? p.name() : n.path();
    }

    // ---- for tests and automation --------------------------------------------------------------

    /** The preview's text. */
    public String previewText() {
        return preview.getText();
    }

    /** True when the preview shows a failure (red). */
    public boolean previewFailed() {
        return last instanceof EditPreview.Failed;
    }

    /** True when the last check has answered. */
    public boolean checked() {
        return last != null;
    }

    /** The Apply (or Delete) button. */
    public JButton applyButton() {
        return apply;
    }
}
