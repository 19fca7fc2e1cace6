package dev.jasg.nn.train;

/**
 * Told about every training step after it ran; a loss chart or a progress log subscribes here.
 * Called on the thread that runs the step, so a slow listener slows training.
 */
@FunctionalInterface
public interface StepListener {
    /** Step {@code step} (1-based, counting since the trainer was made or its state loaded) ended with {@code loss}. */
    void onStep(long step, double loss);
}
