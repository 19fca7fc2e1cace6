package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.RAdam} (rectified Adam): with {@code g} the gradient and {@code t} the 1-based step,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g^2
 * rho_inf = 2 / (1 - beta2) - 1;     rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
 * rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
 * p = p - lr m / (1 - beta1^t) * rect * sqrt(1 - beta2^t) / (sqrt(v) + eps)     (rho_t > 5)
 * p = p - lr m / (1 - beta1^t)                                                 (otherwise)
 * </pre>
 * State: {@code optim.exp_avg.<param>} and {@code optim.exp_avg_sq.<param>}. Defaults as
 * PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0. {@code rho_t} is computed in
 * float on the device, so close to the threshold 5 the branch can differ from PyTorch's double.
 * With a momentum schedule beta1 is the fed {@value Optimizer#MOMENTUM_INPUT} of the step, in the
 * moment and in {@code 1 - beta1^t}.
 */
public final class RAdam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /** RAdam with PyTorch's defaults: lr 1e-3. */
    public RAdam() {
        this(1e-3);
    }

    /** RAdam with learning rate {@code lr} and the other defaults. */
    public RAdam(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0);
    }

    /** RAdam with every option. */
    public RAdam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr);
        checkBeta("RAdam", "beta1", beta1);
        checkBeta("RAdam", "beta2", beta2);
        checkNonNegative("RAdam", "eps", eps);
        checkNonNegative("RAdam", "weight_decay", weightDecay);
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
        Tensor v = s.state("exp_avg_sq", name, p);
        Tensor fed = s.fedMomentum();
        Tensor m1 = s.average(m, g, beta1);
        Tensor v1 = v.mul(beta2).add(g.mul(g).mul(1 - beta2));
        s.assign(m, m1);
        s.assign(v, v1);
        String key = "radam." + beta1 + "." + beta2 + ".";
        double rhoInf = 2 / (1 - beta2) - 1;
        Tensor bc1 = fed == null ? s.shared(key + "bc1", () -> biasCorrection(s, beta1))
                : s.shared("radam.bc1.fed", () -> Adam.fedBiasCorrection(s));
        Tensor bc2 = s.shared(key + "bc2", () -> biasCorrection(s, beta2));
        Tensor rhoT = s.shared(key + "rho_t", () -> s.t().mul(2).mul(s.t().mul(Math.log(beta2)).exp()).div(bc2).rsub(rhoInf));
        Tensor rectified = s.shared(key + "rectified", () -> rhoT.gt(5));
        Tensor rect = s.shared(key + "rect", () -> {
            Tensor r = rhoT.maximum(rhoT.scalarLike(5)); // the sqrt's argument stays positive where unused
            return r.sub(4).mul(r.sub(2)).mul(rhoInf / ((rhoInf - 4) * (rhoInf - 2))).div(r).sqrt().mul(bc2.sqrt());
        });
        Tensor stepSize = s.shared(key + "step", () -> s.lr().div(bc1));
        Tensor adaptive = rectified.where(rect.div(v1.sqrt().add(eps)), m1.scalarLike(1));
        return p.sub(stepSize.mul(m1).mul(adaptive));
    }

    @Override
    public String toString() {
        return "RAdam(lr=" + Repr.of(lr()) + ", betas=(" + Repr.of(beta1) + ", " + Repr.of(beta2) + "), eps=" + Repr.of(eps)
                + ", weight_decay=" + Repr.of(weightDecay) + ")";
    }
}
