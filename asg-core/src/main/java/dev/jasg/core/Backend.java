package dev.jasg.core;

import java.util.List;

/**
 * Runs graphs. A backend compiles a chain of graphs once into an {@link Executable} that
 * is then run many times; parameters live in the backend's {@link Parameters} store
 * between runs. Backends are found by name through {@link Backends}.
 *
 * <p><b>Threads.</b> {@link #newParameters} and {@link #compile} may be called from any
 * thread, also while other threads run executables of this backend; but compiling over a
 * parameter store may add parameters to it, so it counts as a use of that store (see
 * {@link Executable}: uses of one store are serialised by the caller). {@link #close} must
 * not overlap with any use of the backend's executables or stores: close it after they are
 * done.
 */
public interface Backend extends AutoCloseable {
    /** The name users select it by, e.g. {@code cpu}, {@code vulkan}, {@code reference}. */
    String name();

    /** A new, empty parameter store whose initialisers draw from {@code seed}. */
    Parameters newParameters(long seed);

    /**
     * Compiles {@code graphs}, which must lie on one chain (each continuing the one
     * before, as forward, gradient, update), given in any order. The executable runs the
     * whole chain up to its end (the graph given that continues all the others, even one
     * that adds only outputs), fetches the outputs of the given graphs and applies their
     * assignments; graphs that are not one chain are refused with
     * {@link IllegalArgumentException}.
     * Parameters are read from and written to {@code parameters}, which must come from
     * this backend; a parameter the store does not hold yet is initialised there.
     */
    Executable compile(Parameters parameters, List<Graph> graphs);

    /** Compiles {@code graphs} with a fresh parameter store seeded with 0. */
    default Executable compile(Graph... graphs) {
        return compile(newParameters(0), List.of(graphs));
    }

    /** Compiles {@code graphs} over an existing parameter store, e.g. another executable's. */
    default Executable compile(Parameters parameters, Graph... graphs) {
        return compile(parameters, List.of(graphs));
    }

    /** Frees everything the backend holds. Executables compiled by it must not be used afterwards. */
    @Override
    void close();
}
