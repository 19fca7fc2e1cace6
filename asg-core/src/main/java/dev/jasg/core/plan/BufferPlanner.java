package dev.jasg.core.plan;

import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The buffer planner of every backend: lifetime analysis and storage assignment for one program
 * under one binding, parameterised by a backend's {@link PlanPolicy}. Stateless and
 * deterministic: the same program, binding and policy give the same plan, on any thread.
 *
 * <p><b>Lifetimes.</b> Each value that needs storage of its own opens a range, live from the
 * step that writes it (the start of the run for {@linkplain PlanPolicy.Storage#FED fed} values;
 * always for {@linkplain PlanPolicy.Storage#PRELOADED preloaded} ones) to its last read, or to
 * {@link BufferPlan#END} for outputs and assigned values; a value nobody reads is still live at
 * its own step, or to the later step the policy names ({@link PlanPolicy#lastRead}). A view ({@link PlanPolicy#viewOf}) joins its operand's range and extends it to
 * its own last read. A result the policy lets run in place ({@link PlanPolicy#inPlace}) joins
 * the range of an operand that dies at it, provided that range is computed storage of the same
 * class that nothing reads later. Outputs and assigned values whose storage is external and not
 * a constant get a snapshot range, live from after the last step to the end, except values the policy makes
 * {@linkplain PlanPolicy.Storage#ASSIGNED assigned} (they live in their parameter: no range, no snapshot).
 *
 * <p><b>Assignment.</b> Ranges of one storage class never share memory while both are live.
 * {@link PlanPolicy.Packing#BUFFERS}: ranges from the largest down (ties by first step), each
 * into the first buffer of its class none of whose tenants it lives with, else a new buffer
 * sized by it (greedy by size, as TFLite's arena planner sizes shared objects).
 * {@link PlanPolicy.Packing#ARENA}: offsets in one buffer per class, by three placements (largest
 * first into the smallest gap that fits, largest first into the lowest gap, and in order of first
 * step into the lowest gap, which is what a first-fit allocator freeing after last use does),
 * keeping the one with the smallest buffer (the first of them on a tie).
 * Without {@code reuse} (anomaly mode, where every value must survive the run) nothing is shared
 * and nothing runs in place; views still share their operand's storage.
 */
public final class BufferPlanner {
    private BufferPlanner() {}

    /** Plans {@code program} under {@code binding} for a backend with {@code policy}, with reuse. */
    public static BufferPlan plan(Program program, Program.Binding binding, PlanPolicy policy) {
        return plan(program, binding, policy, true);
    }

    /**
     * Plans {@code program} under {@code binding} for a backend with {@code policy}.
     *
     * @param reuse false to give every range memory of its own and run nothing in place (every
     *     value is intact when the run ends)
     * @throws IllegalArgumentException when the policy names a view source that is not an operand,
     *     an alignment that is not a positive power of two, or a negative size
     */
    public static BufferPlan plan(Program program, Program.Binding binding, PlanPolicy policy, boolean reuse) {
        long align = policy.alignment();
        if (align <= 0 || (align & (align - 1)) != 0) throw new IllegalArgumentException("plan: alignment " + align + " is not a positive power of two");
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        int size = g.size(), steps = schedule.size();
        int[] root = filled(size), rangeOf = filled(size), viewOf = filled(size), inPlaceOf = filled(size), snapshot = filled(size);
        boolean[] inParameter = new boolean[size];  // ASSIGNED: the value lives in its parameter, snapshot or not
        List<Open> open = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            Node n = schedule.get(s);
            int id = n.id();
            long bytes = policy.bytes(n, binding);
            if (bytes < 0) throw new IllegalArgumentException("plan: the policy gives node " + id + " a negative size " + bytes);
            int last = Math.max(s, Math.max(program.lastUse(id), policy.lastRead(n, program.lastUse(id))));
            int src = n.arity() == 0 ? -1 : policy.viewOf(n, binding);
            if (src >= 0) {
                if (!isOperand(n, src)) throw new IllegalArgumentException("plan: the policy makes node " + id + " a view of node " + src + ", which is not one of its operands");
                viewOf[id] = src;
                root[id] = root[src];
                int r = rangeOf[src];
                rangeOf[id] = r;
                if (r >= 0) {
                    Open o = open.get(r);
                    o.last = Math.max(o.last, last);
                    o.bytes = Math.max(o.bytes, bytes);
                }
                continue;
            }
            PlanPolicy.Storage storage = policy.storage(n);
            if (storage == PlanPolicy.Storage.EXTERNAL || storage == PlanPolicy.Storage.ASSIGNED) {
                root[id] = id;
                inParameter[id] = storage == PlanPolicy.Storage.ASSIGNED;
                continue;
            }
            int cls = policy.storageClass(n);
            int k = storage == PlanPolicy.Storage.COMPUTED && reuse ? inPlaceOperand(n, s, binding, policy, bytes, cls, rangeOf, open) : -1;
            int r;
            if (k >= 0) {
                inPlaceOf[id] = n.input(k);
                r = rangeOf[n.input(k)];
                Open o = open.get(r);
                o.last = Math.max(o.last, last);
            } else {
                r = open.size();
                int first = storage == PlanPolicy.Storage.COMPUTED ? s : 0;
                open.add(new Open(id, false, storage, cls, bytes, first, storage == PlanPolicy.Storage.PRELOADED ? BufferPlan.END : last));
            }
            rangeOf[id] = r;
            root[id] = open.get(r).head;
        }
        List<Integer> kept = new ArrayList<>(program.outputs().values());
        for (Graph.Assignment a : program.assignments()) kept.add(a.value());
        for (int id : kept) {
            if (inParameter[id] || rangeOf[id] >= 0 || snapshot[id] >= 0 || root[id] < 0 || g.node(root[id]).op() instanceof Op.Constant) continue;
            snapshot[id] = open.size();
            open.add(new Open(id, true, PlanPolicy.Storage.COMPUTED, policy.storageClass(g.node(id)), policy.bytes(g.node(id), binding), steps, BufferPlan.END));
        }
        for (Open o : open) {
            o.bytes = policy.packing() == PlanPolicy.Packing.ARENA ? alignUp(Math.max(o.bytes, 1), align) : alignUp(o.bytes, align);
            if (!reuse) {
                o.packFirst = 0;
                o.packLast = BufferPlan.END;
            } else {
                o.packFirst = o.first;
                o.packLast = o.last;
            }
        }
        return policy.packing() == PlanPolicy.Packing.ARENA ? arena(open, align, root, rangeOf, viewOf, inPlaceOf, snapshot)
                : buffers(open, root, rangeOf, viewOf, inPlaceOf, snapshot);
    }

    /** A range being planned. */
    private static final class Open {
        final int head;
        final boolean snapshot;
        final PlanPolicy.Storage storage;
        final int cls, first;
        int last, packFirst, packLast;
        long bytes;
        int buffer;
        long offset;

        Open(int head, boolean snapshot, PlanPolicy.Storage storage, int cls, long bytes, int first, int last) {
            this.head = head;
            this.snapshot = snapshot;
            this.storage = storage;
            this.cls = cls;
            this.bytes = bytes;
            this.first = first;
            this.last = last;
        }

        boolean livesWith(Open o) {
            return packFirst <= o.packLast && o.packFirst <= packLast;
        }
    }

    /** The operand position whose range {@code n} may take over at step {@code s}, or -1. */
    private static int inPlaceOperand(Node n, int s, Program.Binding b, PlanPolicy policy, long bytes, int cls, int[] rangeOf, List<Open> open) {
        int[] ins = n.inputs();
        for (int k = 0; k < ins.length; k++) {
            int r = rangeOf[ins[k]];
            if (r < 0) continue;
            Open o = open.get(r);
            if (o.storage != PlanPolicy.Storage.COMPUTED || o.last != s || o.cls != cls || o.bytes < bytes || !policy.inPlace(n, k, b)) continue;
            boolean clash = false;
            for (int j = 0; j < ins.length; j++) {
                clash |= j != k && rangeOf[ins[j]] == r && !b.shape(ins[j]).equals(b.shape(ins[k]));
            }
            if (!clash) return k;
        }
        return -1;
    }

    private static BufferPlan buffers(List<Open> open, int[] root, int[] rangeOf, int[] viewOf, int[] inPlaceOf, int[] snapshot) {
        Integer[] order = order(open, Comparator.<Integer>comparingLong(i -> -open.get(i).bytes).thenComparingInt(i -> open.get(i).first));
        List<List<Open>> tenants = new ArrayList<>();
        List<Long> caps = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (int i : order) {
            Open o = open.get(i);
            int pick = -1;
            for (int k = 0; k < tenants.size() && pick < 0; k++) {
                if (classes.get(k) != o.cls || caps.get(k) < o.bytes) continue;
                boolean free = true;
                for (Open t : tenants.get(k)) free &= !t.livesWith(o);
                if (free) pick = k;
            }
            if (pick < 0) {
                pick = tenants.size();
                tenants.add(new ArrayList<>());
                caps.add(o.bytes);
                classes.add(o.cls);
            }
            tenants.get(pick).add(o);
            o.buffer = pick;
            o.offset = 0;
        }
        long[] bytes = new long[caps.size()];
        int[] cls = new int[caps.size()];
        for (int k = 0; k < bytes.length; k++) {
            bytes[k] = caps.get(k);
            cls[k] = classes.get(k);
        }
        return result(open, PlanPolicy.Packing.BUFFERS, bytes, cls, root, rangeOf, viewOf, inPlaceOf, snapshot);
    }

    private static BufferPlan arena(List<Open> open, long align, int[] root, int[] rangeOf, int[] viewOf, int[] inPlaceOf, int[] snapshot) {
        int[] classes = open.stream().mapToInt(o -> o.cls).distinct().sorted().toArray();
        long[] bytes = new long[classes.length];
        for (int c = 0; c < classes.length; c++) {
            int cls = classes[c];
            List<Open> members = open.stream().filter(o -> o.cls == cls).toList();
            Comparator<Integer> bySize = Comparator.<Integer>comparingLong(i -> -members.get(i).bytes).thenComparingInt(i -> members.get(i).first);
            Comparator<Integer> byFirst = Comparator.comparingInt(i -> members.get(i).packFirst);
            long[] best = null;
            long bestTop = Long.MAX_VALUE;
            // candidate placements; the first with the smallest buffer wins
            Object[][] strategies = {{bySize, true}, {bySize, false}, {byFirst, false}};
            for (Object[] st : strategies) {
                @SuppressWarnings("unchecked")
                Comparator<Integer> cmp = (Comparator<Integer>) st[0];
                long[] offsets = place(members, order(members, cmp), (Boolean) st[1]);
                long top = align;
                for (int i = 0; i < members.size(); i++) top = Math.max(top, offsets[i] + members.get(i).bytes);
                if (top < bestTop) {
                    bestTop = top;
                    best = offsets;
                }
            }
            for (int i = 0; i < members.size(); i++) {
                members.get(i).buffer = c;
                members.get(i).offset = best[i];
            }
            bytes[c] = bestTop;
        }
        return result(open, PlanPolicy.Packing.ARENA, bytes, classes, root, rangeOf, viewOf, inPlaceOf, snapshot);
    }

    /**
     * Offsets of {@code members} placed in {@code order}: each at the lowest offset (or, with
     * {@code bestFit}, in the smallest gap) where it overlaps no range already placed that it
     * lives with, else above them all.
     */
    private static long[] place(List<Open> members, Integer[] order, boolean bestFit) {
        int n = members.size();
        long[] offsets = new long[n];
        int[] byOffset = new int[n]; // the ranges placed so far, by offset
        int placed = 0;
        for (int i : order) {
            Open o = members.get(i);
            long at = 0, pick = -1, pickGap = Long.MAX_VALUE;
            for (int q = 0; q < placed; q++) {
                int j = byOffset[q];
                Open p = members.get(j);
                if (!p.livesWith(o)) continue;
                long gap = offsets[j] - at;
                if (gap >= o.bytes && (bestFit ? gap < pickGap : pick < 0)) {
                    pick = at;
                    pickGap = gap;
                    if (!bestFit) break;
                }
                at = Math.max(at, offsets[j] + p.bytes);
            }
            offsets[i] = pick >= 0 ? pick : at;
            int q = placed;
            while (q > 0 && offsets[byOffset[q - 1]] > offsets[i]) {
                byOffset[q] = byOffset[q - 1];
                q--;
            }
            byOffset[q] = i;
            placed++;
        }
        return offsets;
    }

    private static BufferPlan result(List<Open> open, PlanPolicy.Packing packing, long[] bytes, int[] cls, int[] root, int[] rangeOf, int[] viewOf,
            int[] inPlaceOf, int[] snapshot) {
        List<BufferPlan.Range> ranges = new ArrayList<>(open.size());
        for (Open o : open) ranges.add(new BufferPlan.Range(o.head, o.snapshot, o.storage, o.buffer, o.offset, o.bytes, o.first, o.last));
        return new BufferPlan(root, rangeOf, viewOf, inPlaceOf, snapshot, ranges, bytes, cls, packing);
    }

    private static Integer[] order(List<Open> list, Comparator<Integer> cmp) {
        Integer[] order = new Integer[list.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, cmp.thenComparingInt(i -> i));
        return order;
    }

    private static boolean isOperand(Node n, int id) {
        for (int in : n.inputs()) if (in == id) return true;
        return false;
    }

    private static int[] filled(int size) {
        int[] a = new int[size];
        Arrays.fill(a, -1);
        return a;
    }

    private static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }
}
