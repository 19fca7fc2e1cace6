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

    /**
     * Output {@code name} of this run copied into {@code dst} (row-major, as {@link HostTensor#floats()}), which must hold
     * at least its elements; returns {@code dst}. For a loop that reads a large output every run (a language model's
     * logits, 25 MB a sequence for GPT-2): {@link #get} allocates a new array each time, and on the JVM a stream of
     * such arrays can keep the collector growing the heap into memory the process has never touched, each new page a
     * fault (on a 2-vCPU machine GPT-2's forward ran 1.5-2x slower that way); reading into one array allocates nothing.
     * The cpu backend copies it straight from its buffers; the Vulkan and OpenCL backends read it from the device into
     * {@code dst} ({@link ReadBackOutputs}), unless {@link #get} has read it already.
     *
     * @throws IllegalArgumentException when there is no output {@code name}, or {@code dst} is shorter than it
     * @throws IllegalStateException as {@link #get}
     */
    default float[] copyInto(String name, float[] dst) {
        float[] v = get(name).floats();
        requireHolds(name, v.length, dst);
        System.arraycopy(v, 0, dst, 0, v.length);
        return dst;
    }

    /**
     * For implementations of {@link #copyInto}: refuses a {@code dst} shorter than output {@code name}'s {@code count}
     * elements.
     *
     * @throws IllegalArgumentException naming the output, its size and the array's
     */
    static void requireHolds(String name, long count, float[] dst) {
        if (dst.length < count) throw new IllegalArgumentException("output '" + name + "' has " + count + " elements; the array holds " + dst.length);
    }

    /** The single value of a one-element output, such as a loss. */
    default double scalar(String name) {
        return get(name).item();
    }
}
