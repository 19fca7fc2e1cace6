package dev.jasg.viewer.ui;

import dev.jasg.nn.spec.Param;

import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTextField;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.event.FocusAdapter;
import java.awt.event.FocusEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A form of hyper-parameters built from their registry descriptions ({@link Param}): a check box
 * for a boolean, a list for a string with choices, a text field otherwise (integers, numbers,
 * strings, comma-separated integers; empty is the default, or None where allowed). A field's text
 * is committed on Enter or when it loses the focus, through {@code commit(name, text)}, which
 * answers null when the value was taken or the reason it was not; a refused field turns red with
 * the reason as its tooltip.
 *
 * <p>Swing: use on the event thread.
 */
final class ParamForm extends JPanel {
    private final Map<String, JComponent> fields = new LinkedHashMap<>();
    private final BiFunction<String, String, String> commit;
    private int row;

    /** An empty form; {@link #add} rows to it. */
    ParamForm(BiFunction<String, String, String> commit) {
        super(new GridBagLayout());
        this.commit = commit;
    }

    /** A form of {@code params} showing {@code given} (the others their defaults). */
    static ParamForm of(List<Param> params, Map<String, Object> given, BiFunction<String, String, String> commit) {
        ParamForm f = new ParamForm(commit);
        for (Param p : params) f.add(p, given.containsKey(p.name()) ? given.get(p.name()) : p.defaultValue(), given.containsKey(p.name()));
        return f;
    }

    /** Adds the row of {@code p} showing {@code value}. */
    void add(Param p, Object value, boolean given) {
        JComponent field;
        if (p.kind() == Param.Kind.BOOL) {
            JCheckBox box = new JCheckBox();
            box.setSelected(Boolean.TRUE.equals(value));
            box.addActionListener(e -> mark(box, commit.apply(p.name(), Boolean.toString(box.isSelected()))));
            field = box;
        } else if (p.kind() == Param.Kind.STRING && !p.choices().isEmpty()) {
            JComboBox<String> box = new JComboBox<>(p.choices().toArray(new String[0]));
            box.setSelectedItem(value);
            box.addActionListener(e -> mark(box, commit.apply(p.name(), (String) box.getSelectedItem())));
            field = box;
        } else {
            JTextField text = new JTextField(text(value), 10);
            if (!p.required()) text.putClientProperty("JTextField.placeholderText", p.nullable() ? "None" : text(p.defaultValue()));
            if (!given && !p.required()) text.setText(p.nullable() && value == null ? "" : text(value));
            text.addActionListener(e -> mark(text, commit.apply(p.name(), text.getText())));
            text.addFocusListener(new FocusAdapter() {
                @Override
                public void focusLost(FocusEvent e) {
                    if (text.isDisplayable()) mark(text, commit.apply(p.name(), text.getText()));
                }
            });
            field = text;
        }
        field.setName(p.name());
        addRow(p.name() + (p.required() ? " *" : ""), field);
        fields.put(p.name(), field);
    }

    /** Adds a row of a label and any component. */
    void addRow(String label, JComponent field) {
        GridBagConstraints c = new GridBagConstraints();
        c.gridy = row++;
        c.insets = new Insets(2, 4, 2, 4);
        c.anchor = GridBagConstraints.WEST;
        c.gridx = 0;
        JLabel l = new JLabel(label);
        l.setLabelFor(field);
        add(l, c);
        c.gridx = 1;
        c.weightx = 1;
        c.fill = GridBagConstraints.HORIZONTAL;
        add(field, c);
    }

    /** Pushes the rows to the top of a taller container. */
    void finish() {
        GridBagConstraints c = new GridBagConstraints();
        c.gridy = row++;
        c.weighty = 1;
        add(new JPanel(), c);
    }

    /** The field of parameter {@code name}, or null. */
    JComponent field(String name) {
        return fields.get(name);
    }

    /** The parameter names, in order. */
    List<String> names() {
        return List.copyOf(fields.keySet());
    }

    /**
     * Types {@code text} into the field of {@code name} and commits it as Enter would (a check box
     * takes {@code true}/{@code false}, a list a choice); returns the refusal, or null.
     */
    String enter(String name, String text) {
        JComponent f = fields.get(name);
        if (f == null) throw new IllegalArgumentException("no field '" + name + "' in " + fields.keySet());
        String why;
        if (f instanceof JCheckBox b) {
            b.setSelected(Boolean.parseBoolean(text));
            why = commit.apply(name, Boolean.toString(b.isSelected()));
        } else if (f instanceof JComboBox<?> b) {
            b.setSelectedItem(text);
            return (String) f.getClientProperty("refused");
        } else {
            ((JTextField) f).setText(text);
            why = commit.apply(name, text);
        }
        mark(f, why);
        return why;
    }

    private static void mark(JComponent f, String why) {
        f.putClientProperty("JComponent.outline", why == null ? null : "error");
        f.putClientProperty("refused", why);
        f.setToolTipText(why);
        f.repaint();
    }

    static String text(Object v) {
        if (v == null) return "";
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder();
            for (Object o : l) sb.append(sb.isEmpty() ? "" : ", ").append(o);
            return sb.toString();
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return String.format(Locale.ROOT, "%.1f", d);
        return v.toString();
    }
}
