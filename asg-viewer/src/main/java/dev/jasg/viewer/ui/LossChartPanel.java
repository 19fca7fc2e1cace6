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

    /** Adds the mean loss and the metrics of an epoch that ended at step {@code step}. */
    void addEpoch(long step, double loss, Map<String, Double> values) {
        if (Double.isFinite(loss)) epochs.add(step, loss, false);
        for (var e : values.entrySet()) {
            XYSeries s = metricSeries.computeIfAbsent(e.getKey(), k -> {
                XYSeries n = new XYSeries(messages.has("chart.metric." + k) ? messages.get("chart.metric." + k) : k, true, true);
                metrics.addSeries(n);
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
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        marker.setLabelPaint(UIManager.getColor("Label.foreground"));
        marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addDomainMarker(marker);
    }

    /** Sends the change events of the points added since the last flush. */
    void flush() {
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
