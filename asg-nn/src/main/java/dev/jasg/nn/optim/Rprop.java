package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.Rprop}: with {@code g} the gradient and {@code prev} the previous step's
 * (kept) gradient, per element
 * <pre>
 * f = eta_plus where g prev > 0, eta_minus where g prev < 0, 1 elsewhere
 * step = clamp(step * f, step_min, step_max)     (step starts at lr)
 * g = 0 where g prev < 0
 * p = p - sign(g) * step;   prev = g
 * </pre>
 * State: {@code optim.prev.<param>} and {@code optim.step_size.<param>}. Defaults as PyTorch:
 * lr 0.01, etas (0.5, 1.2), step_sizes (1e-6, 50). As in PyTorch the learning rate is read only
 * on the first step (it seeds the step sizes), so a scheduler has no effect afterwards.
 */
public final class Rprop extends Optimizer {
    private final double etaMinus;
    private final double etaPlus;
    private final double stepMin;
    private final double stepMax;

    /** Rprop with PyTorch's defaults: lr 0.01. */
    public Rprop() {
        this(0.01);
    }

    /** Rprop with learning rate {@code lr} and the other defaults. */
    public Rprop(double lr) {
        this(lr, 0.5, 1.2, 1e-6, 50);
    }

    /** Rprop with every option: {@code etas = (etaMinus, etaPlus)}, {@code step_sizes = (stepMin, stepMax)}. */
    public Rprop(double lr, double etaMinus, double etaPlus, double stepMin, double stepMax) {
        super(lr);
        if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1)) {
            throw new IllegalArgumentException("Rprop: etas must satisfy 0 < eta_minus < 1 < eta_plus, got (" + etaMinus + ", " + etaPlus + ")");
        }
        if (!(stepMin >= 0 && stepMax >= stepMin)) {
            throw new IllegalArgumentException("Rprop: step_sizes must satisfy 0 <= min <= max, got (" + stepMin + ", " + stepMax + ")");
        }
        this.etaMinus = etaMinus;
        this.etaPlus = etaPlus;
        this.stepMin = stepMin;
        this.stepMax = stepMax;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor g) {
        Tensor prev = s.state("prev", name, p);
        Tensor stepSize = s.state("step_size", name, p);
        Tensor first = s.shared("first", () -> s.t().eq(1));
        Tensor product = g.mul(prev);
        Tensor up = product.gt(0), down = product.lt(0);
        Tensor factor = up.where(g.scalarLike(etaPlus), down.where(g.scalarLike(etaMinus), g.scalarLike(1)));
        Tensor step0 = first.where(s.lr().broadcastTo(p.shape()), stepSize);
        Tensor step1 = step0.mul(factor).clamp(stepMin, stepMax);
        Tensor kept = down.where(g.scalarLike(0), g);
        s.assign(stepSize, step1);
        s.assign(prev, kept);
        return p.sub(kept.sign().mul(step1));
    }

    @Override
    public String toString() {
        return "Rprop(lr=" + Repr.of(lr()) + ", etas=(" + Repr.of(etaMinus) + ", " + Repr.of(etaPlus) + "), step_sizes=("
                + Repr.of(stepMin) + ", " + Repr.of(stepMax) + "))";
    }
}
