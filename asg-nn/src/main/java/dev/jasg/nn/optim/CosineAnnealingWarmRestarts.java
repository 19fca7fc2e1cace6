package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.CosineAnnealingWarmRestarts} (SGDR), stepped with whole epochs:
 * {@code lr(e) = eta_min + (base - eta_min) (1 + cos(pi T_cur / T_i)) / 2}, where the first
 * period is {@code T_i = T_0}, each restart multiplies it by {@code T_mult}, and {@code T_cur}
 * counts the epochs since the last restart. Defaults as PyTorch: T_mult 1, eta_min 0. PyTorch's
 * fractional {@code step(epoch + i / iters)} is {@link #lr(double)}.
 */
public final class CosineAnnealingWarmRestarts extends LrScheduler {
    private final int t0;
    private final int tMult;
    private final double etaMin;

    /** Restarts every {@code t0} epochs, annealing to 0. */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0) {
        this(optimizer, t0, 1, 0);
    }

    /** Restarts after {@code t0}, {@code t0 tMult}, {@code t0 tMult^2}, ... epochs, annealing to {@code etaMin}. */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
        super(optimizer.lr());
        checkPositive("CosineAnnealingWarmRestarts", "T_0", t0);
        if (tMult < 1) throw new IllegalArgumentException("CosineAnnealingWarmRestarts: T_mult must be an integer >= 1, got " + tMult);
        this.t0 = t0;
        this.tMult = tMult;
        this.etaMin = etaMin;
    }

    @Override
    public double lr(int epoch) {
        return lr((double) epoch);
    }

    /** The rate at a fractional epoch (PyTorch's {@code step(epoch)} with a float). */
    public double lr(double epoch) {
        if (epoch < 0) throw new IllegalArgumentException("CosineAnnealingWarmRestarts: epoch must be >= 0, got " + epoch);
        double tCur = epoch, tI = t0;
        while (tCur >= tI) {
            tCur -= tI;
            tI *= tMult;
        }
        return etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }
}
