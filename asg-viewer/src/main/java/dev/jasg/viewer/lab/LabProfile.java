package dev.jasg.viewer.lab;

import dev.jasg.core.Graph;
import dev.jasg.core.Profile;

import java.util.Objects;

/**
 * The profile of one training step of a {@link LabSession}, with the graphs its node ids refer to
 * (the step's forward graph and its gradient graph; the optimizer's update nodes come after them).
 * Immutable.
 *
 * @param step      the step count after the profiled step
 * @param profile   every node's time and memory ({@link Profile})
 * @param forward   the forward graph of that step
 * @param gradients its gradient graph
 */
public record LabProfile(long step, Profile profile, Graph forward, Graph gradients) {
    /** Checks the arguments. */
    public LabProfile {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(forward, "forward");
        Objects.requireNonNull(gradients, "gradients");
    }
}
