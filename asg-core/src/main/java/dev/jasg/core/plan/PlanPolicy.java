package dev.jasg.core.plan;

import dev.jasg.core.Node;
import dev.jasg.core.Program;

/**
 * What a backend's storage can do, as the {@link BufferPlanner} needs to know it. Implementations
 * are small, stateless (or immutable) views of a backend's rules and must answer the same way
 * every time they are asked, so that plans are deterministic; they are called from the thread
 * that plans and need not be thread-safe otherwise.
 */
public interface PlanPolicy {
    /** How the planner lays out the storage it assigns. */
    enum Packing {
        /**
         * One buffer per storage class, every value a sub-range of it at an aligned offset (device
         * memory: a Vulkan buffer with descriptor offsets, an OpenCL buffer with kernel offsets).
         * Ranges of values alive at once never overlap; a range is at least one alignment unit.
         */
        ARENA,
        /**
         * Separate buffers, every value at the start of one (JVM arrays, which have no sub-range
         * views): values whose lifetimes do not overlap share a buffer, sized by the largest.
         */
        BUFFERS
    }

    /** Where a node's value lives before any planning, as the backend keeps it. */
    enum Storage {
        /**
         * Held outside the plan: parameters (always), and feeds or constants on a backend that reads the caller's
         * arrays in place. Nothing planned writes over it; a parameter is written only by the step of a value
         * {@link #ASSIGNED} to it.
         */
        EXTERNAL,
        /**
         * Planned storage written before the first step of every run (a feed copied to the device
         * at the start): it is live from the start of the run to its last read.
         */
        FED,
        /**
         * Planned storage written once, when the plan is made (a constant or a count uploaded to
         * the device), and read by every run: it is never shared.
         */
        PRELOADED,
        /** Planned storage written by the node's own step: live from that step to its last read. */
        COMPUTED,
        /**
         * An assigned value that the node's own step writes straight into the storage of the parameter it is assigned
         * to (a backend's in-place assignment; the backend binds that storage): no range, and no snapshot though it is
         * kept; views of it share that storage as views of a parameter do. A backend chooses it only where no step
         * reads the parameter's old value after the node's.
         */
        ASSIGNED
    }

    /**
     * Per assignment of {@code program}, whether it may be {@link Storage#ASSIGNED}, as far as the program alone says:
     * its value and its parameter each appear in no other assignment, and the value is no output. The backend then checks
     * what only it knows (its kernel for the value, and that nothing reads the parameter's old value after it).
     */
    static boolean[] soleAssignments(Program program) {
        java.util.List<dev.jasg.core.Graph.Assignment> as = program.assignments();
        java.util.Map<Integer, Integer> values = new java.util.HashMap<>(), params = new java.util.HashMap<>();
        for (var a : as) {
            values.merge(a.value(), 1, Integer::sum);
            params.merge(a.parameter(), 1, Integer::sum);
        }
        java.util.Set<Integer> outputs = new java.util.HashSet<>(program.outputs().values());
        boolean[] sole = new boolean[as.size()];
        for (int i = 0; i < sole.length; i++) {
            int v = as.get(i).value();
            sole[i] = values.get(v) == 1 && params.get(as.get(i).parameter()) == 1 && !outputs.contains(v);
        }
        return sole;
    }

    /**
     * What a backend knows of the kernels that would write assigned values ({@link #inPlaceAssignments}). Like a policy,
     * an implementation answers the same every time and is called from the planning thread only.
     */
    @FunctionalInterface
    interface Writers {
        /** True when the kernel writing {@code v} reads element {@code i} of an operand of {@code v}'s shape only for element {@code i} of it. */
        boolean elementwise(int v);

        /** The node whose step writes {@code v}: {@code v} itself unless another node's kernel stores it too. */
        default int writtenAt(int v) {
            return v;
        }

        /**
         * The nodes the kernel writing {@code v} computes when it stores several values (a merged group), else empty: then a
         * member reading the parameter that does not feed {@code v} could read it after {@code v} is stored over it.
         */
        default java.util.Collection<Integer> group(int v) {
            return java.util.List.of();
        }
    }

    /**
     * Per assignment of {@code program}, whether its value can be {@link Storage#ASSIGNED} on a backend whose views and
     * reads are {@code views} and {@code reads} (its {@link #viewOf} and {@link #lastRead}) and whose kernels are as
     * {@code writers} says: a sole assignment ({@link #soleAssignments}); the value computed by a step of its own or
     * stored by another node's ({@link Writers#writtenAt}), not a feed, parameter, constant, count or view, of its
     * parameter's shape and dtype; written by a kernel that reads element {@code i} of an operand of its shape only for
     * element {@code i} ({@link Writers#elementwise}), where every member of a kernel that stores several values and reads
     * the parameter (or a view of it) computes the value or one of its operands ({@link Writers#group}: such a read then
     * comes before the value is stored, whatever order the kernel's compiler gives loads and stores); and no step after
     * the writing one reads the parameter's old value: the last read of the parameter and of every view of it is at or
     * before that step, and none of them is an output (outputs are copied out after the steps). Both scheduled. The
     * backend then writes the value into the parameter's storage, and no copy follows the run.
     */
    static boolean[] inPlaceAssignments(Program program, Program.Binding binding, ViewRule views, ReadRule reads, Writers writers) {
        dev.jasg.core.Graph g = program.graph();
        java.util.List<Node> schedule = program.schedule();
        java.util.List<dev.jasg.core.Graph.Assignment> as = program.assignments();
        int[] pos = new int[g.size()], alias = new int[g.size()], lastRead = new int[g.size()];
        java.util.Arrays.fill(pos, -1);
        java.util.Arrays.fill(alias, -1);
        java.util.Arrays.fill(lastRead, -1);
        java.util.Set<Integer> outputs = new java.util.HashSet<>(program.outputs().values());
        // per storage root (a node that is no view), the last step reading it or any view of it
        for (int s = 0; s < schedule.size(); s++) {
            Node n = schedule.get(s);
            int id = n.id(), root = id;
            pos[id] = s;
            alias[id] = n.arity() == 0 ? -1 : views.viewOf(n, binding);
            while (alias[root] >= 0) root = alias[root];
            int read = outputs.contains(id) ? Integer.MAX_VALUE : Math.max(program.lastUse(id), reads.lastRead(n, program.lastUse(id)));
            lastRead[root] = Math.max(lastRead[root], read);
        }
        boolean[] sole = soleAssignments(program), out = new boolean[as.size()];
        for (int i = 0; i < as.size(); i++) {
            int v = as.get(i).value(), p = as.get(i).parameter();
            Node vn = g.node(v), pn = g.node(p);
            boolean computed = !(vn.op() instanceof dev.jasg.core.Op.Input || vn.op() instanceof dev.jasg.core.Op.Parameter
                    || vn.op() instanceof dev.jasg.core.Op.Constant || vn.op() instanceof dev.jasg.core.Op.Count);
            int at = pos[writers.writtenAt(v)];
            out[i] = sole[i] && pos[v] >= 0 && pos[p] >= 0 && at >= pos[v] && computed && alias[v] < 0 && vn.dtype() == pn.dtype()
                    && binding.shape(v).equals(binding.shape(p)) && lastRead[p] <= at && writers.elementwise(v)
                    && readsFeed(g, writers.group(v), v, p, alias);
        }
        return out;
    }

    /** Whether every member of {@code group} reading {@code p} or a view of it ({@code alias}) computes {@code v} or one of its operands. */
    private static boolean readsFeed(dev.jasg.core.Graph g, java.util.Collection<Integer> group, int v, int p, int[] alias) {
        if (group.isEmpty()) return true;
        java.util.Set<Integer> members = new java.util.HashSet<>(group), feeding = new java.util.HashSet<>();
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>(java.util.List.of(v));
        while (!work.isEmpty()) {
            int m = work.pop();
            if (!feeding.add(m)) continue;
            for (int x : g.node(m).inputs()) if (members.contains(x)) work.push(x);
        }
        for (int m : group) {
            if (feeding.contains(m)) continue;
            for (int x : g.node(m).inputs()) {
                int root = x;
                while (root != p && alias[root] >= 0) root = alias[root];
                if (root == p) return false;
            }
        }
        return true;
    }

    /** How this backend packs values ({@link Packing}). */
    Packing packing();

    /**
     * Alignment in bytes, a power of two: every offset (arena) and every buffer size is a multiple
     * of it (for {@code float[]} buffers, 4).
     */
    long alignment();

    /** Bytes the value of {@code n} takes under binding {@code b}. */
    long bytes(Node n, Program.Binding b);

    /** Where the value of {@code n} lives when it is not a view ({@link Storage}); consulted for every scheduled node. */
    Storage storage(Node n);

    /**
     * The id of the operand of {@code n} whose storage {@code n}'s value is, unchanged (a reshape,
     * an identity permute, a fusion that writes its result into the operand's buffer), or -1 when
     * {@code n} needs storage of its own. The planner keeps that storage alive until the last
     * read of either. The id must be one of {@code n.inputs()}.
     */
    int viewOf(Node n, Program.Binding b);

    /**
     * True when {@code n}'s kernel may write its result over operand {@code k} (position in
     * {@code n.inputs()}): it reads element {@code i} of that operand, and of any other operand of
     * the same shape, only before writing element {@code i} of its result, at the same offset
     * (elementwise kernels). The planner does so only when the operand's storage is computed
     * (never external, fed or preloaded), dies at {@code n} (no later read of it or of any view of
     * it, and it is no output or assigned value), belongs to the same storage class, and every
     * other operand that reads the same storage has the shape of operand {@code k}.
     */
    boolean inPlace(Node n, int k, Program.Binding b);

    /**
     * The last step that reads the value of {@code n}, given {@code lastUse}, the last step whose node takes it as an
     * operand ({@link Program#lastUse}): later where the backend reads it later than the graph says (a fused kernel
     * reads the operands of the nodes it absorbs at the step of its last node). An answer below {@code lastUse} is
     * ignored. By default {@code lastUse}.
     */
    default int lastRead(Node n, int lastUse) {
        return lastUse;
    }

    /**
     * Values share storage only within one class (say, a backend with separate int and float
     * buffers); 0 by default. A view takes its operand's class.
     */
    default int storageClass(Node n) {
        return 0;
    }

    /** Which operand a node is a view of under a binding, or -1 ({@link #viewOf}). */
    @FunctionalInterface
    interface ViewRule {
        int viewOf(Node n, Program.Binding b);
    }

    /** The last step at which a backend reads a value ({@link #lastRead}). */
    @FunctionalInterface
    interface ReadRule {
        int lastRead(Node n, int lastUse);
    }

    /** {@link #deviceArena(long, ViewRule, ReadRule)} with every value read when the graph says. */
    static PlanPolicy deviceArena(long alignment, ViewRule views) {
        return deviceArena(alignment, views, (n, lastUse) -> lastUse);
    }

    /**
     * The policy of a device backend that keeps one f32 arena per plan (Vulkan, OpenCL): ranges aligned to
     * {@code alignment}, 4 bytes per element; parameters external (their own buffers), inputs fed at the start of a
     * run, constants and counts preloaded when the plan is made, everything else computed. Views as {@code views}
     * says, reads as {@code reads} says; nothing in place (a kernel's output is never bound to a range one of its inputs is bound to: buffers
     * bound twice, once written, would need the kernels to allow aliasing, which they do not declare).
     */
    static PlanPolicy deviceArena(long alignment, ViewRule views, ReadRule reads) {
        return deviceArena(alignment, views, reads, id -> false, id -> false);
    }

    /**
     * {@link #deviceArena(long, ViewRule, ReadRule)} with the nodes {@code assigned} names {@link Storage#ASSIGNED}: values
     * the backend writes straight into their parameters' buffers ({@link #inPlaceAssignments}); and the nodes {@code
     * unstored} names taking no bytes: views that nothing reads through (members of a fused kernel), which would otherwise
     * widen their operand's range to their own size (an expand, an add of a bias row as its first operand).
     */
    static PlanPolicy deviceArena(long alignment, ViewRule views, ReadRule reads, java.util.function.IntPredicate assigned,
                                  java.util.function.IntPredicate unstored) {
        return new PlanPolicy() {
            @Override
            public int lastRead(Node n, int lastUse) {
                return reads.lastRead(n, lastUse);
            }

            @Override
            public Packing packing() {
                return Packing.ARENA;
            }

            @Override
            public long alignment() {
                return alignment;
            }

            @Override
            public long bytes(Node n, Program.Binding b) {
                return unstored.test(n.id()) ? 0 : 4L * b.shape(n.id()).size();
            }

            @Override
            public Storage storage(Node n) {
                if (assigned.test(n.id())) return Storage.ASSIGNED;
                return switch (n.op()) {
                    case dev.jasg.core.Op.Parameter p -> Storage.EXTERNAL;
                    case dev.jasg.core.Op.Input i -> Storage.FED;
                    case dev.jasg.core.Op.Constant c -> Storage.PRELOADED;
                    case dev.jasg.core.Op.Count c -> Storage.PRELOADED;
                    default -> Storage.COMPUTED;
                };
            }

            @Override
            public int viewOf(Node n, Program.Binding b) {
                return views.viewOf(n, b);
            }

            @Override
            public boolean inPlace(Node n, int k, Program.Binding b) {
                return false;
            }
        };
    }
}
