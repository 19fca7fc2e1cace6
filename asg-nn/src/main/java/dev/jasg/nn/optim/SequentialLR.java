package dev.jasg.nn.optim;

import java.util.List;

/**
 * {@code torch.optim.lr_scheduler.SequentialLR}: schedule {@code i} runs from milestone
 * {@code i - 1} (0 for the first) and restarts its own epoch count there:
 * {@code lr(e) = schedulers[i].lr(e - milestones[i - 1])}, {@code i} the number of milestones
 * {@code <= e}. The schedules' own epochs are not advanced; only this one's counts.
 */
public final class SequentialLR extends LrScheduler {
    private final List<LrScheduler> schedulers;
    private final int[] milestones;

    /** {@code schedulers} in turn, switching at {@code milestones} (one fewer than schedules, increasing). */
    public SequentialLR(Optimizer optimizer, List<LrScheduler> schedulers, int[] milestones) {
        super(optimizer.lr());
        if (schedulers.isEmpty()) throw new IllegalArgumentException("SequentialLR: no schedulers");
        if (milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("SequentialLR: expected " + (schedulers.size() - 1) + " milestones for " + schedulers.size()
                    + " schedulers, got " + milestones.length);
        }
        for (int i = 1; i < milestones.length; i++) {
            if (milestones[i] <= milestones[i - 1]) throw new IllegalArgumentException("SequentialLR: milestones must increase, got " + java.util.Arrays.toString(milestones));
        }
        this.schedulers = List.copyOf(schedulers);
        this.milestones = milestones.clone();
    }

    private int index(int epoch) {
        int i = 0;
        while (i < milestones.length && milestones[i] <= epoch) i++;
        return i;
    }

    @Override
    public double lr(int epoch) {
        int i = index(epoch);
        return schedulers.get(i).lr(i == 0 ? epoch : epoch - milestones[i - 1]);
    }

    @Override
    public double momentum(int epoch) {
        int i = index(epoch);
        return schedulers.get(i).momentum(i == 0 ? epoch : epoch - milestones[i - 1]);
    }
}
