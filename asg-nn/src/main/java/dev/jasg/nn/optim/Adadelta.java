package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.Adadelta}: with {@code g} the gradient,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * v = rho * v + (1 - rho) * g^2
 * d = sqrt(u + eps) / sqrt(v + eps) * g
 * u = rho * u + (1 - rho) * d^2
 * p = p - lr * d
 * </pre>
 * State: {@code optim.square_avg.<param>} ({@code v}) and {@code optim.acc_delta.<param>}
 * ({@code u}). Defaults as PyTorch: lr 1.0, rho 0.9, eps 1e-6, weight_decay 0.
 */
public final class Adadelta extends Optimizer {
    private final double rho;
    private final double eps;
    private final double weightDecay;

    /** Adadelta with PyTorch's defaults: lr 1. */
    public Adadelta() {
        this(1.0);
    }

    /** Adadelta with learning rate {@code lr} and the other defaults. */
    public Adadelta(double lr) {
        this(lr, 0.9, 1e-6, 0);
    }

    /** Adadelta with every option. */
    public Adadelta(double lr, double rho, double eps, double weightDecay) {
        super(lr);
        if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("Adadelta: rho must be in [0, 1], got " + rho);
        checkNonNegative("Adadelta", "eps", eps);
        checkNonNegative("Adadelta", "weight_decay", weightDecay);
        this.rho = rho;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        Tensor v = s.state("square_avg", name, p);
        Tensor u = s.state("acc_delta", name, p);
        Tensor v1 = v.mul(rho).add(g.mul(g).mul(1 - rho));
        Tensor delta = u.add(eps).sqrt().div(v1.add(eps).sqrt()).mul(g);
        Tensor u1 = u.mul(rho).add(delta.mul(delta).mul(1 - rho));
        s.assign(v, v1);
        s.assign(u, u1);
        return p.sub(s.lr().mul(delta));
    }

    @Override
    public String toString() {
        return "Adadelta(lr=" + Repr.of(lr()) + ", rho=" + Repr.of(rho) + ", eps=" + Repr.of(eps) + ", weight_decay=" + Repr.of(weightDecay) + ")";
    }
}
