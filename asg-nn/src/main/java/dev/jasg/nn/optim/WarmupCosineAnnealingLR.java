package dev.jasg.nn.optim;

/**
 * A linear warm-up followed by cosine annealing (Hugging Face's
 * {@code get_cosine_schedule_with_warmup}, with a floor): for {@code e < warmup},
 * {@code lr(e) = base * e / warmup}; then with {@code q = min(1, (e - warmup) / (total - warmup))},
 * {@code lr(e) = eta_min + (base - eta_min) (1 + cos(pi q)) / 2}, staying at {@code eta_min} after
 * {@code total} steps.
 */
public final class WarmupCosineAnnealingLR extends LrScheduler {
    private final int warmupSteps;
    private final int totalSteps;
    private final double etaMin;

    /** Warms up over {@code warmupSteps}, then anneals to 0 by step {@code totalSteps}. */
    public WarmupCosineAnnealingLR(Optimizer optimizer, int warmupSteps, int totalSteps) {
        this(optimizer, warmupSteps, totalSteps, 0);
    }

    /** Warms up over {@code warmupSteps}, then anneals to {@code etaMin} by step {@code totalSteps}. */
    public WarmupCosineAnnealingLR(Optimizer optimizer, int warmupSteps, int totalSteps, double etaMin) {
        super(optimizer.lr());
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("WarmupCosineAnnealingLR: need 0 <= warmup < total, got warmup " + warmupSteps + " and total " + totalSteps);
        }
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.etaMin = etaMin;
    }

    @Override
    public double lr(int epoch) {
        if (epoch < warmupSteps) return baseLr() * epoch / warmupSteps;
        double q = Math.min(1, (double) (epoch - warmupSteps) / (totalSteps - warmupSteps));
        return etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * q)) / 2;
    }
}
