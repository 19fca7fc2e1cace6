package dev.jasg.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-node time and memory of one run of an {@link Executable}, from its {@link Profiling}
 * capability: one {@link Entry} per node the run's schedule holds, in schedule (topological)
 * order, leaves (inputs, parameters, constants) included with no time of their own.
 *
 * <p>Time is what the backend measured around the node's work: host {@code System.nanoTime} around
 * each kernel on the CPU (a node fused into its consumer shows 0 and its consumer the fused work),
 * device timestamps ({@code vkCmdWriteTimestamp} before and after the node's dispatches, scaled by
 * the device's {@code timestampPeriod}) on Vulkan, where the profiled run puts a barrier before every
 * node so that nodes do not overlap. Memory is the node's output as the graph types it,
 * {@code elements * dtype.bytes()}, not the backend's storage (the CPU and Vulkan backends keep
 * every value as f32).
 *
 * <p>Immutable and thread-safe.
 *
 * @param backend    the backend's name ({@code cpu}, {@code vulkan})
 * @param clock      what measured the times, e.g. {@code host System.nanoTime} or {@code device timestamps}
 * @param totalNanos the whole run as the backend measured it (at least the sum of the entries)
 * @param entries    one per scheduled node, in schedule order
 */
public record Profile(String backend, String clock, long totalNanos, List<Entry> entries) {
    /**
     * One node of a profiled run.
     *
     * @param node  the node's id in the executable's (chained) graph, the id its {@link Graph} gives it
     * @param path  its scope and op, {@link Node#path()}
     * @param op    its op's label
     * @param shape its concrete shape in this run
     * @param dtype its dtype
     * @param nanos time spent computing it, 0 for a leaf or a node fused into another
     * @param bytes the size of its value, {@code shape.size() * dtype.bytes()}
     */
    public record Entry(int node, String path, String op, Shape shape, DType dtype, long nanos, long bytes) {
        /** Checks the arguments. */
        public Entry {
            if (nanos < 0 || bytes < 0) throw new IllegalArgumentException("a profile entry's time and size are non-negative: " + nanos + " ns, " + bytes + " B");
        }
    }

    /** Copies the entries. */
    public Profile {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(clock, "clock");
        entries = List.copyOf(entries);
    }

    /** The entry of node {@code id}, or null when the run did not schedule it. */
    public Entry entry(int id) {
        for (Entry e : entries) if (e.node() == id) return e;
        return null;
    }

    /** The entries by node id. */
    public Map<Integer, Entry> byNode() {
        Map<Integer, Entry> m = new HashMap<>();
        for (Entry e : entries) m.put(e.node(), e);
        return m;
    }

    /** The sum of the entries' times. */
    public long nodeNanos() {
        long s = 0;
        for (Entry e : entries) s += e.nanos();
        return s;
    }

    /** The sum of the entries' sizes: the memory every value of the run would take if none were reused. */
    public long bytes() {
        long s = 0;
        for (Entry e : entries) s += e.bytes();
        return s;
    }

    /** The {@code k} slowest entries, slowest first. */
    public List<Entry> hottest(int k) {
        List<Entry> l = new ArrayList<>(entries);
        l.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return l.subList(0, Math.min(k, l.size()));
    }

    /**
     * The hottest path through {@code graph}: the chain of nodes, from a leaf to a sink, whose summed
     * time is largest (the critical path of the run, were nodes run as soon as their inputs are
     * ready), as node ids in topological order. Nodes of {@code graph} absent from the profile count 0.
     */
    public List<Integer> hottestPath(Graph graph) {
        Map<Integer, Entry> by = byNode();
        int n = graph.size();
        long[] best = new long[n];
        int[] prev = new int[n];
        java.util.Arrays.fill(prev, -1);
        int end = -1;
        for (Node node : graph.nodes()) {
            int id = node.id();
            long own = by.containsKey(id) ? by.get(id).nanos() : 0;
            long in = 0;
            for (int i : node.inputs()) {
                if (i >= graph.base() && best[i] > in) {
                    in = best[i];
                    prev[id] = i;
                }
            }
            best[id] = in + own;
            if (end < 0 || best[id] > best[end]) end = id;
        }
        List<Integer> path = new ArrayList<>();
        for (int id = end; id >= 0; id = prev[id]) path.add(0, id);
        return path;
    }
}
