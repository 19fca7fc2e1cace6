package dev.jasg.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The outputs of one run of a device backend: each is read back (through {@code readBack}, which
 * the backend guards with its lock and its check that no later run has reused the memory) the first
 * time it is asked for, then kept. Safe to read from several threads.
 */
public final class ReadBackOutputs implements Outputs {
    private final Program program;
    private final Function<Node, HostTensor> readBack;
    private final Map<String, HostTensor> fetched = new HashMap<>();

    /** The outputs of {@code program}, each read by {@code readBack} from its node. */
    public ReadBackOutputs(Program program, Function<Node, HostTensor> readBack) {
        this.program = program;
        this.readBack = readBack;
    }

    @Override
    public Set<String> names() {
        return program.outputs().keySet();
    }

    @Override
    public synchronized HostTensor get(String name) {
        HostTensor t = fetched.get(name);
        if (t != null) return t;
        Integer id = program.outputs().get(name);
        if (id == null) throw new IllegalArgumentException("no output named '" + name + "'; outputs: " + names());
        t = readBack.apply(program.graph().node(id));
        fetched.put(name, t);
        return t;
    }
}
