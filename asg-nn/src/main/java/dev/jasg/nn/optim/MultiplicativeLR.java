package dev.jasg.nn.optim;

import java.util.function.IntToDoubleFunction;

/**
 * {@code torch.optim.lr_scheduler.MultiplicativeLR}: each step multiplies the rate by
 * {@code lambda(epoch)}, so {@code lr(e) = base * lambda(1) * ... * lambda(e)}.
 */
public final class MultiplicativeLR extends LrScheduler {
    private final IntToDoubleFunction lambda;

    /** Multiplies {@code optimizer}'s rate by {@code lambda(epoch)} at every step. */
    public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lambda) {
        super(optimizer.lr());
        this.lambda = lambda;
    }

    @Override
    public double lr(int epoch) {
        double lr = baseLr();
        for (int e = 1; e <= epoch; e++) lr *= lambda.applyAsDouble(e);
        return lr;
    }
}
