package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.Shape;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of checking (and possibly applying) a {@link LayerResize}: the cascade of layers
 * adapted downstream, which parameters keep their values and which are re-initialised. Immutable.
 */
public sealed interface ResizePreview {
    /** The edit it is about. */
    LayerResize resize();

    /**
     * A parameter (or optimizer state tensor) whose shape changed or that is new: it starts from its
     * layer's default initialiser (optimizer state from zero).
     *
     * @param name   its name, e.g. {@code 2.weight} or an optimizer's {@code 2.weight.exp_avg}
     * @param before its shape before the edit, null when it is new
     * @param after  its shape after the edit
     */
    record Reinitialised(String name, Shape before, Shape after) {
        /** {@code 2.weight [10, 128] -> [10, 64]}. */
        @Override
        public String toString() {
            return name + " " + (before == null ? "new" : before.toString()) + " -> " + after;
        }
    }

    /**
     * The cascade succeeds.
     *
     * @param resize        the edit
     * @param description   what it does, e.g. {@code 0 is now Linear(...); adapted downstream: 2 (Linear(...)); ...} (English, for logs)
     * @param layer         the new layer on one line, e.g. {@code Linear(in_features=784, out_features=64, bias=true)}
     * @param adapted       the layers replaced downstream so that they fit, as {@code scope (Kind(settings))}
     * @param reinitialised the parameters and optimizer state tensors that start afresh
     * @param kept          the names of those that keep their values
     * @param removed       the names of those no longer used (their values are dropped on apply)
     * @param forward       the edited forward graph
     * @param gradients     its rebuilt gradient graph
     * @param applied       true when the session now trains the edited model
     * @param step          the step count at which it was checked or applied
     */
    record Ready(LayerResize resize, String description, String layer, List<String> adapted, List<Reinitialised> reinitialised, List<String> kept,
                 List<String> removed, Graph forward, Graph gradients, boolean applied, long step) implements ResizePreview {
        /** Copies the lists. */
        public Ready {
            adapted = List.copyOf(adapted);
            reinitialised = List.copyOf(reinitialised);
            kept = List.copyOf(kept);
            removed = List.copyOf(removed);
            Objects.requireNonNull(forward, "forward");
            Objects.requireNonNull(gradients, "gradients");
        }
    }

    /**
     * The cascade fails and nothing was applied.
     *
     * @param resize the edit
     * @param node   the failing node's path, or the layer's scope and kind
     * @param shapes the shapes the failing node was given (possibly empty)
     * @param why    why, in any language ({@link LabText#render})
     */
    record Failed(LayerResize resize, String node, List<Shape> shapes, LabText why) implements ResizePreview {
        /** Copies the shapes. */
        public Failed {
            shapes = List.copyOf(shapes);
            Objects.requireNonNull(why, "why");
        }

        /** Why, in English. */
        public String reason() {
            return why.english();
        }

        /** One line in English: node, shapes and reason. */
        public String message() {
            return message(dev.jasg.viewer.Messages.of(dev.jasg.viewer.Language.EN));
        }

        /** One line in the language of {@code m}: node, shapes and reason. */
        public String message(dev.jasg.viewer.Messages m) {
            return m.format(shapes.isEmpty() ? "lab.failed.line" : "lab.failed.lineShapes", node, shapes, why.render(m));
        }
    }
}
