package dev.jasg.nn.optim;

import dev.jasg.core.DType;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Node;
import dev.jasg.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for F16 mixed precision, as PyTorch's {@code torch.cuda.amp.GradScaler}:
 * the loss is multiplied by a scale {@code S} before the gradients are taken, so small gradients
 * survive the F16 products of the backward pass; the optimizer sees them divided by {@code S}
 * again (unscaled, before clipping), and a step whose unscaled gradients hold an infinity or a
 * NaN is skipped: no parameter and no optimizer state changes (the step counter included).
 * After each step {@link #update} halves the scale (by {@code backoffFactor}) when the step
 * overflowed and multiplies it by {@code growthFactor} after {@code growthInterval} good steps
 * in a row. Defaults are PyTorch's: {@code S = 2^16}, growth 2, backoff 0.5, interval 2000.
 *
 * <p>In the graphs: the forward graph reads {@code S} from the scalar F32 input
 * {@value #SCALE_INPUT} ({@link #scaledLoss}); {@link Optimizer#update(dev.jasg.core.Graph,
 * GradientClipping, boolean, boolean)} with loss scaling reads the same input, unscales, gates
 * every assignment on "all gradients finite" and declares the scalar output
 * {@value #FOUND_INF_OUTPUT} (1 when the step was skipped). The {@code Trainer} feeds the scale
 * and calls {@link #update} with that output; a loop of one's own does the same.
 *
 * <p>Not thread-safe: one trainer (or loop) owns it and calls it under its own lock.
 */
public final class GradScaler {
    /** Name of the fed loss-scale input (an F32 scalar). */
    public static final String SCALE_INPUT = "loss_scale";
    /** Name of the update graph's output that is 1 when the step found a non-finite gradient and was skipped, else 0. */
    public static final String FOUND_INF_OUTPUT = "found_inf";

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private double scale;
    private int growthTracker;
    private long skipped;

    /** PyTorch's defaults: initial scale 2^16, growth factor 2, backoff factor 0.5, growth interval 2000. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    /**
     * A scaler starting at {@code initScale} that multiplies it by {@code growthFactor} (> 1) after
     * {@code growthInterval} (>= 1) steps without overflow and by {@code backoffFactor} (in (0, 1))
     * after a step with one.
     */
    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(initScale > 0) || Double.isInfinite(initScale)) throw new IllegalArgumentException("GradScaler: initScale must be finite and > 0, got " + initScale);
        if (!(growthFactor > 1)) throw new IllegalArgumentException("GradScaler: growthFactor must be > 1, got " + growthFactor);
        if (!(backoffFactor > 0 && backoffFactor < 1)) throw new IllegalArgumentException("GradScaler: backoffFactor must be in (0, 1), got " + backoffFactor);
        if (growthInterval < 1) throw new IllegalArgumentException("GradScaler: growthInterval must be >= 1, got " + growthInterval);
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** The current scale {@code S} ({@code scaler.get_scale()}). */
    public double scale() {
        return scale;
    }

    /** Good steps since the scale last changed ({@code _growth_tracker}). */
    public int growthTracker() {
        return growthTracker;
    }

    /** Steps skipped because of an overflow since this scaler was made. */
    public long skippedSteps() {
        return skipped;
    }

    /**
     * After a step ({@code scaler.update()}): with {@code foundInf} the scale is multiplied by the
     * backoff factor and the tracker reset; otherwise the tracker counts the good step and, on
     * reaching the growth interval, the scale grows (if the grown scale is finite) and the tracker resets.
     */
    public void update(boolean foundInf) {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
            skipped++;
            return;
        }
        if (++growthTracker == growthInterval) {
            double grown = scale * growthFactor;
            if (Double.isFinite(grown)) scale = grown;
            growthTracker = 0;
        }
    }

    /** {@code loss * S} with {@code S} read from the scalar F32 input {@value #SCALE_INPUT} of {@code g} (made here if absent). */
    public static Tensor scaledLoss(GraphBuilder g, Tensor loss) {
        return loss.mul(scaleInput(g).cast(loss.dtype()));
    }

    /** The {@value #SCALE_INPUT} input of {@code g}'s chain, or a new one. */
    static Tensor scaleInput(GraphBuilder g) {
        Node parentInput = g.parent() == null ? null : g.parent().inputs().get(SCALE_INPUT);
        return parentInput != null ? g.tensor(parentInput.id()) : g.input(SCALE_INPUT, DType.F32);
    }

    /** Each gradient times {@code 1/S}, in the order of {@code grads}. */
    static Map<String, Tensor> unscale(Map<String, Tensor> grads, Tensor scale) {
        Tensor inv = scale.reciprocal();
        Map<String, Tensor> out = new LinkedHashMap<>();
        grads.forEach((k, g) -> out.put(k, g.mul(inv.cast(g.dtype()))));
        return out;
    }

    /** The BOOL scalar "every element of every gradient is finite": {@code sum(g * 0)} is 0 then and NaN otherwise. */
    static Tensor allFinite(Map<String, Tensor> grads) {
        Tensor acc = null;
        for (Tensor g : grads.values()) {
            Tensor part = g.mul(0).sum().cast(DType.F32);
            acc = acc == null ? part : acc.add(part);
        }
        return acc.eq(0);
    }

    /** The state a checkpoint keeps ({@code scaler.state_dict()}): scale, growth tracker. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("growth_tracker", growthTracker);
        return m;
    }

    /** Restores what {@link #state()} wrote. */
    public void load(Map<String, Object> state) {
        if (state.get("scale") instanceof Number n) scale = n.doubleValue();
        if (state.get("growth_tracker") instanceof Number n) growthTracker = n.intValue();
    }

    @Override
    public String toString() {
        return "GradScaler(scale=" + scale + ", growth_factor=" + growthFactor + ", backoff_factor=" + backoffFactor + ", growth_interval=" + growthInterval + ")";
    }
}
