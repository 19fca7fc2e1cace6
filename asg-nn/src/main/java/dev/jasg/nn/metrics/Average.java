package dev.jasg.nn.metrics;

/**
 * How per-class scores combine into one, as scikit-learn's {@code average=}: MACRO is the
 * unweighted mean over classes, WEIGHTED the mean weighted by each class's support (true
 * count), MICRO computes the score from the summed counts (tp, fp, fn) of all classes.
 */
public enum Average {
    /** Unweighted mean of per-class scores. */
    MACRO,
    /** Score of the pooled counts. */
    MICRO,
    /** Support-weighted mean of per-class scores. */
    WEIGHTED
}
