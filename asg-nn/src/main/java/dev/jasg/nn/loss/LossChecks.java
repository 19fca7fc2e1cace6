package dev.jasg.nn.loss;

import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import dev.jasg.core.ShapeRules;
import dev.jasg.core.Tensor;

/** Argument checks and the final reduction shared by the losses in {@link Losses}. */
final class LossChecks {
    private LossChecks() {}

    /** The input of {@code loss} must be floating point, since gradients flow through it. */
    static void requireFloat(String loss, String what, Tensor t) {
        if (!t.dtype().isFloat()) {
            throw new ShapeException(loss + ": " + what + " must be a float tensor, got " + t.dtype().label() + t.shape() + at(t));
        }
    }

    /** {@code t} must have exactly {@code expected} (no broadcasting between input and target). */
    static void requireShape(String loss, String what, Tensor t, Shape expected, String expectedWhat) {
        if (!t.shape().equals(expected)) {
            throw new ShapeException(loss + ": " + what + " has shape " + t.shape() + " but " + expectedWhat + " has shape " + expected + at(t));
        }
    }

    /** {@code t} must broadcast to {@code target} without changing it (a rescaling weight, a positive-class weight). */
    static void requireBroadcastsTo(String loss, String what, Tensor t, Shape target) {
        Shape joined;
        try {
            joined = ShapeRules.broadcast(loss, t.shape(), target);
        } catch (ShapeException e) {
            joined = null;
        }
        if (!target.equals(joined)) {
            throw new ShapeException(loss + ": " + what + " of shape " + t.shape() + " does not broadcast to the input's shape " + target + at(t));
        }
    }

    /** Folds per-element losses as {@code r} says; BATCHMEAN belongs to KL divergence alone. */
    static Tensor reduce(String loss, Tensor perElement, Reduction r) {
        return switch (r) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.mean();
            case BATCHMEAN -> throw new IllegalArgumentException(loss + ": reduction BATCHMEAN is only defined for klDiv; use MEAN, SUM or NONE");
        };
    }

    private static String at(Tensor t) {
        return " (node " + t.id() + ")";
    }
}
