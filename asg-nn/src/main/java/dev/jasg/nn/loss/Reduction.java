package dev.jasg.nn.loss;

/**
 * How a loss folds its per-element values into the result, as PyTorch's {@code reduction}
 * argument. {@link #MEAN} is the default of every loss in {@link Losses}.
 */
public enum Reduction {
    /** The per-element losses, unreduced, in the shape the loss documents. */
    NONE,
    /**
     * The mean of the per-element losses. Losses with class weights or an ignored class
     * (cross entropy, NLL) divide by the sum of the weights of the counted targets instead,
     * as PyTorch does.
     */
    MEAN,
    /** The sum of the per-element losses. */
    SUM,
    /**
     * The sum of the per-element losses divided by the size of the first axis, the batch:
     * the mathematically correct KL divergence per sample. Only {@link Losses#klDiv} accepts it,
     * as in PyTorch; the other losses reject it.
     */
    BATCHMEAN
}
