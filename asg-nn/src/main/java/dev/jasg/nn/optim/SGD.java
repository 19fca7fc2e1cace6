package dev.jasg.nn.optim;

import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.SGD}: with {@code g} the gradient,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * b = g on the first step, else momentum * b + (1 - dampening) * g     (when momentum != 0)
 * g = g + momentum * b if nesterov, else b
 * p = p - lr * g
 * </pre>
 * The momentum buffer is the state {@code optim.momentum_buffer.<param>}. Defaults as PyTorch:
 * momentum 0, dampening 0, weight decay 0, no Nesterov.
 *
 * <p>With a momentum schedule ({@link Optimizer#update(dev.jasg.core.Graph, GradientClipping, boolean)})
 * the momentum is the fed {@value Optimizer#MOMENTUM_INPUT}, and the buffer is kept even with a
 * constant momentum of 0. Difference from PyTorch: a fed momentum of exactly 0 still runs
 * {@code b = 0 * b + (1 - dampening) g}, where PyTorch skips the buffer (the same unless
 * dampening is non-zero).
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /** Plain SGD with learning rate {@code lr}. */
    public SGD(double lr) {
        this(lr, 0, 0, 0, false);
    }

    /** SGD with momentum. */
    public SGD(double lr, double momentum) {
        this(lr, momentum, 0, 0, false);
    }

    /** SGD with every option; Nesterov needs a positive momentum and zero dampening, as in PyTorch. */
    public SGD(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(lr);
        checkNonNegative("SGD", "momentum", momentum);
        checkNonNegative("SGD", "weight_decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** True: a momentum schedule sets {@code momentum}. */
    @Override
    public boolean hasMomentum() {
        return true;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        Tensor fed = s.fedMomentum();
        if (momentum != 0 || fed != null) {
            Tensor buf = s.state("momentum_buffer", name, p);
            Tensor first = s.shared("first", () -> s.t().eq(1));
            Tensor next = first.where(g, s.timesMomentum(buf, momentum).add(g.mul(1 - dampening)));
            s.assign(buf, next);
            g = nesterov ? g.add(s.timesMomentum(next, momentum)) : next;
        }
        return p.sub(s.lr().mul(g));
    }

    @Override
    public String toString() {
        return "SGD(lr=" + Repr.of(lr()) + ", momentum=" + Repr.of(momentum) + ", dampening=" + Repr.of(dampening)
                + ", weight_decay=" + Repr.of(weightDecay) + ", nesterov=" + Repr.of(nesterov) + ")";
    }
}
