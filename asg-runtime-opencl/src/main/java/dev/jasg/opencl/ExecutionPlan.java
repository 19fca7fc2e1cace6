package dev.jasg.opencl;

import dev.jasg.core.plan.BufferPlan;
import dev.jasg.core.plan.BufferPlanner;
import dev.jasg.core.plan.PlanPolicy;
import dev.jasg.core.reference.LinalgReference;
import static org.jocl.CL.*;

import dev.jasg.core.Anomaly;
import dev.jasg.core.BackendException;
import dev.jasg.core.Graph;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Program;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_mem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one binding of the symbolic dimensions needs, made once and reused by every run with that binding:
 * the memory plan (asg-core's {@link BufferPlanner} under {@link PlanPolicy#deviceArena}: one arena buffer, each
 * tensor a range of it that kernels take as the arena and an offset, never a sub-buffer), pinned host staging for the
 * feeds, and the list of commands of the whole chain (every kernel with its arguments already set, parameter
 * snapshots and assignments as buffer copies). A run copies the feeds into the staging memory, enqueues the
 * writes and every command on the device's one in-order queue, and waits once; outputs are read back only when
 * asked for.
 *
 * <p>A checked plan ({@link Anomaly} mode) reuses no memory and enqueues no assignment: after the run it reads
 * every value back, {@link Anomaly#check checks} them, and only then applies the assignments through the host,
 * so an anomalous run throws with the parameters untouched.
 *
 * <p>The plan owns the arena, the side-table buffers and the kernel objects, and {@link #close} releases each exactly
 * once (kernels, which name the buffers in their arguments, first; then the buffers), after the queue has drained;
 * closing again does nothing, and a closed plan refuses to run. Nothing else (no finalizer or cleaner) releases them.
 * Used under the backend's lock.
 */
final class ExecutionPlan implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionPlan.class);

    private final ClDevice dev;
    final Program.Binding binding;
    private final Program program;
    private final boolean checked;
    private final View[] views;
    private final Map<Integer, View> snapshots = new HashMap<>();
    /** Feed name to its input node's view and its staging memory. */
    private final Map<String, Feed> feeds = new LinkedHashMap<>();
    /** The arena; null once released. */
    private cl_mem arena;
    /** Side tables (pooling windows), each a buffer of its own. */
    private final List<cl_mem> sideTables = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final long arenaBytes;
    private boolean closed;

    private record Feed(View view, ByteBuffer staging) {}

    ExecutionPlan(ClDevice dev, Lowering lowering, Program program, Program.Binding binding, OpenClParameters parameters, String what,
            boolean checked) {
        this.dev = dev;
        this.binding = binding;
        this.program = program;
        this.checked = checked;
        Graph g = program.graph();
        List<Node> schedule = program.schedule();
        views = new View[g.size()];
        // no views: every kernel writes a range of its own
        BufferPlan plan = BufferPlanner.plan(program, binding, PlanPolicy.deviceArena(dev.alignment, (n, b) -> -1), !checked);
        arenaBytes = Math.max(plan.peakBytes(), dev.alignment);
        arena = dev.buffer(arenaBytes, "the memory plan of " + what);
        try {
            for (Node n : schedule) {
                long bytes = 4L * binding.shape(n.id()).size();
                if (bytes > dev.maxAlloc) {
                    throw new BackendException(Lowering.describe(n, binding) + " needs " + ClDevice.mib(bytes) + " but OpenCL device '" + dev.name
                            + "' allocates at most " + ClDevice.mib(dev.maxAlloc) + " per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE)");
                }
                views[n.id()] = n.op() instanceof Op.Parameter p ? parameters.view(p.name()) : view(arena, plan.offset(n.id()), bytes);
            }
            List<Integer> kept = new ArrayList<>(program.outputs().values());
            for (Graph.Assignment a : program.assignments()) kept.add(a.value());
            for (int id : kept) {
                if (plan.hasSnapshot(id) && !snapshots.containsKey(id)) {
                    snapshots.put(id, view(arena, plan.snapshotOf(id).offset(), 4L * binding.shape(id).size()));
                }
            }
            for (var e : program.inputs().entrySet()) {
                View v = views[e.getValue().id()];
                ByteBuffer staging = v.bytes() == 0 ? null : ByteBuffer.allocateDirect((int) v.bytes()).order(ByteOrder.nativeOrder());
                feeds.put(e.getKey(), new Feed(v, staging));
            }
            for (Node n : schedule) {
                if (n.op() instanceof Op.Constant c) dev.upload(c.value().floats(), arena, views[n.id()].offset(), Lowering.describe(n, binding));
                if (n.op() instanceof Op.Count c) {
                    int[] d = binding.shape(n.input(0)).dims();
                    double v = 1;
                    for (int i = 0; i < c.axes().size(); i++) v *= d[c.axes().get(i)];
                    dev.upload(new float[] {(float) v}, arena, views[n.id()].offset(), Lowering.describe(n, binding));
                }
            }
            Lowering.Tables tables = (values, forWhat) -> {
                cl_mem m = dev.buffer(4L * values.length, forWhat);
                sideTables.add(m);
                ByteBuffer bb = ByteBuffer.allocateDirect(4 * Math.max(1, values.length)).order(ByteOrder.nativeOrder());
                bb.asIntBuffer().put(values);
                clEnqueueWriteBuffer(dev.queue, m, CL_TRUE, 0, 4L * values.length, Pointer.to(bb), 0, null, null);
                return m;
            };
            for (Node n : schedule) {
                View[] in = new View[n.arity()];
                for (int k = 0; k < in.length; k++) in[k] = views[n.input(k)];
                steps.addAll(lowering.lower(n, binding, views[n.id()], in, tables));
            }
            for (var e : snapshots.entrySet()) {
                if (e.getValue().bytes() > 0) steps.add(new Step.Copy(views[e.getKey()], e.getValue(), e.getValue().bytes(), "the snapshot of parameter node " + e.getKey()));
            }
            for (Graph.Assignment a : checked ? List.<Graph.Assignment>of() : program.assignments()) {
                View src = snapshots.getOrDefault(a.value(), views[a.value()]);
                if (src.bytes() > 0) steps.add(new Step.Copy(src, views[a.parameter()], src.bytes(), "the assignment of node " + a.value()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        long hostSteps = steps.stream().filter(st -> st instanceof Step.Host).count();
        if (hostSteps > 0) {
            LOG.info("{} linalg node(s) of {} run on the host (no OpenCL kernels for them yet): each is a read-back, an f64 host kernel and an upload",
                    hostSteps, what);
        }
        LOG.debug("planned {}: {} nodes, {} commands, {} device memory, symbols {}", what, schedule.size(), steps.size(), ClDevice.mib(arenaBytes),
                binding.symbols());
    }

    /** The range of the arena the planner gave a value; the bounds are checked here once, since kernels cannot. */
    private View view(cl_mem buffer, long offset, long bytes) {
        // an empty value (batch 0) is never read or written, and the planner may place it at the arena's end: it points
        // at the arena's start instead, so no kernel argument ever points past the buffer
        if (bytes == 0) return new View(buffer, 0, 0);
        if (offset < 0 || offset + bytes > arenaBytes || offset % dev.alignment != 0) {
            throw new BackendException("the memory plan placed " + bytes + " bytes at " + offset + ", outside its arena of " + arenaBytes
                    + " bytes or off its " + dev.alignment + "-byte alignment");
        }
        return new View(buffer, offset, bytes);
    }

    /** Stages the feeds, enqueues the whole chain on the in-order queue and waits for it once. */
    void run(Map<String, HostTensor> values, String what) {
        if (closed) throw new IllegalStateException("this OpenCL execution plan is closed");
        try {
            for (var e : feeds.entrySet()) {
                Feed f = e.getValue();
                if (f.staging() == null) continue;  // an empty feed (batch 0) has no bytes
                f.staging().clear();
                f.staging().asFloatBuffer().put(values.get(e.getKey()).floats());
                clEnqueueWriteBuffer(dev.queue, f.view().buffer(), CL_FALSE, f.view().offset(), f.view().bytes(), Pointer.to(f.staging()), 0, null, null);
            }
            for (Step s : steps) enqueue(s);
        } catch (CLException e) {
            try {
                clFinish(dev.queue);
            } catch (CLException ignored) {
                // the first error is the one to report
            }
            throw new BackendException("OpenCL device '" + dev.name + "' refused a command of " + what + ": " + e.getMessage(), e);
        }
        dev.finish(what);
        if (checked) checkThenAssign(what);
    }

    private void enqueue(Step s) {
        try {
            switch (s) {
                case Step.Launch l -> clEnqueueNDRangeKernel(dev.queue, l.kernel(), l.global().length, null, l.global(), l.local(), 0, null, null);
                case Step.Copy c -> clEnqueueCopyBuffer(dev.queue, c.src().buffer(), c.dst().buffer(), c.src().offset(), c.dst().offset(), c.bytes(), 0,
                        null, null);
                case Step.Fill f -> clEnqueueFillBuffer(dev.queue, f.dst().buffer(), Pointer.to(new float[] {0f}), 4, f.dst().offset(),
                        (f.dst().bytes() + 3) / 4 * 4, 0, null, null);
                case Step.Host h -> runHost(h);
            }
        } catch (CLException e) {
            throw new CLException(e.getMessage() + " at " + s.what(), e.getStatus());
        }
    }

    /** A host step: blocking reads of its inputs (after every command before it), the f64 reference kernel, a blocking write. */
    private void runHost(Step.Host h) {
        double[][] in = new double[h.in().length][];
        for (int k = 0; k < in.length; k++) {
            float[] f = dev.download(h.in()[k].buffer(), h.in()[k].offset(), h.inCounts()[k], h.what() + " (host step)");
            in[k] = new double[f.length];
            for (int i = 0; i < f.length; i++) in[k][i] = f[i];
        }
        double[] r = LinalgReference.compute(h.node(), h.kind(), in[0], h.inDims()[0], in.length > 1 ? in[1] : null,
                in.length > 1 ? h.inDims()[1] : null);
        float[] out = new float[r.length];
        for (int i = 0; i < r.length; i++) out[i] = (float) r[i];
        dev.upload(out, h.out().buffer(), h.out().offset(), h.what() + " (host step)");
    }

    /**
     * Anomaly mode, after the run: reads every node's value back, checks them, then applies the assignments the
     * plan left out, reading every assigned value before writing any parameter (a value may be another parameter).
     */
    private void checkThenAssign(String what) {
        Map<Integer, float[]> values = new HashMap<>();
        java.util.function.IntFunction<float[]> value = id -> values.computeIfAbsent(id, k -> {
            View v = views[k];
            return dev.download(v.buffer(), v.offset(), binding.shape(k).sizeInt(), Lowering.describe(program.graph().node(k), binding));
        });
        Anomaly.check(program, binding, (id, i) -> value.apply(id)[i]);
        List<Graph.Assignment> as = program.assignments();
        float[][] assigned = new float[as.size()][];
        for (int i = 0; i < as.size(); i++) {
            int v = as.get(i).value();
            View src = snapshots.getOrDefault(v, views[v]);
            assigned[i] = dev.download(src.buffer(), src.offset(), binding.shape(v).sizeInt(), Lowering.describe(program.graph().node(v), binding));
        }
        for (int i = 0; i < as.size(); i++) {
            View dst = views[as.get(i).parameter()];
            dev.upload(assigned[i], dst.buffer(), dst.offset(), Lowering.describe(program.graph().node(as.get(i).parameter()), binding) + " in " + what);
        }
    }

    /** Where the value of output node {@code id} is after a run. */
    View outputView(int id) {
        if (closed) throw new IllegalStateException("this OpenCL execution plan is closed");
        return snapshots.getOrDefault(id, views[id]);
    }

    /** Bytes of device memory of the arena. */
    long deviceBytes() {
        return arenaBytes;
    }

    /** Number of commands a run enqueues (besides the feed writes). */
    int commands() {
        return steps.size();
    }

    /** Releases the kernels, then the side tables and the arena, each once, after the queue has drained; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            // nothing of this plan may still be queued when its memory goes (runs wait, but a failed one may not have)
            dev.finish("closing a plan");
        } catch (RuntimeException e) {
            LOG.warn("the OpenCL queue failed before a plan was released: {}", e.getMessage());
        }
        for (Step s : steps) if (s instanceof Step.Launch l) Programs.release(l.kernel());
        steps.clear();
        for (cl_mem m : sideTables) dev.release(m);
        sideTables.clear();
        cl_mem a = arena;
        arena = null;
        dev.release(a);
    }
}
