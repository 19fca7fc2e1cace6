package dev.jasg.nn.io;

import dev.jasg.core.Shape;

import java.util.List;

/**
 * What {@link Checkpoint#loadPartial} did, as PyTorch's {@code load_state_dict(strict=False)}
 * result plus a shape report: every name of the parameter store (weights, buffers, optimizer
 * state) is in exactly one of {@code loaded}, {@code reinitialised} and {@code missing}, and every
 * tensor of the checkpoint the store does not hold is in {@code unexpected}. Immutable.
 *
 * @param loaded        names whose value now comes from the checkpoint (same shape in both)
 * @param reinitialised tensors held by both with different shapes: the store keeps its own value
 *                      (a resized layer's fresh initialisation), the checkpoint's is ignored
 * @param missing       names of the store the checkpoint lacks; the store keeps its value
 * @param unexpected    names of the checkpoint the store does not hold; ignored
 * @param state         the checkpoint's trainer state (step, epoch, metrics...), which is not applied
 */
public record PartialLoad(List<String> loaded, List<ShapeMismatch> reinitialised, List<String> missing, List<String> unexpected,
                          CheckpointState state) {
    /** A tensor whose shape differs between the checkpoint and the store. */
    public record ShapeMismatch(String name, Shape checkpoint, Shape store) {
        @Override
        public String toString() {
            return name + ": " + checkpoint + " in the checkpoint, " + store + " in the store";
        }
    }

    /** Copies the lists. */
    public PartialLoad {
        loaded = List.copyOf(loaded);
        reinitialised = List.copyOf(reinitialised);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
    }

    /** True when every tensor was loaded (nothing re-initialised, missing or unexpected): what a strict load accepts. */
    public boolean complete() {
        return reinitialised.isEmpty() && missing.isEmpty() && unexpected.isEmpty();
    }

    @Override
    public String toString() {
        return "PartialLoad(loaded=" + loaded.size() + ", reinitialised=" + reinitialised + ", missing=" + missing + ", unexpected=" + unexpected + ")";
    }
}
