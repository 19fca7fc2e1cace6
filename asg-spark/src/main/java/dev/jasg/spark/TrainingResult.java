package dev.jasg.spark;

import dev.jasg.core.HostTensor;
import dev.jasg.nn.optim.Optimizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a distributed run ends with, on the driver. Immutable once returned (the maps and arrays
 * must not be changed); thread-safe.
 *
 * @param state            every stored tensor of the replicas after the last step, by name in name
 *                         order: weights, buffers and optimizer state ({@code optim.*}); load it into
 *                         a trainer's store with {@code Parameters.set}
 * @param losses           the loss of every step, 1 to {@code losses.length}, averaged over the workers
 * @param workers          the barrier tasks (RDD partitions) that trained
 * @param resumedFrom      the checkpoint step the last stage attempt resumed from (0 when it started fresh)
 * @param stageAttempts    attempts of the barrier stage Spark ran (1 when none failed)
 * @param seconds          wall time of the last attempt's training loop on the first task
 * @param samplesPerSecond examples per second of the last attempt, over all workers
 */
public record TrainingResult(Map<String, HostTensor> state, double[] losses, int workers, long resumedFrom, int stageAttempts,
                             double seconds, double samplesPerSecond) {
    /** The steps trained. */
    public long steps() {
        return losses.length;
    }

    /** The model's tensors only: {@link #state()} without the optimizer's {@code optim.*} state. */
    public Map<String, HostTensor> weights() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (!k.startsWith(Optimizer.SCOPE + ".")) out.put(k, v);
        });
        return out;
    }

    /** The last step's loss. */
    public double finalLoss() {
        return losses[losses.length - 1];
    }
}
