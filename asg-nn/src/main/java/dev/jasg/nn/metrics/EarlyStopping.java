package dev.jasg.nn.metrics;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when a monitored metric has not improved for {@code patience} checks, as
 * Keras' {@code EarlyStopping}: a value improves on the best when it is smaller than
 * {@code best - minDelta} (MIN mode) or larger than {@code best + minDelta} (MAX mode). On
 * each improvement it snapshots every tensor of a core {@link Parameters} store, and
 * {@link #restoreBest} writes that snapshot back.
 */
public final class EarlyStopping {
    /** Whether a smaller or a larger value is better. */
    public enum Mode {
        /** Smaller is better (loss). */
        MIN,
        /** Larger is better (accuracy). */
        MAX
    }

    private final Mode mode;
    private final int patience;
    private final double minDelta;
    private double best = Double.NaN;
    private int bestCheck = -1;
    private int checks;
    private int wait;
    private Map<String, HostTensor> snapshot;

    /** Stops after {@code patience} checks without an improvement larger than {@code minDelta}. */
    public EarlyStopping(Mode mode, int patience, double minDelta) {
        if (patience < 0 || minDelta < 0) throw new IllegalArgumentException("patience and minDelta must be >= 0");
        this.mode = mode;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /**
     * Records {@code value} (a NaN never improves) and, if it improves, snapshots
     * {@code parameters} (may be null to skip). Returns true when training should stop.
     */
    public boolean update(double value, Parameters parameters) {
        boolean improved = !Double.isNaN(value) && (Double.isNaN(best)
                || (mode == Mode.MIN ? value < best - minDelta : value > best + minDelta));
        if (improved) {
            best = value;
            bestCheck = checks;
            wait = 0;
            if (parameters != null) {
                Map<String, HostTensor> copy = new LinkedHashMap<>();
                for (String name : parameters.names()) copy.put(name, parameters.get(name));
                snapshot = copy;
            }
        } else {
            wait++;
        }
        checks++;
        return shouldStop();
    }

    /** True once {@code patience} checks in a row (at least one) brought no improvement. */
    public boolean shouldStop() {
        return wait > 0 && wait >= patience;
    }

    /** The best value so far (NaN before the first real value). */
    public double best() {
        return best;
    }

    /** The 0-based check at which the best value was seen (-1 if none). */
    public int bestCheck() {
        return bestCheck;
    }

    /** Checks since the last improvement. */
    public int checksWithoutImprovement() {
        return wait;
    }

    /** True when a snapshot is held. */
    public boolean hasSnapshot() {
        return snapshot != null;
    }

    /** Writes the best snapshot back into {@code parameters}. */
    public void restoreBest(Parameters parameters) {
        if (snapshot == null) throw new IllegalStateException("no snapshot: no improvement was recorded with a parameter store");
        snapshot.forEach(parameters::set);
    }
}
