package dev.jasg.spark;

import java.io.Serializable;

/**
 * How the replicas of a {@link SparkTrainer} run stay in step.
 *
 * <ul>
 *   <li>{@link Synchronous}: synchronous data-parallel SGD. Every step each task computes the
 *       gradients of its own batch, the gradients are averaged over all tasks (summed in partition
 *       order, so a run is deterministic) and every replica applies the same update with the
 *       average. The result equals single-process training with the workers' batches put
 *       together, up to float rounding. One exchange of the gradients per step.</li>
 *   <li>{@link LocalSgd}: local SGD (periodic model averaging). Each task takes {@code k} steps on
 *       its own, then the parameters and the optimizer state are averaged over the tasks. One
 *       exchange every {@code k} steps, for large models or slow networks; it converges to the
 *       same accuracy band as synchronous training for moderate {@code k}, not to the same
 *       weights.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public sealed interface SyncMode extends Serializable {
    /** Synchronous SGD: gradients averaged every step. */
    record Synchronous() implements SyncMode {}

    /**
     * Local SGD: parameters and optimizer state averaged every {@code localSteps} steps (and after
     * the last step).
     *
     * @param localSteps steps each task takes between averages, at least 1 (1 is the same
     *     schedule as synchronous SGD, but averages the weights, not the gradients)
     */
    record LocalSgd(int localSteps) implements SyncMode {
        /** Checks that {@code localSteps} is at least 1. */
        public LocalSgd {
            if (localSteps < 1) throw new IllegalArgumentException("SyncMode.localSgd: localSteps must be >= 1, got " + localSteps);
        }
    }

    /** Synchronous SGD. */
    static SyncMode synchronous() {
        return new Synchronous();
    }

    /** Local SGD with {@code localSteps} steps between averages. */
    static SyncMode localSgd(int localSteps) {
        return new LocalSgd(localSteps);
    }
}
