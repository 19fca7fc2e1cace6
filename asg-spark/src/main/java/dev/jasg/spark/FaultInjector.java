package dev.jasg.spark;

import java.io.Serializable;

/**
 * A test hook that may throw from a task before a step, to prove that a failed barrier stage is
 * retried by Spark and resumes from the last checkpoint. Production runs use {@link #NONE}.
 * Called on each task's thread before every step.
 */
@FunctionalInterface
public interface FaultInjector extends Serializable {
    /** Never fails. */
    FaultInjector NONE = (partition, stageAttempt, step) -> {};

    /**
     * Called before task {@code partition} takes step {@code step} (1-based) in attempt
     * {@code stageAttempt} (0 first) of the barrier stage; throwing fails the task.
     */
    void beforeStep(int partition, int stageAttempt, long step);

    /** Throws {@link InjectedFailure} from task {@code partition} before step {@code step} of the stage's first attempt only. */
    static FaultInjector failOnce(int partition, long step) {
        return (p, attempt, s) -> {
            if (attempt == 0 && p == partition && s == step) {
                throw new InjectedFailure("injected failure: task " + p + ", stage attempt " + attempt + ", before step " + s);
            }
        };
    }

    /** The failure {@link #failOnce} throws. */
    final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
