package dev.jasg.spark;

import dev.jasg.nn.optim.Optimizer;

import java.io.Serializable;

/**
 * Makes the optimizer in every Spark task ({@code () -> new SGD(0.05, 0.9)}); JASG's optimizers
 * are graph builders, not serialisable objects, so the run ships this factory instead. Every call
 * must return an optimizer with the same settings. Called once per task.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
    /** A new optimizer. */
    Optimizer create();
}
