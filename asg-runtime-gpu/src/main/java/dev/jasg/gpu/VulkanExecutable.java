package dev.jasg.gpu;

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
 * A chain of graphs compiled for the Vulkan device. Each distinct binding of the symbolic
 * dimensions gets its own {@link ExecutionPlan} (memory, descriptor sets, one recorded
 * command buffer), kept for reuse; the least recently used is freed beyond
 * {@value #MAX_PLANS}. A run is one queue submission (one more per host-computed linalg node). In {@link Anomaly} mode a run uses a plan of
 * its own, which keeps every value, reads them back and checks them before it applies the
 * assignments (see {@link ExecutionPlan}).
 */
public final class VulkanExecutable implements Executable, dev.jasg.core.Profiling {
    private static final Logger LOG = LoggerFactory.getLogger(VulkanExecutable.class);
    /** Plans kept per executable (distinct batch sizes, say). */
    static final int MAX_PLANS = 8;

    private final VulkanBackend backend;
    private final Program program;
    private final VulkanParameters parameters;
    private final Lowering lowering;
    private final Map<Map<String, Integer>, ExecutionPlan> plans = new LinkedHashMap<>(16, 0.75f, true);
    /** Plans of runs in {@link Anomaly} mode: no memory reuse, values read back and checked, then assigned. */
    private final Map<Map<String, Integer>, ExecutionPlan> checkedPlans = new LinkedHashMap<>(4, 0.75f, true);
    /** Plans of profiled runs ({@link dev.jasg.core.Profiling}): a barrier and timestamps around every node. */
    private final Map<Map<String, Integer>, ExecutionPlan> profiledPlans = new LinkedHashMap<>(4, 0.75f, true);
    private volatile boolean profiling;
    private volatile dev.jasg.core.Profile lastProfile;
    private long runs;
    /** Nodes computed on the host between submissions (linalg), logged once at compile time. */
    private final long hostNodes;
    /** The last run's plan and its cache: a run in the same mode may run it again without binding its feeds. */
    private final LastPlan<ExecutionPlan> last = new LastPlan<>(p -> p.binding);
    /** What a run is called in device errors, made once (a string per run was most of a warm step's garbage). */
    private final String runWhat;
    private boolean closed;

    VulkanExecutable(VulkanBackend backend, Program program, VulkanParameters parameters, Lowering lowering) {
        this.backend = backend;
        this.program = program;
        this.parameters = parameters;
        this.lowering = lowering;
        this.runWhat = "run of " + describe();
        long host = program.schedule().stream().filter(n -> n.op() instanceof dev.jasg.core.Op.Linalg).count();
        this.hostNodes = host;
        if (host > 0) {
            LOG.info("{} linalg node(s) of {} run on the host (no Vulkan kernels for them yet): each is a read-back, an f64 host kernel and an upload"
                    + " between two submissions", host, program.graph());
        }
        for (Node n : program.schedule()) {
            if (n.dtype() == DType.F64) {
                throw new BackendException("the Vulkan backend stores tensors as f32, but " + Lowering.describe(n, null)
                        + " is f64; cast to f32 or use the cpu or reference backend");
            }
        }
    }

    /** How many nodes run on the host (see {@link #hostNodes}). */
    long hostNodes() {
        return hostNodes;
    }

    Program program() {
        return program;
    }

    /** Assigned values the last run's plan wrote into their parameters in place (-1 before the first run). */
    int lastPlanAssignedInPlace() {
        synchronized (backend) {
            return last.plan() == null ? -1 : last.plan().assignedInPlace();
        }
    }

    /** Kernel dispatches of the plan the last run used (-1 before the first run): what the plan tests count. */
    int lastPlanDispatches() {
        synchronized (backend) {
            return last.plan() == null ? -1 : last.plan().dispatches();
        }
    }

    /**
     * {@link #run} and the read of output {@code name} under the backend's lock, the lock {@link #run} takes, so no other
     * run comes between them; no {@code Outputs} is made. An unknown name is refused before the run.
     */
    @Override
    public float[] runInto(Map<String, HostTensor> feeds, String name, float[] dst) {
        int id = program.outputId(name);
        synchronized (backend) {
            ExecutionPlan plan = execute(feeds);
            Node n = program.graph().node(id);
            Outputs.requireHolds(name, plan.binding.shape(id).size(), dst);
            read(plan, runs, n, dst);
            return dst;
        }
    }

    @Override
    public Outputs run(Map<String, HostTensor> feeds) {
        synchronized (backend) {
            ExecutionPlan ran = execute(feeds);
            long run = runs;
            return new dev.jasg.core.ReadBackOutputs(program(), n -> ran.binding.shape(n.id()), (n, dst) -> read(ran, run, n, dst));
        }
    }

    /** One run (the caller holds the backend's lock); returns the plan that ran. */
    private ExecutionPlan execute(Map<String, HostTensor> feeds) {
        checkOpen();
        boolean checked = Anomaly.enabled();
        boolean profiled = !checked && profiling;
        Map<Map<String, Integer>, ExecutionPlan> cache = checked ? checkedPlans : profiled ? profiledPlans : plans;
        // the last run's plan again, for feeds of its shapes (their ranges checked), without binding them: a warm step
        // then makes no map of symbols and no shapes
        ExecutionPlan plan = last.again(program, cache, feeds);
        Program.Binding binding = plan != null ? plan.binding : program.bind(feeds);
        if (plan == null) plan = last.find(cache, binding);
        if (plan == null) {
            plan = new ExecutionPlan(backend.device(), lowering, program, binding, parameters, describe(), checked, profiled);
            cache.put(binding.symbols(), plan);
            LOG.info("planned {} for {}{}: {} dispatches, {} of device memory", describe(), binding.symbols(), checked ? " (anomaly mode)" : "",
                    plan.dispatches(), DeviceBuffer.mib(plan.deviceBytes()));
            if (cache.size() > MAX_PLANS) {
                var eldest = cache.entrySet().iterator().next();
                eldest.getValue().close();
                cache.remove(eldest.getKey());
            }
        }
        runs++;
        last.ran(plan, cache);
        plan.run(feeds, runWhat);
        if (profiled && plan.profile() != null) lastProfile = plan.profile();
        return plan;
    }

    /**
     * Node {@code n}'s value of run {@code run} into the first elements of {@code dst}, which holds it ({@link
     * dev.jasg.core.ReadBackOutputs} checks): refused once the executable was closed or has run again.
     */
    void read(ExecutionPlan plan, long run, Node n, float[] dst) {
        synchronized (backend) {
            checkOpen();
            if (run != runs) throw new IllegalStateException("these outputs are stale: the executable has run again since (outputs are valid until the next run)");
            int count = plan.binding.shape(n.id()).sizeInt();
            if (count == 0) return;
            View v = plan.outputView(n.id());
            backend.device().download(v.buffer(), v.offset(), count, plan.describeOutput(n), dst);
        }
    }

    /**
     * Device time of the last run in nanoseconds, measured with timestamp queries around
     * its command buffer, or -1 when the device's queue has no timestamps or nothing ran.
     */
    public long lastRunDeviceNanos() {
        synchronized (backend) {
            return last.plan() == null ? -1 : last.plan().deviceNanos();
        }
    }

    /**
     * Profiled runs use plans of their own with a barrier and a pair of timestamp queries around
     * every node; without timestamps on the queue there is no profile.
     */
    @Override
    public void setProfiling(boolean on) {
        profiling = on;
    }

    @Override
    public boolean isProfiling() {
        return profiling;
    }

    @Override
    public java.util.Optional<dev.jasg.core.Profile> lastProfile() {
        return java.util.Optional.ofNullable(lastProfile);
    }

    @Override
    public long plannedBytes() {
        synchronized (backend) {
            return last.plan() == null ? -1 : last.plan().deviceBytes();
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
        if (closed) throw new IllegalStateException("this Vulkan executable is closed");
    }

    /** Frees every plan's device memory, descriptor sets, command buffer and fence. */
    @Override
    public void close() {
        synchronized (backend) {
            if (closed) return;
            closed = true;
            for (ExecutionPlan p : plans.values()) p.close();
            for (ExecutionPlan p : checkedPlans.values()) p.close();
            for (ExecutionPlan p : profiledPlans.values()) p.close();
            plans.clear();
            checkedPlans.clear();
            profiledPlans.clear();
            last.clear();
            backend.forget(this);
        }
    }
}
