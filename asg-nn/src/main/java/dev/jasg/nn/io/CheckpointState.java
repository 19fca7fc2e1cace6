package dev.jasg.nn.io;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a checkpoint records besides the tensors: where training was (epoch, step),
 * the metrics at that point, the scheduler's and the random generators' state, the model's
 * configuration and anything else the caller wants back. Stored as JSON (Jackson), so the
 * maps may hold strings, numbers, booleans, lists and nested maps.
 *
 * @param epoch completed epochs
 * @param step completed optimizer steps
 * @param metrics metric name to value at save time (e.g. {@code val_loss})
 * @param scheduler a learning-rate scheduler's {@code state()}
 * @param rng random generator state (seeds, epoch counters of data loaders)
 * @param modelConfig the model's configuration (layer sizes, ...)
 * @param extra anything else
 */
public record CheckpointState(int epoch, long step, Map<String, Double> metrics, Map<String, Object> scheduler,
                              Map<String, Object> rng, Map<String, Object> modelConfig, Map<String, Object> extra) {
    /** Copies the maps (null becomes empty) so the state cannot change after it was made. */
    public CheckpointState {
        metrics = copy(metrics);
        scheduler = copy(scheduler);
        rng = copy(rng);
        modelConfig = copy(modelConfig);
        extra = copy(extra);
    }

    /** A state with only the position filled in. */
    public static CheckpointState at(int epoch, long step) {
        return new CheckpointState(epoch, step, null, null, null, null, null);
    }

    /** This state with {@code metrics}. */
    public CheckpointState withMetrics(Map<String, Double> metrics) {
        return new CheckpointState(epoch, step, metrics, scheduler, rng, modelConfig, extra);
    }

    /** This state with {@code scheduler}. */
    public CheckpointState withScheduler(Map<String, Object> scheduler) {
        return new CheckpointState(epoch, step, metrics, scheduler, rng, modelConfig, extra);
    }

    /** This state with {@code rng}. */
    public CheckpointState withRng(Map<String, Object> rng) {
        return new CheckpointState(epoch, step, metrics, scheduler, rng, modelConfig, extra);
    }

    /** This state with {@code modelConfig}. */
    public CheckpointState withModelConfig(Map<String, Object> modelConfig) {
        return new CheckpointState(epoch, step, metrics, scheduler, rng, modelConfig, extra);
    }

    /** This state with {@code extra}. */
    public CheckpointState withExtra(Map<String, Object> extra) {
        return new CheckpointState(epoch, step, metrics, scheduler, rng, modelConfig, extra);
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
