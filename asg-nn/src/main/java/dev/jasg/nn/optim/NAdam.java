package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.NAdam} (Adam with Nesterov momentum): with {@code g} the gradient and
 * {@code t} the 1-based step,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)),   mu_next = mu_(t+1)
 * mu_product = mu_product * mu_t                 (starts at 1)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * denom = sqrt(v / (1 - beta2^t)) + eps
 * p = p - lr (1 - mu_t) / (1 - mu_product) * g / denom - lr mu_next / (1 - mu_product mu_next) * m / denom
 * </pre>
 * State: {@code optim.exp_avg.<param>}, {@code optim.exp_avg_sq.<param>} and the scalar
 * {@code optim.mu_product.<param>}. Defaults as PyTorch: lr 2e-3, betas (0.9, 0.999), eps 1e-8,
 * weight_decay 0, momentum_decay 4e-3. This is PyTorch 2's formula; PyTorch 1.13 multiplied
 * {@code mu_t} into the last product twice (a bug fixed in 2.0). With a momentum schedule beta1 is
 * the fed {@value Optimizer#MOMENTUM_INPUT} of the step, in {@code mu_t}, {@code mu_next} and the moment.
 */
public final class NAdam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double momentumDecay;

    /** NAdam with PyTorch's defaults: lr 2e-3. */
    public NAdam() {
        this(2e-3);
    }

    /** NAdam with learning rate {@code lr} and the other defaults. */
    public NAdam(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0, 4e-3);
    }

    /** NAdam with every option. */
    public NAdam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay) {
        super(lr);
        checkBeta("NAdam", "beta1", beta1);
        checkBeta("NAdam", "beta2", beta2);
        checkNonNegative("NAdam", "eps", eps);
        checkNonNegative("NAdam", "weight_decay", weightDecay);
        checkNonNegative("NAdam", "momentum_decay", momentumDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentumDecay = momentumDecay;
    }

    /** True: a momentum schedule sets {@code betas[0]}. */
    @Override
    public boolean hasMomentum() {
        return true;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        String key = "nadam." + beta1 + "." + momentumDecay + ".";
        double ln96 = Math.log(0.96) * momentumDecay;
        // mu(t) = beta1 (1 - 0.5 e^(t md ln 0.96))
        Tensor fed = s.fedMomentum();
        Tensor mu, muNext;
        if (fed == null) {
            mu = s.shared(key + "mu", () -> s.t().mul(ln96).exp().mul(-0.5 * beta1).add(beta1));
            muNext = s.shared(key + "mu_next", () -> s.t().add(1).mul(ln96).exp().mul(-0.5 * beta1).add(beta1));
        } else {
            // mu(t) = beta1_t (1 - 0.5 e^(t md ln 0.96)) with this step's fed beta1, as PyTorch reads betas[0] each step
            mu = s.shared("nadam.fed." + momentumDecay + ".mu", () -> s.t().mul(ln96).exp().mul(-0.5).add(1).mul(fed));
            muNext = s.shared("nadam.fed." + momentumDecay + ".mu_next", () -> s.t().add(1).mul(ln96).exp().mul(-0.5).add(1).mul(fed));
        }
        Tensor bc2 = s.shared("nadam.bc2." + beta2, () -> biasCorrection(s, beta2));
        Tensor muProduct = s.scalarState("mu_product", name, 1);
        Tensor mp1 = muProduct.mul(mu);
        s.assign(muProduct, mp1);
        Tensor m = s.state("exp_avg", name, p);
        Tensor v = s.state("exp_avg_sq", name, p);
        Tensor m1 = s.lerp(m, g, beta1);
        Tensor v1 = v.mul(beta2).add(g.mul(g).mul(1 - beta2));
        s.assign(m, m1);
        s.assign(v, v1);
        Tensor denom = v1.div(bc2).sqrt().add(eps);
        Tensor c1 = s.lr().mul(mu.rsub(1)).div(mp1.rsub(1));
        Tensor c2 = s.lr().mul(muNext).div(mp1.mul(muNext).rsub(1));
        return p.sub(c1.mul(g.div(denom))).sub(c2.mul(m1.div(denom)));
    }

    @Override
    public String toString() {
        return "NAdam(lr=" + Repr.of(lr()) + ", betas=(" + Repr.of(beta1) + ", " + Repr.of(beta2) + "), eps=" + Repr.of(eps)
                + ", weight_decay=" + Repr.of(weightDecay) + ", momentum_decay=" + Repr.of(momentumDecay) + ")";
    }
}
