package dev.jasg.nn.optim;

import java.util.function.IntToDoubleFunction;

/** {@code torch.optim.lr_scheduler.LambdaLR}: {@code lr(e) = base * lambda(e)}. */
public final class LambdaLR extends LrScheduler {
    private final IntToDoubleFunction lambda;

    /** Scales {@code optimizer}'s rate by {@code lambda(epoch)}. */
    public LambdaLR(Optimizer optimizer, IntToDoubleFunction lambda) {
        super(optimizer.lr());
        this.lambda = lambda;
    }

    @Override
    public double lr(int epoch) {
        return baseLr() * lambda.applyAsDouble(epoch);
    }
}
