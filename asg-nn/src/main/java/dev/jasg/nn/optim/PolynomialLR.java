package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.PolynomialLR}:
 * {@code lr(e) = base * (1 - min(e, total_iters) / total_iters)^power}. Defaults as PyTorch:
 * total_iters 5, power 1.
 */
public final class PolynomialLR extends LrScheduler {
    private final int totalIters;
    private final double power;

    /** PyTorch's defaults: linear decay to 0 over 5 epochs. */
    public PolynomialLR(Optimizer optimizer) {
        this(optimizer, 5, 1.0);
    }

    /** Polynomial decay of degree {@code power} to 0 over {@code totalIters} epochs. */
    public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
        super(optimizer.lr());
        checkPositive("PolynomialLR", "total_iters", totalIters);
        this.totalIters = totalIters;
        this.power = power;
    }

    @Override
    public double lr(int epoch) {
        return baseLr() * Math.pow(1 - (double) Math.min(epoch, totalIters) / totalIters, power);
    }
}
