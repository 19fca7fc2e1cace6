package dev.jasg.nn.train;

/**
 * How long one training step took.
 *
 * @param runNanos      the compiled step itself (forward, gradients, update) and fetching the loss
 * @param intervalNanos wall time since the previous step ended (or since the trainer was built),
 *                      which adds the loop's own work: loading the batch, listeners, commands
 */
public record StepTimings(long runNanos, long intervalNanos) {
    /** The run time in milliseconds. */
    public double runMillis() {
        return runNanos / 1e6;
    }

    /** Steps per second implied by the interval, or 0 before a full interval. */
    public double stepsPerSecond() {
        return intervalNanos > 0 ? 1e9 / intervalNanos : 0;
    }
}
