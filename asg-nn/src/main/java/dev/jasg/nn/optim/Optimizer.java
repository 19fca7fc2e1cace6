package dev.jasg.nn.optim;

import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Init;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Shape;
import dev.jasg.core.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An optimizer as a graph: {@link #update(Graph, GradientClipping)} builds an update graph that
 * continues a gradient graph and assigns each trainable parameter its new value, so the whole
 * step (forward, gradients, update) compiles into one executable and the weights and the
 * optimizer's state never leave the backend.
 *
 * <p>Conventions shared by every optimizer:
 * <ul>
 *   <li>The learning rate is the scalar F32 input {@value #LR_INPUT}, fed each step, so a
 *       scheduler can change it without recompiling; {@link #lr()} is the initial value.</li>
 *   <li>State lives in non-trainable parameters of the same store, named
 *       {@code optim.<state>.<parameter>} ({@code optim.exp_avg.fc1.weight}), starting at zero, so a
 *       checkpoint of the store captures it.</li>
 *   <li>With a momentum schedule ({@link OneCycleLR}, {@link CyclicLR} with {@code cycle_momentum}),
 *       {@link #update(Graph, GradientClipping, boolean)} builds a graph that reads SGD's and
 *       RMSprop's {@code momentum}, or the Adam family's {@code beta1}, from the scalar F32 input
 *       {@value #MOMENTUM_INPUT}, fed each step as PyTorch's scheduler writes
 *       {@code group["momentum"]} or {@code group["betas"][0]}; otherwise it is a constant.</li>
 *   <li>{@value #STEP_STATE} counts steps: each run reads {@code t = step + 1} (the
 *       1-based number of the step being taken, PyTorch's {@code state["step"]} after its
 *       increment) and assigns it back. It is an F32 scalar, exact up to 2^24 steps.</li>
 *   <li>The gradients are taken from the gradient graph's {@code grad:<name>} outputs for every
 *       trainable parameter, clipped first when clipping is asked for.</li>
 * </ul>
 * Subclasses give the per-parameter rule in {@link #updated}.
 */
public abstract class Optimizer {
    /** Name of the fed learning-rate input. */
    public static final String LR_INPUT = "lr";
    /** Name of the fed momentum ({@code beta1}) input of an update graph built for a momentum schedule. */
    public static final String MOMENTUM_INPUT = "momentum";
    /** Scope of the update nodes, and prefix of every state parameter. */
    public static final String SCOPE = "optim";
    /** Name of the step-counter state parameter. */
    public static final String STEP_STATE = SCOPE + ".step";

    private final double lr;

    /** An optimizer whose initial learning rate is {@code lr}. */
    protected Optimizer(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be >= 0, got " + lr);
        this.lr = lr;
    }

    /** The initial learning rate (what a trainer feeds when no scheduler sets it). */
    public double lr() {
        return lr;
    }

    /** The update graph without clipping; see {@link #update(Graph, GradientClipping)}. */
    public final Graph update(Graph gradients) {
        return update(gradients, GradientClipping.none());
    }

    /**
     * Builds the update graph continuing {@code gradients}: reads input {@value #LR_INPUT},
     * clips the gradients as {@code clipping} says, increments {@value #STEP_STATE} and assigns
     * every trainable parameter that has a {@code grad:<name>} output its updated value. The
     * momentum (beta1) is the optimizer's constant.
     */
    public final Graph update(Graph gradients, GradientClipping clipping) {
        return update(gradients, clipping, false);
    }

    /**
     * True when this optimizer has the hyper-parameter a momentum schedule sets: PyTorch's
     * {@code momentum} (SGD, RMSprop) or {@code betas[0]} (Adam, AdamW, Adamax, NAdam, RAdam).
     * PyTorch's OneCycleLR and CyclicLR refuse {@code cycle_momentum} with any other optimizer.
     */
    public boolean hasMomentum() {
        return false;
    }

    /**
     * As {@link #update(Graph, GradientClipping)}; with {@code feedMomentum} the rule reads its
     * {@code momentum} or {@code beta1} from the scalar F32 input {@value #MOMENTUM_INPUT} each
     * step instead of the constant given at construction (what {@link OneCycleLR} and
     * {@link CyclicLR} with {@code cycle_momentum} need; the Trainer feeds
     * {@link LrScheduler#getLastMomentum()}). With a fed momentum the momentum branch is built
     * even when the constant is 0 (PyTorch's SGD(momentum=0) under OneCycleLR gets momentum).
     *
     * @throws IllegalArgumentException when {@code feedMomentum} and the optimizer has no
     *     momentum or beta1 ({@link #hasMomentum()} is false)
     */
    public final Graph update(Graph gradients, GradientClipping clipping, boolean feedMomentum) {
        return update(gradients, clipping, feedMomentum, false);
    }

    /**
     * As {@link #update(Graph, GradientClipping, boolean)}; with {@code lossScaled} the gradients are
     * of a loss multiplied by the {@link GradScaler}'s scale (the scalar F32 input
     * {@value GradScaler#SCALE_INPUT}, read from the chain or made here): they are divided by it
     * first (before clipping), every assignment of a step whose unscaled gradients are not all
     * finite keeps the old value (the step is skipped, its counter too), and the scalar F32 output
     * {@value GradScaler#FOUND_INF_OUTPUT} says whether it was (1) or not (0).
     */
    @SuppressWarnings("try") // the scope is entered for its effect on node scopes and state names
    public final Graph update(Graph gradients, GradientClipping clipping, boolean feedMomentum, boolean lossScaled) {
        if (feedMomentum && !hasMomentum()) {
            throw new IllegalArgumentException(this + ": has no momentum or betas[0] that a momentum schedule (cycle_momentum) could set;"
                    + " build the scheduler with cycleMomentum=false");
        }
        GraphBuilder u = new GraphBuilder(gradients);
        Map<String, Node> params = gradients.parameters();
        Map<String, Tensor> grads = new LinkedHashMap<>();
        for (var e : gradients.outputs().entrySet()) {
            if (!e.getKey().startsWith("grad:")) continue;
            Node p = params.get(e.getKey().substring("grad:".length()));
            if (p != null && p.op() instanceof Op.Parameter op && op.trainable()) grads.put(op.name(), u.tensor(e.getValue()));
        }
        if (grads.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the gradient graph has no grad:<parameter> output for a trainable parameter; outputs: "
                    + gradients.outputs().keySet());
        }
        Tensor lrIn = u.input(LR_INPUT, DType.F32);
        Tensor momentumIn = feedMomentum ? u.input(MOMENTUM_INPUT, DType.F32) : null;
        Tensor scaleIn = lossScaled ? GradScaler.scaleInput(u) : null;
        try (var scope = u.scope(SCOPE)) {
            Tensor finite = null;
            if (lossScaled) {
                grads = GradScaler.unscale(grads, scaleIn);
                finite = GradScaler.allFinite(grads);
                u.output(GradScaler.FOUND_INF_OUTPUT, Tensor.where(finite, u.scalar(0), u.scalar(1)));
            }
            Tensor clipGate = GradientClipping.finiteGate(clipping, grads);
            Tensor gate = finite == null ? clipGate : clipGate == null ? finite : Tensor.where(clipGate, finite, clipGate);
            Map<String, Tensor> clipped = clipping.apply(u, grads);
            Tensor step = u.parameter("step", Shape.scalar(), DType.F32, Init.zeros(), false);
            Tensor t = step.add(1);
            Step s = new Step(u, lrIn, t, gate, momentumIn);
            s.assign(step, t);
            for (var e : clipped.entrySet()) {
                Tensor p = u.tensor(params.get(e.getKey()).id());
                Tensor next = updated(s, e.getKey(), p, e.getValue());
                s.assign(p, next);
            }
        }
        return u.build();
    }

    /**
     * The new value of parameter {@code name} ({@code param}, gradient {@code grad}, both F32 of the
     * parameter's shape) for step {@code s}; state is read with {@link Step#state} and written with
     * {@link Step#assign}.
     */
    protected abstract Tensor updated(Step s, String name, Tensor param, Tensor grad);

    /**
     * This optimizer maximizing instead of minimizing, as PyTorch's {@code maximize=True}: every
     * gradient is negated before the rule sees it (so weight decay is added to the negated
     * gradient, as PyTorch does). The state names are this optimizer's.
     */
    public Optimizer maximize() {
        Optimizer inner = this;
        return new Optimizer(lr) {
            @Override
            public boolean hasMomentum() {
                return inner.hasMomentum();
            }

            @Override
            protected Tensor updated(Step s, String name, Tensor param, Tensor grad) {
                return inner.updated(s, name, param, grad.neg());
            }

            @Override
            public String toString() {
                String t = inner.toString();
                return t.endsWith(")") ? t.substring(0, t.length() - 1) + ", maximize=True)" : t + " (maximize)";
            }
        };
    }

    /**
     * What one optimizer step's update graph offers a rule: the builder, the fed learning rate
     * and the 1-based step number {@code t} (both F32 scalars), state parameters, and scalars
     * shared by all parameters (bias corrections), built once.
     */
    public static final class Step {
        private final GraphBuilder builder;
        private final Tensor lr;
        private final Tensor t;
        private final Map<String, Tensor> shared = new HashMap<>();
        private final Tensor gate;
        private final Tensor momentum;

        Step(GraphBuilder builder, Tensor lr, Tensor t, Tensor gate, Tensor momentum) {
            this.builder = builder;
            this.lr = lr;
            this.t = t;
            this.gate = gate;
            this.momentum = momentum;
        }

        /** A step sharing this one's builder, counter, gate and fed momentum, with its own rate and shared scalars (a parameter group's). */
        Step withLr(Tensor groupLr) {
            return new Step(builder, groupLr, t, gate, momentum);
        }

        /**
         * The fed momentum ({@value Optimizer#MOMENTUM_INPUT}, an F32 scalar) when the graph is built
         * for a momentum schedule, else null (the rule uses its constant momentum or beta1).
         */
        public Tensor fedMomentum() {
            return momentum;
        }

        /**
         * {@code x * momentum}, with the fed momentum ({@link #fedMomentum()}) in place of the constant
         * when the graph is built for a momentum schedule (SGD's and RMSprop's momentum buffer).
         */
        public Tensor timesMomentum(Tensor x, double momentum) {
            return this.momentum == null ? x.mul(momentum) : x.mul(this.momentum);
        }

        /**
         * The first moment's update {@code beta1 m + (1 - beta1) g}, as PyTorch's
         * {@code exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)}, with the fed beta1 when there is one.
         */
        public Tensor average(Tensor m, Tensor g, double beta1) {
            return momentum == null ? m.mul(beta1).add(g.mul(1 - beta1)) : m.mul(momentum).add(g.mul(momentum.rsub(1)));
        }

        /**
         * The first moment's update {@code m + (1 - beta1)(g - m)}, as PyTorch's
         * {@code exp_avg.lerp_(grad, 1 - beta1)}, with the fed beta1 when there is one.
         */
        public Tensor lerp(Tensor m, Tensor g, double beta1) {
            Tensor w = g.sub(m);
            return m.add(momentum == null ? w.mul(1 - beta1) : w.mul(momentum.rsub(1)));
        }

        /** The update graph's builder (inside the {@value Optimizer#SCOPE} scope). */
        public GraphBuilder builder() {
            return builder;
        }

        /** The fed learning rate, an F32 scalar. */
        public Tensor lr() {
            return lr;
        }

        /** The number of the step being taken, 1 on the first, an F32 scalar. */
        public Tensor t() {
            return t;
        }

        /** State {@code optim.<state>.<param>}, zeros at first, shaped like {@code param}. */
        public Tensor state(String state, String paramName, Tensor param) {
            return builder.parameter(state + "." + paramName, param.shape(), param.dtype(), Init.zeros(), false);
        }

        /** Scalar state {@code optim.<state>.<param>}, starting at {@code init} (PyTorch's per-parameter scalars such as ASGD's eta). */
        public Tensor scalarState(String state, String paramName, double init) {
            return builder.parameter(state + "." + paramName, Shape.scalar(), DType.F32, init == 0 ? Init.zeros() : new Init.Constant(init), false);
        }

        /**
         * After the run, state (or parameter) {@code target} takes {@code value} (unless the step is
         * skipped for a non-finite gradient norm, see {@link GradientClipping.Norm}).
         */
        public void assign(Tensor target, Tensor value) {
            builder.assign(target, gate == null ? value : gate.where(value, target));
        }

        /** A scalar shared by every parameter's rule, built by {@code make} the first time {@code key} is asked for. */
        public Tensor shared(String key, Supplier<Tensor> make) {
            Tensor v = shared.get(key);
            if (v == null) {
                v = make.get();
                shared.put(key, v);
            }
            return v;
        }
    }

    /** PyTorch's L2 penalty: {@code grad + weightDecay * param}, or {@code grad} itself when {@code weightDecay} is 0. */
    static Tensor withWeightDecay(Tensor grad, Tensor param, double weightDecay) {
        return weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
    }

    /**
     * {@code 1 - beta^t}, computed as {@code -expm1(t ln beta)} with {@code ln beta} taken in double on
     * the host: {@code beta} itself rounded to float would put a relative error of about
     * {@code 1e-8 t / (1 - beta^t)} into the correction (1e-5 for beta2 = 0.999 early on), where
     * PyTorch computes it in double.
     */
    static Tensor biasCorrection(Step s, double beta) {
        return s.t().mul(Math.log(beta)).expm1().neg();
    }

    static void checkNonNegative(String who, String what, double v) {
        if (!(v >= 0)) throw new IllegalArgumentException(who + ": " + what + " must be >= 0, got " + v);
    }

    static void checkBeta(String who, String what, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(who + ": " + what + " must be in [0, 1), got " + v);
    }
}
