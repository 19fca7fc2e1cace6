package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.ConstantLR}: {@code lr(e) = base * factor} for
 * {@code e < total_iters}, then {@code base}. Defaults as PyTorch: factor 1/3, total_iters 5.
 */
public final class ConstantLR extends LrScheduler {
    private final double factor;
    private final int totalIters;

    /** PyTorch's defaults: a third of {@code optimizer}'s rate for 5 epochs. */
    public ConstantLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 5);
    }

    /** {@code factor} times {@code optimizer}'s rate for the first {@code totalIters} epochs. */
    public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
        super(optimizer.lr());
        if (!(factor >= 0 && factor <= 1)) throw new IllegalArgumentException("ConstantLR: factor must be in [0, 1], got " + factor);
        if (totalIters < 0) throw new IllegalArgumentException("ConstantLR: total_iters must be >= 0, got " + totalIters);
        this.factor = factor;
        this.totalIters = totalIters;
    }

    @Override
    public double lr(int epoch) {
        return epoch >= totalIters ? baseLr() : baseLr() * factor;
    }
}
