package dev.jasg.opencl;

import dev.jasg.core.Anomaly;
import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.HostTensor;
import dev.jasg.core.LastPlan;
import dev.jasg.core.Node;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain of graphs compiled for the OpenCL device. Each distinct binding of the symbolic dimensions gets its
 * own {@link ExecutionPlan} (memory, kernels with their arguments set, the command list), kept for reuse; the
 * least recently used is freed beyond {@value #MAX_PLANS}. A run is one pass over the queue and one wait. In
 * {@link Anomaly} mode a run uses a plan of its own that keeps every value and checks them before assigning.
 * Thread-safe: runs and reads hold the backend's lock (see {@link dev.jasg.core.Executable} for the contract).
 */
public final class OpenClExecutable implements Executable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClExecutable.class);
    /** Plans kept per executable (distinct batch sizes, say). */
    static final int MAX_PLANS = 8;

    private final OpenClBackend backend;
    private final Program program;
    private final OpenClParameters parameters;
    private final Lowering lowering;
    private final Map<Map<String, Integer>, ExecutionPlan> plans = new LinkedHashMap<>(16, 0.75f, true);
    /** The last run's plan (for {@link #plannedBytes()}) and its cache: a run in the same mode may run it again without binding its feeds. */
    private final LastPlan<ExecutionPlan> lastPlan = new LastPlan<>(p -> p.binding);
    /** What a run is called in device errors, made once. */
    private final String runWhat;
    private final Map<Map<String, Integer>, ExecutionPlan> checkedPlans = new LinkedHashMap<>(4, 0.75f, true);
    private long runs;
    private long lastRunNanos = -1;
    private boolean closed;

    OpenClExecutable(OpenClBackend backend, Program program, OpenClParameters parameters, Lowering lowering) {
        this.backend = backend;
        this.program = program;
        this.parameters = parameters;
        this.lowering = lowering;
        this.runWhat = "run of " + describe();
        for (Node n : program.schedule()) {
            if (n.dtype() == DType.F64) {
                throw new BackendException("the OpenCL backend stores tensors as f32, but " + Lowering.describe(n, null)
                        + " is f64; cast to f32 or use the cpu or reference backend");
            }
        }
    }

    Program program() {
        return program;
    }

    /** {@link #run} and its read under the backend's lock, the lock {@link #run} takes, so no other run comes between them. */
    @Override
    public float[] runInto(Map<String, HostTensor> feeds, String name, float[] dst) {
        synchronized (backend) {
            return run(feeds).copyInto(name, dst);
        }
    }

    @Override
    public Outputs run(Map<String, HostTensor> feeds) {
        synchronized (backend) {
            checkOpen();
            // the plans' kernels name the parameters' buffers: once the store is closed they are freed memory
            parameters.checkOpen();
            boolean checked = Anomaly.enabled();
            Map<Map<String, Integer>, ExecutionPlan> cache = checked ? checkedPlans : plans;
            // the last run's plan again, for feeds of its shapes (their ranges checked), without binding them: a warm run
            // then makes no map of symbols and no shapes
            ExecutionPlan plan = lastPlan.again(program, cache, feeds);
            Program.Binding binding = plan != null ? plan.binding : program.bind(feeds);
            if (plan == null) plan = lastPlan.find(cache, binding);
            if (plan == null) {
                plan = new ExecutionPlan(backend.device(), lowering, program, binding, parameters, describe(), checked);
                cache.put(binding.symbols(), plan);
                LOG.info("planned {} for {}{}: {} commands, {} of device memory", describe(), binding.symbols(), checked ? " (anomaly mode)" : "",
                        plan.commands(), ClDevice.mib(plan.deviceBytes()));
                if (cache.size() > MAX_PLANS) {
                    var eldest = cache.entrySet().iterator().next();
                    cache.remove(eldest.getKey());
                    lastPlan.forget(eldest.getValue());
                    eldest.getValue().close();
                }
            }
            runs++;
            lastPlan.ran(plan, cache);
            long t0 = System.nanoTime();
            plan.run(feeds, runWhat);
            lastRunNanos = System.nanoTime() - t0;
            long run = runs;
            ExecutionPlan ran = plan;
            return new dev.jasg.core.ReadBackOutputs(program(), n -> ran.binding.shape(n.id()), (n, dst) -> read(ran, run, n, dst));
        }
    }

    @Override
    public long plannedBytes() {
        synchronized (backend) {
            return lastPlan.plan() == null ? -1 : lastPlan.plan().deviceBytes();
        }
    }

    /**
     * Node {@code n}'s value of run {@code run} into the first elements of {@code dst}, which holds it ({@link
     * dev.jasg.core.ReadBackOutputs} checks): refused once the executable was closed or has run again.
     */
    void read(ExecutionPlan plan, long run, Node n, float[] dst) {
        synchronized (backend) {
            checkOpen();
            parameters.checkOpen();
            if (run != runs) throw new IllegalStateException("these outputs are stale: the executable has run again since (outputs are valid until the next run)");
            int count = plan.binding.shape(n.id()).sizeInt();
            View v = plan.outputView(n.id());
            backend.device().download(v.buffer(), v.offset(), count, Lowering.describe(n, plan.binding), dst);
        }
    }

    /** Wall time of the last run in nanoseconds, from the first enqueue to the end of the wait (-1 before any run). */
    public long lastRunNanos() {
        synchronized (backend) {
            return lastRunNanos;
        }
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    private String describe() {
        return program.graph().toString();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this OpenCL executable is closed");
    }

    /** Frees every plan's memory and kernels. */
    @Override
    public void close() {
        synchronized (backend) {
            if (closed) return;
            closed = true;
            for (ExecutionPlan p : plans.values()) p.close();
            for (ExecutionPlan p : checkedPlans.values()) p.close();
            plans.clear();
            checkedPlans.clear();
            lastPlan.clear();
            backend.forget(this);
        }
    }
}
