package dev.jasg.viewer.ui;

import dev.jasg.viewer.Messages;
import dev.jasg.viewer.graph.Category;
import dev.jasg.viewer.graph.GraphPainter;

import javax.swing.Icon;
import javax.swing.JLabel;
import javax.swing.JPanel;
import java.awt.Component;
import java.awt.FlowLayout;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.function.Supplier;

/** A row of the node categories and their colours, in the window's language and theme. */
final class Legend extends JPanel {
    private static final int HGAP = 8, VGAP = 2;

    Legend(Messages m, Supplier<GraphPainter.Palette> palette) {
        super(new FlowLayout(FlowLayout.LEFT, HGAP, VGAP));
        for (Category c : Category.values()) {
            JLabel l = new JLabel(m.get(c.messageKey()), new Swatch(c, palette), JLabel.LEFT);
            l.setFont(l.getFont().deriveFont(11f));
            add(l);
        }
        addComponentListener(new java.awt.event.ComponentAdapter() {
            @Override
            public void componentResized(java.awt.event.ComponentEvent e) {
                revalidate();
            }
        });
    }

    /** As tall as the rows the labels wrap into at the current width (FlowLayout alone asks for one row). */
    @Override
    public java.awt.Dimension getPreferredSize() {
        int width = getWidth() > 0 ? getWidth() : getParent() != null && getParent().getWidth() > 0 ? getParent().getWidth() : 900;
        int x = HGAP, rows = 1, rowHeight = 0;
        for (Component c : getComponents()) {
            java.awt.Dimension d = c.getPreferredSize();
            if (x + d.width + HGAP > width && x > HGAP) {
                rows++;
                x = HGAP;
            }
            x += d.width + HGAP;
            rowHeight = Math.max(rowHeight, d.height);
        }
        return new java.awt.Dimension(width, rows * (rowHeight + VGAP) + VGAP + 2);
    }

    /** A small rounded square in a category's colour. */
    private record Swatch(Category category, Supplier<GraphPainter.Palette> palette) implements Icon {
        @Override
        public void paintIcon(Component c, Graphics g0, int x, int y) {
            Graphics2D g = (Graphics2D) g0.create();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(category.fill(palette.get().dark()));
            g.fillRoundRect(x, y + 1, 12, 12, 4, 4);
            g.setColor(category.fill(palette.get().dark()).darker());
            g.drawRoundRect(x, y + 1, 12, 12, 4, 4);
            g.dispose();
        }

        @Override
        public int getIconWidth() {
            return 13;
        }

        @Override
        public int getIconHeight() {
            return 14;
        }
    }
}
