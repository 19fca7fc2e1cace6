package dev.jasg.spark;

import dev.jasg.nn.Layer;

import java.io.Serializable;

/**
 * Makes the model, once in every Spark task: it is serialised to the executors with the rest of
 * the run's settings, so it must not capture anything that cannot be (a lambda or a method
 * reference to a static factory is fine). Every call must build the same architecture with the
 * same parameter names; the weights come from the run's seed, so every replica starts equal.
 * Called once per task on the task's thread.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    /** A new model. */
    Layer create();
}
