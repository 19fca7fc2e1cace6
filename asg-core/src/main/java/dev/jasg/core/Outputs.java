package dev.jasg.core;

import java.util.Set;

/**
 * The outputs of one run, fetched to the host on demand. Valid until the executable runs
 * again: a backend that reads them lazily from its buffers refuses a read after a later run
 * (or after the executable was closed) with {@link IllegalStateException}, never returning
 * another run's values. May be read from any thread; see {@link Executable} for the whole
 * thread-safety contract.
 */
public interface Outputs {
    /** Names of the outputs. */
    Set<String> names();

    /**
     * Output {@code name} of this run, copied to the host.
     *
     * @throws IllegalArgumentException when there is no output {@code name}
     * @throws IllegalStateException when a later run of the executable, or its closing, has
     *     overwritten the value before it was read
     */
    HostTensor get(String name);

    /** The single value of a one-element output, such as a loss. */
    default double scalar(String name) {
        return get(name).item();
    }
}
