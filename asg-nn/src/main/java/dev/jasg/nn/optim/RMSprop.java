package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.RMSprop}: with {@code g} the gradient,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * v = alpha * v + (1 - alpha) * g^2
 * a = sqrt(v - ga^2) + eps with ga = alpha * ga + (1 - alpha) * g     (centered)
 * a = sqrt(v) + eps                                                   (otherwise)
 * b = momentum * b + g / a;  p = p - lr * b      (momentum > 0)
 * p = p - lr * g / a                             (otherwise)
 * </pre>
 * State: {@code optim.square_avg.<param>}, {@code optim.grad_avg.<param>} (centered) and
 * {@code optim.momentum_buffer.<param>} (momentum), all starting at zero. Defaults as PyTorch:
 * lr 0.01, alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. With a momentum
 * schedule the momentum is the fed {@value Optimizer#MOMENTUM_INPUT} (a fed 0 gives the
 * momentum-free update).
 */
public final class RMSprop extends Optimizer {
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    /** RMSprop with PyTorch's defaults: lr 0.01. */
    public RMSprop() {
        this(0.01);
    }

    /** RMSprop with learning rate {@code lr} and the other defaults. */
    public RMSprop(double lr) {
        this(lr, 0.99, 1e-8, 0, 0, false);
    }

    /** RMSprop with every option. */
    public RMSprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(lr);
        checkNonNegative("RMSprop", "alpha", alpha);
        checkNonNegative("RMSprop", "eps", eps);
        checkNonNegative("RMSprop", "weight_decay", weightDecay);
        checkNonNegative("RMSprop", "momentum", momentum);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    /** True: a momentum schedule sets {@code momentum}. */
    @Override
    public boolean hasMomentum() {
        return true;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        Tensor v = s.state("square_avg", name, p);
        Tensor v1 = v.mul(alpha).add(g.mul(g).mul(1 - alpha));
        s.assign(v, v1);
        Tensor avg;
        if (centered) {
            Tensor ga = s.state("grad_avg", name, p);
            Tensor ga1 = ga.add(g.sub(ga).mul(1 - alpha));
            s.assign(ga, ga1);
            avg = v1.sub(ga1.mul(ga1)).sqrt().add(eps);
        } else {
            avg = v1.sqrt().add(eps);
        }
        Tensor fed = s.fedMomentum();
        if (momentum > 0 || fed != null) {
            Tensor buf = s.state("momentum_buffer", name, p);
            Tensor buf1 = s.timesMomentum(buf, momentum).add(g.div(avg));
            s.assign(buf, buf1);
            return p.sub(s.lr().mul(buf1));
        }
        return p.sub(s.lr().mul(g.div(avg)));
    }

    @Override
    public String toString() {
        return "RMSprop(lr=" + Repr.of(lr()) + ", alpha=" + Repr.of(alpha) + ", eps=" + Repr.of(eps) + ", weight_decay=" + Repr.of(weightDecay)
                + ", momentum=" + Repr.of(momentum) + ", centered=" + Repr.of(centered) + ")";
    }
}
