package dev.jasg.opencl;

import dev.jasg.core.plan.BufferPlanner;
import dev.jasg.core.plan.PlanPolicy;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory plan of one binding: where each tensor lives in one arena buffer, as asg-core's
 * {@link BufferPlanner} lays it out under {@link PlanPolicy#deviceArena} with no views (the planner every backend
 * shares).
 *
 * <p>Parameters live in the parameter store, not here ({@code offset == -1}). A {@code checked} plan (anomaly
 * mode) reuses nothing, so every value outlives the run. Offsets and sizes are multiples of the alignment
 * (sub-buffer origins must be). Immutable once made.
 *
 * @param offsets byte offset of each node's value by node id, -1 for parameters and nodes not scheduled
 * @param bytes bytes of each node's value by node id
 * @param snapshots node id of a value read as an output or assigned while a parameter may change under it, to the
 *     offset of its copy taken before any assignment
 * @param size the arena's size in bytes: the peak of what is live at once
 */
record BufferPlan(long[] offsets, long[] bytes, Map<Integer, Long> snapshots, long size) {

    static BufferPlan of(Program program, Program.Binding binding, long alignment, boolean checked) {
        Graph g = program.graph();
        dev.jasg.core.plan.BufferPlan plan = BufferPlanner.plan(program, binding, PlanPolicy.deviceArena(alignment, (n, b) -> -1), !checked);
        long[] offsets = new long[g.size()];
        long[] bytes = new long[g.size()];
        java.util.Arrays.fill(offsets, -1);
        for (Node n : program.schedule()) {
            bytes[n.id()] = 4L * binding.shape(n.id()).size();
            if (plan.planned(n.id())) offsets[n.id()] = plan.offset(n.id());
        }
        Map<Integer, Long> snapshots = new LinkedHashMap<>();
        List<Integer> kept = new java.util.ArrayList<>(program.outputs().values());
        for (Graph.Assignment a : program.assignments()) kept.add(a.value());
        for (int id : kept) if (plan.hasSnapshot(id)) snapshots.putIfAbsent(id, plan.snapshotOf(id).offset());
        return new BufferPlan(offsets, bytes, snapshots, Math.max(plan.peakBytes(), alignment));
    }
}
