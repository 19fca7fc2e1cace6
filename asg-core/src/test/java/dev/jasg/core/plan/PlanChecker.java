package dev.jasg.core.plan;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A brute-force checker of a {@link BufferPlan}, independent of how the planner works: it runs
 * the program twice on a model of the buffers (one owner per byte), writing each value where
 * the plan puts it, and asserts that every read finds the value it reads still there, that
 * snapshots and outputs survive to the end, that ranges alive at once never overlap, that
 * offsets and sizes keep the alignment, that nothing is written in place over a parameter,
 * feed, constant, output or assigned value, and that the reported peak is the buffers' sum.
 */
final class PlanChecker {
    private PlanChecker() {}

    static void check(Program program, Program.Binding b, PlanPolicy policy, BufferPlan plan) {
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        long align = policy.alignment();
        List<BufferPlan.Range> ranges = plan.ranges();
        // layout: aligned, inside its buffer, no two ranges of one buffer alive at once overlap
        long sum = 0;
        for (int k = 0; k < plan.bufferCount(); k++) {
            sum += plan.bufferBytes(k);
            require(plan.bufferBytes(k) % align == 0, "buffer " + k + " size " + plan.bufferBytes(k) + " is not aligned to " + align);
        }
        require(sum == plan.peakBytes(), "peak " + plan.peakBytes() + " is not the buffers' sum " + sum);
        for (int i = 0; i < ranges.size(); i++) {
            BufferPlan.Range r = ranges.get(i);
            require(r.offset() % align == 0 && r.bytes() % align == 0, "range " + r + " is not aligned to " + align);
            require(r.offset() + r.bytes() <= plan.bufferBytes(r.buffer()), "range " + r + " passes the end of its buffer");
            if (policy.packing() == PlanPolicy.Packing.BUFFERS) require(r.offset() == 0, "range " + r + " does not start its buffer");
            for (int j = 0; j < i; j++) {
                BufferPlan.Range o = ranges.get(j);
                boolean overlap = r.buffer() == o.buffer() && r.offset() < o.offset() + o.bytes() && o.offset() < r.offset() + r.bytes();
                require(!(overlap && r.livesWith(o)), "ranges " + o + " and " + r + " are alive at once and overlap");
            }
        }
        // in place only over computed storage that nothing reads later
        Set<Integer> kept = new HashSet<>(program.outputs().values());
        for (Graph.Assignment a : program.assignments()) kept.add(a.value());
        for (Node n : schedule) {
            int src = plan.inPlaceOf(n.id());
            if (src < 0) continue;
            require(plan.planned(src) && plan.rangeOf(src).storage() == PlanPolicy.Storage.COMPUTED,
                    "node " + n.id() + " writes in place over " + src + ", which is not computed storage");
            require(!kept.contains(src), "node " + n.id() + " writes in place over output or assigned value " + src);
        }
        // the model: each byte of each buffer knows which value's data it holds (-1: none)
        int[][] owner = new int[plan.bufferCount()][];
        for (int k = 0; k < owner.length; k++) {
            owner[k] = new int[(int) plan.bufferBytes(k)];
            Arrays.fill(owner[k], -1);
        }
        int[] data = new int[g.size()]; // which value's data a node's value is (views: their source's)
        Arrays.fill(data, -1);
        for (Node n : schedule) data[n.id()] = plan.viewOf(n.id()) >= 0 ? data[plan.viewOf(n.id())] : n.id();
        for (Node n : schedule) {
            if (plan.planned(n.id()) && plan.viewOf(n.id()) < 0 && policy.storage(n) == PlanPolicy.Storage.PRELOADED) write(owner, plan, b, policy, n, data);
        }
        for (int run = 0; run < 2; run++) {
            for (Node n : schedule) {
                if (plan.planned(n.id()) && plan.viewOf(n.id()) < 0 && policy.storage(n) == PlanPolicy.Storage.FED) write(owner, plan, b, policy, n, data);
            }
            for (Node n : schedule) {
                for (int in : n.inputs()) read(owner, plan, b, policy, g.node(in), data, "node " + n.id() + " (run " + run + ")");
                if (plan.planned(n.id()) && plan.viewOf(n.id()) < 0 && policy.storage(n) == PlanPolicy.Storage.COMPUTED) write(owner, plan, b, policy, n, data);
            }
            List<Integer> snaps = new ArrayList<>();
            for (int id : kept) {
                if (plan.hasSnapshot(id)) {
                    snaps.add(id);
                    require(!plan.planned(id), "node " + id + " has planned storage and a snapshot");
                } else {
                    read(owner, plan, b, policy, g.node(id), data, "the end (run " + run + ")");
                }
            }
            for (int id : snaps) {
                BufferPlan.Range r = plan.snapshotOf(id);
                require(r.first() == schedule.size() && r.last() == BufferPlan.END, "snapshot " + r + " is not live from the end of the steps");
                long bytes = policy.bytes(g.node(id), b);
                for (long i = 0; i < bytes; i++) owner[r.buffer()][(int) (r.offset() + i)] = -2 - id;
            }
            for (int id : kept) {
                if (plan.hasSnapshot(id)) {
                    BufferPlan.Range r = plan.snapshotOf(id);
                    for (long i = 0; i < policy.bytes(g.node(id), b); i++) {
                        require(owner[r.buffer()][(int) (r.offset() + i)] == -2 - id, "the snapshot of " + id + " was overwritten");
                    }
                } else {
                    read(owner, plan, b, policy, g.node(id), data, "the end, after snapshots (run " + run + ")");
                }
            }
        }
    }

    private static void write(int[][] owner, BufferPlan plan, Program.Binding b, PlanPolicy policy, Node n, int[] data) {
        BufferPlan.Range r = plan.rangeOf(n.id());
        long bytes = policy.bytes(n, b);
        require(bytes <= r.bytes(), "node " + n.id() + " of " + bytes + " bytes does not fit its range " + r);
        for (long i = 0; i < bytes; i++) owner[r.buffer()][(int) (r.offset() + i)] = data[n.id()];
    }

    private static void read(int[][] owner, BufferPlan plan, Program.Binding b, PlanPolicy policy, Node n, int[] data, String where) {
        if (!plan.planned(n.id())) return; // external storage: never written by the plan
        BufferPlan.Range r = plan.rangeOf(n.id());
        long bytes = policy.bytes(n, b);
        for (long i = 0; i < bytes; i++) {
            int o = owner[r.buffer()][(int) (r.offset() + i)];
            require(o == data[n.id()], where + " reads node " + n.id() + " but byte " + i + " of its range " + r + " holds "
                    + (o == -1 ? "nothing" : o < -1 ? "the snapshot of " + (-2 - o) : "node " + o));
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }
}
