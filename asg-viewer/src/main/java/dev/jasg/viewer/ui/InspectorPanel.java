package dev.jasg.viewer.ui;

import dev.jasg.nn.train.NodeStats;
import dev.jasg.viewer.Language;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.GraphModel;
import dev.jasg.viewer.graph.ViewNode;
import dev.jasg.viewer.inspect.NodeDescription;

import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JEditorPane;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.UIManager;
import javax.swing.text.BadLocationException;
import javax.swing.text.html.HTMLEditorKit;
import javax.swing.text.html.StyleSheet;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.GridLayout;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * The node inspector: the selected box's explanation and details ({@link NodeDescription}) in the
 * chosen language, and under it the node's live statistics with a histogram, refreshed while
 * training runs.
 */
final class InspectorPanel extends JPanel {
    private final Language language;
    private final Messages messages;
    private final JEditorPane page = new JEditorPane();
    private final JLabel statsTitle = new JLabel();
    private final JLabel[] values = new JLabel[6];
    private final HistogramView histogram = new HistogramView();
    private final JLabel sample = new JLabel(" ");
    private final JButton refresh;
    private int nodeId = -1;
    private String html;

    /** {@code requestStats} is told the node id to watch (-1: none); null when there is no training loop to ask. */
    InspectorPanel(Language language, IntConsumer requestStats) {
        super(new BorderLayout());
        this.language = language;
        this.messages = Messages.of(language);
        page.setContentType("text/html");
        page.setEditable(false);
        page.putClientProperty(JEditorPane.HONOR_DISPLAY_PROPERTIES, Boolean.TRUE);
        html = NodeDescription.empty(language);
        restyle();
        JScrollPane scroll = new JScrollPane(page);
        scroll.setBorder(BorderFactory.createEmptyBorder());
        add(scroll, BorderLayout.CENTER);

        JPanel stats = new JPanel(new BorderLayout(4, 4));
        stats.setBorder(BorderFactory.createCompoundBorder(BorderFactory.createMatteBorder(1, 0, 0, 0, UIManager.getColor("Separator.foreground")),
                BorderFactory.createEmptyBorder(6, 8, 8, 8)));
        statsTitle.setText(messages.get("inspector.stats"));
        statsTitle.setFont(statsTitle.getFont().deriveFont(Font.BOLD));
        refresh = new JButton(messages.get("inspector.stats.refresh"));
        refresh.setEnabled(false);
        refresh.addActionListener(e -> {
            if (requestStats != null && nodeId >= 0) requestStats.accept(nodeId);
        });
        JPanel head = new JPanel(new BorderLayout());
        head.add(statsTitle, BorderLayout.CENTER);
        if (requestStats != null) head.add(refresh, BorderLayout.EAST);
        stats.add(head, BorderLayout.NORTH);
        JPanel grid = new JPanel(new GridLayout(3, 4, 6, 2));
        String[] keys = {"inspector.stats.min", "inspector.stats.max", "inspector.stats.mean", "inspector.stats.std", "inspector.stats.count", "inspector.stats.step"};
        for (int i = 0; i < values.length; i++) {
            JLabel k = new JLabel(messages.get(keys[i]));
            k.setForeground(UIManager.getColor("Label.disabledForeground"));
            values[i] = new JLabel("—");
            grid.add(k);
            grid.add(values[i]);
        }
        JPanel body = new JPanel(new BorderLayout(2, 4));
        body.add(grid, BorderLayout.NORTH);
        body.add(histogram, BorderLayout.CENTER);
        body.add(sample, BorderLayout.SOUTH);
        stats.add(body, BorderLayout.CENTER);
        add(stats, BorderLayout.SOUTH);
        setPreferredSize(new Dimension(420, 700));
    }

    /** Re-reads the theme's colours into the page's style sheet. */
    void restyle() {
        Color fg = UIManager.getColor("Label.foreground"), muted = UIManager.getColor("Label.disabledForeground"), accent = UIManager.getColor("Component.accentColor");
        Font font = UIManager.getFont("Label.font");
        StyleSheet css = new StyleSheet();
        String family = font != null ? font.getFamily() : "SansSerif";
        int size = font != null ? font.getSize() : 13;
        css.addRule("body { font-family: '" + family + "'; font-size: " + size + "pt; margin: 8px; color: " + hex(fg) + "; }");
        css.addRule("h2 { font-size: " + (size + 5) + "pt; margin-top: 2px; margin-bottom: 2px; }");
        css.addRule("h3 { font-size: " + (size + 1) + "pt; margin-top: 10px; margin-bottom: 2px; color: " + hex(accent != null ? accent : fg) + "; }");
        css.addRule("p { margin-top: 2px; margin-bottom: 4px; }");
        css.addRule(".sub { color: " + hex(muted) + "; }");
        css.addRule(".note { color: " + hex(muted) + "; font-style: italic; }");
        css.addRule(".formula { font-family: 'DejaVu Sans Mono', Monospaced; }");
        css.addRule("td { padding: 1px 6px 1px 0px; vertical-align: top; }");
        css.addRule(".k { color: " + hex(muted) + "; }");
        HTMLEditorKit kit = new HTMLEditorKit();
        kit.setStyleSheet(css);
        page.setEditorKit(kit);
        page.setText(html);
        page.setBackground(UIManager.getColor("Panel.background"));
    }

    private static String hex(Color c) {
        if (c == null) return "#888888";
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /** Shows box {@code v} of {@code model}, or the empty page for null. */
    void show(GraphModel model, ViewNode v) {
        int id = v == null ? -1 : v.node().id();
        html = v == null ? NodeDescription.empty(language) : NodeDescription.html(language, model, v);
        page.setText(html);
        page.setCaretPosition(0);
        if (id != nodeId) clearStats();
        nodeId = id;
        refresh.setEnabled(id >= 0);
    }

    /** The node shown, or -1. */
    int nodeId() {
        return nodeId;
    }

    /** Shows statistics when they are of the node shown. */
    void showStats(NodeStats s) {
        if (s.node() != nodeId) return;
        values[0].setText(fmt(s.min()));
        values[1].setText(fmt(s.max()));
        values[2].setText(fmt(s.mean()));
        values[3].setText(fmt(s.std()));
        values[4].setText(s.count() + (s.nonFinite() > 0 ? " (" + messages.format("inspector.stats.nonFinite", s.nonFinite()) + ")" : ""));
        values[5].setText(Long.toString(s.step()));
        histogram.setHistogram(s.histogram());
        StringBuilder sb = new StringBuilder(messages.get("inspector.stats.sample")).append(' ');
        float[] v = s.sample();
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.4g", v[i]));
        sample.setText(sb.toString());
    }

    private void clearStats() {
        for (JLabel l : values) l.setText("—");
        histogram.setHistogram(null);
        sample.setText(" ");
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.4g", v);
    }

    /** The page as plain text (what a reader sees), for tests and accessibility. */
    String plainText() {
        try {
            return page.getDocument().getText(0, page.getDocument().getLength());
        } catch (BadLocationException e) {
            throw new IllegalStateException(e);
        }
    }
}
