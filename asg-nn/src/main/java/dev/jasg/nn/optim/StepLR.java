package dev.jasg.nn.optim;

/** {@code torch.optim.lr_scheduler.StepLR}: {@code lr(e) = base * gamma^floor(e / step_size)}; gamma defaults to 0.1. */
public final class StepLR extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    /** Decays {@code optimizer}'s rate by 0.1 every {@code stepSize} epochs. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    /** Decays {@code optimizer}'s rate by {@code gamma} every {@code stepSize} epochs. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer.lr());
        checkPositive("StepLR", "step_size", stepSize);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    public double lr(int epoch) {
        return baseLr() * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }
}
