package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.AdamW}: Adam with decoupled weight decay. Each step first shrinks the
 * parameter, {@code p = p * (1 - lr * weight_decay)}, then applies the {@link Adam} update with
 * the undecayed gradient. Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
 * weight decay 0.01, no amsgrad.
 */
public final class AdamW extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;

    /** AdamW with PyTorch's defaults: lr 1e-3, weight decay 0.01. */
    public AdamW() {
        this(1e-3);
    }

    /** AdamW with learning rate {@code lr} and the default betas, eps and weight decay 0.01. */
    public AdamW(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    /** AdamW with every option. */
    public AdamW(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        super(lr);
        checkBeta("AdamW", "beta1", beta1);
        checkBeta("AdamW", "beta2", beta2);
        checkNonNegative("AdamW", "eps", eps);
        checkNonNegative("AdamW", "weight_decay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
    }

    /** True: a momentum schedule sets {@code betas[0]}. */
    @Override
    public boolean hasMomentum() {
        return true;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        // 1 - lr * weight_decay, one scalar for every parameter of the step (a kernel of its own on a device, else one per parameter)
        Tensor decayed = weightDecay != 0 ? p.mul(s.shared("adamw.decay " + weightDecay, () -> s.lr().mul(weightDecay).rsub(1))) : p;
        return Adam.adamStep(s, name, decayed, grad, beta1, beta2, eps, amsgrad);
    }

    @Override
    public String toString() {
        return "AdamW(lr=" + Repr.of(lr()) + ", betas=(" + Repr.of(beta1) + ", " + Repr.of(beta2) + "), eps=" + Repr.of(eps)
                + ", weight_decay=" + Repr.of(weightDecay) + ", amsgrad=" + Repr.of(amsgrad) + ")";
    }
}
