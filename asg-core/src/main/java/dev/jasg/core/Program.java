package dev.jasg.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every backend does before it plans memory: checks that the graphs form one chain,
 * collects outputs and assignments, keeps only the nodes they need (in topological
 * order), records each node's last use for buffer reuse, and binds feeds to inputs.
 * Immutable once built, so safe to share between threads: {@link #bind}, {@link #rebinds} and
 * {@link #checkRanges} read it only.
 */
public final class Program {
    private final Graph last;
    private final List<Node> schedule;
    private final Map<String, Integer> outputs;
    private final List<Graph.Assignment> assignments;
    private final Map<String, Node> inputs;
    private final List<Node> parameters;
    private final int[] lastUse;
    private final List<FeedRange> feedRanges;
    /** The inputs' names and nodes in {@link #inputs}' order, for {@link #rebinds} (no iterator). */
    private final String[] inputNames;
    private final Node[] inputNodes;
    /**
     * Every input's name along the graph chain, those the schedule does not need too (a trainer's target when the loss
     * ignores it): feeds a run accepts, listed once instead of walking the graph's nodes for every such feed.
     */
    private final java.util.Set<String> chainInputs;
    private final String[] chainInputNames;

    private Program(Graph last, List<Node> schedule, Map<String, Integer> outputs, List<Graph.Assignment> assignments) {
        this.last = last;
        this.feedRanges = last.feedRanges();
        this.schedule = List.copyOf(schedule);
        this.outputs = java.util.Collections.unmodifiableMap(outputs);
        this.assignments = List.copyOf(assignments);
        Map<String, Node> in = new LinkedHashMap<>();
        List<Node> ps = new ArrayList<>();
        for (Node n : schedule) {
            if (n.op() instanceof Op.Input i) in.put(i.name(), n);
            if (n.op() instanceof Op.Parameter) ps.add(n);
        }
        this.inputs = java.util.Collections.unmodifiableMap(in);
        this.chainInputs = java.util.Set.copyOf(last.inputs().keySet());
        this.chainInputNames = chainInputs.toArray(String[]::new);
        this.inputNames = in.keySet().toArray(String[]::new);
        this.inputNodes = in.values().toArray(Node[]::new);
        this.parameters = List.copyOf(ps);
        this.lastUse = new int[last.size()];
        Arrays.fill(lastUse, -1);
        for (int s = 0; s < schedule.size(); s++) {
            for (int i : schedule.get(s).inputs()) lastUse[i] = s;
        }
        for (int id : outputs.values()) lastUse[id] = Integer.MAX_VALUE;
        for (Graph.Assignment a : assignments) lastUse[a.value()] = Integer.MAX_VALUE;
    }

    /**
     * Builds the program for {@code graphs}, which must lie on one chain, in any order. The program
     * runs the chain up to its end: the graph that continues (or is) every other graph given. That is
     * decided by the graphs' parents, not by their sizes, so a graph that continues another only by
     * adding outputs (no node of its own, the same size) is still the end.
     *
     * @throws IllegalArgumentException when no graphs are given, or when no graph given continues all
     *     the others (say two graphs both continue a third, or they have different roots)
     */
    public static Program of(List<Graph> graphs) {
        if (graphs.isEmpty()) throw new IllegalArgumentException("compile: no graphs given");
        Graph last = endOfChain(graphs);
        Map<String, Integer> outputs = new LinkedHashMap<>();
        List<Graph.Assignment> assignments = new ArrayList<>();
        for (Graph g : graphs) {
            for (var e : g.outputs().entrySet()) {
                if (outputs.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("compile: two graphs have an output named '" + e.getKey() + "'");
            }
            for (Graph.Assignment a : g.assignments()) {
                for (Graph.Assignment b : assignments) {
                    if (a.parameter() == b.parameter()) throw new IllegalArgumentException("compile: parameter node " + a.parameter() + " is assigned twice");
                }
                assignments.add(a);
            }
        }
        boolean[] live = new boolean[last.size()];
        for (int id : outputs.values()) live[id] = true;
        for (Graph.Assignment a : assignments) {
            live[a.value()] = true;
            live[a.parameter()] = true;
        }
        for (int id = live.length - 1; id >= 0; id--) {
            if (!live[id]) continue;
            for (int i : last.node(id).inputs()) live[i] = true;
        }
        List<Node> schedule = new ArrayList<>();
        for (Node n : last.allNodes()) if (live[n.id()]) schedule.add(n);
        return new Program(last, schedule, outputs, assignments);
    }

    /** The graph among {@code graphs} that continues (or is) every one of them; the error names the graphs otherwise. */
    private static Graph endOfChain(List<Graph> graphs) {
        for (Graph candidate : graphs) {
            boolean all = true;
            for (Graph g : graphs) all &= candidate.extendsGraph(g);
            if (all) return candidate;
        }
        StringBuilder sb = new StringBuilder("compile: the graphs given are not one chain (no graph among them continues all the others): ");
        for (int i = 0; i < graphs.size(); i++) {
            Graph g = graphs.get(i);
            sb.append(i == 0 ? "" : "; ").append("graph ").append(i).append(' ').append(g);
            if (g.parent() != null) sb.append(" continues ").append(graphs.contains(g.parent()) ? "graph " + graphs.indexOf(g.parent()) : g.parent().toString());
        }
        throw new IllegalArgumentException(sb.append(". Pass a graph and the graphs that continue it, e.g. forward, gradient, update").toString());
    }

    /** The end of the chain: the graph given that continues all the others. */
    public Graph graph() {
        return last;
    }

    /** The nodes to compute, in topological order. */
    public List<Node> schedule() {
        return schedule;
    }

    /** Outputs by name. */
    public Map<String, Integer> outputs() {
        return outputs;
    }

    /** Assignments to apply after a run. */
    public List<Graph.Assignment> assignments() {
        return assignments;
    }

    /** Inputs the schedule reads, by name. */
    public Map<String, Node> inputs() {
        return inputs;
    }

    /** Parameter nodes the schedule reads or assigns. */
    public List<Node> parameters() {
        return parameters;
    }

    /**
     * Position in {@link #schedule()} of the last node that reads node {@code id};
     * {@link Integer#MAX_VALUE} for outputs and assigned values (they live to the end of
     * the run), -1 when nothing reads it.
     */
    public int lastUse(int id) {
        return lastUse[id];
    }

    /** Concrete sizes of the symbolic dimensions, and concrete shapes of the nodes, for one set of feeds. */
    public record Binding(Map<String, Integer> symbols, Shape[] shapes) {
        /** Concrete shape of node {@code id}. */
        public Shape shape(int id) {
            return shapes[id];
        }
    }

    /**
     * Checks the feeds against the ranges the graphs declared on their inputs ({@link GraphBuilder#requireRange}), as
     * {@link #bind} does: for a backend that reuses an earlier binding for feeds of the same shapes without binding them
     * again. Allocates nothing when every value is in range.
     *
     * @throws FeedException at the first value outside its input's range, naming the input, the element and the value
     */
    public void checkRanges(Map<String, HostTensor> feeds) {
        for (int i = 0; i < feedRanges.size(); i++) {
            FeedRange r = feedRanges.get(i);
            HostTensor v = feeds.get(r.input());
            if (v != null) r.check(v);
        }
    }

    /**
     * Whether binding {@code feeds} would give {@code binding} again: they hold this program's inputs, and besides them only
     * inputs of the graph chain the schedule does not read (as {@link #bind} allows), each input of the shape {@code binding}
     * bound and of a dtype {@link #bind} accepts; then their values are checked against the declared ranges as {@link #bind}
     * checks them. For a backend that runs an earlier plan again without binding the feeds (a warm step then builds no map
     * and no shapes); false sends it to {@link #bind}, which names what is wrong. Allocates nothing, or an iterator over the
     * feeds' names where they hold some but not all of the chain's unread inputs.
     *
     * @throws FeedException when the feeds match but a value lies outside its input's declared range
     */
    public boolean rebinds(Binding binding, Map<String, HostTensor> feeds) {
        if (!matches(binding, feeds)) return false;
        checkRanges(feeds);
        return true;
    }

    /** {@link #rebinds} without the values' range check: the names, shapes and dtypes alone. */
    public boolean matches(Binding binding, Map<String, HostTensor> feeds) {
        if (feeds.size() != inputNames.length && !holdsExactly(feeds, chainInputNames)) {
            // more feeds than the schedule reads: each must still be an input of the chain, as bind requires
            if (feeds.size() < inputNames.length) return false;
            for (String k : feeds.keySet()) if (!chainInputs.contains(k)) return false;
        }
        for (int i = 0; i < inputNames.length; i++) {
            HostTensor v = feeds.get(inputNames[i]);
            if (v == null || !v.shape().equals(binding.shape(inputNodes[i].id()))) return false;
            DType want = inputNodes[i].dtype(), got = v.dtype();
            if (want != got && !(want.isFloat() && got.isFloat()) && !(want.isInteger() && got.isInteger())) return false;
        }
        return true;
    }

    /** Whether {@code feeds} name exactly {@code names} (checked without an iterator). */
    private static boolean holdsExactly(Map<String, HostTensor> feeds, String[] names) {
        if (feeds.size() != names.length) return false;
        for (String name : names) if (!feeds.containsKey(name)) return false;
        return true;
    }

    /**
     * The node id of output {@code name}.
     *
     * @throws IllegalArgumentException when there is no output {@code name}, listing the outputs
     */
    public int outputId(String name) {
        Integer id = outputs.get(name);
        if (id == null) throw new IllegalArgumentException("no output named '" + name + "'; outputs: " + outputs.keySet());
        return id;
    }

    /**
     * Checks {@code feeds} against the inputs (names, dtypes, shapes, consistent symbol
     * sizes, declared value ranges) and returns the concrete shapes of every scheduled node.
     */
    public Binding bind(Map<String, HostTensor> feeds) {
        Map<String, Integer> sym = new HashMap<>();
        for (var e : inputs.entrySet()) {
            HostTensor v = feeds.get(e.getKey());
            Node n = e.getValue();
            if (v == null) {
                throw new FeedException("no feed for input '" + e.getKey() + "' (" + n.dtype().label() + n.shape() + "); feeds given: " + feeds.keySet());
            }
            boolean dtypeOk = v.dtype() == n.dtype() || (v.dtype().isFloat() && n.dtype().isFloat())
                    || (v.dtype().isInteger() && n.dtype().isInteger());
            if (!dtypeOk) {
                throw new FeedException("feed '" + e.getKey() + "' is " + v.dtype().label() + " but the input is " + n.dtype().label());
            }
            Shape want = n.shape(), got = v.shape();
            if (want.rank() != got.rank()) {
                throw new FeedException("feed '" + e.getKey() + "' has shape " + got + " but input '" + e.getKey() + "' is " + want);
            }
            for (int i = 0; i < want.rank(); i++) {
                if (want.isSymbolic(i)) {
                    Integer prev = sym.putIfAbsent(want.symbol(i), got.dim(i));
                    if (prev != null && prev != got.dim(i)) {
                        throw new FeedException("feed '" + e.getKey() + "' binds " + want.symbol(i) + "=" + got.dim(i)
                                + " but an earlier feed bound " + want.symbol(i) + "=" + prev);
                    }
                } else if (want.dim(i) != got.dim(i)) {
                    throw new FeedException("feed '" + e.getKey() + "' has shape " + got + " but input '" + e.getKey() + "' is " + want);
                }
            }
        }
        for (String k : feeds.keySet()) {
            if (!inputs.containsKey(k) && !chainInputs.contains(k)) {
                throw new FeedException("feed '" + k + "' matches no input; inputs: " + last.inputs().keySet());
            }
        }
        checkRanges(feeds);
        Shape[] shapes = new Shape[last.size()];
        for (Node n : schedule) shapes[n.id()] = n.shape().bind(sym);
        return new Binding(Map.copyOf(sym), shapes);
    }
}
