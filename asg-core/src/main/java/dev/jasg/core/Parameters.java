package dev.jasg.core;

import java.util.Set;

/**
 * A backend's store of persistent tensors (weights and optimiser state), by name. Shared
 * by the executables compiled over it, so a training step and an eval pass see the same
 * weights.
 */
public interface Parameters {
    /** Names of the parameters held. */
    Set<String> names();

    /** True when {@code name} is held. */
    default boolean contains(String name) {
        return names().contains(name);
    }

    /** A host copy of parameter {@code name}. */
    HostTensor get(String name);

    /** Overwrites parameter {@code name} with {@code value}, which must have its shape; the dtype is converted. */
    void set(String name, HostTensor value);
}
