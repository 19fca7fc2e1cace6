package dev.jasg.viewer.ui;

import dev.jasg.viewer.Messages;
import org.jfree.chart.ChartPanel;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JPanel;
import javax.swing.UIManager;
import java.awt.BasicStroke;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.FlowLayout;
import java.awt.Font;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live loss chart (JFreeChart): the loss of every step, its exponential moving average, the
 * mean loss of every epoch, and the epoch metrics (accuracy) on a second axis from 0 to 1; a
 * log-scale toggle, auto-rescaling (and a button to return to it after zooming), markers where the
 * model was edited, and PNG export. Points are added without events and flushed once per update
 * batch, so thousands of steps a second cost one redraw.
 */
final class LossChartPanel extends JPanel {
    private static final int MAX_POINTS = 200_000;
    private static final long DENSE = 10_000;
    private static final double EMA = 0.95;

    private final Messages messages;
    private final XYSeries steps;
    private final XYSeries smooth;
    private final XYSeries epochs;
    private final XYSeriesCollection losses = new XYSeriesCollection();
    private final XYSeriesCollection metrics = new XYSeriesCollection();
    private final Map<String, XYSeries> metricSeries = new LinkedHashMap<>();
    private final JFreeChart chart;
    private final XYPlot plot;
    private final ChartPanel panel;
    private final JCheckBox log;
    private double ema = Double.NaN;
    private boolean dirty;

    LossChartPanel(Messages messages, Consumer<String> status) {
        super(new BorderLayout());
        this.messages = messages;
        steps = new XYSeries(messages.get("chart.lossStep"), true, true);
        smooth = new XYSeries(messages.get("chart.lossSmooth"), true, true);
        epochs = new XYSeries(messages.get("chart.lossEpoch"), true, true);
        for (XYSeries s : new XYSeries[] {steps, smooth, epochs}) {
            s.setMaximumItemCount(MAX_POINTS);
            losses.addSeries(s);
        }
        NumberAxis x = new NumberAxis(messages.get("chart.step"));
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis(messages.get("chart.loss"));
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, new Color(0x4C, 0x9B, 0xFF, 110));
        r.setSeriesStroke(0, new BasicStroke(0.8f));
        r.setSeriesPaint(1, new Color(0xFF9F43));
        r.setSeriesStroke(1, new BasicStroke(2f));
        r.setSeriesPaint(2, new Color(0xE84393));
        r.setSeriesStroke(2, new BasicStroke(2f));
        r.setSeriesShapesVisible(2, true);
        plot = new XYPlot(losses, x, y, r);
        NumberAxis m = new NumberAxis(messages.get("chart.metric"));
        m.setRange(0, 1);
        plot.setRangeAxis(1, m);
        plot.setDataset(1, metrics);
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer mr = new XYLineAndShapeRenderer(true, true);
        mr.setDefaultStroke(new BasicStroke(2f));
        mr.setSeriesPaint(0, new Color(0x2ECC71));
        mr.setSeriesPaint(1, new Color(0xA55EEA));
        plot.setRenderer(1, mr);
        chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        panel = new ChartPanel(chart, false, true, false, true, true);
        panel.setMouseWheelEnabled(true);
        panel.setMinimumDrawWidth(10);
        panel.setMinimumDrawHeight(10);
        panel.setMaximumDrawWidth(4000);
        panel.setMaximumDrawHeight(3000);
        add(panel, BorderLayout.CENTER);

        JPanel bar = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 2));
        log = new JCheckBox(messages.get("chart.log"));
        log.addActionListener(e -> setLogScale(log.isSelected()));
        JButton auto = new JButton(messages.get("chart.auto"));
        auto.addActionListener(e -> panel.restoreAutoBounds());
        JButton save = new JButton(messages.get("chart.savePng"));
        save.addActionListener(e -> Dialogs.saveFile(this, messages, "loss.png", "png").ifPresent(p -> {
            try {
                savePng(p, 1200, 600);
                status.accept(messages.format("status.exported", p));
            } catch (IOException ex) {
                status.accept(messages.format("status.exportFailed", ex.getMessage()));
            }
        }));
        bar.add(log);
        bar.add(auto);
        bar.add(save);
        add(bar, BorderLayout.NORTH);
        applyTheme();
    }

    /**
     * Adds the loss of step {@code step}. Past {@value #DENSE} steps only every k-th step is drawn
     * (k a power of two growing with the run), so a long run costs a redraw of at most a few
     * tens of thousands of points; the moving average still sees every step.
     */
    void addStep(long step, double loss) {
        if (!Double.isFinite(loss)) return;
        ema = Double.isNaN(ema) ? loss : EMA * ema + (1 - EMA) * loss;
        long stride = Long.highestOneBit(Math.max(1, step / DENSE));
        if (step % stride != 0) return;
        steps.add(step, loss, false);
        smooth.add(step, ema, false);
        dirty = true;
    }

    /** Colours of losses measured at epoch ends ({@code train_loss}, {@code val_loss}, ...), drawn on the loss axis. */
    private static final Color[] EPOCH_LOSS_COLOURS = {new Color(0x00B894), new Color(0xD63031), new Color(0xFDCB6E)};

    /**
     * Adds the mean loss and the metrics of an epoch that ended at step {@code step}; a metric whose
     * name ends in {@code loss} (a training or held-out loss) goes on the loss axis, the others on
     * the 0 to 1 axis.
     */
    void addEpoch(long step, double loss, Map<String, Double> values) {
        if (Double.isFinite(loss)) epochs.add(step, loss, false);
        for (var e : values.entrySet()) {
            XYSeries s = metricSeries.computeIfAbsent(e.getKey(), k -> {
                XYSeries n = new XYSeries(messages.has("chart.metric." + k) ? messages.get("chart.metric." + k) : k, true, true);
                if (k.endsWith("loss")) {
                    losses.addSeries(n);
                    int i = losses.getSeriesCount() - 1;
                    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer(0);
                    r.setSeriesPaint(i, EPOCH_LOSS_COLOURS[(i - 3) % EPOCH_LOSS_COLOURS.length]);
                    r.setSeriesStroke(i, new BasicStroke(2.2f));
                    r.setSeriesShapesVisible(i, true);
                } else {
                    metrics.addSeries(n);
                }
                return n;
            });
            if (Double.isFinite(e.getValue())) s.add(step, e.getValue(), false);
        }
        dirty = true;
    }

    /** A vertical marker at step {@code step}, e.g. where an activation was replaced. */
    void mark(long step, String label) {
        ValueMarker marker = new ValueMarker(step, new Color(0xE84393), new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 4f, new float[] {4f, 3f}, 0f));
        marker.setLabel(label);
        marker.setLabelFont(MARKER_FONT);
        marker.setLabelPaint(UIManager.getColor("Label.foreground"));
        marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        markers.add(marker);
        plot.addDomainMarker(marker);
        placeMarkers();
    }

    private static final Font MARKER_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final double MARKER_ROW = 14;
    private final java.util.List<ValueMarker> markers = new java.util.ArrayList<>();

    /** The markers, in the order they were made. */
    java.util.List<ValueMarker> markers() {
        return java.util.List.copyOf(markers);
    }

    /**
     * Puts every marker's label where it is not clipped by the plot's right edge (to the left of
     * its line there) and overlaps no other label (a lower row): {@link #place}.
     */
    private void placeMarkers() {
        if (markers.isEmpty()) return;
        ValueAxis axis = plot.getDomainAxis();
        double lo = axis.getLowerBound(), hi = Math.max(axis.getUpperBound(), lo + 1e-9);
        java.awt.geom.Rectangle2D area = panel.getChartRenderingInfo().getPlotInfo().getDataArea();
        double width = area != null && area.getWidth() > 0 ? area.getWidth() : Math.max(200, getWidth() - 80);
        java.awt.FontMetrics fm = getFontMetrics(MARKER_FONT);
        double[] xs = new double[markers.size()], ws = new double[markers.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (markers.get(i).getValue() - lo) / (hi - lo) * width;
            ws[i] = fm.stringWidth(markers.get(i).getLabel()) + 6;
        }
        int[][] at = place(xs, ws, width);
        for (int i = 0; i < xs.length; i++) {
            ValueMarker mk = markers.get(i);
            boolean left = at[i][0] == 1;
            RectangleAnchor anchor = left ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT;
            var offset = new org.jfree.chart.ui.RectangleInsets(3 + at[i][1] * MARKER_ROW, 3, 3, 3);
            // Each setter redraws the chart: only on a change.
            if (mk.getLabelAnchor() != anchor) {
                mk.setLabelAnchor(anchor);
                mk.setLabelTextAnchor(left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
            }
            if (!offset.equals(mk.getLabelOffset())) mk.setLabelOffset(offset);
        }
    }

    /**
     * Where marker labels go: for each marker at pixel {@code xs[i]} of a plot {@code width} wide,
     * with a label {@code widths[i]} wide, its side (0: right of the line, 1: left, when the right
     * would pass the plot's edge) and its row (0 at the top), the first row where it overlaps no
     * label placed before it.
     */
    static int[][] place(double[] xs, double[] widths, double width) {
        int[][] out = new int[xs.length][2];
        java.util.List<java.util.List<double[]>> rows = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            boolean left = xs[i] + 3 + widths[i] > width && xs[i] - 3 - widths[i] >= 0;
            double a = left ? xs[i] - 3 - widths[i] : xs[i] + 3, b = a + widths[i];
            int row = 0;
            while (true) {
                if (row == rows.size()) rows.add(new java.util.ArrayList<>());
                boolean free = true;
                for (double[] r : rows.get(row)) free &= b <= r[0] || a >= r[1];
                if (free) break;
                row++;
            }
            rows.get(row).add(new double[] {a, b});
            out[i][0] = left ? 1 : 0;
            out[i][1] = row;
        }
        return out;
    }

    /** Sends the change events of the points added since the last flush. */
    void flush() {
        placeMarkers();
        if (!dirty) return;
        dirty = false;
        steps.fireSeriesChanged();
        smooth.fireSeriesChanged();
        epochs.fireSeriesChanged();
        for (XYSeries s : metricSeries.values()) s.fireSeriesChanged();
    }

    /** Switches the loss axis between linear and logarithmic. */
    void setLogScale(boolean on) {
        ValueAxis old = plot.getRangeAxis();
        ValueAxis axis;
        if (on) {
            LogAxis l = new LogAxis(messages.get("chart.loss"));
            l.setSmallestValue(1e-6);
            axis = l;
        } else {
            NumberAxis n = new NumberAxis(messages.get("chart.loss"));
            n.setAutoRangeIncludesZero(false);
            axis = n;
        }
        axis.setLabelFont(old.getLabelFont());
        axis.setTickLabelFont(old.getTickLabelFont());
        axis.setLabelPaint(old.getLabelPaint());
        axis.setTickLabelPaint(old.getTickLabelPaint());
        plot.setRangeAxis(0, axis);
        if (log.isSelected() != on) log.setSelected(on);
    }

    /** True when the loss axis is logarithmic. */
    boolean isLogScale() {
        return plot.getRangeAxis() instanceof LogAxis;
    }

    /** Number of step points. */
    int stepCount() {
        return steps.getItemCount();
    }

    /** The metric series' points by metric name: "step=value" each (for tests). */
    Map<String, java.util.List<String>> metricPoints() {
        Map<String, java.util.List<String>> out = new LinkedHashMap<>();
        metricSeries.forEach((k, s) -> {
            java.util.List<String> p = new java.util.ArrayList<>();
            for (int i = 0; i < s.getItemCount(); i++) p.add(s.getX(i).longValue() + "=" + s.getY(i));
            out.put(k, p);
        });
        return out;
    }

    /** Writes the chart as a PNG of {@code w x h}. */
    void savePng(Path file, int w, int h) throws IOException {
        ChartUtils.saveChartAsPNG(new File(file.toString()), chart, w, h);
    }

    /** Re-reads the look and feel's colours. */
    void applyTheme() {
        Color bg = UIManager.getColor("Panel.background"), fg = UIManager.getColor("Label.foreground");
        Color grid = UIManager.getColor("Separator.foreground");
        if (bg == null || fg == null) return;
        chart.setBackgroundPaint(bg);
        plot.setBackgroundPaint(bg.darker().equals(bg) ? bg : blend(bg, fg, 0.04));
        plot.setDomainGridlinePaint(grid != null ? grid : Color.GRAY);
        plot.setRangeGridlinePaint(grid != null ? grid : Color.GRAY);
        plot.setOutlinePaint(grid);
        for (int i = 0; i < plot.getRangeAxisCount(); i++) style(plot.getRangeAxis(i), fg);
        style(plot.getDomainAxis(), fg);
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setBackgroundPaint(bg);
            legend.setItemPaint(fg);
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        setBorder(BorderFactory.createEmptyBorder());
    }

    private static void style(ValueAxis a, Color fg) {
        if (a == null) return;
        a.setLabelPaint(fg);
        a.setTickLabelPaint(fg);
        a.setAxisLinePaint(fg);
        a.setTickMarkPaint(fg);
    }

    private static Color blend(Color a, Color b, double t) {
        return new Color((int) (a.getRed() * (1 - t) + b.getRed() * t), (int) (a.getGreen() * (1 - t) + b.getGreen() * t), (int) (a.getBlue() * (1 - t) + b.getBlue() * t));
    }
}
