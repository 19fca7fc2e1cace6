package dev.jasg.core;

import java.util.Map;

/**
 * A compiled chain of graphs, planned once and run many times. A run binds the symbolic
 * dimensions from the feeds, computes every node the outputs and assignments need, then
 * applies the assignments to the parameter store.
 *
 * <p><b>Threads.</b> Every backend keeps this contract:
 * <ul>
 *   <li>{@link #run} may be called from any thread. Runs of one executable are serialised:
 *       each run, its assignments included, ends before the next one starts, and no run is
 *       ever mixed with another's feeds or buffers.</li>
 *   <li>The {@link Outputs} a run returns may be read from any thread. A read returns that
 *       run's value, or throws {@link IllegalStateException} when a later run (from any
 *       thread) or {@link #close} has reused the memory it was in; it never returns another
 *       run's value. So when several threads share one executable, a thread's read may be
 *       refused because another thread ran in between: a thread that must read its result
 *       either holds a lock of its own around its run and its reads, or uses an executable of
 *       its own (executables compiled over one store share the parameters, not the buffers).</li>
 *   <li>Executables compiled over one {@link Parameters} store are not serialised against each
 *       other. When one of them updates parameters (a training step) while another reads them,
 *       or while {@link Parameters#get}, {@link Parameters#set} or a {@link Backend#compile} over
 *       that store runs, the caller serialises them.</li>
 *   <li>{@link #close} must not overlap with a run; outputs read after it throw
 *       {@link IllegalStateException}.</li>
 * </ul>
 */
public interface Executable extends AutoCloseable {
    /**
     * Runs once with {@code feeds} (input name to value). The returned outputs stay valid
     * until the next run; only the outputs read from them are copied to the host. Safe to call
     * from several threads: their runs are serialised (see the class comment).
     */
    Outputs run(Map<String, HostTensor> feeds);

    /**
     * Runs once with {@code feeds}, as {@link #run}, and copies output {@code name} into {@code dst} as
     * {@link Outputs#copyInto} does; returns {@code dst}. For a loop that reads one output a run (a training step's loss):
     * a backend may do it without making an {@link Outputs}, so that a warm step allocates nothing whatever the JIT
     * decides (the cpu backend does; the default runs {@link #run} and reads its outputs). Safe to call from several
     * threads, as {@link #run}: the run and its read happen together, so no other thread's run comes between them.
     *
     * @throws IllegalArgumentException when there is no output {@code name}, or {@code dst} is shorter than it
     */
    default float[] runInto(Map<String, HostTensor> feeds, String name, float[] dst) {
        synchronized (this) {
            return run(feeds).copyInto(name, dst);
        }
    }

    /** The parameter store this executable reads and updates. */
    Parameters parameters();

    /**
     * Bytes of working memory held by the plan the last run used: the buffers the planner
     * ({@link dev.jasg.core.plan.BufferPlanner}) assigned the computed values, feeds and
     * snapshots of that binding of the symbolic sizes (not the parameters, which the store
     * holds), or -1 when nothing has run yet or the backend plans no memory of its own.
     */
    default long plannedBytes() {
        return -1;
    }

    /** Frees the executable's buffers (not the shared parameter store). */
    @Override
    void close();
}
