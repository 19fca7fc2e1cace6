package dev.jasg.spark;

/**
 * Receives a distributed run's progress on the driver. Steps come in increasing order, each once,
 * including the steps a retried stage recovered from its checkpoint (reported when first run).
 * While the stage runs, steps arrive with the executors' heartbeats
 * ({@code spark.executor.heartbeatInterval}, 10 s by default); the rest when
 * {@link SparkTrainer#fit} returns. Called on Spark's listener-bus thread or on the thread calling
 * {@code fit}, one call at a time; must return quickly.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Step {@code p.step()} finished on every worker. */
    void onStep(StepProgress p);
}
