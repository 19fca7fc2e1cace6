package dev.jasg.cpu;

import dev.jasg.core.Anomaly;
import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Graph;
import dev.jasg.core.HostParameters;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A program planned for one binding of its symbolic dimensions: every computed node gets a
 * pooled {@code float[]}, steps with fixed geometry, and the bookkeeping for outputs and
 * assignments. A run only binds leaf arrays and runs the steps; it allocates nothing per node.
 *
 * <p>Buffer assignment knows every lifetime up front. A value's buffer lives from the step that
 * writes it to its last reader (outputs and assigned values to the end of the run); aliasing
 * nodes share their input's buffer and extend its lifetime to their own last use, and an
 * elementwise op whose operand of the same shape dies at it writes over that operand (in place).
 * The buffers are then packed greedily from the largest down, each into the first buffer none of
 * whose occupants' lifetimes it overlaps, so a kernel never writes a buffer another live value
 * holds, and buffers are sized by the largest value they ever hold. Inputs read the fed array and
 * parameters the store's array; neither is ever written by a kernel. {@link Fusion} adds aliases of its own: transposes that products read in place,
 * and transposes and bias adds whose work a product does.
 */
final class Plan {
    private enum Root { POOLED, PARAMETER, INPUT, CONSTANT }

    /** Time every step, for {@link #profile()}: {@code -Djasg.cpu.profile=true}. */
    static final boolean PROFILE = Boolean.getBoolean("jasg.cpu.profile");
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
    private final DType[] inputTypes;
    private final int[] paramIds;
    private final String[] paramNames;
    private final int[] sizes;
    /** Per node id: a copy taken at the end of the run for outputs rooted in a parameter array, else null. */
    private final float[][] snapshots;
    private final int[] snapshotIds;
    private final String[] assignedNames;
    private final int[] assignedValues;
    /** Per assignment: a staging copy when the value is rooted outside the pool (it may be another parameter's array). */
    private final float[][] staging;
    private final PlanStats stats;
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
        this.binding = binding;
        this.checkedProgram = checked ? program : null;
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        checkElementCounts(schedule, binding);
        Fusion fusion = checked ? Fusion.none(g.size()) : Fusion.plan(program, binding);
        int total = g.size();
        values = new float[total][];
        sizes = new int[total];
        steps = new Step[schedule.size()];
        scheduled = schedule.toArray(Node[]::new);
        stepNanos = PROFILE ? new long[steps.length] : null;
        Root[] root = new Root[total];
        // first pass: each computed value opens a group, its buffer's lifetime [first write, last read];
        // aliases and in-place results join the group of the value they share a buffer with
        int[] groupOf = new int[total];
        List<Integer> gSize = new ArrayList<>(), gStart = new ArrayList<>(), gEnd = new ArrayList<>();
        int aliases = 0;
        List<Integer> inIds = new ArrayList<>(), pIds = new ArrayList<>();
        for (int s = 0; s < schedule.size(); s++) {
            Node n = schedule.get(s);
            int id = n.id();
            sizes[id] = binding.shape(id).sizeInt();
            groupOf[id] = -1;
            if (n.op() instanceof Op.Input) {
                root[id] = Root.INPUT;
                inIds.add(id);
            } else if (n.op() instanceof Op.Parameter) {
                root[id] = Root.PARAMETER;
                pIds.add(id);
            } else if (n.op() instanceof Op.Constant c) {
                root[id] = Root.CONSTANT;
                values[id] = c.value().floats();
            } else if (fusion.aliasSource(n, binding, g) >= 0) {
                int in = fusion.aliasSource(n, binding, g);
                aliases++;
                root[id] = root[in];
                groupOf[id] = groupOf[in];
                if (groupOf[id] >= 0) gEnd.set(groupOf[id], Math.max(gEnd.get(groupOf[id]), program.lastUse(id)));
            } else {
                root[id] = Root.POOLED;
                int k = checked ? -1 : inPlaceGroup(n, s, binding, groupOf, gEnd);
                if (k >= 0) {
                    // an elementwise op over a value that dies here writes over it: one buffer, not two
                    gEnd.set(k, Math.max(s, program.lastUse(id)));
                } else {
                    // a value nobody reads is still written at its own step
                    k = gSize.size();
                    gSize.add(sizes[id]);
                    gStart.add(s);
                    gEnd.add(Math.max(s, program.lastUse(id)));
                }
                groupOf[id] = k;
            }
        }
        // second pass: groups from the largest down, each into the first buffer whose groups' lifetimes
        // it does not overlap (greedy by size, as TFLite's arena planner does): buffers never grow, so
        // no small value's buffer is inflated by a large one that happens to come after it
        int groups = gSize.size();
        Integer[] order = new Integer[groups];
        for (int k = 0; k < groups; k++) order[k] = k;
        java.util.Arrays.sort(order, (x, y) -> gSize.get(x).equals(gSize.get(y)) ? Integer.compare(gStart.get(x), gStart.get(y))
                : Integer.compare(gSize.get(y), gSize.get(x)));
        int[] bufferOf = new int[groups];
        List<Integer> caps = new ArrayList<>();
        List<List<Integer>> tenants = new ArrayList<>();
        for (int k : order) {
            int pick = -1;
            for (int b = 0; b < caps.size() && pick < 0 && !checked; b++) {
                boolean fits = caps.get(b) >= gSize.get(k);
                for (int t : tenants.get(b)) fits &= gEnd.get(t) < gStart.get(k) || gEnd.get(k) < gStart.get(t);
                if (fits) pick = b;
            }
            if (pick < 0) {
                pick = caps.size();
                caps.add(gSize.get(k));
                tenants.add(new ArrayList<>());
            }
            tenants.get(pick).add(k);
            bufferOf[k] = pick;
        }
        checkHeap(program, binding, caps, root);
        // the heap check cannot see what else the application holds: an allocation may still fail
        float[][] slots = new float[caps.size()][];
        long bytes = 0;
        try {
            for (int k = 0; k < slots.length; k++) {
                slots[k] = new float[caps.get(k)];
                bytes += 4L * caps.get(k);
            }
            for (int s = 0; s < schedule.size(); s++) {
                Node n = schedule.get(s);
                if (root[n.id()] == Root.POOLED && groupOf[n.id()] >= 0 && fusion.aliasSource(n, binding, g) < 0) values[n.id()] = slots[bufferOf[groupOf[n.id()]]];
                steps[s] = fusion.step(n, binding, g);
            }
            inputIds = inIds.stream().mapToInt(Integer::intValue).toArray();
            inputNames = new String[inputIds.length];
            inputTypes = new DType[inputIds.length];
            for (int i = 0; i < inputIds.length; i++) {
                inputNames[i] = ((Op.Input) g.node(inputIds[i]).op()).name();
                inputTypes[i] = g.node(inputIds[i]).dtype();
            }
            paramIds = pIds.stream().mapToInt(Integer::intValue).toArray();
            paramNames = new String[paramIds.length];
            for (int i = 0; i < paramIds.length; i++) paramNames[i] = name(g.node(paramIds[i]));

            snapshots = new float[total][];
            List<Integer> snap = new ArrayList<>();
            for (int id : program.outputs().values()) {
                if (root[id] == Root.PARAMETER && snapshots[id] == null) {
                    snapshots[id] = new float[sizes[id]];
                    bytes += 4L * sizes[id];
                    snap.add(id);
                }
            }
            snapshotIds = snap.stream().mapToInt(Integer::intValue).toArray();
            List<Graph.Assignment> as = program.assignments();
            assignedNames = new String[as.size()];
            assignedValues = new int[as.size()];
            staging = new float[as.size()][];
            for (int i = 0; i < as.size(); i++) {
                assignedNames[i] = name(g.node(as.get(i).parameter()));
                int v = as.get(i).value();
                assignedValues[i] = v;
                if (root[v] != Root.POOLED) {
                    staging[i] = new float[sizes[v]];
                    bytes += 4L * sizes[v];
                }
            }
            stats = new PlanStats(schedule.size(), slots.length, aliases, bytes);
        } catch (OutOfMemoryError e) {
            // what was allocated is reachable only from this half-made plan, which nobody keeps: it is garbage now
            Arrays.fill(slots, null);
            Arrays.fill(values, null);
            throw new BackendException("the cpu plan for " + binding.symbols() + " ran out of heap while allocating its buffers ("
                    + gib(plannedBytes(program, binding, caps, root)) + " planned, at most " + gib(Runtime.getRuntime().maxMemory())
                    + " of heap); the largest value is " + describe(largest(schedule, binding), binding)
                    + ". Use a smaller batch or raise the heap (-Xmx)", e);
        }
    }

    private static String name(Node n) {
        return ((Op.Parameter) n.op()).name();
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

    /** Refuses a plan whose buffers, snapshots and staging copies would not fit the heap, before allocating them. */
    private static void checkHeap(Program program, Program.Binding binding, List<Integer> caps, Root[] root) {
        long need = plannedBytes(program, binding, caps, root), max = Runtime.getRuntime().maxMemory();
        if (need > HEAP_SHARE * max) {
            throw new BackendException("the cpu plan for " + binding.symbols() + " needs " + gib(need) + " of heap for " + caps.size()
                    + " buffers but the heap holds at most " + gib(max) + " (-Xmx); the largest value is "
                    + describe(largest(program.schedule(), binding), binding) + ". Use a smaller batch or raise the heap (-Xmx)");
        }
    }

    /** Bytes the plan allocates: pooled buffers, snapshots of parameter outputs, staging copies of assigned values. */
    private static long plannedBytes(Program program, Program.Binding binding, List<Integer> caps, Root[] root) {
        long bytes = 0;
        for (int c : caps) bytes += 4L * c;
        java.util.Set<Integer> snapped = new java.util.HashSet<>();
        for (int id : program.outputs().values()) {
            if (root[id] == Root.PARAMETER && snapped.add(id)) bytes += 4 * binding.shape(id).size();
        }
        for (Graph.Assignment a : program.assignments()) {
            if (root[a.value()] != Root.POOLED) bytes += 4 * binding.shape(a.value()).size();
        }
        return bytes;
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

    /**
     * The group an elementwise node ({@code unary}, {@code binary}, {@code compare}, {@code where}) at
     * schedule step {@code s} may write over: that of an operand of its own shape whose value (and
     * every alias of its buffer) is last read by this node, provided no other operand reads the same
     * buffer through a different shape. Elementwise kernels read element {@code i} of such an
     * operand before they write element {@code i} of the result, so the result may overwrite it.
     * -1 when there is none.
     */
    private static int inPlaceGroup(Node n, int s, Program.Binding binding, int[] groupOf, List<Integer> end) {
        if (!(n.op() instanceof Op.Unary || n.op() instanceof Op.Binary || n.op() instanceof Op.Compare || n.op() instanceof Op.Where)) {
            return -1;
        }
        int[] dims = binding.shape(n.id()).dims();
        for (int in : n.inputs()) {
            int k = groupOf[in];
            if (k < 0 || end.get(k) != s || !java.util.Arrays.equals(binding.shape(in).dims(), dims)) continue;
            boolean clash = false;
            for (int other : n.inputs()) {
                clash |= other != in && groupOf[other] == k && !java.util.Arrays.equals(binding.shape(other).dims(), dims);
            }
            if (!clash) return k;
        }
        return -1;
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

    /** Inputs the plan reads. */
    int inputCount() {
        return inputIds.length;
    }

    /** True when {@code feeds} have exactly the shapes this plan was made for. */
    boolean accepts(Map<String, HostTensor> feeds) {
        for (int i = 0; i < inputIds.length; i++) {
            HostTensor t = feeds.get(inputNames[i]);
            if (t == null || !t.shape().equals(binding.shape(inputIds[i]))) return false;
            DType want = inputTypes[i], got = t.dtype();
            if (want != got && !(want.isFloat() && got.isFloat()) && !(want.isInteger() && got.isInteger())) return false;
        }
        return true;
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
                long t0 = System.nanoTime();
                steps[i].run(values);
                stepNanos[i] += System.nanoTime() - t0;
            }
        }
        // before anything is copied or assigned: a checked plan keeps every value to the end of the steps
        if (checkedProgram != null) Anomaly.check(checkedProgram, binding, (id, i) -> values[id][i]);
        for (int id : snapshotIds) System.arraycopy(values[id], 0, snapshots[id], 0, sizes[id]);
        // every read happens before any write: a value may be (or alias) another parameter's array
        for (int i = 0; i < staging.length; i++) {
            if (staging[i] != null) System.arraycopy(values[assignedValues[i]], 0, staging[i], 0, sizes[assignedValues[i]]);
        }
        for (int i = 0; i < staging.length; i++) {
            int v = assignedValues[i];
            float[] src = staging[i] != null ? staging[i] : values[v];
            System.arraycopy(src, 0, parameterArray(store, assignedNames[i], v, g), 0, sizes[v]);
        }
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
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "cpu profile for %s: %.1f ms in %d runs (after %d unprofiled)%n", binding.symbols(), total / 1e6,
                Math.max(0, profiledRuns - PROFILE_SKIP), PROFILE_SKIP));
        long all = Math.max(1, total);
        byKind.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e -> sb.append(String.format(
                java.util.Locale.ROOT, "  %-14s %6.1f%% %9.1f ms  (%d nodes)%n", e.getKey(), 100.0 * e.getValue()[0] / all, e.getValue()[0] / 1e6, e.getValue()[1])));
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
