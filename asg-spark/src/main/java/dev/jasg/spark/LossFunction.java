package dev.jasg.spark;

import dev.jasg.core.Tensor;

import java.io.Serializable;
import java.util.function.BiFunction;

/**
 * The loss, (model output, target) to a float scalar, that Spark can ship to the executors:
 * {@code dev.jasg.nn.loss.Losses::crossEntropy} works as it is. The loss must be a mean over the
 * batch for synchronous training to equal single-process training with the combined batch (the
 * mean of the workers' means is the mean over all their examples when every worker's batch has
 * the same size, which {@link SparkTrainer} guarantees). Called once per task, while the graph is
 * built.
 */
@FunctionalInterface
public interface LossFunction extends BiFunction<Tensor, Tensor, Tensor>, Serializable {}
