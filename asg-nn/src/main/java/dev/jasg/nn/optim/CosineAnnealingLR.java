package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR} in its closed form:
 * {@code lr(e) = eta_min + (base - eta_min) (1 + cos(pi e / T_max)) / 2}; {@code eta_min}
 * defaults to 0. Past {@code T_max} the cosine rises again, as PyTorch's does.
 */
public final class CosineAnnealingLR extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    /** Anneals {@code optimizer}'s rate to 0 over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    /** Anneals {@code optimizer}'s rate to {@code etaMin} over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer.lr());
        checkPositive("CosineAnnealingLR", "T_max", tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    public double lr(int epoch) {
        return etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
