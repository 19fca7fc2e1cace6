package dev.jasg.nn.optim;

import java.util.Arrays;

/**
 * {@code torch.optim.lr_scheduler.MultiStepLR}: {@code lr(e) = base * gamma^k} with {@code k} the
 * number of milestones {@code <= e} (a milestone listed twice counts twice, as PyTorch's Counter);
 * gamma defaults to 0.1.
 */
public final class MultiStepLR extends LrScheduler {
    private final int[] milestones;
    private final double gamma;

    /** Decays {@code optimizer}'s rate by 0.1 at each milestone epoch. */
    public MultiStepLR(Optimizer optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    /** Decays {@code optimizer}'s rate by {@code gamma} at each milestone epoch. */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer.lr());
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
    }

    @Override
    public double lr(int epoch) {
        int k = 0;
        for (int m : milestones) if (m <= epoch) k++;
        return baseLr() * Math.pow(gamma, k);
    }
}
