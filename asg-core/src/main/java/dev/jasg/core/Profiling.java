package dev.jasg.core;

import java.util.Optional;

/**
 * An optional capability of an {@link Executable}: per-node time and memory of its runs as a
 * {@link Profile}. The CPU and Vulkan backends' executables have it; find it with {@link #of}.
 *
 * <pre>{@code
 * Profiling.of(executable).ifPresent(p -> p.setProfiling(true));
 * executable.run(feeds);
 * Profile profile = Profiling.of(executable).flatMap(Profiling::lastProfile).orElseThrow();
 * }</pre>
 *
 * <p><b>Cost.</b> Off (the default), a run reads one field more and nothing else changes. On, the CPU
 * backend reads the clock twice per kernel; the Vulkan backend runs a plan of its own with a
 * barrier and two timestamp queries per node, so nodes no longer overlap on the device. In
 * {@link Anomaly} mode runs are not profiled.
 *
 * <p><b>Threads.</b> As the executable's: the switch and the last profile may be read and written
 * from any thread; a run reads the switch once when it starts.
 */
public interface Profiling {
    /** Switches profiling of the following runs on or off. */
    void setProfiling(boolean on);

    /** True when runs are profiled. */
    boolean isProfiling();

    /** The profile of the last profiled run, empty before the first one. */
    Optional<Profile> lastProfile();

    /** The profiling capability of {@code executable}, empty when its backend has none. */
    static Optional<Profiling> of(Executable executable) {
        return executable instanceof Profiling p ? Optional.of(p) : Optional.empty();
    }
}
