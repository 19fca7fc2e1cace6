package dev.jasg.spark;

import java.io.Serializable;

/**
 * What the first task of a run sends back to the driver: the final stored tensors, the whole loss
 * curve, the step the last attempt started from and its time. Other tasks send nothing.
 */
record WorkerResult(String[] names, int[][] shapes, float[][] values, double[] losses, long resumedFrom,
                    int stageAttempt, long nanos, int workers) implements Serializable {
}
