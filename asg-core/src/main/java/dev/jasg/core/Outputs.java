package dev.jasg.core;

import java.util.Set;

/** The outputs of one run, fetched to the host on demand. Valid until the executable runs again. */
public interface Outputs {
    /** Names of the outputs. */
    Set<String> names();

    /** Output {@code name} copied to the host. */
    HostTensor get(String name);

    /** The single value of a one-element output, such as a loss. */
    default double scalar(String name) {
        return get(name).item();
    }
}
