package dev.jasg.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One training example as a Spark RDD element: the model input and the target, each the
 * flattened values of one example in row-major order (the batch dimension is added by
 * {@link SparkTrainer}). An integer target (class labels for cross-entropy) is stored as exact
 * floats and fed as the target's dtype.
 *
 * <p>Immutable by contract: the arrays are not copied, and must not be changed after the example
 * is made. Thread-safe when that holds.
 *
 * @param input  the input's values, as many as the product of the input's per-example dimensions
 * @param target the target's values, as many as the product of the target's per-example dimensions
 */
public record TrainingExample(float[] input, float[] target) implements Serializable {
    /** Checks that both arrays are given. */
    public TrainingExample {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(target, "target");
    }

    /** An example with a single class label as its target. */
    public static TrainingExample labelled(float[] input, int label) {
        return new TrainingExample(input, new float[] {label});
    }
}
