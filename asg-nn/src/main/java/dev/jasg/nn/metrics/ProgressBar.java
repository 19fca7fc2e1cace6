package dev.jasg.nn.metrics;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line console progress bar for epochs and batches:
 *
 * <pre>epoch 2/10 [=========>          ]  45/100 loss 0.3412  1.2k samples/s  ETA 0:05</pre>
 *
 * It redraws in place with a carriage return (at most every {@code minIntervalNanos}, and
 * always at the end of an epoch, which ends the line). It writes only to the stream it was
 * given, and only when interactive: {@link #forConsole} makes an interactive bar only when
 * the process has a console ({@code System.console() != null}), so logs and CI output stay
 * free of control characters. Loss is shown as an exponential moving average.
 */
public final class ProgressBar {
    private static final int WIDTH = 20;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long minIntervalNanos;
    private int epoch;
    private int epochs;
    private int total;
    private int done;
    private long samples;
    private long start;
    private long lastDraw;
    private Ema loss;

    /** A bar writing to {@code out} when {@code interactive}, timed by {@code nanoClock}, redrawing at most every {@code minIntervalNanos}. */
    public ProgressBar(PrintStream out, boolean interactive, LongSupplier nanoClock, long minIntervalNanos) {
        this.out = out;
        this.interactive = interactive;
        this.clock = nanoClock;
        this.minIntervalNanos = minIntervalNanos;
    }

    /** A bar on {@code out} that is interactive only when the JVM has a console, redrawing at most 10 times a second. */
    public static ProgressBar forConsole(PrintStream out) {
        return new ProgressBar(out, System.console() != null, System::nanoTime, 100_000_000L);
    }

    /** True when the bar writes anything. */
    public boolean interactive() {
        return interactive;
    }

    /** Starts epoch {@code epoch} (1-based) of {@code epochs}, which has {@code batches} batches. */
    public void startEpoch(int epoch, int epochs, int batches) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.total = batches;
        this.done = 0;
        this.samples = 0;
        this.loss = new Ema(0.9);
        this.start = clock.getAsLong();
        this.lastDraw = Long.MIN_VALUE;
    }

    /** Records a finished batch of {@code batchSamples} examples with loss {@code batchLoss} and redraws if due. */
    public void step(int batchSamples, double batchLoss) {
        done++;
        samples += batchSamples;
        if (!Double.isNaN(batchLoss)) loss.update(batchLoss);
        long now = clock.getAsLong();
        if (interactive && (lastDraw == Long.MIN_VALUE || now - lastDraw >= minIntervalNanos || done >= total)) {
            out.print('\r' + render(now));
            out.flush();
            lastDraw = now;
        }
    }

    /** Ends the epoch: draws the final state and a line break. */
    public void endEpoch() {
        if (!interactive) return;
        out.print('\r' + render(clock.getAsLong()));
        out.println();
        out.flush();
    }

    /** The bar's text at time {@code now} (what is drawn, without the carriage return). */
    public String render(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * Math.min(done, total) / total);
        StringBuilder bar = new StringBuilder(WIDTH + 2).append('[');
        for (int i = 0; i < WIDTH; i++) bar.append(i < filled - 1 || (i == filled - 1 && done >= total) ? '=' : i == filled - 1 ? '>' : ' ');
        bar.append(']');
        String digits = String.valueOf(total);
        StringBuilder sb = new StringBuilder();
        sb.append("epoch ").append(epoch).append('/').append(epochs).append(' ').append(bar).append(' ')
          .append(String.format(Locale.ROOT, "%" + digits.length() + "d/%s", done, digits));
        if (loss != null && loss.count() > 0) sb.append(String.format(Locale.ROOT, " loss %.4f", loss.value()));
        sb.append("  ").append(rate(samples / seconds)).append(" samples/s");
        if (done > 0 && done < total) {
            double eta = seconds / done * (total - done);
            sb.append("  ETA ").append(clockTime(eta));
        } else if (done >= total) {
            sb.append("  ").append(clockTime(seconds));
        }
        return sb.toString();
    }

    private static String rate(double r) {
        if (r >= 1e6) return String.format(Locale.ROOT, "%.1fM", r / 1e6);
        if (r >= 1e3) return String.format(Locale.ROOT, "%.1fk", r / 1e3);
        return String.format(Locale.ROOT, "%.1f", r);
    }

    private static String clockTime(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
