package dev.jasg.gpu;

import static dev.jasg.gpu.VkCheck.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import dev.jasg.core.Anomaly;
import dev.jasg.core.BackendException;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import dev.jasg.core.plan.BufferPlan;
import dev.jasg.core.plan.BufferPlanner;
import dev.jasg.core.plan.PlanPolicy;
import dev.jasg.core.reference.LinalgReference;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.*;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one binding of the symbolic dimensions needs, made once and reused by every
 * run with that binding: the memory plan (one device buffer with sub-ranges reused after
 * each tensor's last use, laid out by the {@link BufferPlanner} of asg-core), a staging buffer for feeds, the descriptor sets of every
 * dispatch, and one command buffer holding the whole chain (feed uploads, every kernel with
 * the barriers it needs, recorded by phase ({@link Phases}), parameter assignments: an elementwise result that nothing
 * reads the old parameter after is written into the parameter's buffer by its own kernel ({@link #inPlace}), the others
 * are copied at the end). A run fills the staging buffer, submits
 * once and waits on one fence. A node computed on the host ({@link Step.Host}: the linalg ops)
 * splits the chain: the plan records one command buffer per segment and a run submits each,
 * reading the host step's inputs back and uploading its result in between.
 *
 * <p>A checked plan ({@link Anomaly} mode) never reuses a range, so every node's value is still in
 * device memory when the command buffer ends, and it records no assignment: after the submission
 * the run reads every value back, {@link Anomaly#check checks} them on the host, and only then
 * copies the assigned values into the parameters (through the host: anomaly mode is for
 * debugging). So an anomalous run throws with the parameters untouched.
 */
final class ExecutionPlan implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionPlan.class);

    /** Fusion on ({@link Fusion}) unless {@code -Djasg.vulkan.fusion=false}, for timing against the unfused plan. */
    static final boolean FUSION = !"false".equals(System.getProperty("jasg.vulkan.fusion"));

    /**
     * Row gradients (layer norm's, softmax's, log-softmax's: {@link RowGradient}) as one kernel each unless
     * {@code -Djasg.vulkan.rowGradients=false}, for timing against their unfused reductions.
     */
    static final boolean ROW_GRADIENTS = !"false".equals(System.getProperty("jasg.vulkan.rowGradients"));

    /**
     * A profiled plan is fused as a training plan is when {@code -Djasg.vulkan.profileFused=true}: a group's time is
     * then its root's (the members it absorbed show 0), so the profile adds up to what training runs. Unfused by
     * default, each node with its own time.
     */
    static final boolean PROFILE_FUSED = Boolean.getBoolean("jasg.vulkan.profileFused");

    private final VulkanDevice dev;
    final Program.Binding binding;
    private final View[] views;
    private final Map<Integer, View> snapshots = new HashMap<>();
    private final Map<String, long[]> feeds = new LinkedHashMap<>();
    /** {@link #feeds} as arrays (name, staging offset in floats), and the staging buffer as floats: a run iterates and views nothing new. */
    private final String[] feedNames;
    private final int[] feedAt;
    private final java.nio.FloatBuffer stagingFloats;
    private final DeviceBuffer arena;
    private final DeviceBuffer staging;
    /** The per-node workspace (a split weight gradient's partial tiles), shared by every node in turn; null when none needs one. */
    private final DeviceBuffer workspace;
    private final long descriptorPool;
    /** The recorded chain, split after each host step: {@code hosts.get(i)} runs after {@code commands.get(i)}. */
    private final List<VkCommandBuffer> commands;
    private final List<Step.Host> hosts = new ArrayList<>();
    private final long fence;
    private final long queryPool;
    private long deviceNanos = -1;
    /** Barriers recorded between steps (for the debug log: reuse of ranges can add some). */
    private int barriers;
    /** Kernel dispatches one run records (for the log and the plan tests). */
    private int dispatchCount;
    /** Assigned values written into their parameters in place ({@link #inPlace}), for the log and the plan tests. */
    private int inPlaceCount;
    private boolean closed;
    /** The program when this plan is checked ({@link Anomaly} mode), else null. */
    private final Program checkedProgram;
    /** Profiled plans ({@link dev.jasg.core.Profiling}): the scheduled nodes, and per node its timestamp pair's first query (-1: no work). */
    private final Node[] profiledNodes;
    private final int[] nodeQuery;
    private int timedNodes;
    private dev.jasg.core.Profile profile;

    ExecutionPlan(VulkanDevice dev, Lowering lowering, Program program, Program.Binding binding, VulkanParameters parameters, String what) {
        this(dev, lowering, program, binding, parameters, what, false);
    }

    ExecutionPlan(VulkanDevice dev, Lowering lowering, Program program, Program.Binding binding, VulkanParameters parameters, String what,
            boolean checked) {
        this(dev, lowering, program, binding, parameters, what, checked, false);
    }

    /**
     * A plan; a {@code profiled} one (not checked, on a queue with timestamps) puts a barrier and a
     * timestamp before every node's dispatches and one after them, so that {@link #profile()} gives
     * each node's device time.
     */
    ExecutionPlan(VulkanDevice dev, Lowering lowering, Program program, Program.Binding binding, VulkanParameters parameters, String what,
            boolean checked, boolean profiled) {
        this.dev = dev;
        this.binding = binding;
        this.checkedProgram = checked ? program : null;
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        boolean timed = profiled && !checked && dev.timestamps;
        this.profiledNodes = profiled && !checked ? schedule.toArray(Node[]::new) : null;
        this.nodeQuery = profiledNodes != null ? new int[schedule.size()] : null;
        views = new View[g.size()];

        long[] bytes = new long[g.size()];
        for (Node n : schedule) {
            long b = 4L * binding.shape(n.id()).size();
            if (b > dev.maxStorageBufferRange) {
                throw new BackendException(Lowering.describe(n, binding) + " needs " + DeviceBuffer.mib(b) + " but device '" + dev.name
                        + "' binds at most " + DeviceBuffer.mib(dev.maxStorageBufferRange) + " (maxStorageBufferRange) per tensor");
            }
            bytes[n.id()] = b;
        }
        // fusion (Fusion): the members a group's kernel computes are views of their first operand, which nothing reads
        // through them, and the group's operands from outside stay alive until its root's step
        Fusion fusion = checked || (profiled && !PROFILE_FUSED) || !FUSION ? Fusion.none() : Fusion.plan(program, binding, dev.maxStorageBuffers, ROW_GRADIENTS,
                n -> lowering.readsTransposed(n, binding, g), lowering::storesPermuted, lowering::storesSoftmax);
        PlanPolicy.ViewRule viewRule = (n, b) -> fusion.absorbed(n.id()) || Lowering.isView(n, b, g) ? n.input(0) : -1;
        PlanPolicy.ReadRule readRule = (n, lastUse) -> fusion.lastRead(n.id(), lastUse);
        // assigned values written straight into their parameters (inPlace): no range of their own
        Map<Integer, Integer> inPlace = checked || !IN_PLACE ? Map.of() : inPlace(program, binding, fusion, viewRule, readRule);
        inPlaceCount = inPlace.size();
        BufferPlan plan = BufferPlanner.plan(program, binding, PlanPolicy.deviceArena(dev.storageAlignment, viewRule, readRule, inPlace::containsKey,
                // an absorbed expand would widen its operand's range to its own size; the other absorbed members keep
                // their size (all of them at 0 bytes: the transformer step 28 -> 22 MiB, but 42 -> 47 barriers, untimed)
                id -> fusion.absorbed(id) && g.node(id).op() instanceof Op.Expand),
                !checked);
        Map<Integer, Long> snapshotOffsets = new LinkedHashMap<>();
        List<Integer> kept = new ArrayList<>(program.outputs().values());
        for (Graph.Assignment a : program.assignments()) kept.add(a.value());
        for (int id : kept) if (plan.hasSnapshot(id)) snapshotOffsets.putIfAbsent(id, plan.snapshotOf(id).offset());

        DeviceBuffer arenaBuffer = null, stagingBuffer = null, workspaceBuffer = null;
        long pool = 0, query = 0, fenceHandle = 0;
        List<VkCommandBuffer> cbs = new ArrayList<>();
        try {
            arenaBuffer = DeviceBuffer.device(dev, plan.peakBytes(), "the memory plan of " + what);
            for (Node n : schedule) {
                // a view of a parameter (a reshaped weight) reads the parameter's buffer; a value written in place (and its
                // views) lives in its parameter's
                int root = plan.root(n.id());
                views[n.id()] = plan.planned(n.id()) ? new View(arenaBuffer, plan.offset(n.id()), bytes[n.id()])
                        : new View(parameters.buffer(((Op.Parameter) g.node(inPlace.getOrDefault(root, root)).op()).name()), 0, bytes[n.id()]);
            }
            for (var e : snapshotOffsets.entrySet()) snapshots.put(e.getKey(), new View(arenaBuffer, e.getValue(), bytes[e.getKey()]));
            long stagingBytes = 0;
            for (var e : program.inputs().entrySet()) {
                feeds.put(e.getKey(), new long[] {stagingBytes, e.getValue().id()});
                stagingBytes += (bytes[e.getValue().id()] + 15) / 16 * 16;
            }
            if (stagingBytes > 0) stagingBuffer = DeviceBuffer.host(dev, stagingBytes, "the feed staging buffer of " + what);
            for (Node n : schedule) {
                if (n.op() instanceof Op.Constant c) dev.upload(c.value().floats(), arenaBuffer, plan.offset(n.id()), Lowering.describe(n, binding));
                if (n.op() instanceof Op.Count c) {
                    int[] d = binding.shape(n.input(0)).dims();
                    double v = 1;
                    for (int i = 0; i < c.axes().size(); i++) v *= d[c.axes().get(i)];
                    dev.upload(new float[] {(float) v}, arenaBuffer, plan.offset(n.id()), Lowering.describe(n, binding));
                }
            }

            // One workspace for the nodes that need one (ExecutionPlan runs them in turn; the barriers between their steps
            // come from the ranges they write and read, as for any other buffer), sized by the largest need.
            long workspaceBytes = 0;
            for (Node n : schedule) {
                // a fused group's anchor (a product) is scheduled under the group, so every product is asked
                if (plan.viewOf(n.id()) < 0 || n.op() instanceof Op.MatMul) {
                    workspaceBytes = Math.max(workspaceBytes, lowering.workspaceBytes(n, binding, program.graph()));
                }
                int product = fusion.transposedResult(n.id());
                if (product >= 0) workspaceBytes = Math.max(workspaceBytes, lowering.transposedResultWorkspaceBytes(g.node(product), binding, g));
            }
            View scratch = null;
            if (workspaceBytes > 0) {
                workspaceBuffer = DeviceBuffer.device(dev, workspaceBytes, "the workspace of " + what);
                scratch = new View(workspaceBuffer, 0, workspaceBytes);
            }

            List<Integer> owner = new ArrayList<>();
            int[] stepOf = new int[g.size()];
            List<Step> steps = lowerAll(schedule, g, lowering, program, fusion, plan, scratch, timed, owner, stepOf);
            for (int v : inPlace.keySet()) {
                // the rule's premise: the value's kernel is one dispatch reading element i only for element i
                int at = stepOf[fusion.writtenAt(v)];
                if (at < 0 || !(steps.get(at) instanceof Step.Dispatch)) {
                    throw new IllegalStateException("node " + v + " (" + Lowering.describe(g.node(v), binding) + ") was to be written into its parameter"
                            + " in place but lowered to other than one dispatch");
                }
            }
            for (var e : snapshots.entrySet()) if (bytes[e.getKey()] > 0) steps.add(new Step.Copy(views[e.getKey()], e.getValue()));
            for (Graph.Assignment a : checked ? List.<Graph.Assignment>of() : program.assignments()) {
                View src = snapshots.getOrDefault(a.value(), views[a.value()]);
                if (bytes[a.value()] > 0 && !inPlace.containsKey(a.value())) steps.add(new Step.Copy(src, views[a.parameter()]));
            }

            int dispatches = 0, descriptors = 0;
            for (Step s : steps) {
                if (s instanceof Step.Dispatch d) {
                    dispatches++;
                    descriptors += d.bindings().length;
                }
            }
            try (MemoryStack st = stackPush()) {
                LongBuffer p = st.mallocLong(1);
                if (dispatches > 0) {
                    VkDescriptorPoolSize.Buffer sizes = VkDescriptorPoolSize.calloc(1, st).type(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(descriptors);
                    check(vkCreateDescriptorPool(dev.device, VkDescriptorPoolCreateInfo.calloc(st).sType$Default().maxSets(dispatches)
                            .pPoolSizes(sizes), null, p), "vkCreateDescriptorPool for " + what);
                    pool = p.get(0);
                    VulkanDevice.LIVE_OBJECTS.incrementAndGet();
                }
                if (dev.timestamps) {
                    check(vkCreateQueryPool(dev.device, VkQueryPoolCreateInfo.calloc(st).sType$Default().queryType(VK_QUERY_TYPE_TIMESTAMP)
                            .queryCount(2 + 2 * timedNodes), null, p), "vkCreateQueryPool");
                    query = p.get(0);
                    VulkanDevice.LIVE_OBJECTS.incrementAndGet();
                }
            }
            dispatchCount = dispatches;
            fenceHandle = dev.createFence();
            while (owner.size() < steps.size()) owner.add(-1); // snapshot and assignment copies belong to no node
            if (LOG.isTraceEnabled()) {
                // every step with its kernel and node: -Dorg.slf4j.simpleLogger.log.dev.jasg.gpu.ExecutionPlan=trace
                StringBuilder t = new StringBuilder("steps of ").append(what).append(':');
                for (int si = 0; si < steps.size(); si++) {
                    Step st = steps.get(si);
                    int o = owner.get(si);
                    t.append("\n  ").append(si).append(' ').append(st instanceof Step.Dispatch d ? d.pipeline().name() : st.getClass().getSimpleName())
                            .append(o >= 0 ? " " + Lowering.describe(schedule.get(o), binding) : "");
                }
                LOG.trace(t.toString());
            }
            if (Phases.REORDER && nodeQuery == null) { // a profiled plan keeps its order: its timestamps bracket each node
                steps = Phases.order(steps);
                owner = new ArrayList<>(java.util.Collections.nCopies(steps.size(), -1));
            }
            record(cbs, steps, owner, pool, query, stagingBuffer, what);
            LOG.debug("planned {}: {} nodes, {} dispatches, {} fused groups, {} barriers, {} assigned in place, {} device memory, symbols {}", what,
                    schedule.size(), dispatches, fusion.groups().size(), barriers, inPlaceCount, DeviceBuffer.mib(plan.peakBytes()), binding.symbols());
        } catch (RuntimeException e) {
            for (VkCommandBuffer c : cbs) dev.freeCommandBuffer(c);
            if (fenceHandle != 0) dev.destroyFence(fenceHandle);
            destroyPools(pool, query);
            if (stagingBuffer != null) stagingBuffer.close();
            if (workspaceBuffer != null) workspaceBuffer.close();
            if (arenaBuffer != null) arenaBuffer.close();
            throw e;
        }
        workspace = workspaceBuffer;
        arena = arenaBuffer;
        staging = stagingBuffer;
        feedNames = feeds.keySet().toArray(String[]::new);
        feedAt = feeds.values().stream().mapToInt(f -> (int) (f[0] / Float.BYTES)).toArray();
        stagingFloats = stagingBuffer == null ? null : stagingBuffer.mapped.duplicate().order(stagingBuffer.mapped.order()).clear().asFloatBuffer();
        descriptorPool = pool;
        queryPool = query;
        fence = fenceHandle;
        commands = cbs;
    }

    /*
     * The Vulkan backend's storage for the BufferPlanner is PlanPolicy.deviceArena: one device buffer with ranges at
     * the device's storage-buffer offset alignment. Shape ops that leave the bytes as they are (reshape,
     * stop-gradient, an empty reduction, an identity permute, expand, slice or one-part concat, a cast that stores
     * the same way: Lowering.isView) are views: the next kernels bind the operand's range, and no copy runs.
     */

    /**
     * Records the steps into {@code cbs}, starting a new command buffer after each host step (which it adds to
     * {@link #hosts}); {@code owner} gives each step's node for the profiled plan's timestamps.
     */
    private void record(List<VkCommandBuffer> cbs, List<Step> steps, List<Integer> owner, long pool, long query, DeviceBuffer stagingBuffer, String what) {
        try (MemoryStack s = stackPush()) {
            VkCommandBuffer cb = begin(cbs);
            if (query != 0) {
                vkCmdResetQueryPool(cb, query, 0, 2 + 2 * timedNodes);
                vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, query, 0);
            }
            List<View> pendingReads = new ArrayList<>(), pendingWrites = new ArrayList<>();
            for (long[] f : feeds.values()) {
                View dst = views[(int) f[1]];
                if (dst.bytes() == 0) continue;
                VulkanDevice.copy(cb, stagingBuffer.buffer, f[0], dst.buffer().buffer, dst.offset(), dst.bytes());
                pendingWrites.add(dst);
            }
            for (int si = 0; si < steps.size(); si++) {
                Step step = steps.get(si);
                int node = owner.get(si);
                int q = node >= 0 && nodeQuery != null ? nodeQuery[node] : -1;
                boolean first = q >= 0 && (si == 0 || owner.get(si - 1) != node);
                if (first) {
                    // a profiled node starts when everything before it has finished
                    barrier(cb);
                    pendingReads.clear();
                    pendingWrites.clear();
                    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, query, q);
                }
                if (Phases.conflict(step.reads(), step.writes(), pendingReads, pendingWrites)) {
                    barrier(cb);
                    barriers++;
                    pendingReads.clear();
                    pendingWrites.clear();
                }
                pendingReads.addAll(step.reads());
                pendingWrites.addAll(step.writes());
                switch (step) {
                    case Step.Host h -> {
                        fullBarrier(cb);
                        check(vkEndCommandBuffer(cb), "vkEndCommandBuffer for " + what);
                        hosts.add(h);
                        cb = begin(cbs);
                        pendingReads.clear();
                        pendingWrites.clear();
                    }
                    case Step.Dispatch d -> recordDispatch(cb, d, pool, what);
                    case Step.Copy c -> VulkanDevice.copy(cb, c.src().buffer().buffer, c.src().offset(), c.dst().buffer().buffer, c.dst().offset(),
                            Math.min(c.src().bytes(), c.dst().bytes()));
                    case Step.Fill f -> vkCmdFillBuffer(cb, f.dst().buffer().buffer, f.dst().offset(), Math.max(4, f.dst().bytes()), 0);
                }
                if (q >= 0 && (si == steps.size() - 1 || owner.get(si + 1) != node)) {
                    barrier(cb);
                    pendingReads.clear();
                    pendingWrites.clear();
                    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, query, q + 1);
                }
            }
            if (query != 0) vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, query, 1);
            fullBarrier(cb);
            check(vkEndCommandBuffer(cb), "vkEndCommandBuffer for " + what);
        }
    }

    /**
     * Every scheduled node's steps in schedule order ({@code owner}: each step's schedule index; {@code stepOf}: a node's
     * step index when it lowered to exactly one step, else -1).
     */
    private List<Step> lowerAll(List<Node> schedule, Graph g, Lowering lowering, Program program, Fusion fusion, BufferPlan plan, View scratch,
            boolean timed, List<Integer> owner, int[] stepOf) {
        List<Step> steps = new ArrayList<>();
        java.util.Arrays.fill(stepOf, -1);
        for (int si = 0; si < schedule.size(); si++) {
            Node n = schedule.get(si);
            // a view computes nothing: it is its operand's storage (a group's sibling is stored by the group's kernel, a deferred
            // product by the permute reading it)
            if (plan.viewOf(n.id()) >= 0 || fusion.siblingOf(n.id()) >= 0 || fusion.deferred(n.id())) {
                if (nodeQuery != null) nodeQuery[si] = -1;
                continue;
            }
            // what computes n: itself, or, for a permute the product under it stores, that producer, storing where the remap says
            Fusion.PermutedResult permuted = fusion.permutedResult(n.id());
            int src = permuted != null ? permuted.producer() : n.id();
            MatMulKernel.Remap remap = permuted != null ? permuted.remap() : null;
            Fusion.Group group = fusion.group(src);
            List<Step> lowered;
            if (group != null) {
                View[] ext = new View[group.externals().size()];
                for (int k = 0; k < ext.length; k++) ext[k] = views[group.externals().get(k)];
                View[] anchorIn = null;
                if (group.anchor() >= 0) {
                    List<Integer> a = group.anchorOperands(g);
                    anchorIn = new View[a.size()];
                    for (int k = 0; k < anchorIn.length; k++) anchorIn[k] = views[a.get(k)];
                }
                View[] sib = new View[group.siblings().size()];
                for (int k = 0; k < sib.length; k++) sib[k] = views[group.siblings().get(k)];
                lowered = lowering.lowerFused(group, g, binding, views[n.id()], sib, ext, anchorIn, scratch,
                        group.anchor() >= 0 ? fusion.layout(group.anchor()) : MatMulKernel.Layout.PLAIN, remap);
            } else if (fusion.transposedResult(src) >= 0) {
                Node c = g.node(fusion.transposedResult(src));
                lowered = lowering.lowerTransposedResult(c, binding, views[n.id()], views[c.input(0)], views[c.input(1)], scratch, g, fusion.layout(c.id()),
                        remap);
            } else if (permuted != null) {
                Node c = g.node(src);
                lowered = lowering.lowerPermutedProduct(c, binding, views[n.id()], views[c.input(0)], views[c.input(1)], scratch, g, fusion.layout(c.id()),
                        remap);
            } else if (fusion.softmaxProduct(n.id()) != null) {
                Fusion.SoftmaxProduct sp = fusion.softmaxProduct(n.id());
                Node c = g.node(sp.product());
                lowered = lowering.lowerSoftmaxProduct(c, binding, views[n.id()], views[c.input(0)], views[c.input(1)], fusion.layout(c.id()), sp.scale());
            } else {
                View[] in = new View[n.arity()];
                for (int k = 0; k < in.length; k++) in[k] = views[n.input(k)];
                lowered = lowering.lower(n, binding, views[n.id()], in, scratch, program.graph(), fusion.layout(n.id()));
            }
            stepOf[n.id()] = lowered.size() == 1 ? steps.size() : -1;
            steps.addAll(lowered);
            for (int k = 0; k < lowered.size(); k++) owner.add(si);
            if (nodeQuery != null) nodeQuery[si] = timed && !lowered.isEmpty() ? 2 + 2 * timedNodes++ : -1;
        }
        return steps;
    }

    /** Assigned values written into their parameters in place unless {@code -Djasg.vulkan.inPlace=false}, to compare. */
    static final boolean IN_PLACE = !"false".equalsIgnoreCase(System.getProperty("jasg.vulkan.inPlace"));

    /**
     * The assigned values whose kernel can write their parameter's buffer itself, each to its parameter
     * ({@link PlanPolicy#inPlaceAssignments} with this plan's views and fused reads): the value is an elementwise kernel's
     * result (a fused group without anchor, rows or prologue, or one elementwise op: one dispatch, which reads element
     * {@code i} of an operand of its own shape only for element {@code i} of its result), no step after it reads the
     * parameter or a view of it, neither is an output, and it is a sole assignment. Decided on the nodes before the
     * memory is planned, so such a value takes no range of the arena ({@link PlanPolicy.Storage#ASSIGNED}); its readers
     * and its views read the parameter's buffer, and no copy follows the run. An AdamW step of the GPT-2-sized stack
     * copied 576 values (~2 GB of traffic) before this, and until the decision moved before planning still held a range
     * for each (~1 GB of the arena).
     */
    private static Map<Integer, Integer> inPlace(Program program, Program.Binding binding, Fusion fusion, PlanPolicy.ViewRule views,
            PlanPolicy.ReadRule reads) {
        Graph g = program.graph();
        List<Graph.Assignment> as = program.assignments();
        boolean[] ok = PlanPolicy.inPlaceAssignments(program, binding, views, reads, new PlanPolicy.Writers() {
            @Override
            public boolean elementwise(int v) {
                Fusion.Group grp = fusion.group(v);
                return grp != null ? grp.plain() : Fusion.elementwise(g.node(v), binding, g);
            }

            @Override
            public int writtenAt(int v) {
                return fusion.writtenAt(v);
            }

            @Override
            public java.util.Collection<Integer> group(int v) {
                Fusion.Group grp = fusion.group(fusion.writtenAt(v));
                return grp == null || grp.siblings().isEmpty() ? List.of() : grp.members();
            }
        });
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < as.size(); i++) if (ok[i]) out.put(as.get(i).value(), as.get(i).parameter());
        return out;
    }

    private VkCommandBuffer begin(List<VkCommandBuffer> cbs) {
        VkCommandBuffer cb = dev.allocateCommandBuffer();
        cbs.add(cb);
        try (MemoryStack s = stackPush()) {
            check(vkBeginCommandBuffer(cb, VkCommandBufferBeginInfo.calloc(s).sType$Default()), "vkBeginCommandBuffer");
        }
        fullBarrier(cb);
        return cb;
    }

    /** Computes a host step: its inputs read back, the reference kernel in double precision, the result uploaded. */
    private void runHost(Step.Host h, String what) {
        Node n = h.node();
        String name = Lowering.describe(n, binding);
        double[][] in = new double[h.in().length][];
        for (int k = 0; k < in.length; k++) {
            float[] f = h.inCounts()[k] == 0 ? new float[0] : dev.download(h.in()[k].buffer(), h.in()[k].offset(), h.inCounts()[k], name + " (host step of " + what + ")");
            in[k] = new double[f.length];
            for (int i = 0; i < f.length; i++) in[k][i] = f[i];
        }
        double[] r = LinalgReference.compute(n, h.kind(), in[0], h.inDims()[0], in.length > 1 ? in[1] : null, in.length > 1 ? h.inDims()[1] : null);
        float[] out = new float[r.length];
        for (int i = 0; i < r.length; i++) out[i] = (float) r[i];
        if (out.length > 0) dev.upload(out, h.out().buffer(), h.out().offset(), name + " (host step of " + what + ")");
    }

    private void recordDispatch(VkCommandBuffer cb, Step.Dispatch d, long pool, String what) {
        try (MemoryStack s = stackPush()) {
            LongBuffer set = s.mallocLong(1);
            check(vkAllocateDescriptorSets(dev.device, VkDescriptorSetAllocateInfo.calloc(s).sType$Default().descriptorPool(pool)
                    .pSetLayouts(s.longs(d.pipeline().setLayout())), set), "vkAllocateDescriptorSets for " + what);
            int n = d.bindings().length;
            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(n, s);
            for (int i = 0; i < n; i++) {
                View v = d.bindings()[i];
                VkDescriptorBufferInfo.Buffer info = VkDescriptorBufferInfo.calloc(1, s).buffer(v.buffer().buffer).offset(v.offset())
                        .range(v.descriptorRange());
                writes.get(i).sType$Default().dstSet(set.get(0)).dstBinding(i).descriptorCount(1)
                        .descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).pBufferInfo(info);
            }
            vkUpdateDescriptorSets(dev.device, writes, null);
            vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, d.pipeline().pipeline());
            vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, d.pipeline().layout(), 0, set, null);
            vkCmdPushConstants(cb, d.pipeline().layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, d.push());
            vkCmdDispatch(cb, d.gx(), d.gy(), d.gz());
        }
    }

    /** Orders every compute and transfer write before every later compute and transfer access. */
    static void barrier(VkCommandBuffer cb) {
        try (MemoryStack s = stackPush()) {
            int stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
            vkCmdPipelineBarrier(cb, stages, stages, 0, VkMemoryBarrier.calloc(1, s).sType$Default()
                    .srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)
                    .dstAccessMask(VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT),
                    null, null);
        }
    }

    /** Orders everything before against everything after, including the host (start and end of a run). */
    static void fullBarrier(VkCommandBuffer cb) {
        try (MemoryStack s = stackPush()) {
            vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT
                    | VK_PIPELINE_STAGE_HOST_BIT, 0, VkMemoryBarrier.calloc(1, s).sType$Default()
                    .srcAccessMask(VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT)
                    .dstAccessMask(VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT | VK_ACCESS_HOST_READ_BIT), null, null);
        }
    }

    /** Copies the feeds into the staging buffer, submits the recorded chain once and waits for it. */
    void run(Map<String, HostTensor> values, String what) {
        for (int i = 0; i < feedNames.length; i++) {
            float[] f = values.get(feedNames[i]).floats();
            if (f.length == 0) continue;  // an empty feed (batch 0) has no bytes to stage; with only such feeds there is no staging buffer
            StagingCopier.copy(stagingFloats, feedAt[i], f);
        }
        for (int i = 0; i < commands.size(); i++) {
            dev.submitAndWait(commands.get(i), fence, what);
            if (i < hosts.size()) runHost(hosts.get(i), what);
        }
        if (queryPool != 0) {
            int count = 2 + 2 * timedNodes;
            try (MemoryStack s = stackPush()) {
                LongBuffer t = s.mallocLong(count);
                int r = vkGetQueryPoolResults(dev.device, queryPool, 0, count, t, 8, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
                deviceNanos = r == VK_SUCCESS ? (long) ((t.get(1) - t.get(0)) * (double) dev.timestampPeriod) : -1;
                if (profiledNodes != null) profile = r == VK_SUCCESS ? profileOf(t) : null;
            }
        } else if (profiledNodes != null) {
            profile = null;
        }
        if (checkedProgram != null) checkThenAssign(what);
    }

    /**
     * Anomaly mode, after the submission: reads every node's value back (the arena at once when it
     * fits one array), checks them, and then applies the assignments the command buffer left out,
     * reading every assigned value before writing any parameter (a value may be another parameter).
     */
    private void checkThenAssign(String what) {
        Program program = checkedProgram;
        long arenaFloats = arena.size / 4;
        float[] all = arenaFloats <= Integer.MAX_VALUE - 8 ? dev.download(arena, 0, (int) arenaFloats, "the values of " + what) : null;
        Map<Integer, float[]> apart = new HashMap<>();
        java.util.function.IntFunction<float[]> own = id -> apart.computeIfAbsent(id, k -> {
            View v = views[k];
            int count = binding.shape(k).sizeInt();
            return count == 0 ? new float[0] : dev.download(v.buffer(), v.offset(), count, Lowering.describe(program.graph().node(k), binding));
        });
        Anomaly.check(program, binding, (id, i) -> {
            View v = views[id];
            return all != null && v.buffer() == arena ? all[(int) (v.offset() / 4) + i] : own.apply(id)[i];
        });
        List<Graph.Assignment> as = program.assignments();
        float[][] assigned = new float[as.size()][];
        for (int i = 0; i < as.size(); i++) {
            int v = as.get(i).value();
            View src = snapshots.getOrDefault(v, views[v]);
            int count = binding.shape(v).sizeInt();
            assigned[i] = count == 0 ? null : dev.download(src.buffer(), src.offset(), count, Lowering.describe(program.graph().node(v), binding));
        }
        for (int i = 0; i < as.size(); i++) {
            View dst = views[as.get(i).parameter()];
            if (assigned[i] != null) dev.upload(assigned[i], dst.buffer(), dst.offset(), Lowering.describe(program.graph().node(as.get(i).parameter()), binding));
        }
    }

    private dev.jasg.core.Profile profileOf(LongBuffer t) {
        List<dev.jasg.core.Profile.Entry> entries = new ArrayList<>(profiledNodes.length);
        for (int i = 0; i < profiledNodes.length; i++) {
            Node n = profiledNodes[i];
            int q = nodeQuery[i];
            long ns = q < 0 ? 0 : Math.max(0, (long) ((t.get(q + 1) - t.get(q)) * (double) dev.timestampPeriod));
            dev.jasg.core.Shape shape = binding.shape(n.id());
            entries.add(new dev.jasg.core.Profile.Entry(n.id(), n.path(), n.op().label(), shape, n.dtype(), ns, shape.size() * n.dtype().bytes()));
        }
        return new dev.jasg.core.Profile("vulkan", "device timestamps (timestampPeriod " + dev.timestampPeriod + " ns)", Math.max(0, deviceNanos), entries);
    }

    /** The per-node profile of the last run of a profiled plan; null otherwise or when the queue has no timestamps. */
    dev.jasg.core.Profile profile() {
        return profile;
    }

    /** Device time of the last run from timestamp queries, or -1 when the queue has none. */
    long deviceNanos() {
        return deviceNanos;
    }

    /** Where the value of output node {@code id} is after a run. */
    View outputView(int id) {
        if (outputViews == null) {
            View[] o = views.clone();
            for (var e : snapshots.entrySet()) o[e.getKey()] = e.getValue();
            outputViews = o;
        }
        return outputViews[id];
    }

    /** {@link #outputView} by node id, made on the first read (a read then boxes no id). */
    private View[] outputViews;
    /** Each read output's description for device errors, made on its first read (not a string a read). */
    private String[] described;

    /** Output node {@code n} described for a device error while it is read back ({@link Lowering#describe}), made once. */
    String describeOutput(Node n) {
        if (described == null) described = new String[views.length];
        String d = described[n.id()];
        if (d == null) described[n.id()] = d = Lowering.describe(n, binding);
        return d;
    }

    /** Kernel dispatches one run of this plan records. */
    int dispatches() {
        return dispatchCount;
    }

    /** Assigned values this plan's kernels write straight into their parameters (no copy at the end of the run). */
    int assignedInPlace() {
        return inPlaceCount;
    }

    /** Bytes of device memory this plan holds. */
    long deviceBytes() {
        return arena.size + (workspace == null ? 0 : workspace.size);
    }

    private void destroyPools(long pool, long query) {
        if (pool != 0) {
            vkDestroyDescriptorPool(dev.device, pool, null);
            VulkanDevice.LIVE_OBJECTS.decrementAndGet();
        }
        if (query != 0) {
            vkDestroyQueryPool(dev.device, query, null);
            VulkanDevice.LIVE_OBJECTS.decrementAndGet();
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (VkCommandBuffer c : commands) dev.freeCommandBuffer(c);
        dev.destroyFence(fence);
        destroyPools(descriptorPool, queryPool);
        if (staging != null) staging.close();
        if (workspace != null) workspace.close();
        arena.close();
    }
}
