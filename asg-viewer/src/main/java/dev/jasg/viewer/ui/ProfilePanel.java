package dev.jasg.viewer.ui;

import dev.jasg.core.AnomalyException;
import dev.jasg.core.Graph;
import dev.jasg.core.Profile;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.lab.GuiCommand;
import dev.jasg.viewer.lab.LabProfile;

import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.JCheckBox;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTable;
import javax.swing.ListSelectionModel;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;
import javax.swing.table.AbstractTableModel;
import javax.swing.table.DefaultTableCellRenderer;
import javax.swing.table.TableRowSorter;
import java.awt.BorderLayout;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The profiling tab of the Model Lab: a switch that profiles every training step, a sortable table
 * of the last step's nodes (time, share of the step, memory), the hottest path, and the NaN/Inf
 * sentinel ({@link dev.jasg.core.Anomaly} mode), which names the first node that produced a NaN or
 * an infinity. The graph canvas shows the same profile as a heat colouring ({@link HeatOverlay}).
 * Swing only: create and use it on the event thread.
 */
final class ProfilePanel extends JPanel {
    private static final long serialVersionUID = 1L;
    private static final Color RED = new Color(0xC62828);

    private final transient Messages m;
    private final transient Consumer<GuiCommand> commands;
    private final transient HeatOverlay overlay;
    private final transient IntConsumer select;
    private final JCheckBox profileBox;
    private final JCheckBox sentinelBox;
    private final JLabel summary = new JLabel(" ");
    private final JLabel hottest = new JLabel(" ");
    private final JLabel sentinel = new JLabel(" ");
    private final Rows rows = new Rows();
    private final JTable table;
    private final transient AtomicReference<LabProfile> pending = new AtomicReference<>();

    ProfilePanel(Messages m, Consumer<GuiCommand> commands, HeatOverlay overlay, IntConsumer select) {
        super(new BorderLayout(0, 6));
        this.m = m;
        this.commands = commands;
        this.overlay = overlay;
        this.select = select;
        this.table = new JTable(rows); // after m: the columns' names are read at once
        setBorder(BorderFactory.createEmptyBorder(8, 8, 8, 8));
        profileBox = new JCheckBox(m.get("profile.enable"));
        profileBox.setToolTipText(m.get("profile.enable.tip"));
        profileBox.addActionListener(e -> setProfiling(profileBox.isSelected()));
        sentinelBox = new JCheckBox(m.get("profile.sentinel"));
        sentinelBox.setToolTipText(m.get("profile.sentinel.tip"));
        sentinelBox.addActionListener(e -> setSentinel(sentinelBox.isSelected()));
        boolean live = commands != null;
        profileBox.setEnabled(live);
        sentinelBox.setEnabled(live);

        JPanel top = new JPanel();
        top.setLayout(new BoxLayout(top, BoxLayout.Y_AXIS));
        for (JLabel l : new JLabel[] {summary, hottest, sentinel}) l.setAlignmentX(LEFT_ALIGNMENT);
        profileBox.setAlignmentX(LEFT_ALIGNMENT);
        sentinelBox.setAlignmentX(LEFT_ALIGNMENT);
        top.add(profileBox);
        top.add(sentinelBox);
        JLabel code = new JLabel(m.get("profile.code"));
        code.setAlignmentX(LEFT_ALIGNMENT);
        code.setForeground(UIManagerColors.muted());
        top.add(code);
        top.add(Box.createVerticalStrut(6));
        top.add(summary);
        top.add(hottest);
        top.add(sentinel);
        sentinel.setForeground(RED);
        add(top, BorderLayout.NORTH);

        table.setAutoCreateRowSorter(false);
        TableRowSorter<Rows> sorter = new TableRowSorter<>(rows);
        table.setRowSorter(sorter);
        sorter.setSortKeys(List.of(new javax.swing.RowSorter.SortKey(Rows.TIME, javax.swing.SortOrder.DESCENDING)));
        table.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
        table.setFillsViewportHeight(true);
        DefaultTableCellRenderer number = new DefaultTableCellRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void setValue(Object v) {
                setHorizontalAlignment(SwingConstants.RIGHT);
                setText(v instanceof Double d ? String.format(Locale.ROOT, d >= 100 ? "%.0f" : "%.3f", d) : v instanceof Long l ? String.format(Locale.ROOT, "%,d", l) : String.valueOf(v));
            }
        };
        table.setDefaultRenderer(Double.class, number);
        table.setDefaultRenderer(Long.class, number);
        table.getSelectionModel().addListSelectionListener(e -> {
            if (e.getValueIsAdjusting() || table.getSelectedRow() < 0 || select == null) return;
            select.accept(rows.entries.get(table.convertRowIndexToModel(table.getSelectedRow())).node());
        });
        add(new JScrollPane(table), BorderLayout.CENTER);
        showNothing();
    }

    private void showNothing() {
        summary.setText(m.get(commands == null ? "profile.watchOnly" : "profile.none"));
        hottest.setText(" ");
    }

    /** Switches step profiling on or off (as the check box does). */
    void setProfiling(boolean on) {
        profileBox.setSelected(on);
        if (commands != null) commands.accept(new GuiCommand.SetProfiling(on, on ? this::arrived : null));
        if (!on) {
            overlay.setProfile(null);
            showNothing();
        }
    }

    /** Switches the NaN/Inf sentinel (anomaly mode) on or off (as the check box does). */
    void setSentinel(boolean on) {
        sentinelBox.setSelected(on);
        if (commands != null) commands.accept(new GuiCommand.SetAnomalyMode(on, on ? this::anomaly : null));
        if (!on) {
            sentinel.setText(" ");
            overlay.setAnomaly(-1);
        }
    }

    /** On the training thread: keeps only the latest profile and shows it on the event thread. */
    private void arrived(LabProfile p) {
        if (pending.getAndSet(p) == null) SwingUtilities.invokeLater(() -> {
            LabProfile latest = pending.getAndSet(null);
            if (latest != null && profileBox.isSelected()) show(latest);
        });
    }

    private void anomaly(AnomalyException e) {
        SwingUtilities.invokeLater(() -> showAnomaly(e.nodeId(), e.path(), e.nanCount(), e.infCount()));
    }

    /** Names the node that first produced a NaN or an infinity and rings it on the canvas. */
    void showAnomaly(int node, String path, long nans, long infs) {
        sentinel.setText(m.format("profile.sentinel.hit", node, path, nans, infs));
        overlay.setAnomaly(node);
        if (select != null) select.accept(node);
    }

    /** Shows {@code p} in the table, the summary and the canvas overlay. */
    void show(LabProfile p) {
        Profile prof = p.profile();
        rows.set(prof.entries(), Math.max(1, prof.nodeNanos()));
        summary.setText(m.format("profile.summary", p.step(), prof.backend(), HeatOverlay.ms(prof.totalNanos()), prof.entries().size(),
                String.format(Locale.ROOT, "%.2f", prof.bytes() / (1024.0 * 1024.0))));
        Graph g = p.forward();
        List<Integer> path = prof.hottestPath(g);
        long t = 0;
        List<String> names = new ArrayList<>();
        var by = prof.byNode();
        for (int id : path) {
            var e = by.get(id);
            if (e != null) t += e.nanos();
            if (e != null && e.nanos() > 0) names.add(g.node(id).path());
        }
        String list = names.size() > 6 ? String.join(" → ", names.subList(0, 3)) + " → … → " + String.join(" → ", names.subList(names.size() - 2, names.size()))
                : String.join(" → ", names);
        hottest.setText("<html>" + m.format("profile.hottest", HeatOverlay.ms(t), esc(list)) + "</html>");
        overlay.setProfile(p);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The table's rows. */
    JTable table() {
        return table;
    }

    JCheckBox profileBox() {
        return profileBox;
    }

    JCheckBox sentinelBox() {
        return sentinelBox;
    }

    String summaryText() {
        return summary.getText() + "\n" + hottest.getText() + "\n" + sentinel.getText();
    }

    /** Colours of the look and feel with fallbacks. */
    static final class UIManagerColors {
        private UIManagerColors() {}

        static Color muted() {
            Color c = javax.swing.UIManager.getColor("Label.disabledForeground");
            return c != null ? c : Color.GRAY;
        }
    }

    /** Node, op, shape, time (ms), share of the step (%), memory (KiB). */
    private final class Rows extends AbstractTableModel {
        private static final long serialVersionUID = 1L;
        static final int TIME = 3;
        private List<Profile.Entry> entries = List.of();
        private long total = 1;

        void set(List<Profile.Entry> e, long total) {
            this.entries = e;
            this.total = total;
            fireTableDataChanged();
        }

        @Override
        public int getRowCount() {
            return entries.size();
        }

        @Override
        public int getColumnCount() {
            return 6;
        }

        @Override
        public String getColumnName(int c) {
            return m.get(switch (c) {
                case 0 -> "profile.col.node";
                case 1 -> "profile.col.op";
                case 2 -> "profile.col.shape";
                case 3 -> "profile.col.time";
                case 4 -> "profile.col.share";
                default -> "profile.col.memory";
            });
        }

        @Override
        public Class<?> getColumnClass(int c) {
            return c >= 3 ? Double.class : String.class;
        }

        @Override
        public Object getValueAt(int r, int c) {
            Profile.Entry e = entries.get(r);
            return switch (c) {
                case 0 -> "%" + e.node() + " " + e.path();
                case 1 -> e.op();
                case 2 -> e.dtype().label() + e.shape();
                case 3 -> e.nanos() / 1e6;
                case 4 -> 100.0 * e.nanos() / total;
                default -> e.bytes() / 1024.0;
            };
        }
    }
}
