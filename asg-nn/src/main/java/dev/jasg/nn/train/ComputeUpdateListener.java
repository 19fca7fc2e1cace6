package dev.jasg.nn.train;

/**
 * Receives {@link ComputeUpdate}s on the training thread. It must return quickly (hand the update to
 * another thread, as {@link ComputeUpdateQueue} does); a slow listener slows training.
 */
@FunctionalInterface
public interface ComputeUpdateListener {
    /** Called with each update, in the order they happen. */
    void onUpdate(ComputeUpdate update);
}
