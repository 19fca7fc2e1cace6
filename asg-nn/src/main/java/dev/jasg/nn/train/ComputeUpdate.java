package dev.jasg.nn.train;

import dev.jasg.core.Graph;

import java.util.Map;
import java.util.Objects;

/**
 * What a training loop tells an observer, such as the viewer: sent on the training thread through
 * a {@link ComputeUpdateListener}, usually into a {@link ComputeUpdateQueue} that another thread
 * drains. A {@link Trainer} sends {@link GraphReady} when a listener subscribes, {@link StepDone}
 * after every step, {@link EpochDone} from {@link Trainer#endEpoch(Map)} and {@link Failed} when a
 * step throws; the loop sends the rest with {@link Trainer#publish}.
 */
public sealed interface ComputeUpdate
        permits ComputeUpdate.GraphReady, ComputeUpdate.StepDone, ComputeUpdate.EpochDone, NodeStats,
                ComputeUpdate.Finished, ComputeUpdate.Failed, ComputeUpdate.ModelEdited {

    /** The graphs being trained: the forward graph (model and loss) and its gradient graph. */
    record GraphReady(Graph forward, Graph gradients) implements ComputeUpdate {
        /** Checks that both are given and that {@code gradients} continues {@code forward}. */
        public GraphReady {
            Objects.requireNonNull(forward, "forward");
            Objects.requireNonNull(gradients, "gradients");
            if (!gradients.extendsGraph(forward)) throw new IllegalArgumentException("GraphReady: the gradient graph does not continue the forward graph");
        }
    }

    /**
     * Step {@code step} (1-based) ended with {@code loss}.
     *
     * @param step    number of the step
     * @param loss    its loss, computed before the update
     * @param lr      the learning rate it was fed
     * @param timings how long it took
     */
    record StepDone(long step, double loss, double lr, StepTimings timings) implements ComputeUpdate {}

    /**
     * Epoch {@code epoch} (1-based) ended.
     *
     * @param epoch   number of the epoch
     * @param loss    mean training loss of its steps (NaN when it had none)
     * @param metrics what the loop measured, e.g. {@code test_accuracy}; copied
     */
    record EpochDone(int epoch, double loss, Map<String, Double> metrics) implements ComputeUpdate {
        /** Copies the metrics, keeping their order. */
        public EpochDone {
            metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
        }
    }

    /**
     * The model was edited (a layer inserted or deleted in the Model Lab) after step {@code step};
     * a {@link GraphReady} with the edited graphs follows. A loss chart marks it.
     *
     * @param step        steps completed when the edit was applied
     * @param description what changed, e.g. {@code Dropout(p=0.3) inserted as ins1_Dropout between ...}
     */
    record ModelEdited(long step, String description) implements ComputeUpdate {
        /** Checks the description. */
        public ModelEdited {
            Objects.requireNonNull(description, "description");
        }
    }

    /** The loop ended normally after {@code steps} steps. */
    record Finished(long steps) implements ComputeUpdate {}

    /**
     * The loop, or the step, failed with {@code error}.
     *
     * @param step  the number of steps completed when it failed
     * @param error what was thrown
     */
    record Failed(long step, Throwable error) implements ComputeUpdate {
        /** A short description: the exception's class and message. */
        public String message() {
            String m = error.getMessage();
            return error.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        }
    }
}
