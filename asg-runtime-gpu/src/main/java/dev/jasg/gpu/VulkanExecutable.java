package dev.jasg.gpu;

import dev.jasg.core.Anomaly;
import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Outputs;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import dev.jasg.core.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain of graphs compiled for the Vulkan device. Each distinct binding of the symbolic
 * dimensions gets its own {@link ExecutionPlan} (memory, descriptor sets, one recorded
 * command buffer), kept for reuse; the least recently used is freed beyond
 * {@value #MAX_PLANS}. A run is one queue submission. In {@link Anomaly} mode a run uses a plan of
 * its own, which keeps every value, reads them back and checks them before it applies the
 * assignments (see {@link ExecutionPlan}).
 */
public final class VulkanExecutable implements Executable {
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
    private long runs;
    private ExecutionPlan last;
    private boolean closed;

    VulkanExecutable(VulkanBackend backend, Program program, VulkanParameters parameters, Lowering lowering) {
        this.backend = backend;
        this.program = program;
        this.parameters = parameters;
        this.lowering = lowering;
        for (Node n : program.schedule()) {
            if (n.dtype() == DType.F64) {
                throw new BackendException("the Vulkan backend stores tensors as f32, but " + Lowering.describe(n, null)
                        + " is f64; cast to f32 or use the cpu or reference backend");
            }
        }
    }

    Program program() {
        return program;
    }

    @Override
    public Outputs run(Map<String, HostTensor> feeds) {
        synchronized (backend) {
            checkOpen();
            boolean checked = Anomaly.enabled();
            Program.Binding binding = program.bind(feeds);
            Map<Map<String, Integer>, ExecutionPlan> cache = checked ? checkedPlans : plans;
            ExecutionPlan plan = cache.get(binding.symbols());
            if (plan == null) {
                plan = new ExecutionPlan(backend.device(), lowering, program, binding, parameters, describe(), checked);
                cache.put(binding.symbols(), plan);
                LOG.info("planned {} for {}{}: {} of device memory", describe(), binding.symbols(), checked ? " (anomaly mode)" : "",
                        DeviceBuffer.mib(plan.deviceBytes()));
                if (cache.size() > MAX_PLANS) {
                    var eldest = cache.entrySet().iterator().next();
                    eldest.getValue().close();
                    cache.remove(eldest.getKey());
                }
            }
            runs++;
            last = plan;
            plan.run(feeds, "run of " + describe());
            return new VulkanOutputs(this, plan, runs);
        }
    }

    HostTensor readBack(ExecutionPlan plan, long run, Node n) {
        synchronized (backend) {
            checkOpen();
            if (run != runs) throw new IllegalStateException("these outputs are stale: the executable has run again since (outputs are valid until the next run)");
            Shape shape = plan.binding.shape(n.id());
            int count = shape.sizeInt();
            View v = plan.outputView(n.id());
            float[] f = count == 0 ? new float[0] : backend.device().download(v.buffer(), v.offset(), count, Lowering.describe(n, plan.binding));
            return HostTensor.of(n.dtype(), shape, f);
        }
    }

    /**
     * Device time of the last run in nanoseconds, measured with timestamp queries around
     * its command buffer, or -1 when the device's queue has no timestamps or nothing ran.
     */
    public long lastRunDeviceNanos() {
        synchronized (backend) {
            return last == null ? -1 : last.deviceNanos();
        }
    }

    @Override
    public long plannedBytes() {
        synchronized (backend) {
            return last == null ? -1 : last.deviceBytes();
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
            plans.clear();
            checkedPlans.clear();
            last = null;
            backend.forget(this);
        }
    }
}
