package dev.jasg.viewer.lab;

import dev.jasg.core.Backend;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.GraphBuilder;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.nn.train.NodeStats;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the value of any node of a trainer's graphs, for the inspector's statistics. A parameter
 * is read from the store and an input from the batch; any other node gets a small graph that
 * continues the forward (or gradient) graph with that node as its only output, compiled once over
 * the same parameter store and run on the batch. Only the probe's own outputs are fetched and it
 * has no assignments, so probing never changes the weights.
 */
final class NodeProbe implements AutoCloseable {
    private static final String OUTPUT = "probe";
    private final Backend backend;
    private final Parameters store;
    private final Graph forward;
    private final Graph gradients;
    private final Map<Integer, Executable> compiled = new HashMap<>();

    NodeProbe(Backend backend, Parameters store, Graph forward, Graph gradients) {
        this.backend = backend;
        this.store = store;
        this.forward = forward;
        this.gradients = gradients;
    }

    /** The statistics of node {@code id} on {@code feeds} (the last batch and the learning rate), labelled as after step {@code step}. */
    NodeStats stats(int id, Map<String, HostTensor> feeds, long step) {
        Node n = gradients.node(id);
        return NodeStats.of(id, n.path(), step, value(n, feeds));
    }

    private HostTensor value(Node n, Map<String, HostTensor> feeds) {
        if (n.op() instanceof Op.Parameter p) return store.get(p.name());
        if (n.op() instanceof Op.Input in) {
            HostTensor v = feeds.get(in.name());
            if (v == null) throw new IllegalStateException("no value for input '" + in.name() + "' before the first step");
            return v;
        }
        Graph base = n.id() < forward.size() ? forward : gradients;
        Executable e = compiled.computeIfAbsent(n.id(), id -> {
            GraphBuilder g = new GraphBuilder(base);
            g.output(OUTPUT, g.tensor(id));
            return backend.compile(store, java.util.List.of(g.build()));
        });
        Map<String, HostTensor> used = new LinkedHashMap<>();
        for (String name : base.inputs().keySet()) {
            HostTensor v = feeds.get(name);
            if (v == null) throw new IllegalStateException("no value for input '" + name + "' before the first step");
            used.put(name, v);
        }
        return e.run(used).get(OUTPUT);
    }

    @Override
    public void close() {
        for (Executable e : compiled.values()) e.close();
        compiled.clear();
    }
}
