package dev.jasg.gpu;

import dev.jasg.core.Backend;
import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Vulkan compute backend ("vulkan"): runs graphs on a GPU, or on any Vulkan device
 * such as Mesa's lavapipe on the CPU. Tensors are 32-bit floats on the device (F64 is
 * rejected); kernels are GLSL generated per op and compiled to SPIR-V with shaderc, cached
 * in memory and on disk along with a pipeline cache. Closing the backend frees every Vulkan
 * object it made, including those of its executables and parameter stores.
 *
 * <p>System properties: {@code jasg.vulkan.device} picks a device by index or name,
 * {@code jasg.vulkan.validation=true} turns the validation layer on, {@code jasg.cache.dir}
 * moves the shader caches, {@code jasg.vulkan.fusion=false} turns the plan's fusion off ({@link Fusion}),
 * {@code jasg.vulkan.noSubgroups=true} keeps the reductions off subgroup operations.
 */
public final class VulkanBackend implements Backend {
    final VulkanDevice device;
    private final Pipelines pipelines;
    private final Lowering lowering;
    private final Set<AutoCloseable> open = new LinkedHashSet<>();
    private boolean closed;

    /** Opens the preferred Vulkan device; throws {@link dev.jasg.core.BackendUnavailableException} saying what to install when there is none. */
    public VulkanBackend() {
        device = VulkanDevice.open();
        try {
            pipelines = new Pipelines(device);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
        lowering = new Lowering(device, pipelines);
    }

    @Override
    public String name() {
        return "vulkan";
    }

    /** The name of the device in use, e.g. {@code NVIDIA H200} or {@code llvmpipe (LLVM 15.0.6, 256 bits)}. */
    public String deviceName() {
        return device.name;
    }

    /** The subgroup (warp) size the device reports; the kernels do not depend on it. */
    public int subgroupSize() {
        return device.subgroupSize;
    }

    /**
     * The device's cooperative-matrix shapes and whether products of F16 and BF16 operands run on the
     * tensor-core kernel, e.g. {@code "16x16x16 f16->f32, ...; f16 kernel true, bf16 kernel true"}.
     */
    public String cooperativeMatrices() {
        return device.coopMatrix.summary() + "; f16 kernel " + device.coopMatrix.f16() + ", bf16 kernel " + device.coopMatrix.bf16();
    }

    /**
     * The driver's statistics of each kernel compiled so far, by kernel name (e.g. NVIDIA's register count, which sets
     * how many workgroups share a compute unit): filled only when the JVM runs with {@code -Djasg.vulkan.kernelStatistics=true}
     * and the device offers {@code VK_KHR_pipeline_executable_properties}, else empty. For tuning kernels; capturing them
     * may make pipeline creation slower.
     */
    public Map<String, String> kernelStatistics() {
        return pipelines.statistics();
    }

    VulkanDevice device() {
        return device;
    }

    @Override
    public synchronized VulkanParameters newParameters(long seed) {
        checkOpen();
        VulkanParameters p = new VulkanParameters(this, seed);
        open.add(p);
        return p;
    }

    @Override
    public synchronized VulkanExecutable compile(Parameters parameters, List<Graph> graphs) {
        checkOpen();
        if (!(parameters instanceof VulkanParameters vp) || vp.backend() != this) {
            throw new IllegalArgumentException("compile: the parameter store must come from this Vulkan backend's newParameters, got "
                    + parameters.getClass().getSimpleName());
        }
        Program program = Program.of(graphs);
        for (Node n : program.parameters()) {
            if (n.op() instanceof Op.Parameter) vp.ensure(n);
        }
        VulkanExecutable e = new VulkanExecutable(this, program, vp, lowering);
        open.add(e);
        return e;
    }

    synchronized void forget(AutoCloseable c) {
        open.remove(c);
    }

    /** Number of pipelines (distinct kernels) created so far. */
    synchronized int pipelineCount() {
        return pipelines.size();
    }

    /** Names of the kernels created so far. */
    synchronized java.util.Set<String> kernelNames() {
        return pipelines.names();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this Vulkan backend is closed");
    }

    /** Frees every executable, parameter store, pipeline (saving the pipeline cache) and the device. */
    @Override
    public synchronized void close() {
        if (closed) return;
        device.idle();
        for (AutoCloseable c : new ArrayList<>(open)) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c, e);
            }
        }
        open.clear();
        closed = true;
        pipelines.close();
        device.close();
    }
}
