package dev.jasg.nn.optim;

/**
 * A linear warm-up to the base rate, then constant (Hugging Face's
 * {@code get_constant_schedule_with_warmup}):
 * {@code lr(e) = base * e / warmup} for {@code e < warmup}, else {@code base}. The first step
 * runs at rate 0, as there.
 */
public final class LinearWarmupLR extends LrScheduler {
    private final int warmupSteps;

    /** Warms {@code optimizer}'s rate up over {@code warmupSteps} steps. */
    public LinearWarmupLR(Optimizer optimizer, int warmupSteps) {
        super(optimizer.lr());
        if (warmupSteps < 0) throw new IllegalArgumentException("LinearWarmupLR: warmup steps must be >= 0, got " + warmupSteps);
        this.warmupSteps = warmupSteps;
    }

    @Override
    public double lr(int epoch) {
        return epoch < warmupSteps ? baseLr() * epoch / warmupSteps : baseLr();
    }
}
