package dev.jasg.cpu;

import dev.jasg.core.Anomaly;
import dev.jasg.core.BackendException;
import dev.jasg.core.Graph;
import dev.jasg.core.HostParameters;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import dev.jasg.core.plan.BufferPlan;
import dev.jasg.core.plan.BufferPlanner;
import dev.jasg.core.plan.PlanPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A program planned for one binding of its symbolic dimensions: every computed node gets a
 * pooled {@code float[]}, steps with fixed geometry, and the bookkeeping for outputs and
 * assignments. A run only binds leaf arrays and runs the steps; it allocates nothing per node.
 *
 * <p>Buffers come from the {@link BufferPlanner} of asg-core, under this backend's {@link Policy}:
 * separate {@code float[]} buffers shared by values whose lifetimes do not overlap (greedy by
 * size), views (reshapes, identity shape ops, and the aliases {@link Fusion} adds: transposes
 * that products read in place, transposes and bias adds whose work a product does) share their
 * operand's array, elementwise ops write over an operand of their shape that dies at them, and
 * the members of {@link Fusion}'s elementwise chains take no storage at all. An assigned value computed by an
 * elementwise chain that no later step's read of the old parameter follows is written into the parameter's array
 * itself ({@link #inPlace}); the other assigned values are copied there after the steps.
 * Inputs read the fed array and parameters the store's array; a fed array is never written by a
 * kernel, a parameter's only by the step of a value assigned to it in place.
 */
final class Plan {
    /** The value of {@code jasg.cpu.profile} (null when unset). */
    private static final String PROFILE_MODE = System.getProperty("jasg.cpu.profile");
    /**
     * Time every step, for {@link #profile()}: {@code -Djasg.cpu.profile=true}, or {@code =cpu} for the calling thread's CPU
     * time always (with more than one kernel thread the pool threads' share of a step is then not counted), or
     * {@code =alloc} for the bytes each step allocates on the calling thread instead of its time (which step allocates
     * in a warm run: a kernel running boxed Vector API code names itself).
     */
    static final boolean PROFILE = Boolean.getBoolean("jasg.cpu.profile") || "cpu".equals(PROFILE_MODE) || "alloc".equals(PROFILE_MODE);
    /** {@code -Djasg.cpu.profile=alloc}: the profile counts the calling thread's allocated bytes, not time. */
    static final boolean PROFILE_ALLOC = "alloc".equals(PROFILE_MODE);
    private static final java.lang.management.ThreadMXBean THREAD_TIMES = PROFILE
            && ("cpu".equals(PROFILE_MODE) || CpuThreads.PARALLELISM == 1 || PROFILE_ALLOC)
            ? java.lang.management.ManagementFactory.getThreadMXBean() : null;

    /**
     * The profile's clock: the calling thread's allocated bytes with {@code =alloc}; its CPU time with {@code =cpu} or one
     * kernel thread (every step runs on the caller then, and the other processes of a loaded machine do not stretch it);
     * else the wall clock.
     */
    private static long profileClock() {
        if (PROFILE_ALLOC) return ((com.sun.management.ThreadMXBean) THREAD_TIMES).getCurrentThreadAllocatedBytes();
        return THREAD_TIMES != null ? THREAD_TIMES.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Runs not profiled: the first ones run while the JIT is still compiling the kernels. */
    private static final int PROFILE_SKIP = 20;

    private final Program.Binding binding;
    private final float[][] values;
    private final Step[] steps;
    /** Per step, when profiling ({@code -Djasg.cpu.profile=true}): nanoseconds spent in it over all runs; else null. */
    private final long[] stepNanos;
    private final Node[] scheduled;
    private int profiledRuns;
    private final int[] inputIds;
    private final String[] inputNames;
    private final int[] paramIds;
    private final String[] paramNames;
    private final int[] sizes;
    /** Per node id: a copy taken at the end of the run of an output or assigned value held by a parameter or a feed, else null. */
    private final float[][] snapshots;
    private final int[] snapshotIds;
    private final String[] assignedNames;
    private final int[] assignedValues;
    /** Per assignment: true when its value's step writes the parameter's array itself ({@link #inPlace}), so no copy follows. */
    private final boolean[] assignedInPlace;
    private final PlanStats stats;
    /** Convolutions folded with their batch norm ({@link Fusion}'s rule 8). */
    private final int foldedConvs;
    /** The program when this plan checks for NaN and infinity ({@link Anomaly} mode), else null. */
    private final Program checkedProgram;

    /** Plans {@code program} for {@code binding}, with buffer reuse, fusion and in-place kernels. */
    Plan(Program program, Program.Binding binding) {
        this(program, binding, false);
    }

    /**
     * Plans {@code program} for {@code binding}. A {@code checked} plan ({@link Anomaly} mode) gives
     * every computed value a buffer of its own (no reuse, no fusion, no in-place kernel; the
     * aliases that only reinterpret a buffer remain), so that every node's value is intact when the
     * steps end, and {@link #run} scans them before it copies outputs or applies assignments.
     *
     * @throws BackendException when a value has more elements than a Java array holds, when the
     *     buffers would not fit the heap, or when allocating them runs out of memory; the message
     *     names the largest value (node, op, scope, shape) and the sizes, and nothing is kept
     */
    Plan(Program program, Program.Binding binding, boolean checked) {
        this(program, binding, checked, null);
    }

    /** {@link #Plan(Program, Program.Binding, boolean)}, the products of weights reading them from {@code packs} (null: none). */
    Plan(Program program, Program.Binding binding, boolean checked, PackedWeights packs) {
        this(program, binding, checked, packs, null);
    }

    /**
     * {@link #Plan(Program, Program.Binding, boolean, PackedWeights)}, the convolutions followed by a batch norm folded with
     * it into weights kept in {@code folds} (null: none; {@link Fusion}'s rule 8).
     */
    Plan(Program program, Program.Binding binding, boolean checked, PackedWeights packs, FoldedWeights folds) {
        this.binding = binding;
        this.checkedProgram = checked ? program : null;
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        checkElementCounts(schedule, binding);
        Fusion fusion = checked ? Fusion.none(g.size()) : Fusion.plan(program, binding, packs, folds);
        int total = g.size();
        values = new float[total][];
        sizes = new int[total];
        steps = new Step[schedule.size()];
        scheduled = schedule.toArray(Node[]::new);
        stepNanos = PROFILE ? new long[steps.length] : null;
        // assigned values written into their parameters: decided before planning, so they take no range of their own
        assignedInPlace = checked || !IN_PLACE ? new boolean[program.assignments().size()] : inPlace(program, binding, fusion);
        boolean[] inParameter = new boolean[total];
        for (int i = 0; i < assignedInPlace.length; i++) if (assignedInPlace[i]) inParameter[program.assignments().get(i).value()] = true;
        BufferPlan plan = BufferPlanner.plan(program, binding, new Policy(fusion, g, inParameter), !checked);
        List<Integer> inIds = new ArrayList<>(), pIds = new ArrayList<>();
        for (Node n : schedule) {
            sizes[n.id()] = binding.shape(n.id()).sizeInt();
            if (n.op() instanceof Op.Input) inIds.add(n.id());
            if (n.op() instanceof Op.Parameter) pIds.add(n.id());
            if (n.op() instanceof Op.Constant c) values[n.id()] = c.value().floats();
        }
        checkHeap(program, binding, plan);
        // the heap check cannot see what else the application holds: an allocation may still fail
        float[][] slots = new float[plan.bufferCount()][];
        try {
            for (int k = 0; k < slots.length; k++) slots[k] = new float[(int) (plan.bufferBytes(k) / 4)];
            for (int s = 0; s < schedule.size(); s++) {
                Node n = schedule.get(s);
                // a view's array is bound by its step (v[id] = v[src]): its source may be a feed or a parameter
                if (plan.planned(n.id()) && plan.viewOf(n.id()) < 0) values[n.id()] = slots[plan.buffer(n.id())];
                steps[s] = fusion.step(n, binding, g);
            }
            inputIds = inIds.stream().mapToInt(Integer::intValue).toArray();
            inputNames = new String[inputIds.length];
            for (int i = 0; i < inputIds.length; i++) inputNames[i] = ((Op.Input) g.node(inputIds[i]).op()).name();
            paramIds = pIds.stream().mapToInt(Integer::intValue).toArray();
            paramNames = new String[paramIds.length];
            for (int i = 0; i < paramIds.length; i++) paramNames[i] = name(g.node(paramIds[i]));

            // outputs and assigned values held by a parameter or a feed: copied after the steps, before any assignment
            snapshots = new float[total][];
            List<Integer> snap = new ArrayList<>();
            List<Graph.Assignment> as = program.assignments();
            List<Integer> kept = new ArrayList<>(program.outputs().values());
            for (Graph.Assignment a : as) kept.add(a.value());
            for (int id : kept) {
                if (plan.hasSnapshot(id) && snapshots[id] == null) {
                    snapshots[id] = slots[plan.snapshotOf(id).buffer()];
                    snap.add(id);
                }
            }
            snapshotIds = snap.stream().mapToInt(Integer::intValue).toArray();
            assignedNames = new String[as.size()];
            assignedValues = new int[as.size()];
            for (int i = 0; i < as.size(); i++) {
                assignedNames[i] = name(g.node(as.get(i).parameter()));
                assignedValues[i] = as.get(i).value();
            }
            foldedConvs = fusion.foldCount();
            stats = new PlanStats(schedule.size(), slots.length, plan.viewCount(), plan.peakBytes(), fusion.chainCount(), fusion.absorbedCount(), fusion.siblingCount());
        } catch (OutOfMemoryError e) {
            // what was allocated is reachable only from this half-made plan, which nobody keeps: it is garbage now
            Arrays.fill(slots, null);
            Arrays.fill(values, null);
            throw new BackendException("the cpu plan for " + binding.symbols() + " ran out of heap while allocating its buffers ("
                    + gib(plan.peakBytes()) + " planned, at most " + gib(Runtime.getRuntime().maxMemory())
                    + " of heap); the largest value is " + describe(largest(schedule, binding), binding)
                    + ". Use a smaller batch or raise the heap (-Xmx)", e);
        }
    }

    /**
     * The cpu backend's storage for the {@link BufferPlanner}: separate {@code float[]} buffers;
     * feeds, parameters and constants read in place (no planned value writes over them); an assigned value
     * written into its parameter ({@link #inPlace}) has no storage of its own; views where {@link Fusion} or {@link StepCompiler#aliasesInput} share a buffer; elementwise ops ({@code unary},
     * {@code binary}, {@code compare}, {@code where}) in place over an operand of their own shape,
     * since their kernels read element {@code i} of it before they write element {@code i}.
     */
    private record Policy(Fusion fusion, Graph graph, boolean[] inParameter) implements PlanPolicy {
        @Override
        public Packing packing() {
            return Packing.BUFFERS;
        }

        @Override
        public long alignment() {
            return 4;
        }

        @Override
        public long bytes(Node n, Program.Binding b) {
            // a chain member's value lives only in its root's scratch rows
            return fusion.absorbed(n.id()) ? 0 : 4L * b.shape(n.id()).size();
        }

        @Override
        public int lastRead(Node n, int lastUse) {
            return fusion.lastRead(n.id(), lastUse);
        }

        @Override
        public Storage storage(Node n) {
            if (inParameter[n.id()]) return Storage.ASSIGNED;
            return n.op() instanceof Op.Input || n.op() instanceof Op.Parameter || n.op() instanceof Op.Constant ? Storage.EXTERNAL : Storage.COMPUTED;
        }

        @Override
        public int viewOf(Node n, Program.Binding b) {
            return fusion.aliasSource(n, b, graph);
        }

        @Override
        public boolean inPlace(Node n, int k, Program.Binding b) {
            // a chain's root writes each piece after its members have read the piece's operands, so it may
            // write over an operand of its shape as an elementwise kernel does (its members have no storage)
            // a folded convolution's chain (rule 8) writes the convolution into its buffer before it reads the other operands
            // a merged chain's sibling is written at the chain's step, not its own: it keeps a buffer of its own
            return (n.op() instanceof Op.Unary || n.op() instanceof Op.Binary || n.op() instanceof Op.Compare || n.op() instanceof Op.Where)
                    && !fusion.absorbed(n.id()) && !fusion.absorbed(n.input(k)) && !fusion.foldedRoot(n.id()) && fusion.siblingOf(n.id()) < 0
                    && b.shape(n.input(k)).equals(b.shape(n.id()));
        }
    }

    private static String name(Node n) {
        return ((Op.Parameter) n.op()).name();
    }

    /** Assigned values written into their parameters' arrays in place unless {@code -Djasg.cpu.inPlace=false}, to compare. */
    static final boolean IN_PLACE = !"false".equalsIgnoreCase(System.getProperty("jasg.cpu.inPlace"));

    /**
     * Per assignment, whether its value's step can write the parameter's array itself instead of its own buffer being
     * copied there after the run ({@link PlanPolicy#inPlaceAssignments} with this backend's views and reads): the value is an elementwise chain's result ({@link Fusion#elementwiseRoot}), no step
     * after it reads the parameter or a view of it (the old value is dead by then: {@link Fusion#lastRead} counts a
     * chain's reads at its root), no output is the parameter or a view of it (those are copied out after the steps), the
     * value is computed (not a view), and the assignment is a sole one ({@link PlanPolicy#soleAssignments}). Its views follow it
     * (a view's array is bound by its step). Decided before the buffers are planned, so such a value takes no buffer
     * ({@link PlanPolicy.Storage#ASSIGNED}). An optimizer step then writes each parameter and its state once, where it
     * used to write a buffer and copy it: the transformer workload's AdamW step copied 2.4M floats a run. So a run that
     * throws part-way may leave such a parameter updated; an {@link Anomaly}-mode plan, which checks every value before it
     * assigns, writes nothing in place.
     */
    private static boolean[] inPlace(Program program, Program.Binding binding, Fusion fusion) {
        Graph g = program.graph();
        return PlanPolicy.inPlaceAssignments(program, binding, (n, b) -> fusion.aliasSource(n, b, g), (n, lastUse) -> fusion.lastRead(n.id(), lastUse),
                new PlanPolicy.Writers() {
                    @Override
                    public boolean elementwise(int v) {
                        return fusion.elementwiseRoot(v);
                    }

                    @Override
                    public int writtenAt(int v) {
                        return fusion.writtenAt(v);
                    }

                    @Override
                    public java.util.Collection<Integer> group(int v) {
                        return fusion.mergedGroup(fusion.writtenAt(v));
                    }
                });
    }

    /** Elements a Java array may hold (some VMs reserve a few header words). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Share of the heap ({@link Runtime#maxMemory}) a plan's buffers may take; the rest is for feeds, parameters and the program. */
    static final double HEAP_SHARE = 0.9;

    /** Refuses a binding with a value too large for one {@code float[]}, before anything is planned or allocated. */
    private static void checkElementCounts(List<Node> schedule, Program.Binding binding) {
        if (schedule.isEmpty()) return;
        Node n = largest(schedule, binding);
        long count = binding.shape(n.id()).size();
        if (count > MAX_ARRAY) {
            throw new BackendException("the cpu plan for " + binding.symbols() + " cannot hold " + describe(n, binding) + ": it has " + count + " elements ("
                    + gib(4 * count) + ") but a cpu buffer is one Java float[] of at most " + MAX_ARRAY + " elements; use a smaller batch");
        }
    }

    /** Refuses a plan whose buffers (snapshots included) would not fit the heap, before allocating them. */
    private static void checkHeap(Program program, Program.Binding binding, BufferPlan plan) {
        long need = plan.peakBytes(), max = Runtime.getRuntime().maxMemory();
        if (need > HEAP_SHARE * max) {
            throw new BackendException("the cpu plan for " + binding.symbols() + " needs " + gib(need) + " of heap for " + plan.bufferCount()
                    + " buffers but the heap holds at most " + gib(max) + " (-Xmx); the largest value is "
                    + describe(largest(program.schedule(), binding), binding) + ". Use a smaller batch or raise the heap (-Xmx)");
        }
    }

    private static Node largest(List<Node> schedule, Program.Binding binding) {
        Node big = schedule.get(0);
        for (Node n : schedule) if (binding.shape(n.id()).size() > binding.shape(big.id()).size()) big = n;
        return big;
    }

    /** A node as error messages name it: id, scope path, op and concrete shape, with its size. */
    private static String describe(Node n, Program.Binding binding) {
        Shape shape = binding.shape(n.id());
        return "node " + n.id() + " '" + n.path() + "' (" + n.op().label() + ", " + n.dtype().label() + shape + ", " + gib(4 * shape.size()) + ")";
    }

    private static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** The binding this plan was made for. */
    Program.Binding binding() {
        return binding;
    }

    /** True when this plan checks every value for NaN and infinity ({@link Anomaly} mode). */
    boolean checked() {
        return checkedProgram != null;
    }

    /** Planner statistics. */
    PlanStats stats() {
        return stats;
    }

    /** Assignments whose value this plan writes straight into the parameter's array ({@link #inPlace}): for tests. */
    int assignedInPlace() {
        int c = 0;
        for (boolean b : assignedInPlace) if (b) c++;
        return c;
    }

    /** Convolutions folded with the batch norm after them ({@link Fusion}'s rule 8): for tests. */
    int foldedConvs() {
        return foldedConvs;
    }

    /**
     * Runs the plan once: binds leaves, runs every step, snapshots outputs, applies assignments.
     *
     * @throws dev.jasg.core.AnomalyException when the plan is checked and a value holds a NaN or an
     *     infinity; no assignment is applied then
     */
    void run(Map<String, HostTensor> feeds, HostParameters store, Graph g) {
        run(feeds, store, g, null);
    }

    /**
     * {@link #run(Map, HostParameters, Graph)}, and when {@code nanos} is not null (one slot per
     * scheduled node, {@link dev.jasg.core.Profiling}), the host time of each step written into it.
     */
    void run(Map<String, HostTensor> feeds, HostParameters store, Graph g, long[] nanos) {
        for (int i = 0; i < inputIds.length; i++) values[inputIds[i]] = feeds.get(inputNames[i]).floats();
        for (int i = 0; i < paramIds.length; i++) values[paramIds[i]] = parameterArray(store, paramNames[i], paramIds[i], g);
        // an assigned value written in place computes straight into its parameter's array
        for (int i = 0; i < assignedValues.length; i++) {
            if (assignedInPlace[i]) values[assignedValues[i]] = parameterArray(store, assignedNames[i], assignedValues[i], g);
        }
        if (nanos != null) {
            for (int i = 0; i < steps.length; i++) {
                if (steps[i] == Step.NONE) continue; // a leaf, bound above: no time of its own
                long t0 = System.nanoTime();
                steps[i].run(values);
                nanos[i] = System.nanoTime() - t0;
            }
        } else if (stepNanos == null || ++profiledRuns <= PROFILE_SKIP) {
            for (Step s : steps) s.run(values);
        } else {
            for (int i = 0; i < steps.length; i++) {
                long t0 = profileClock();
                steps[i].run(values);
                stepNanos[i] += profileClock() - t0;
            }
        }
        // before anything is copied or assigned: a checked plan keeps every value to the end of the steps
        if (checkedProgram != null) Anomaly.check(checkedProgram, binding, (id, i) -> values[id][i]);
        // every read happens before any write: a value may be (or alias) another parameter's array
        for (int id : snapshotIds) System.arraycopy(values[id], 0, snapshots[id], 0, sizes[id]);
        for (int i = 0; i < assignedValues.length; i++) {
            if (assignedInPlace[i]) continue;  // already there
            int v = assignedValues[i];
            float[] src = snapshots[v] != null ? snapshots[v] : values[v];
            System.arraycopy(src, 0, parameterArray(store, assignedNames[i], v, g), 0, sizes[v]);
        }
        // what was derived from the stored values (packed weights) must be derived again
        if (assignedValues.length > 0) store.written();
    }

    private float[] parameterArray(HostParameters store, String name, int id, Graph g) {
        HostTensor t = store.storage(name);
        float[] a = t.floats();
        if (a.length != sizes[id]) {
            Node n = g.node(id);
            throw new BackendException("parameter '" + name + "' holds " + t.shape() + " in the store but node %" + id
                    + " (" + n.path() + ") needs " + binding.shape(id));
        }
        return a;
    }

    /** The array holding node {@code id}'s value after the last run (a snapshot for parameter-rooted outputs). */
    float[] valueOf(int id) {
        return snapshots[id] != null ? snapshots[id] : values[id];
    }

    /** The scheduled nodes, one per step, in order. */
    Node[] scheduled() {
        return scheduled;
    }

    /** Concrete shape of node {@code id}. */
    Shape shape(int id) {
        return binding.shape(id);
    }

    /** When profiling, starts the profile afresh: what {@link #profile} gives then covers the runs from here on. */
    void resetProfile() {
        if (stepNanos == null) return;
        java.util.Arrays.fill(stepNanos, 0);
        if (profiledRuns > PROFILE_SKIP) profiledRuns = PROFILE_SKIP;
    }

    /**
     * When profiling, the time spent per kind of step over all runs so far, largest first, with the
     * {@code top} slowest single steps (node, op, shape); else null.
     */
    String profile(int top) {
        if (stepNanos == null) return null;
        java.util.Map<String, long[]> byKind = new java.util.TreeMap<>();
        long total = 0;
        for (int i = 0; i < steps.length; i++) {
            String k = kindOf(scheduled[i]);
            long[] e = byKind.computeIfAbsent(k, x -> new long[2]);
            e[0] += stepNanos[i];
            e[1]++;
            total += stepNanos[i];
        }
        long runs = Math.max(0, profiledRuns - PROFILE_SKIP);
        StringBuilder sb = new StringBuilder(PROFILE_ALLOC
                ? String.format(java.util.Locale.ROOT, "cpu allocation profile for %s: %d bytes on the calling thread in %d runs (after %d unprofiled)%n",
                        binding.symbols(), total, runs, PROFILE_SKIP)
                : String.format(java.util.Locale.ROOT, "cpu profile for %s: %.1f ms in %d runs (after %d unprofiled)%n", binding.symbols(), total / 1e6,
                        runs, PROFILE_SKIP));
        long all = Math.max(1, total);
        byKind.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e -> sb.append(PROFILE_ALLOC
                ? String.format(java.util.Locale.ROOT, "  %-14s %6.1f%% %9.1f bytes a run  (%d nodes)%n", e.getKey(), 100.0 * e.getValue()[0] / all,
                        (double) e.getValue()[0] / Math.max(1, runs), e.getValue()[1])
                : String.format(java.util.Locale.ROOT, "  %-14s %6.1f%% %9.1f ms  (%d nodes)%n", e.getKey(), 100.0 * e.getValue()[0] / all,
                        e.getValue()[0] / 1e6, e.getValue()[1])));
        Integer[] order = new Integer[steps.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Long.compare(stepNanos[b], stepNanos[a]));
        for (int i = 0; i < Math.min(top, order.length); i++) {
            Node n = scheduled[order[i]];
            sb.append(String.format(java.util.Locale.ROOT, "  %6.1f%% %%%d %s %s %s%n", 100.0 * stepNanos[order[i]] / all, n.id(), kindOf(n),
                    binding.shape(n.id()), n.path()));
        }
        return sb.toString();
    }

    private static String kindOf(Node n) {
        String k = n.op().getClass().getSimpleName();
        if (n.op() instanceof Op.Unary u) k += "." + u.kind();
        if (n.op() instanceof Op.Binary b) k += "." + b.kind();
        return k;
    }

    /** Drops every buffer. */
    void release() {
        java.util.Arrays.fill(values, null);
        java.util.Arrays.fill(snapshots, null);
    }
}
