package dev.jasg.nn.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import static dev.jasg.nn.spec.SpecException.Kind.CYCLE;
import static dev.jasg.nn.spec.SpecException.Kind.DANGLING_EDGE;
import static dev.jasg.nn.spec.SpecException.Kind.DUPLICATE_OR_BAD_ID;
import static dev.jasg.nn.spec.SpecException.Kind.UNCONNECTED;
import static dev.jasg.nn.spec.SpecException.Kind.UNKNOWN_TYPE;

/**
 * A checked view of a spec's graph: each node's type, resolved hyper-parameters and sources (one
 * per port, null where unfed), and a topological order (ties by node position, so the order is
 * a function of the spec alone). Immutable.
 */
final class SpecGraph {
    /** Ids: a letter, then letters, digits and '_' (also a Java identifier and a layer name). */
    static final String ID = "[A-Za-z][A-Za-z0-9_]*";

    final ModelSpec spec;
    final LayerType[] types;
    final List<Map<String, Object>> params;
    final String[][] sources;
    final int[][] edgeOf;
    final List<Integer> order;

    private SpecGraph(ModelSpec spec, LayerType[] types, List<Map<String, Object>> params, String[][] sources, int[][] edgeOf, List<Integer> order) {
        this.spec = spec;
        this.types = types;
        this.params = params;
        this.sources = sources;
        this.edgeOf = edgeOf;
        this.order = order;
    }

    /** Checks {@code spec}; with {@code complete}, every port must be fed and the output set. */
    static SpecGraph of(ModelSpec spec, boolean complete) {
        Set<String> ids = new HashSet<>();
        Set<String> inputNames = new HashSet<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            String n = spec.inputs().get(i).name();
            if (!n.matches(ID)) throw new SpecException(DUPLICATE_OR_BAD_ID, "/inputs/" + i + "/name", "'" + n + "' is not a valid name (a letter, then letters, digits, '_')");
            if (!ids.add(n)) throw new SpecException(DUPLICATE_OR_BAD_ID, "/inputs/" + i + "/name", "the name '" + n + "' is used twice");
            inputNames.add(n);
        }
        int n = spec.nodes().size();
        LayerType[] types = new LayerType[n];
        List<Map<String, Object>> params = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            ModelSpec.Node node = spec.nodes().get(i);
            String p = "/nodes/" + i;
            if (!node.id().matches(ID)) throw new SpecException(DUPLICATE_OR_BAD_ID, p + "/id", "'" + node.id() + "' is not a valid id (a letter, then letters, digits, '_')");
            if (!ids.add(node.id())) throw new SpecException(DUPLICATE_OR_BAD_ID, p + "/id", "the id '" + node.id() + "' is used twice");
            index.put(node.id(), i);
            types[i] = LayerType.of(node.type()).orElseThrow(() -> new SpecException(UNKNOWN_TYPE, p + "/type",
                    "unknown layer type '" + node.type() + "'; see LayerType for the registered types"));
            params.add(Param.resolve(types[i].params(), node.params(), node.type() + " '" + node.id() + "'", p + "/params"));
        }
        String[][] sources = new String[n][];
        int[][] edgeOf = new int[n][];
        for (int i = 0; i < n; i++) {
            sources[i] = new String[types[i].ports(params.get(i))];
            edgeOf[i] = new int[sources[i].length];
            java.util.Arrays.fill(edgeOf[i], -1);
        }
        for (int j = 0; j < spec.edges().size(); j++) {
            ModelSpec.Edge e = spec.edges().get(j);
            String p = "/edges/" + j;
            if (!index.containsKey(e.from()) && !inputNames.contains(e.from())) {
                throw new SpecException(DANGLING_EDGE, p + "/from", "no node or input named '" + e.from() + "'");
            }
            Integer to = index.get(e.to());
            if (to == null) throw new SpecException(DANGLING_EDGE, p + "/to", "no node named '" + e.to() + "'" + (inputNames.contains(e.to()) ? " (an input cannot be fed)" : ""));
            if (e.port() < 0 || e.port() >= sources[to].length) {
                throw new SpecException(DANGLING_EDGE, p + "/port", "node '" + e.to() + "' (" + types[to].jsonName() + ") has " + sources[to].length
                        + " input port(s), 0.." + (sources[to].length - 1) + "; no port " + e.port());
            }
            if (sources[to][e.port()] != null) {
                throw new SpecException(UNCONNECTED, p, "port " + e.port() + " of node '" + e.to() + "' is fed twice (also by edge " + edgeOf[to][e.port()] + ")");
            }
            sources[to][e.port()] = e.from();
            edgeOf[to][e.port()] = j;
        }
        if (complete) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < sources[i].length; k++) {
                    if (sources[i][k] == null) throw new SpecException(UNCONNECTED, "/nodes/" + i, "input port " + k + " of node '" + spec.nodes().get(i).id() + "' is not connected");
                }
            }
            if (spec.output() == null) throw new SpecException(DANGLING_EDGE, "/output", "no output node is set");
            if (!ids.contains(spec.output())) throw new SpecException(DANGLING_EDGE, "/output", "no node or input named '" + spec.output() + "'");
        } else if (spec.output() != null && !ids.contains(spec.output())) {
            throw new SpecException(DANGLING_EDGE, "/output", "no node or input named '" + spec.output() + "'");
        }
        return new SpecGraph(spec, types, List.copyOf(params), sources, edgeOf, order(spec, sources, edgeOf, index));
    }

    // Kahn's algorithm, the lowest node index first among the ready ones.
    private static List<Integer> order(ModelSpec spec, String[][] sources, int[][] edgeOf, Map<String, Integer> index) {
        int n = sources.length;
        int[] pending = new int[n];
        List<List<Integer>> users = new ArrayList<>();
        for (int i = 0; i < n; i++) users.add(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            for (String s : sources[i]) {
                Integer from = s == null ? null : index.get(s);
                if (from != null) {
                    pending[i]++;
                    users.get(from).add(i);
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) if (pending[i] == 0) ready.add(i);
        List<Integer> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(i);
            for (int u : users.get(i)) if (--pending[u] == 0) ready.add(u);
        }
        if (order.size() < n) {
            // Walk back along unfinished sources from an unfinished node until a node repeats: that is a cycle.
            int start = -1;
            for (int i = 0; i < n && start < 0; i++) if (pending[i] > 0) start = i;
            List<Integer> path = new ArrayList<>();
            int cur = start;
            while (!path.contains(cur)) {
                path.add(cur);
                int next = -1;
                for (String s : sources[cur]) {
                    Integer from = s == null ? null : index.get(s);
                    if (from != null && pending[from] > 0) {
                        next = from;
                        break;
                    }
                }
                cur = next;
            }
            List<Integer> cycle = path.subList(path.indexOf(cur), path.size());
            StringBuilder names = new StringBuilder();
            for (int k = cycle.size() - 1; k >= 0; k--) names.append(spec.nodes().get(cycle.get(k)).id()).append(" -> ");
            names.append(spec.nodes().get(cycle.get(cycle.size() - 1)).id());
            int last = cycle.get(0);
            int edge = -1;
            String src = spec.nodes().get(cycle.size() > 1 ? cycle.get(1) : last).id();
            for (int k = 0; k < sources[last].length; k++) if (src.equals(sources[last][k])) edge = edgeOf[last][k];
            throw new SpecException(CYCLE, edge >= 0 ? "/edges/" + edge : "/edges", "the edges make a cycle: " + names);
        }
        return List.copyOf(order);
    }

    /** The node index of id {@code id}, or -1 (an input, or nothing). */
    int index(String id) {
        return spec.nodeIndex(id);
    }
}
