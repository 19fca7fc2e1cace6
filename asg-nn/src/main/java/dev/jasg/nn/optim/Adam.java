package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.Adam}: with {@code g} the gradient and {@code t} the 1-based step,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * v_max = max(v_max, v)                          (amsgrad; v_max replaces v below)
 * denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 * p = p - lr / (1 - beta1^t) * m / denom
 * </pre>
 * State: {@code optim.exp_avg.<param>}, {@code optim.exp_avg_sq.<param>} and, with amsgrad,
 * {@code optim.max_exp_avg_sq.<param>}. Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999),
 * eps 1e-8, no weight decay, no amsgrad. {@link AdamW} decouples the weight decay instead.
 *
 * <p>With a momentum schedule beta1 is the fed {@value Optimizer#MOMENTUM_INPUT} of the step,
 * in the moment update and in the bias correction {@code 1 - beta1^t}, as PyTorch uses the
 * current {@code betas[0]}.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;

    /** Adam with PyTorch's defaults: lr 1e-3. */
    public Adam() {
        this(1e-3);
    }

    /** Adam with learning rate {@code lr} and the default betas and eps. */
    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** Adam with every option. */
    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        super(lr);
        checkBeta("Adam", "beta1", beta1);
        checkBeta("Adam", "beta2", beta2);
        checkNonNegative("Adam", "eps", eps);
        checkNonNegative("Adam", "weight_decay", weightDecay);
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
        Tensor g = withWeightDecay(grad, p, weightDecay);
        return adamStep(s, name, p, g, beta1, beta2, eps, amsgrad);
    }

    /** The Adam update of {@code p} with the (already decayed) gradient {@code g}; shared with {@link AdamW}. */
    static Tensor adamStep(Step s, String name, Tensor p, Tensor g, double beta1, double beta2, double eps, boolean amsgrad) {
        Tensor m = s.state("exp_avg", name, p);
        Tensor v = s.state("exp_avg_sq", name, p);
        // m.lerp_(g, 1 - beta1) and v.mul_(beta2).addcmul_(g, g, 1 - beta2), as PyTorch writes them.
        Tensor fed = s.fedMomentum();
        Tensor m1 = s.lerp(m, g, beta1);
        Tensor v1 = v.mul(beta2).add(g.mul(g).mul(1 - beta2));
        s.assign(m, m1);
        s.assign(v, v1);
        Tensor stepSize = s.shared("adam.step_size", () -> s.lr().div(fed == null ? biasCorrection(s, beta1) : fedBiasCorrection(s)));
        Tensor bc2Sqrt = s.shared("adam.bc2_sqrt", () -> biasCorrection(s, beta2).sqrt());
        Tensor second = v1;
        if (amsgrad) {
            Tensor vmax = s.state("max_exp_avg_sq", name, p);
            second = vmax.maximum(v1);
            s.assign(vmax, second);
        }
        Tensor denom = second.sqrt().div(bc2Sqrt).add(eps);
        return p.sub(stepSize.mul(m1.div(denom)));
    }

    /**
     * {@code 1 - beta1^t} with the fed beta1 of this step, as PyTorch computes it with the current
     * {@code group["betas"][0]} (not a product of past betas): {@code -expm1(t ln beta1)} in float,
     * so beta1's rounding to float puts a relative error of about {@code 6e-8 t / (1 - beta1^t)}
     * into it (1e-6 on the first steps at beta1 = 0.95).
     */
    static Tensor fedBiasCorrection(Step s) {
        return s.t().mul(s.fedMomentum().log()).expm1().neg();
    }

    @Override
    public String toString() {
        return "Adam(lr=" + Repr.of(lr()) + ", betas=(" + Repr.of(beta1) + ", " + Repr.of(beta2) + "), eps=" + Repr.of(eps)
                + ", weight_decay=" + Repr.of(weightDecay) + ", amsgrad=" + Repr.of(amsgrad) + ")";
    }
}
