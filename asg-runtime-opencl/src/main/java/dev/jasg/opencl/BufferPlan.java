package dev.jasg.opencl;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory plan of one binding: where each tensor lives in one arena buffer. Lifetime analysis and buffer
 * assignment in one place, so the backend can move to core's shared planner by replacing this class alone.
 *
 * <p>Leaves (inputs, constants, counts) and parameter snapshots get ranges that are never reused; every other
 * value is placed first-fit when it is computed and its range returns to the free list after its last read.
 * Parameters live in the parameter store, not here ({@code offset == -1}). A {@code checked} plan (anomaly
 * mode) reuses nothing, so every value outlives the run. Offsets and sizes are multiples of the alignment
 * (sub-buffer origins must be). Immutable once made.
 *
 * @param offsets byte offset of each node's value by node id, -1 for parameters and nodes not scheduled
 * @param bytes bytes of each node's value by node id
 * @param snapshots node id of a parameter read as an output or assigned value, to the offset of its copy
 *     taken before any assignment
 * @param size the arena's size in bytes: the peak of what is live at once
 */
record BufferPlan(long[] offsets, long[] bytes, Map<Integer, Long> snapshots, long size) {

    static BufferPlan of(Program program, Program.Binding binding, long alignment, boolean checked) {
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        long[] offsets = new long[g.size()];
        long[] bytes = new long[g.size()];
        java.util.Arrays.fill(offsets, -1);
        boolean[] pinned = new boolean[g.size()];
        Arena arena = new Arena(alignment);
        for (Node n : schedule) {
            bytes[n.id()] = 4L * binding.shape(n.id()).size();
            if (n.op() instanceof Op.Input || n.op() instanceof Op.Constant || n.op() instanceof Op.Count) {
                pinned[n.id()] = true;
                offsets[n.id()] = arena.allocate(bytes[n.id()]);
            }
        }
        Map<Integer, Long> snapshots = new LinkedHashMap<>();
        for (int id : program.outputs().values()) {
            if (g.node(id).op() instanceof Op.Parameter) snapshots.put(id, arena.allocate(bytes[id]));
        }
        for (Graph.Assignment a : program.assignments()) {
            if (g.node(a.value()).op() instanceof Op.Parameter && !snapshots.containsKey(a.value())) {
                snapshots.put(a.value(), arena.allocate(bytes[a.value()]));
            }
        }
        for (int s = 0; s < schedule.size(); s++) {
            Node n = schedule.get(s);
            boolean param = n.op() instanceof Op.Parameter;
            if (!pinned[n.id()] && !param) offsets[n.id()] = arena.allocate(bytes[n.id()]);
            if (checked) continue;
            int[] ins = n.inputs();
            for (int k = 0; k < ins.length; k++) {
                int id = ins[k];
                boolean seen = false;
                for (int j = 0; j < k; j++) seen |= ins[j] == id;
                if (!seen && program.lastUse(id) == s && freeable(g.node(id), pinned)) arena.release(offsets[id], bytes[id]);
            }
            if (program.lastUse(n.id()) == -1 && freeable(n, pinned)) arena.release(offsets[n.id()], bytes[n.id()]);
        }
        return new BufferPlan(offsets, bytes, snapshots, arena.size());
    }

    private static boolean freeable(Node n, boolean[] pinned) {
        return !pinned[n.id()] && !(n.op() instanceof Op.Parameter);
    }

    /** First-fit placement in one buffer with coalescing free ranges. */
    private static final class Arena {
        private final long alignment;
        private final List<long[]> free = new ArrayList<>();
        private long top;

        Arena(long alignment) {
            this.alignment = alignment;
        }

        long allocate(long bytes) {
            long size = align(Math.max(bytes, 1));
            for (int i = 0; i < free.size(); i++) {
                long[] f = free.get(i);
                if (f[1] >= size) {
                    long at = f[0];
                    f[0] += size;
                    f[1] -= size;
                    if (f[1] == 0) free.remove(i);
                    return at;
                }
            }
            if (!free.isEmpty()) {
                long[] last = free.get(free.size() - 1);
                if (last[0] + last[1] == top) {
                    free.remove(free.size() - 1);
                    top = last[0] + size;
                    return last[0];
                }
            }
            long at = top;
            top += size;
            return at;
        }

        void release(long offset, long bytes) {
            long size = align(Math.max(bytes, 1));
            int i = 0;
            while (i < free.size() && free.get(i)[0] < offset) i++;
            free.add(i, new long[] {offset, size});
            if (i + 1 < free.size() && offset + size == free.get(i + 1)[0]) {
                free.get(i)[1] += free.get(i + 1)[1];
                free.remove(i + 1);
            }
            if (i > 0 && free.get(i - 1)[0] + free.get(i - 1)[1] == offset) {
                free.get(i - 1)[1] += free.get(i)[1];
                free.remove(i);
            }
        }

        long size() {
            return Math.max(top, alignment);
        }

        private long align(long v) {
            return (v + alignment - 1) / alignment * alignment;
        }
    }
}
