package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.CyclicLR}, stepped once per batch: with
 * {@code cycle = floor(1 + e / (up + down))}, {@code x = 1 + e / (up + down) - cycle} and
 * {@code s = x / r} while {@code x <= r = up / (up + down)}, else {@code (x - 1) / (r - 1)},
 * <pre>
 * lr(e)       = base_lr + (max_lr - base_lr) * s * scale
 * momentum(e) = max_momentum - (max_momentum - base_momentum) * s * scale    (cycle_momentum)
 * </pre>
 * with {@code scale} 1 ({@link Mode#TRIANGULAR}), {@code 1 / 2^(cycle - 1)}
 * ({@link Mode#TRIANGULAR2}) or {@code gamma^e} ({@link Mode#EXP_RANGE}). Defaults as PyTorch:
 * step_size_up 2000, step_size_down = step_size_up, triangular, gamma 1, cycle_momentum on,
 * base_momentum 0.8, max_momentum 0.9. The optimizer's own rate is replaced by {@code base_lr},
 * as in PyTorch. A custom {@code scale_fn} is not offered. With {@code cycle_momentum} the
 * {@link dev.jasg.nn.train.Trainer} feeds {@link #momentum(int)} as the optimizer's momentum (or
 * beta1) each step, as {@link OneCycleLR}'s.
 */
public final class CyclicLR extends LrScheduler {
    /** PyTorch's {@code mode}. */
    public enum Mode {
        /** No amplitude scaling. */
        TRIANGULAR,
        /** Halves the amplitude every cycle. */
        TRIANGULAR2,
        /** Scales the amplitude by {@code gamma^iteration}. */
        EXP_RANGE
    }

    private final double maxLr;
    private final double totalSize;
    private final double stepRatio;
    private final Mode mode;
    private final double gamma;
    private final boolean cycleMomentum;
    private final double baseMomentum;
    private final double maxMomentum;

    /** A triangular cycle between {@code baseLr} and {@code maxLr}, {@code stepSizeUp} steps up and as many down, momentum cycled 0.9 to 0.8. */
    public CyclicLR(double baseLr, double maxLr, int stepSizeUp) {
        this(baseLr, maxLr, stepSizeUp, stepSizeUp, Mode.TRIANGULAR, 1.0, true, 0.8, 0.9);
    }

    /** A cycle with every option. */
    public CyclicLR(double baseLr, double maxLr, int stepSizeUp, int stepSizeDown, Mode mode, double gamma,
                    boolean cycleMomentum, double baseMomentum, double maxMomentum) {
        super(baseLr);
        checkPositive("CyclicLR", "step_size_up", stepSizeUp);
        checkPositive("CyclicLR", "step_size_down", stepSizeDown);
        if (mode == null) throw new IllegalArgumentException("CyclicLR: mode is null");
        this.maxLr = maxLr;
        this.totalSize = stepSizeUp + (double) stepSizeDown;
        this.stepRatio = stepSizeUp / totalSize;
        this.mode = mode;
        this.gamma = gamma;
        this.cycleMomentum = cycleMomentum;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
    }

    /** {@code s * scale} at step {@code e}. */
    private double height(int e) {
        double cycle = Math.floor(1 + e / totalSize);
        double x = 1 + e / totalSize - cycle;
        double s = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
        double scale = switch (mode) {
            case TRIANGULAR -> 1;
            case TRIANGULAR2 -> 1 / Math.pow(2, cycle - 1);
            case EXP_RANGE -> Math.pow(gamma, e);
        };
        return s * scale;
    }

    @Override
    public double lr(int step) {
        return baseLr() + (maxLr - baseLr()) * height(step);
    }

    @Override
    public double momentum(int step) {
        return cycleMomentum ? maxMomentum - (maxMomentum - baseMomentum) * height(step) : Double.NaN;
    }
}
