package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.OneCycleLR} (two phases, cosine annealing), stepped once per
 * batch: the rate rises from {@code max_lr / div_factor} to {@code max_lr} over the first
 * {@code pct_start * total_steps - 1} steps, then falls to
 * {@code max_lr / (div_factor * final_div_factor)} at step {@code total_steps - 1}, each phase
 * following {@code end + (start - end) (1 + cos(pi q)) / 2} with {@code q} the fraction of the
 * phase done. Defaults as PyTorch: pct_start 0.3, div_factor 25, final_div_factor 1e4. The
 * optimizer's own rate is ignored, as in PyTorch; unlike PyTorch, momentum is not cycled.
 */
public final class OneCycleLR extends LrScheduler {
    private final int totalSteps;
    private final double pctStart;
    private final double initialLr;
    private final double maxLr;
    private final double minLr;

    /** A cycle peaking at {@code maxLr} over {@code totalSteps} steps, with PyTorch's defaults. */
    public OneCycleLR(double maxLr, int totalSteps) {
        this(maxLr, totalSteps, 0.3, 25, 1e4);
    }

    /** A cycle with every option. */
    public OneCycleLR(double maxLr, int totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        super(maxLr / divFactor);
        checkPositive("OneCycleLR", "total_steps", totalSteps);
        if (!(pctStart >= 0 && pctStart <= 1)) throw new IllegalArgumentException("OneCycleLR: pct_start must be in [0, 1], got " + pctStart);
        checkPositive("OneCycleLR", "div_factor", divFactor);
        checkPositive("OneCycleLR", "final_div_factor", finalDivFactor);
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.maxLr = maxLr;
        this.initialLr = maxLr / divFactor;
        this.minLr = initialLr / finalDivFactor;
    }

    @Override
    public double lr(int step) {
        if (step > totalSteps) {
            throw new IllegalArgumentException("OneCycleLR: step " + step + " is past total_steps " + totalSteps);
        }
        // Phase ends as PyTorch computes them: float(pct_start * total_steps) - 1, then total_steps - 1.
        double end1 = pctStart * totalSteps - 1, end2 = totalSteps - 1;
        if (step <= end1) return cosine(initialLr, maxLr, end1 > 0 ? step / end1 : 1);
        return cosine(maxLr, minLr, (step - end1) / (end2 - end1));
    }

    private static double cosine(double start, double end, double q) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * q) + 1);
    }
}
