package dev.jasg.nn.optim;

import dev.jasg.core.GraphBuilder;
import dev.jasg.core.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gradient clipping applied inside the training step, to the gradients the optimizer is about
 * to use, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_} do between
 * {@code backward()} and {@code step()}.
 */
public sealed interface GradientClipping {
    /** Name of the graph output holding the total gradient norm (before clipping) when clipping by norm. */
    String GRAD_NORM_OUTPUT = "grad_norm";

    /** No clipping. */
    record None() implements GradientClipping {}

    /**
     * {@code clip_grad_norm_(max_norm, norm_type)}: with {@code total} the {@code p}-norm of all
     * gradients taken together ({@code max |g|} for {@code p = inf}), every gradient is multiplied by
     * {@code min(1, maxNorm / (total + 1e-6))}. The total (unclipped) norm is the graph output
     * {@value #GRAD_NORM_OUTPUT}.
     *
     * <p>With {@code errorIfNonfinite} (PyTorch's {@code error_if_nonfinite=True}) a step whose total
     * norm is NaN or infinite changes nothing (no parameter, no optimizer state, not the step
     * counter), and {@link #requireFinite} (which the Trainer calls after each step) raises a
     * {@link dev.jasg.core.JasgException} naming the norm, as PyTorch raises before
     * {@code optimizer.step()}. Without it, as PyTorch's default, the gradients are scaled by the
     * non-finite norm.
     */
    record Norm(double maxNorm, double normType, boolean errorIfNonfinite) implements GradientClipping {
        /** Checks the arguments. */
        public Norm {
            if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: max_norm must be >= 0, got " + maxNorm);
            if (!(normType > 0)) throw new IllegalArgumentException("clipGradNorm: norm_type must be > 0 or infinity, got " + normType);
        }

        /** Without the non-finite check, PyTorch's default. */
        public Norm(double maxNorm, double normType) {
            this(maxNorm, normType, false);
        }
    }

    /** {@code clip_grad_value_(clip_value)}: every gradient element is clamped to {@code [-clip, clip]}. */
    record Value(double clip) implements GradientClipping {
        /** Checks the argument. */
        public Value {
            if (!(clip >= 0)) throw new IllegalArgumentException("clipGradValue: clip_value must be >= 0, got " + clip);
        }
    }

    /** No clipping. */
    static GradientClipping none() {
        return new None();
    }

    /** Clipping by the total 2-norm. */
    static GradientClipping gradNorm(double maxNorm) {
        return new Norm(maxNorm, 2);
    }

    /** Clipping by the total {@code normType}-norm ({@link Double#POSITIVE_INFINITY} for the max norm). */
    static GradientClipping gradNorm(double maxNorm, double normType) {
        return new Norm(maxNorm, normType);
    }

    /** Clipping by the total {@code normType}-norm, refusing a non-finite norm when {@code errorIfNonfinite}. */
    static GradientClipping gradNorm(double maxNorm, double normType, boolean errorIfNonfinite) {
        return new Norm(maxNorm, normType, errorIfNonfinite);
    }

    /**
     * After a step with {@code clipping}: when it is a {@link Norm} with {@code errorIfNonfinite}
     * and the step's {@value #GRAD_NORM_OUTPUT} ({@code totalNorm}) is NaN or infinite, throws a
     * {@link dev.jasg.core.JasgException} with PyTorch's explanation (the step changed nothing).
     */
    static void requireFinite(GradientClipping clipping, double totalNorm) {
        if (clipping instanceof Norm n && n.errorIfNonfinite() && !Double.isFinite(totalNorm)) {
            throw new dev.jasg.core.JasgException("clip_grad_norm_: the total norm of order " + n.normType() + " of the gradients is " + totalNorm
                    + ", so they cannot be clipped; the step was skipped (no parameter or optimizer state changed). To scale the gradients by the"
                    + " non-finite norm anyway, build the clipping without errorIfNonfinite");
        }
    }

    /**
     * The scalar flag "the total norm is finite" for a clipping that refuses non-finite norms, or
     * null; the optimizer keeps every assignment of a step where it is false.
     */
    static Tensor finiteGate(GradientClipping clipping, Map<String, Tensor> grads) {
        if (!(clipping instanceof Norm n) || !n.errorIfNonfinite()) return null;
        Tensor total = totalNorm(grads, n.normType());
        return total.sub(total).eq(0);  // inf - inf and NaN - NaN are NaN, which equals nothing
    }

    /** Clipping of each element to {@code [-clip, clip]}. */
    static GradientClipping gradValue(double clip) {
        return new Value(clip);
    }

    /**
     * The clipped gradients, built on {@code b}, in the order of {@code grads} (parameter name to
     * gradient); declares the {@value #GRAD_NORM_OUTPUT} output when clipping by norm.
     */
    default Map<String, Tensor> apply(GraphBuilder b, Map<String, Tensor> grads) {
        return switch (this) {
            case None n -> grads;
            case Value v -> {
                Map<String, Tensor> out = new LinkedHashMap<>();
                grads.forEach((k, g) -> out.put(k, g.clamp(-v.clip(), v.clip())));
                yield out;
            }
            case Norm n -> {
                Tensor total = totalNorm(grads, n.normType());
                b.output(GRAD_NORM_OUTPUT, total);
                // PyTorch always multiplies, also by 1 when the norm is within bounds; so does this.
                Tensor coef = total.scalarLike(n.maxNorm()).div(total.add(1e-6)).clampMax(1);
                Map<String, Tensor> out = new LinkedHashMap<>();
                grads.forEach((k, g) -> out.put(k, g.mul(coef)));
                yield out;
            }
        };
    }

    /** {@code (sum over all gradients and elements |g|^p)^(1/p)}, or {@code max |g|} for p = inf; a scalar. */
    private static Tensor totalNorm(Map<String, Tensor> grads, double p) {
        if (grads.isEmpty()) throw new IllegalArgumentException("clipGradNorm: there are no gradients to clip");
        Tensor acc = null;
        for (Tensor g : grads.values()) {
            Tensor part;
            if (Double.isInfinite(p)) part = g.abs().max();
            else if (p == 2) part = g.square().sum();
            else if (p == 1) part = g.abs().sum();
            else part = g.abs().pow(p).sum();
            acc = acc == null ? part : Double.isInfinite(p) ? acc.maximum(part) : acc.add(part);
        }
        if (Double.isInfinite(p) || p == 1) return acc;
        return p == 2 ? acc.sqrt() : acc.pow(1 / p);
    }
}
