package dev.jasg.nn.optim;

/**
 * {@code torch.optim.lr_scheduler.OneCycleLR}, stepped once per batch. Two phases: the rate rises
 * from {@code initial = max_lr / div_factor} to {@code max_lr} until step
 * {@code pct_start * total_steps - 1}, then falls to {@code min = initial / final_div_factor} at
 * step {@code total_steps - 1}. With {@code three_phase}: up to {@code max_lr} until
 * {@code pct_start * total_steps - 1}, back to {@code initial} until
 * {@code 2 pct_start * total_steps - 2}, then down to {@code min}. Each phase anneals
 * {@code start -> end} over the fraction {@code q} of it done, by cosine
 * ({@code end + (start - end)(1 + cos(pi q)) / 2}) or linearly ({@code start + (end - start) q}).
 *
 * <p>With {@code cycle_momentum} (on by default, as PyTorch) {@link #momentum(int)} runs the
 * other way, between {@code max_momentum} and {@code base_momentum} (0.95 and 0.85 by default):
 * PyTorch writes it into SGD's momentum or Adam's beta1, and so does the
 * {@link dev.jasg.nn.train.Trainer}: it feeds {@link #getLastMomentum()} as the update graph's
 * {@value Optimizer#MOMENTUM_INPUT} input (see {@link Optimizer#update(dev.jasg.core.Graph, GradientClipping, boolean)});
 * an optimizer without a momentum or beta1 is refused, as PyTorch refuses it. Defaults as PyTorch: pct_start 0.3, cosine, div_factor 25,
 * final_div_factor 1e4, not three-phase. The optimizer's own rate is ignored, as in PyTorch.
 */
public final class OneCycleLR extends LrScheduler {
    /** PyTorch's {@code anneal_strategy}. */
    public enum Anneal { COS, LINEAR }

    private final int totalSteps;
    private final double[] ends;
    private final double[] lrs;
    private final double[] momenta;
    private final Anneal anneal;
    private final boolean cycleMomentum;

    /** A cycle peaking at {@code maxLr} over {@code totalSteps} steps, with PyTorch's defaults. */
    public OneCycleLR(double maxLr, int totalSteps) {
        this(maxLr, totalSteps, 0.3, 25, 1e4);
    }

    /** A two-phase cosine cycle with momentum cycled 0.95 to 0.85 and back. */
    public OneCycleLR(double maxLr, int totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        this(maxLr, totalSteps, pctStart, Anneal.COS, true, 0.85, 0.95, divFactor, finalDivFactor, false);
    }

    /** A cycle with every option, in PyTorch's order. */
    public OneCycleLR(double maxLr, int totalSteps, double pctStart, Anneal anneal, boolean cycleMomentum, double baseMomentum,
                      double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase) {
        super(maxLr / divFactor);
        checkPositive("OneCycleLR", "total_steps", totalSteps);
        if (!(pctStart >= 0 && pctStart <= 1)) throw new IllegalArgumentException("OneCycleLR: pct_start must be in [0, 1], got " + pctStart);
        checkPositive("OneCycleLR", "div_factor", divFactor);
        checkPositive("OneCycleLR", "final_div_factor", finalDivFactor);
        if (anneal == null) throw new IllegalArgumentException("OneCycleLR: anneal_strategy is null");
        this.totalSteps = totalSteps;
        this.anneal = anneal;
        this.cycleMomentum = cycleMomentum;
        double initial = maxLr / divFactor, min = initial / finalDivFactor;
        // Phase ends as PyTorch computes them: float(pct_start * total_steps) - 1, ...; lrs/momenta hold each phase's start then end.
        if (threePhase) {
            ends = new double[] {pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1};
            lrs = new double[] {initial, maxLr, maxLr, initial, initial, min};
            momenta = new double[] {maxMomentum, baseMomentum, baseMomentum, maxMomentum, maxMomentum, maxMomentum};
        } else {
            ends = new double[] {pctStart * totalSteps - 1, totalSteps - 1};
            lrs = new double[] {initial, maxLr, maxLr, min};
            momenta = new double[] {maxMomentum, baseMomentum, baseMomentum, maxMomentum};
        }
    }

    private double at(int step, double[] values) {
        if (step > totalSteps) throw new IllegalArgumentException("OneCycleLR: step " + step + " is past total_steps " + totalSteps);
        double start = 0;
        for (int i = 0; i < ends.length; i++) {
            if (step <= ends[i] || i == ends.length - 1) {
                double q = ends[i] - start != 0 ? (step - start) / (ends[i] - start) : 1;
                double a = values[2 * i], b = values[2 * i + 1];
                return anneal == Anneal.COS ? b + (a - b) / 2 * (Math.cos(Math.PI * q) + 1) : (b - a) * q + a;
            }
            start = ends[i];
        }
        throw new AssertionError();
    }

    @Override
    public double lr(int step) {
        return at(step, lrs);
    }

    @Override
    public double momentum(int step) {
        return cycleMomentum ? at(step, momenta) : Double.NaN;
    }
}
