package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.Adamax}: with {@code g} the gradient and {@code t} the 1-based step,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * m = beta1 * m + (1 - beta1) * g
 * u = max(beta2 * u, |g| + eps)
 * p = p - lr / (1 - beta1^t) * m / u
 * </pre>
 * State: {@code optim.exp_avg.<param>} and {@code optim.exp_inf.<param>}. Defaults as PyTorch:
 * lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0. With a momentum schedule beta1 is the
 * fed {@value Optimizer#MOMENTUM_INPUT} of the step, in the moment and in {@code 1 - beta1^t}.
 */
public final class Adamax extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /** Adamax with PyTorch's defaults: lr 2e-3. */
    public Adamax() {
        this(2e-3);
    }

    /** Adamax with learning rate {@code lr} and the other defaults. */
    public Adamax(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0);
    }

    /** Adamax with every option. */
    public Adamax(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr);
        checkBeta("Adamax", "beta1", beta1);
        checkBeta("Adamax", "beta2", beta2);
        checkNonNegative("Adamax", "eps", eps);
        checkNonNegative("Adamax", "weight_decay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** True: a momentum schedule sets {@code betas[0]}. */
    @Override
    public boolean hasMomentum() {
        return true;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        Tensor m = s.state("exp_avg", name, p);
        Tensor u = s.state("exp_inf", name, p);
        Tensor fed = s.fedMomentum();
        Tensor m1 = s.average(m, g, beta1);
        Tensor u1 = u.mul(beta2).maximum(g.abs().add(eps));
        s.assign(m, m1);
        s.assign(u, u1);
        Tensor clr = fed == null ? s.shared("adamax.clr." + beta1, () -> s.lr().div(biasCorrection(s, beta1)))
                : s.shared("adamax.clr.fed", () -> s.lr().div(Adam.fedBiasCorrection(s)));
        return p.sub(clr.mul(m1.div(u1)));
    }

    @Override
    public String toString() {
        return "Adamax(lr=" + Repr.of(lr()) + ", betas=(" + Repr.of(beta1) + ", " + Repr.of(beta2) + "), eps=" + Repr.of(eps)
                + ", weight_decay=" + Repr.of(weightDecay) + ")";
    }
}
