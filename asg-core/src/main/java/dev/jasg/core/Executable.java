package dev.jasg.core;

import java.util.Map;

/**
 * A compiled chain of graphs, planned once and run many times. A run binds the symbolic
 * dimensions from the feeds, computes every node the outputs and assignments need, then
 * applies the assignments to the parameter store.
 */
public interface Executable extends AutoCloseable {
    /**
     * Runs once with {@code feeds} (input name to value). The returned outputs stay valid
     * until the next run; only the outputs read from them are copied to the host.
     */
    Outputs run(Map<String, HostTensor> feeds);

    /** The parameter store this executable reads and updates. */
    Parameters parameters();

    /** Frees the executable's buffers (not the shared parameter store). */
    @Override
    void close();
}
