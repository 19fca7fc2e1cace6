package dev.jasg.nn.optim;

/** {@code torch.optim.lr_scheduler.ExponentialLR}: {@code lr(e) = base * gamma^e}. */
public final class ExponentialLR extends LrScheduler {
    private final double gamma;

    /** Decays {@code optimizer}'s rate by {@code gamma} every epoch. */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer.lr());
        this.gamma = gamma;
    }

    @Override
    public double lr(int epoch) {
        return baseLr() * Math.pow(gamma, epoch);
    }
}
