package dev.jasg.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learning-rate schedule on the host, as {@code torch.optim.lr_scheduler}: it starts at epoch
 * (or step) 0, {@link #step()} moves it on by one, and {@link #getLastLr()} is the rate to feed
 * as the optimizer's {@value Optimizer#LR_INPUT} input for the current epoch. Every schedule here
 * has a closed form, {@link #lr(int)}, so the rate at any epoch can be asked for directly and a
 * schedule resumes exactly from its {@link #state()}.
 *
 * <p>As in PyTorch, the schedule's base rate is the optimizer's initial learning rate, and
 * whether {@link #step()} is called per epoch or per batch is the caller's choice.
 */
public abstract class LrScheduler {
    private final double baseLr;
    private int lastEpoch;

    /** A schedule starting from {@code baseLr} at epoch 0. */
    protected LrScheduler(double baseLr) {
        if (!(baseLr >= 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": base learning rate must be >= 0, got " + baseLr);
        this.baseLr = baseLr;
    }

    /** The rate at epoch {@code epoch} (0-based). */
    public abstract double lr(int epoch);

    /**
     * The momentum at epoch {@code epoch} for a schedule that cycles it ({@link OneCycleLR},
     * {@link CyclicLR}: SGD's and RMSprop's {@code momentum}, Adam's {@code beta1}), or NaN
     * when the schedule leaves the momentum alone (the default).
     */
    public double momentum(int epoch) {
        return Double.NaN;
    }

    /** The momentum for the current epoch, {@code momentum(lastEpoch())}; NaN when not scheduled. */
    public final double getLastMomentum() {
        return momentum(lastEpoch);
    }

    /** The base (initial) rate the schedule scales. */
    public final double baseLr() {
        return baseLr;
    }

    /** Advances by one epoch (or step). */
    public void step() {
        lastEpoch++;
    }

    /** The current epoch, 0 before the first {@link #step()}. */
    public final int lastEpoch() {
        return lastEpoch;
    }

    /** The rate for the current epoch: {@code lr(lastEpoch())}. */
    public final double getLastLr() {
        return lr(lastEpoch);
    }

    /** The schedule's resumable state for a checkpoint: {@code type}, {@code last_epoch}, {@code base_lr}. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", getClass().getSimpleName());
        m.put("last_epoch", lastEpoch);
        m.put("base_lr", baseLr);
        return m;
    }

    /** Restores the epoch from {@code state}, written by {@link #state()} of a schedule of the same type. */
    public void load(Map<String, Object> state) {
        Object type = state.get("type");
        if (type != null && !type.equals(getClass().getSimpleName())) {
            throw new IllegalArgumentException("cannot load the state of a " + type + " into a " + getClass().getSimpleName());
        }
        Object e = state.get("last_epoch");
        if (!(e instanceof Number n)) throw new IllegalArgumentException(getClass().getSimpleName() + ": state has no numeric last_epoch: " + state);
        lastEpoch = n.intValue();
    }

    static void checkPositive(String who, String what, double v) {
        if (!(v > 0)) throw new IllegalArgumentException(who + ": " + what + " must be > 0, got " + v);
    }
}
