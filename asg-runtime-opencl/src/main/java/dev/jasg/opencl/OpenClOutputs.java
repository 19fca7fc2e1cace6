package dev.jasg.opencl;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The outputs of one run; each is read back from the device the first time it is asked for, under the
 * backend's lock and only while no later run has reused the memory (else {@link IllegalStateException}).
 * Safe to read from several threads.
 */
final class OpenClOutputs implements dev.jasg.core.Outputs {
    private final OpenClExecutable owner;
    private final ExecutionPlan plan;
    private final long run;
    private final Map<String, HostTensor> fetched = new HashMap<>();

    OpenClOutputs(OpenClExecutable owner, ExecutionPlan plan, long run) {
        this.owner = owner;
        this.plan = plan;
        this.run = run;
    }

    @Override
    public Set<String> names() {
        return owner.program().outputs().keySet();
    }

    @Override
    public synchronized HostTensor get(String name) {
        HostTensor t = fetched.get(name);
        if (t != null) return t;
        Integer id = owner.program().outputs().get(name);
        if (id == null) throw new IllegalArgumentException("no output named '" + name + "'; outputs: " + names());
        Node n = owner.program().graph().node(id);
        t = owner.readBack(plan, run, n);
        fetched.put(name, t);
        return t;
    }
}
