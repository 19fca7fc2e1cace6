package dev.jasg.opencl;

import dev.jasg.core.Backend;
import dev.jasg.core.Graph;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The OpenCL backend ("opencl"): runs graphs on any OpenCL 1.2 device through JOCL, a GPU vendor's driver or
 * pocl on the CPU. Tensors are 32-bit floats on the device (F64 is rejected); kernels are OpenCL C resource
 * files ({@code dev/jasg/opencl/*.cl}) built once per backend, with program binaries cached in memory and on
 * disk. A run enqueues the whole chain on one in-order queue and waits once. Closing the backend frees every
 * OpenCL object it made, including those of its executables and parameter stores.
 *
 * <p>System properties: {@code jasg.opencl.device} picks a device by index or by part of its or its platform's
 * name, {@code jasg.cache.dir} moves the program cache, {@code jasg.opencl.matmul.tiles} ({@code BMxBNxBK})
 * overrides the large matrix-product tile and {@code jasg.opencl.matmul.unroll} whether its loops are unrolled
 * (read when the backend starts; for tuning on a device).
 *
 * <p>Thread-safe as {@link Backend} requires: every method holds this backend's lock.
 */
public final class OpenClBackend implements Backend {
    private final ClDevice device;
    private final Programs programs;
    private final Lowering lowering;
    private final Set<AutoCloseable> open = new LinkedHashSet<>();
    private boolean closed;

    /** Opens the chosen OpenCL device; throws {@link dev.jasg.core.BackendUnavailableException} saying what to install when there is none. */
    public OpenClBackend() {
        device = ClDevice.open();
        programs = new Programs(device);
        try {
            lowering = new Lowering(device, programs);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "opencl";
    }

    /** The name of the device in use, e.g. {@code NVIDIA H200} or {@code pthread-haswell-AMD EPYC} (pocl). */
    public String deviceName() {
        return device.name;
    }

    /** The platform of the device, e.g. {@code NVIDIA CUDA} or {@code Portable Computing Language}. */
    public String platformName() {
        return device.platformName;
    }

    /** The driver version the device reports. */
    public String driverVersion() {
        return device.driverVersion;
    }

    ClDevice device() {
        return device;
    }

    Programs programs() {
        return programs;
    }

    @Override
    public synchronized OpenClParameters newParameters(long seed) {
        checkOpen();
        OpenClParameters p = new OpenClParameters(this, seed);
        open.add(p);
        return p;
    }

    @Override
    public synchronized OpenClExecutable compile(Parameters parameters, List<Graph> graphs) {
        checkOpen();
        if (!(parameters instanceof OpenClParameters op) || op.backend() != this) {
            throw new IllegalArgumentException("compile: the parameter store must come from this OpenCL backend's newParameters, got "
                    + parameters.getClass().getSimpleName());
        }
        Program program = Program.of(graphs);
        for (Node n : program.parameters()) {
            if (n.op() instanceof Op.Parameter) op.ensure(n);
        }
        OpenClExecutable e = new OpenClExecutable(this, program, op, lowering);
        open.add(e);
        return e;
    }

    synchronized void forget(AutoCloseable c) {
        open.remove(c);
    }

    /** Number of programs built or loaded so far. */
    synchronized int programCount() {
        return programs.size();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this OpenCL backend is closed");
    }

    /** Frees every executable, parameter store, program and the context and queue. */
    @Override
    public synchronized void close() {
        if (closed) return;
        device.finish("closing the backend");
        // executables first: their kernels name the parameter stores' buffers, which go after them
        List<AutoCloseable> order = new ArrayList<>();
        for (AutoCloseable c : open) if (c instanceof OpenClExecutable) order.add(c);
        for (AutoCloseable c : open) if (!(c instanceof OpenClExecutable)) order.add(c);
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c, e);
            }
        }
        open.clear();
        closed = true;
        programs.close();
        device.close();
    }
}
