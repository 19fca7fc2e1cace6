package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.Shape;

import java.util.List;
import java.util.Objects;

/** The outcome of checking (and possibly applying) a {@link GraphEdit}. */
public sealed interface EditPreview {
    /** The edit it is about. */
    GraphEdit edit();

    /**
     * The edit fits: the edited model's forward graph (with the loss) and its rebuilt gradient graph.
     *
     * @param edit        the edit
     * @param description what it does, e.g. {@code Dropout(p=0.3) inserted as ins1_Dropout between 1/Relu#5 and 2/MatMul#7}
     * @param forward     the edited forward graph
     * @param gradients   its gradient graph
     * @param applied     true when the session now trains the edited model
     * @param step        the step count at which it was checked or applied
     */
    record Ready(GraphEdit edit, String description, Graph forward, Graph gradients, boolean applied, long step) implements EditPreview {
        /** Checks the arguments. */
        public Ready {
            Objects.requireNonNull(forward, "forward");
            Objects.requireNonNull(gradients, "gradients");
        }
    }

    /**
     * The edit does not fit and nothing was applied (the red preview).
     *
     * @param edit   the edit
     * @param node   the failing node's path, or the inserted layer's scope and title
     * @param shapes the shapes the failing node was given (possibly empty)
     * @param why    why, in any language ({@link LabText#render})
     */
    record Failed(GraphEdit edit, String node, List<Shape> shapes, LabText why) implements EditPreview {
        /** Copies the shapes. */
        public Failed {
            shapes = List.copyOf(shapes);
            java.util.Objects.requireNonNull(why, "why");
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
