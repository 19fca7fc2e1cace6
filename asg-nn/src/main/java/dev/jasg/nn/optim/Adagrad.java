package dev.jasg.nn.optim;

import dev.jasg.core.Init;
import dev.jasg.core.Tensor;
import dev.jasg.nn.Repr;

/**
 * {@code torch.optim.Adagrad}: with {@code g} the gradient and {@code t} the 1-based step,
 * <pre>
 * g = g + weight_decay * p                       (when weight_decay != 0)
 * clr = lr / (1 + (t - 1) * lr_decay)
 * sum = sum + g^2
 * p = p - clr * g / (sqrt(sum) + eps)
 * </pre>
 * State: {@code optim.sum.<param>}, starting at {@code initial_accumulator_value}. Defaults as
 * PyTorch: lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10.
 */
public final class Adagrad extends Optimizer {
    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulator;
    private final double eps;

    /** Adagrad with PyTorch's defaults: lr 0.01. */
    public Adagrad() {
        this(0.01);
    }

    /** Adagrad with learning rate {@code lr} and the other defaults. */
    public Adagrad(double lr) {
        this(lr, 0, 0, 0, 1e-10);
    }

    /** Adagrad with every option. */
    public Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        super(lr);
        checkNonNegative("Adagrad", "lr_decay", lrDecay);
        checkNonNegative("Adagrad", "weight_decay", weightDecay);
        checkNonNegative("Adagrad", "initial_accumulator_value", initialAccumulatorValue);
        checkNonNegative("Adagrad", "eps", eps);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulator = initialAccumulatorValue;
        this.eps = eps;
    }

    @Override
    protected Tensor updated(Step s, String name, Tensor p, Tensor grad) {
        Tensor g = withWeightDecay(grad, p, weightDecay);
        Tensor sum = s.builder().parameter("sum." + name, p.shape(), p.dtype(),
                initialAccumulator == 0 ? Init.zeros() : new Init.Constant(initialAccumulator), false);
        Tensor sum1 = sum.add(g.mul(g));
        s.assign(sum, sum1);
        Tensor clr = lrDecay == 0 ? s.lr() : s.shared("adagrad.clr." + lrDecay, () -> s.lr().div(s.t().sub(1).mul(lrDecay).add(1)));
        return p.sub(clr.mul(g.div(sum1.sqrt().add(eps))));
    }

    @Override
    public String toString() {
        return "Adagrad(lr=" + Repr.of(lr()) + ", lr_decay=" + Repr.of(lrDecay) + ", weight_decay=" + Repr.of(weightDecay)
                + ", initial_accumulator_value=" + Repr.of(initialAccumulator) + ", eps=" + Repr.of(eps) + ")";
    }
}
