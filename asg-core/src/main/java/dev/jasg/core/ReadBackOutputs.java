package dev.jasg.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The outputs of one run of a device backend: each is read back (through {@code readBack}, which
 * the backend guards with its lock and its check that no later run has reused the memory) the first
 * time it is asked for, then kept. {@link #copyInto} reads an output not read yet straight into the
 * caller's array through {@code readInto} (the same guards), keeping nothing. Safe to read from several threads.
 */
public final class ReadBackOutputs implements Outputs {
    /**
     * Reads output {@code name}, node {@code n}, into {@code dst} (its floats, as {@link HostTensor#floats} gives them), or throws
     * {@link IllegalArgumentException} naming the output when {@code dst} is shorter than it.
     */
    @FunctionalInterface
    public interface ReadInto {
        void read(String name, Node n, float[] dst);
    }

    private final Program program;
    private final Function<Node, HostTensor> readBack;
    private final ReadInto readInto;
    private final Map<String, HostTensor> fetched = new HashMap<>();

    /** The outputs of {@code program}, each read by {@code readBack} from its node; {@link #copyInto} goes through {@code get}. */
    public ReadBackOutputs(Program program, Function<Node, HostTensor> readBack) {
        this(program, readBack, null);
    }

    /** The outputs of {@code program}, read by {@code readBack}, or by {@code readInto} (null: through {@code get}) for {@link #copyInto}. */
    public ReadBackOutputs(Program program, Function<Node, HostTensor> readBack, ReadInto readInto) {
        this.program = program;
        this.readBack = readBack;
        this.readInto = readInto;
    }

    @Override
    public Set<String> names() {
        return program.outputs().keySet();
    }

    @Override
    public synchronized HostTensor get(String name) {
        HostTensor t = fetched.get(name);
        if (t != null) return t;
        t = readBack.apply(node(name));
        fetched.put(name, t);
        return t;
    }

    /**
     * {@link Outputs#copyInto}: an output already read by {@link #get} is copied from what it kept; any other is read from
     * the device into {@code dst} (no array allocated, nothing kept).
     */
    @Override
    public synchronized float[] copyInto(String name, float[] dst) {
        if (readInto == null || fetched.containsKey(name)) return Outputs.super.copyInto(name, dst);
        readInto.read(name, node(name), dst);
        return dst;
    }

    private Node node(String name) {
        Integer id = program.outputs().get(name);
        if (id == null) throw new IllegalArgumentException("no output named '" + name + "'; outputs: " + names());
        return program.graph().node(id);
    }
}
