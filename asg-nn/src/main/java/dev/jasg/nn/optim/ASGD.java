package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.ASGD} (averaged SGD): with {@code g} the gradient and {@code t} the 1-based step,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * p = p * (1 - lambd * eta) - eta * g            (eta = lr on the first step)
 * ax = ax + mu * (p - ax)                        (mu = 1 / max(1, t - 1 - t0))
 * eta = lr / (1 + lambd * lr * t)^alpha          (for the next step)
 * </pre>
 * State: {@code optim.ax.<param>} (the average, PyTorch's {@code state["ax"]}) and the scalar
 * {@code optim.eta.<param>}. Defaults as PyTorch: lr 0.01, lambd 1e-4, alpha 0.75, t0 1e6,
 * weight_decay 0.
 */
public final class ASGD extends Optimizer {
    private final double lambd;
    private final double alpha;
    private final double t0;
    private final double weightDecay;

    /** ASGD with PyTorch's defaults: lr 0.01. */
    public ASGD() {
        this(0.01);
    }

    /** ASGD with learning rate {@code lr} and the other defaults. */
    public ASGD(double lr) {
        this(lr, 1e-4, 0.75, 1e6, 0);
    }

    /** ASGD with every option. */
    public ASGD(double lr, double lambd, double alpha, double t0, double weightDecay) {
        super(lr);
        checkNonNegative("ASGD", "lambd", lambd);
        checkNonNegative("ASGD", "t0", t0);
        checkNonNegative("ASGD", "weight_decay", weightDecay);
        this.lambd = lambd;
        this.alpha = alpha;
        this.t0 = t0;
        this.weightDecay = weightDecay;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        Tensor etaState = s.scalarState("eta", name, 0);
        Tensor first = s.shared("first", () -> s.t().eq(1));
        Tensor eta = first.where(s.lr(), etaState);
        Tensor p1 = p.mul(eta.mul(lambd).rsub(1)).sub(eta.mul(g));
        Tensor ax = s.state("ax", name, p);
        Tensor mu = s.shared("asgd.mu." + t0, () -> s.t().sub(1 + t0).clampMin(1).reciprocal());
        s.assign(ax, ax.add(p1.sub(ax).mul(mu)));
        Tensor next = s.shared("asgd.eta." + lambd + "." + alpha, () -> s.lr().div(s.lr().mul(s.t()).mul(lambd).add(1).pow(alpha)));
        s.assign(etaState, next);
        return p1;
    }

    @Override
    public String toString() {
        return "ASGD(lr=" + Repr.of(lr()) + ", lambd=" + Repr.of(lambd) + ", alpha=" + Repr.of(alpha) + ", t0=" + Repr.of(t0)
                + ", weight_decay=" + Repr.of(weightDecay) + ")";
    }
}
