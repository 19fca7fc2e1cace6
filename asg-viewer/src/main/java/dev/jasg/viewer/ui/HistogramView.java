package dev.jasg.viewer.ui;

import dev.jasg.nn.train.NodeStats;

import javax.swing.JComponent;
import javax.swing.UIManager;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.Locale;

/** A small bar chart of a {@link NodeStats} histogram, with the range under it. */
final class HistogramView extends JComponent {
    private NodeStats.Histogram histogram;

    HistogramView() {
        setPreferredSize(new Dimension(260, 90));
        setMinimumSize(new Dimension(120, 70));
    }

    void setHistogram(NodeStats.Histogram h) {
        this.histogram = h;
        repaint();
    }

    @Override
    protected void paintComponent(Graphics g0) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            Color fg = UIManager.getColor("Label.foreground");
            Color accent = UIManager.getColor("Component.accentColor");
            if (accent == null) accent = new Color(0x4C9BFF);
            int w = getWidth(), h = getHeight() - 16;
            g.setColor(UIManager.getColor("Separator.foreground") != null ? UIManager.getColor("Separator.foreground") : Color.GRAY);
            g.drawLine(0, h, w, h);
            if (histogram == null) return;
            long[] c = histogram.counts();
            long peak = Math.max(1, histogram.peak());
            double bw = (double) w / c.length;
            g.setColor(accent);
            for (int i = 0; i < c.length; i++) {
                int bh = (int) Math.round((h - 4) * (double) c[i] / peak);
                g.fillRect((int) (i * bw) + 1, h - bh, Math.max(1, (int) bw - 2), bh);
            }
            g.setColor(fg != null ? fg : Color.BLACK);
            g.setFont(getFont() != null ? getFont().deriveFont(10f) : g.getFont());
            String lo = String.format(Locale.ROOT, "%.3g", histogram.low()), hi = String.format(Locale.ROOT, "%.3g", histogram.high());
            g.drawString(lo, 0, h + 13);
            g.drawString(hi, w - g.getFontMetrics().stringWidth(hi), h + 13);
        } finally {
            g.dispose();
        }
    }
}
