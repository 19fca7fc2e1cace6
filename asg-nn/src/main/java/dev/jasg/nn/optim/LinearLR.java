package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.LinearLR}:
 * {@code lr(e) = base * (start + (end - start) * min(e, total_iters) / total_iters)}. Defaults as
 * PyTorch: start_factor 1/3, end_factor 1, total_iters 5.
 */
public final class LinearLR extends LrScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /** PyTorch's defaults: from a third of {@code optimizer}'s rate to all of it over 5 epochs. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    /** A linear ramp of the factor from {@code startFactor} to {@code endFactor} over {@code totalIters} epochs. */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer.lr());
        if (!(startFactor > 0 && startFactor <= 1)) throw new IllegalArgumentException("LinearLR: start_factor must be in (0, 1], got " + startFactor);
        if (!(endFactor >= 0 && endFactor <= 1)) throw new IllegalArgumentException("LinearLR: end_factor must be in [0, 1], got " + endFactor);
        checkPositive("LinearLR", "total_iters", totalIters);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
    }

    @Override
    public double lr(int epoch) {
        return baseLr() * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }
}
