package dev.jasg.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The outputs of one run of a device backend: each is read back (through {@code read}, which the backend guards with
 * its lock and its check that no later run has reused the memory) the first time {@link #get} asks for it, then kept;
 * {@link #copyInto} reads an output not read yet straight into the caller's array the same way, keeping nothing.
 * Safe to read from several threads.
 */
public final class ReadBackOutputs implements Outputs {
    /**
     * Reads node {@code n}'s value of the run (its floats, as {@link HostTensor#floats} gives them) into the first
     * elements of {@code dst}, which holds at least as many; throws {@link IllegalStateException} when the run's memory
     * is no longer its own.
     */
    @FunctionalInterface
    public interface Read {
        void into(Node n, float[] dst);
    }

    private final Program program;
    private final Function<Node, Shape> shapes;
    private final Read read;
    private final Map<String, HostTensor> fetched = new HashMap<>();

    /** The outputs of {@code program}, each of the shape {@code shapes} gives its node under the run's binding, read by {@code read}. */
    public ReadBackOutputs(Program program, Function<Node, Shape> shapes, Read read) {
        this.program = program;
        this.shapes = shapes;
        this.read = read;
    }

    @Override
    public Set<String> names() {
        return program.outputs().keySet();
    }

    @Override
    public synchronized HostTensor get(String name) {
        HostTensor t = fetched.get(name);
        if (t != null) return t;
        Node n = node(name);
        Shape shape = shapes.apply(n);
        float[] f = new float[shape.sizeInt()];
        read.into(n, f);
        t = HostTensor.of(n.dtype(), shape, f);
        fetched.put(name, t);
        return t;
    }

    /**
     * {@link Outputs#copyInto}: an output already read by {@link #get} is copied from what it kept; any other is read from
     * the device into {@code dst} (no array allocated, nothing kept).
     */
    @Override
    public synchronized float[] copyInto(String name, float[] dst) {
        if (fetched.containsKey(name)) return Outputs.super.copyInto(name, dst);
        Node n = node(name);
        Outputs.requireHolds(name, shapes.apply(n).size(), dst);
        read.into(n, dst);
        return dst;
    }

    private Node node(String name) {
        return program.graph().node(program.outputId(name));
    }
}
