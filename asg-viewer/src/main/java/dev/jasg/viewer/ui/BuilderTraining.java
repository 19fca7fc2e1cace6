package dev.jasg.viewer.ui;

import dev.jasg.core.Backends;
import dev.jasg.nn.spec.DatasetKind;
import dev.jasg.nn.spec.LossType;
import dev.jasg.nn.spec.ModelSpec;
import dev.jasg.nn.spec.OptimizerType;
import dev.jasg.nn.spec.Param;
import dev.jasg.nn.spec.SchedulerType;
import dev.jasg.nn.spec.SpecTraining;
import dev.jasg.nn.spec.TrainingSession;
import dev.jasg.nn.train.ComputeUpdate;
import dev.jasg.nn.train.ComputeUpdateQueue;
import dev.jasg.nn.train.Trainer;
import dev.jasg.viewer.Messages;
import dev.jasg.viewer.builder.BuilderModel;

import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.JToggleButton;
import javax.swing.SwingUtilities;
import java.awt.BorderLayout;
import java.awt.Component;
import java.awt.FlowLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The builder's training settings and controls: dataset (Fashion-MNIST, CSV, an image folder,
 * synthetic) and its parameters, loss, optimizer and its hyper-parameters, scheduler, batch size,
 * epochs, step limit, seed and backend, each change an undoable {@code SetTraining} edit of the
 * spec; Start, Pause/Resume and Stop drive a {@link TrainingSession}, whose trainer's updates feed
 * the live loss chart and the metrics line (and, through "Inspect", a viewer window on the graph).
 *
 * <p>Swing: use on the event thread.
 */
final class BuilderTraining {
    private final BuilderModel model;
    private final Messages m;
    private final Consumer<String> status;
    private final JPanel settings = new JPanel(new BorderLayout());
    private final JPanel controls = new JPanel();
    private final JPanel chartHolder = new JPanel(new BorderLayout());
    private final JLabel metrics = new JLabel(" ");
    private final JButton start;
    private final JToggleButton pause;
    private final JButton stop;
    private final JButton inspect;
    private final Map<String, ParamForm> forms = new java.util.LinkedHashMap<>();
    private ModelSpec.Training shown;
    private LossChartPanel chart;
    private TrainingSession session;
    private ComputeUpdateQueue chartUpdates;
    private ComputeUpdateQueue inspectUpdates;
    private final AtomicReference<Trainer> trainer = new AtomicReference<>();
    private ViewerWindow inspector;
    private long step;
    private double loss = Double.NaN, ema = Double.NaN, lr = Double.NaN, speed;
    private int epoch;
    private double heldOutLoss = Double.NaN, heldOutAccuracy = Double.NaN;
    private int evaluationsShown;
    private String state;
    private boolean reported;
    private final javax.swing.Timer timer;

    BuilderTraining(BuilderModel model, Messages m, Consumer<String> status) {
        this.model = model;
        this.m = m;
        this.status = status;
        this.state = m.get("builder.train.idle");
        start = new JButton(m.get("builder.train.start"));
        start.setName("start");
        start.addActionListener(e -> start());
        pause = new JToggleButton(m.get("builder.train.pause"));
        pause.setName("pause");
        pause.setEnabled(false);
        pause.addActionListener(e -> setPaused(pause.isSelected()));
        stop = new JButton(m.get("builder.train.stop"));
        stop.setName("stop");
        stop.setEnabled(false);
        stop.addActionListener(e -> stop());
        inspect = new JButton(m.get("builder.train.inspect"));
        inspect.setName("inspect");
        inspect.setEnabled(false);
        inspect.setToolTipText(m.get("builder.train.inspect.tip"));
        inspect.addActionListener(e -> inspect());
        controls.setLayout(new FlowLayout(FlowLayout.LEFT, 6, 2));
        controls.add(start);
        controls.add(pause);
        controls.add(stop);
        controls.add(inspect);
        chart = new LossChartPanel(m, status);
        chartHolder.add(chart, BorderLayout.CENTER);
        JPanel north = new JPanel(new BorderLayout());
        north.add(controls, BorderLayout.NORTH);
        metrics.setBorder(BorderFactory.createEmptyBorder(2, 10, 2, 6));
        north.add(metrics, BorderLayout.SOUTH);
        chartHolder.add(north, BorderLayout.NORTH);
        model.addListener(this::refresh);
        refresh();
        timer = new javax.swing.Timer(100, e -> drain());
        timer.start();
    }

    /** The settings, for a side panel. */
    JComponent settings() {
        return settings;
    }

    /** The chart with the controls and the metrics line. */
    JComponent chartPanel() {
        return chartHolder;
    }

    // ---- settings --------------------------------------------------------------------------------

    private ModelSpec.Training training() {
        ModelSpec.Training t = model.spec().training();
        return t != null ? t : BuilderModel.newSpec().training();
    }

    private void refresh() {
        ModelSpec.Training t = training();
        if (t.equals(shown)) return;
        shown = t;
        forms.clear();
        JPanel p = new JPanel();
        p.setLayout(new BoxLayout(p, BoxLayout.Y_AXIS));

        ParamForm general = new ParamForm((name, text) -> general(name, text));
        general.addRow(m.get("builder.train.dataset"), combo("dataset", names(DatasetKind.values(), DatasetKind::jsonName), t.dataset().type(),
                k -> with(training(), "dataset", new ModelSpec.Component(k, Map.of()))));
        general.addRow(m.get("builder.train.loss"), combo("loss", names(LossType.values(), LossType::jsonName), t.loss(), k -> with(training(), "loss", k)));
        general.addRow(m.get("builder.train.optimizer"), combo("optimizer", names(OptimizerType.values(), OptimizerType::jsonName), t.optimizer().type(),
                k -> with(training(), "optimizer", new ModelSpec.Component(k, Map.of()))));
        List<String> scheds = new ArrayList<>(List.of("none"));
        scheds.addAll(names(SchedulerType.values(), SchedulerType::jsonName));
        general.addRow(m.get("builder.train.scheduler"), combo("scheduler", scheds, t.scheduler() == null ? "none" : t.scheduler().type(),
                k -> with(training(), "scheduler", k.equals("none") ? null : defaults(SchedulerType.of(k).orElseThrow()))));
        general.addRow(m.get("builder.train.backend"), combo("backend", backends(t.backend()), t.backend(), k -> with(training(), "backend", k)));
        general.addRow(m.get("builder.train.batch"), intField("batch_size", t.batchSize()));
        general.addRow(m.get("builder.train.epochs"), intField("epochs", t.epochs()));
        general.addRow(m.get("builder.train.maxSteps"), intField("max_steps", t.maxSteps()));
        general.addRow(m.get("builder.train.seed"), intField("seed", t.seed()));
        forms.put("general", general);
        section(p, m.get("builder.train.general"), general);

        DatasetKind dk = DatasetKind.of(t.dataset().type()).orElse(DatasetKind.SYNTHETIC);
        section(p, m.get("builder.train.datasetParams"), component("dataset", dk.params(), t.dataset(), c -> with(training(), "dataset", c)));
        OptimizerType ot = OptimizerType.of(t.optimizer().type()).orElse(OptimizerType.ADAM);
        section(p, m.get("builder.train.optimizerParams"), component("optimizer", ot.params(), t.optimizer(), c -> with(training(), "optimizer", c)));
        if (t.scheduler() != null) {
            SchedulerType st = SchedulerType.of(t.scheduler().type()).orElse(SchedulerType.STEP_LR);
            section(p, m.get("builder.train.schedulerParams"), component("scheduler", st.params(), t.scheduler(), c -> with(training(), "scheduler", c)));
        }
        p.add(Box.createVerticalGlue());
        settings.removeAll();
        JScrollPane sp = new JScrollPane(p);
        sp.setBorder(BorderFactory.createEmptyBorder());
        sp.getVerticalScrollBar().setUnitIncrement(16);
        settings.add(sp, BorderLayout.CENTER);
        settings.revalidate();
        settings.repaint();
    }

    private static ModelSpec.Component defaults(SchedulerType s) {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        for (Param q : s.params()) if (q.required()) p.put(q.name(), q.kind() == Param.Kind.INT ? (Object) 10 : (Object) 0.9);
        return new ModelSpec.Component(s.jsonName(), p);
    }

    private static List<String> backends(String current) {
        List<String> b = new ArrayList<>();
        try {
            b.addAll(Backends.available());
        } catch (RuntimeException | LinkageError e) {
            b.add("cpu");
        }
        if (!b.contains(current)) b.add(current);
        return b;
    }

    private static <T> List<String> names(T[] values, Function<T, String> name) {
        return Arrays.stream(values).map(name).toList();
    }

    private void section(JPanel p, String title, JComponent c) {
        c.setBorder(BorderFactory.createTitledBorder(title));
        c.setAlignmentX(Component.LEFT_ALIGNMENT);
        c.setMaximumSize(new java.awt.Dimension(Integer.MAX_VALUE, c.getPreferredSize().height));
        p.add(c);
    }

    private JComboBox<String> combo(String name, List<String> items, String selected, Function<String, ModelSpec.Training> change) {
        JComboBox<String> box = new JComboBox<>(items.toArray(new String[0]));
        box.setName(name);
        box.setSelectedItem(selected);
        box.addActionListener(e -> {
            String k = (String) box.getSelectedItem();
            if (k != null && !k.equals(selected)) apply(change.apply(k));
        });
        return box;
    }

    private JTextField intField(String name, long value) {
        JTextField f = new JTextField(Long.toString(value), 8);
        f.setName(name);
        return f;
    }

    private ParamForm component(String key, List<Param> params, ModelSpec.Component c, Function<ModelSpec.Component, ModelSpec.Training> change) {
        ParamForm f = ParamForm.of(params, c.params(), (name, text) -> {
            try {
                ModelSpec.Component next = BuilderModel.withParam(current(key), params, name, text);
                if (!next.equals(current(key))) SwingUtilities.invokeLater(() -> apply(change.apply(next)));
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        forms.put(key, f);
        return f;
    }

    private ModelSpec.Component current(String key) {
        ModelSpec.Training t = training();
        return switch (key) {
            case "dataset" -> t.dataset();
            case "optimizer" -> t.optimizer();
            default -> t.scheduler();
        };
    }

    // A general field's commit: the numbers of the settings.
    private String general(String name, String text) {
        ModelSpec.Training t = training();
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return m.format("builder.train.notANumber", text);
        }
        boolean positive = name.equals("batch_size") || name.equals("epochs");
        if (!name.equals("seed") && (v < (positive ? 1 : 0) || v > Integer.MAX_VALUE)) return m.format("builder.train.outOfRange", text);
        ModelSpec.Training n = switch (name) {
            case "batch_size" -> new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), (int) v, t.epochs(), t.maxSteps(), t.seed(), t.backend(), t.dataset());
            case "epochs" -> new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), t.batchSize(), (int) v, t.maxSteps(), t.seed(), t.backend(), t.dataset());
            case "max_steps" -> new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), t.batchSize(), t.epochs(), (int) v, t.seed(), t.backend(), t.dataset());
            case "seed" -> new ModelSpec.Training(t.loss(), t.optimizer(), t.scheduler(), t.batchSize(), t.epochs(), t.maxSteps(), v, t.backend(), t.dataset());
            default -> throw new IllegalArgumentException(name);
        };
        if (!n.equals(t)) SwingUtilities.invokeLater(() -> apply(n));
        return null;
    }

    /** A copy of {@code t} with part {@code part} (loss, optimizer, scheduler, backend, dataset) replaced by {@code v}. */
    private static ModelSpec.Training with(ModelSpec.Training t, String part, Object v) {
        return new ModelSpec.Training(part.equals("loss") ? (String) v : t.loss(), part.equals("optimizer") ? (ModelSpec.Component) v : t.optimizer(),
                part.equals("scheduler") ? (ModelSpec.Component) v : t.scheduler(), t.batchSize(), t.epochs(), t.maxSteps(), t.seed(),
                part.equals("backend") ? (String) v : t.backend(), part.equals("dataset") ? (ModelSpec.Component) v : t.dataset());
    }

    private void apply(ModelSpec.Training t) {
        model.setTraining(t);
    }

    /**
     * Sets a setting as a user would: {@code form} is {@code general}, {@code dataset},
     * {@code optimizer} or {@code scheduler}; returns the refusal, or null. A combo box of the
     * general form takes its item.
     */
    String enter(String form, String name, String text) {
        ParamForm f = forms.get(form);
        if (f == null) throw new IllegalArgumentException("no form '" + form + "' in " + forms.keySet());
        if (form.equals("general")) {
            for (Component c : f.getComponents()) {
                if (name.equals(c.getName()) && c instanceof JComboBox<?> box) {
                    box.setSelectedItem(text);
                    return null;
                }
                if (name.equals(c.getName()) && c instanceof JTextField field) {
                    field.setText(text);
                    return general(name, text);
                }
            }
            throw new IllegalArgumentException("no setting '" + name + "'");
        }
        return f.enter(name, text);
    }

    // ---- running ---------------------------------------------------------------------------------

    /** Starts training the spec as it is now; a spec that does not build says why in the status line. */
    void start() {
        if (session != null && !session.isDone()) return;
        ModelSpec spec = model.spec();
        if (spec.training() == null) spec = spec.withTraining(training());
        try {
            spec.build();
            dev.jasg.nn.spec.SpecTraining.checkSettings(spec);
        } catch (RuntimeException e) {
            state = m.format("builder.train.cannotStart", e.getMessage());
            status.accept(state);
            updateMetrics();
            return;
        }
        chartHolder.remove(chart);
        chart = new LossChartPanel(m, status);
        chartHolder.add(chart, BorderLayout.CENTER);
        chartHolder.revalidate();
        step = 0;
        epoch = 0;
        loss = ema = lr = Double.NaN;
        heldOutLoss = heldOutAccuracy = Double.NaN;
        evaluationsShown = 0;
        speed = 0;
        reported = false;
        chartUpdates = new ComputeUpdateQueue();
        inspectUpdates = new ComputeUpdateQueue(20_000);
        if (inspector != null) inspector.close();
        inspector = null;
        trainer.set(null);
        ComputeUpdateQueue cu = chartUpdates, iu = inspectUpdates;
        session = TrainingSession.start(spec, 0, null, t -> {
            t.addUpdateListener(cu);
            t.addUpdateListener(iu);
            trainer.set(t);
        });
        state = m.get("builder.train.running");
        pause.setSelected(false);
        pause.setText(m.get("builder.train.pause"));
        start.setEnabled(false);
        pause.setEnabled(true);
        stop.setEnabled(true);
        inspect.setEnabled(true);
        updateMetrics();
    }

    /** Pauses or resumes the running session. */
    void setPaused(boolean paused) {
        if (session == null) return;
        if (paused) session.pause();
        else session.resume();
        pause.setSelected(paused);
        pause.setText(m.get(paused ? "builder.train.resume" : "builder.train.pause"));
        state = m.get(paused ? "builder.train.paused" : "builder.train.running");
        updateMetrics();
    }

    /** Stops the running session before its next step. */
    void stop() {
        if (session != null) session.stop();
    }

    /** The session of the last Start, or null. */
    TrainingSession session() {
        return session;
    }

    private void drain() {
        if (chartUpdates != null) {
            chartUpdates.drain(u -> {
                switch (u) {
                    case ComputeUpdate.StepDone s -> {
                        step = s.step();
                        loss = s.loss();
                        lr = s.lr();
                        ema = Double.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
                        double sps = s.timings().stepsPerSecond();
                        speed = speed == 0 ? sps : 0.9 * speed + 0.1 * sps;
                        chart.addStep(s.step(), s.loss());
                    }
                    case ComputeUpdate.EpochDone e -> {
                        epoch = e.epoch();
                        // the held-out metrics come from the session's evaluations below (also those between epochs)
                        chart.addEpoch(step, e.loss(), Map.of());
                    }
                    default -> { }
                }
            }, 50_000);
            if (session != null) {
                List<TrainingSession.Evaluation> evals = session.evaluations();
                for (; evaluationsShown < evals.size(); evaluationsShown++) {
                    TrainingSession.Evaluation ev = evals.get(evaluationsShown);
                    chart.addEpoch(ev.step(), Double.NaN, ev.metrics());
                    heldOutLoss = ev.metrics().getOrDefault(SpecTraining.VAL_LOSS, Double.NaN);
                    heldOutAccuracy = ev.metrics().getOrDefault(SpecTraining.ACCURACY, Double.NaN);
                }
            }
            chart.flush();
        }
        if (session != null && session.isDone() && !reported) {
            reported = true;
            try {
                List<Double> all = session.await();
                state = m.format("builder.train.finished", all.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                state = m.format("builder.train.failed", e.getMessage());
            }
            status.accept(state);
            start.setEnabled(true);
            pause.setEnabled(false);
            pause.setSelected(false);
            pause.setText(m.get("builder.train.pause"));
            stop.setEnabled(false);
        }
        updateMetrics();
    }

    private void updateMetrics() {
        String text = m.format("builder.train.metrics", step, fmt(loss), fmt(ema), lr > 0 ? String.format(Locale.ROOT, "%.2g", lr) : "—", epoch,
                String.format(Locale.ROOT, "%.0f", speed))
                + (Double.isNaN(heldOutAccuracy) ? Double.isNaN(heldOutLoss) ? "" : "   " + m.format("builder.train.heldOutLoss", fmt(heldOutLoss))
                        : "   " + m.format("builder.train.heldOut", fmt(heldOutLoss), String.format(Locale.ROOT, "%.1f", 100 * heldOutAccuracy)))
                + "   " + state;
        if (!text.equals(metrics.getText())) metrics.setText(text);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * Opens the viewer's window on the graph being trained (forward and gradient graphs, the
     * inspector, live node statistics while the trainer runs, the loss chart): the same window
     * as {@code viewer.jar}, watching.
     */
    ViewerWindow inspect() {
        if (inspector != null && inspector.frame().isDisplayable()) {
            inspector.frame().toFront();
            return inspector;
        }
        Trainer t = trainer.get();
        if (inspectUpdates == null || t == null) {
            status.accept(m.get("builder.train.notYet"));
            return null;
        }
        dev.jasg.viewer.lab.TrainerStats stats = session.isDone() ? null : new dev.jasg.viewer.lab.TrainerStats(t, java.time.Duration.ofMillis(500));
        ComputeUpdateQueue q = inspectUpdates;
        inspectUpdates = new ComputeUpdateQueue(20_000); // a second Inspect after closing shows what comes next
        t.addUpdateListener(inspectUpdates);
        inspector = ViewerWindow.open(new ViewerWindow.Config(m.language(), model.spec().name(), Theme.isDark(), () -> {
            if (stats != null) stats.close();
            t.removeUpdateListener(q);
        }), q, stats);
        inspector.setLayerClasses(dev.jasg.viewer.graph.GraphModel.layerClasses(t.model()));
        return inspector;
    }

    /** The metrics line. */
    String metricsText() {
        return metrics.getText();
    }

    /** The number of steps drawn on the chart. */
    int chartSteps() {
        return chart.stepCount();
    }

    Map<String, List<String>> chartMetrics() {
        return chart == null ? Map.of() : chart.metricPoints();
    }

    /** The chart, for screenshots. */
    LossChartPanel chart() {
        return chart;
    }

    void applyTheme() {
        chart.applyTheme();
    }

    /** Stops the session and the timer; closes the inspector. */
    void dispose() {
        timer.stop();
        if (session != null) session.stop();
        if (inspector != null) inspector.close();
    }
}
