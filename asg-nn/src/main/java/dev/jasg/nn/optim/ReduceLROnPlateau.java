package dev.jasg.nn.optim;

import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau}: {@link #step(double)} is given the
 * monitored metric after each epoch; when it has not improved for more than {@code patience}
 * epochs the rate is multiplied by {@code factor} (not below {@code min_lr}; a change smaller
 * than {@code eps} is skipped), then {@code cooldown} epochs pass before bad epochs count again.
 * Improvement, for {@link Mode#MIN}: {@code a < best (1 - threshold)} ({@link ThresholdMode#REL})
 * or {@code a < best - threshold} ({@link ThresholdMode#ABS}); for {@link Mode#MAX}:
 * {@code a > best (1 + threshold)} or {@code a > best + threshold}. Defaults as PyTorch: min,
 * factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0, min_lr 0, eps 1e-8.
 *
 * <p>There is no closed form: {@link #lr(int)} is the current rate whatever the epoch, and the
 * plain {@link #step()} (what a {@link dev.jasg.nn.train.Trainer} calls per epoch or step) does
 * nothing; the rate changes only through {@link #step(double)}.
 */
public final class ReduceLROnPlateau extends LrScheduler {
    /** Whether a lower or a higher metric is better. */
    public enum Mode { MIN, MAX }

    /** Whether the threshold is relative to the best value or absolute. */
    public enum ThresholdMode { REL, ABS }

    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double lr;
    private double best;
    private int badEpochs;
    private int cooldownCounter;
    private int epochs;

    /** PyTorch's defaults on {@code optimizer}'s rate. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);
    }

    /** Every option. */
    public ReduceLROnPlateau(Optimizer optimizer, Mode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode,
                             int cooldown, double minLr, double eps) {
        super(optimizer.lr());
        if (mode == null || thresholdMode == null) throw new IllegalArgumentException("ReduceLROnPlateau: mode and threshold_mode must not be null");
        if (!(factor < 1 && factor >= 0)) throw new IllegalArgumentException("ReduceLROnPlateau: factor must be < 1.0 and >= 0, got " + factor);
        if (patience < 0 || cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience and cooldown must be >= 0, got " + patience + ", " + cooldown);
        this.mode = mode;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.lr = optimizer.lr();
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** The current rate (whatever {@code epoch}). */
    @Override
    public double lr(int epoch) {
        return lr;
    }

    /** Does nothing: the rate changes only with a metric, through {@link #step(double)}. */
    @Override
    public void step() {
    }

    /** Records the epoch's {@code metric} and reduces the rate after more than {@code patience} epochs without improvement. */
    public void step(double metric) {
        epochs++;
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            double next = Math.max(lr * factor, minLr);
            if (lr - next > eps) lr = next;
            cooldownCounter = cooldown;
            badEpochs = 0;
        }
    }

    private boolean isBetter(double a) {
        return switch (mode) {
            case MIN -> thresholdMode == ThresholdMode.REL ? a < best * (1 - threshold) : a < best - threshold;
            case MAX -> thresholdMode == ThresholdMode.REL ? a > best * (threshold + 1) : a > best + threshold;
        };
    }

    /** Adds {@code lr}, {@code best}, {@code num_bad_epochs}, {@code cooldown_counter} and the metric {@code steps}. */
    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = super.state();
        m.put("lr", lr);
        m.put("best", best);
        m.put("num_bad_epochs", badEpochs);
        m.put("cooldown_counter", cooldownCounter);
        m.put("steps", epochs);
        return m;
    }

    @Override
    public void load(Map<String, Object> state) {
        super.load(state);
        lr = number(state, "lr").doubleValue();
        best = number(state, "best").doubleValue();
        badEpochs = number(state, "num_bad_epochs").intValue();
        cooldownCounter = number(state, "cooldown_counter").intValue();
        epochs = number(state, "steps").intValue();
    }

    private static Number number(Map<String, Object> state, String key) {
        if (state.get(key) instanceof Number n) return n;
        throw new IllegalArgumentException("ReduceLROnPlateau: state has no numeric " + key + ": " + state);
    }
}
