package dev.jasg.spark;

import java.io.Serializable;

/**
 * One finished step of a distributed run, as the driver learns it. Immutable and thread-safe.
 *
 * @param step             the step's number, 1 on the first
 * @param loss             the loss of the step, averaged over the workers (the mean loss of all
 *                         their batches), computed before the update
 * @param samples          examples trained on so far in this run, over all workers
 * @param samplesPerSecond the throughput of the stage attempt that ran the step, over all workers
 * @param stageAttempt     the attempt of the barrier stage (0 first; more after a retry)
 */
public record StepProgress(long step, double loss, long samples, double samplesPerSecond, int stageAttempt) implements Serializable {}
