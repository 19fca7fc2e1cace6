package dev.jasg.nn.optim;

import java.util.List;

/**
 * {@code torch.optim.lr_scheduler.ChainedScheduler}: all schedules at once, their factors
 * multiplied: {@code lr(e) = base * prod_i (schedulers[i].lr(e) / schedulers[i].baseLr())}, with
 * {@code base} the first schedule's base rate. This is PyTorch's chaining for the multiplicative
 * schedules (step, multi-step, exponential, constant, linear, lambda, multiplicative,
 * polynomial); PyTorch chains the others (cosine) through their recursive forms, which differ.
 * The momentum is the last schedule's that has one.
 */
public final class ChainedScheduler extends LrScheduler {
    private final List<LrScheduler> schedulers;

    /** Chains {@code schedulers}, which step together. */
    public ChainedScheduler(List<LrScheduler> schedulers) {
        super(first(schedulers).baseLr());
        this.schedulers = List.copyOf(schedulers);
    }

    private static LrScheduler first(List<LrScheduler> schedulers) {
        if (schedulers.isEmpty()) throw new IllegalArgumentException("ChainedScheduler: no schedulers");
        return schedulers.get(0);
    }

    @Override
    public double lr(int epoch) {
        double lr = baseLr();
        for (LrScheduler s : schedulers) lr *= s.baseLr() == 0 ? 0 : s.lr(epoch) / s.baseLr();
        return lr;
    }

    @Override
    public double momentum(int epoch) {
        double m = Double.NaN;
        for (LrScheduler s : schedulers) if (!Double.isNaN(s.momentum(epoch))) m = s.momentum(epoch);
        return m;
    }
}
