package dev.jasg.cpu;

import dev.jasg.core.Backend;
import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.Executable;
import dev.jasg.core.Graph;
import dev.jasg.core.HostParameters;
import dev.jasg.core.Node;
import dev.jasg.core.Parameters;
import dev.jasg.core.Program;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The CPU backend: f32 kernels on the heap. Compiling checks the graphs and the parameter
 * store; each executable then plans memory once per binding of the symbolic dimensions
 * and reuses its buffers by liveness. Integer and boolean values are stored as floats,
 * exactly as {@link dev.jasg.core.HostTensor} stores them; f64 graphs belong to the
 * reference backend.
 */
public final class CpuBackend implements Backend {
    /** Stores made by any CPU backend; weak, so a dropped store is forgotten. */
    private static final Set<HostParameters> STORES = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private volatile boolean closed;

    /** A CPU backend; cheap, and all instances share one kernel thread pool. */
    public CpuBackend() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Parameters newParameters(long seed) {
        checkOpen();
        HostParameters p = new HostParameters(seed, DType.F32);
        STORES.add(p);
        return p;
    }

    @Override
    public Executable compile(Parameters parameters, List<Graph> graphs) {
        checkOpen();
        Program program = Program.of(graphs);
        if (!(parameters instanceof HostParameters store) || !STORES.contains(store)) {
            throw new BackendException("the cpu backend needs a parameter store made by a cpu backend's newParameters(seed), got "
                    + (parameters == null ? "null" : parameters.getClass().getName())
                    + "; parameters do not move between backends (copy them with get/set)");
        }
        for (Node n : program.schedule()) {
            if (n.dtype() == DType.F64) {
                throw new BackendException("the cpu backend computes in f32; node %" + n.id() + " (" + n.path()
                        + ") is f64 — use the reference backend for f64");
            }
        }
        for (Node n : program.parameters()) store.ensure(n);
        // the elementwise Vector API kernels this program runs get compiled on a daemon thread; their scalar twins run until then
        if (Simd.ENABLED) WarmKernels.requestFor(program);
        return new CpuExecutable(this, program, store);
    }

    boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the cpu backend was closed");
    }

    /** Marks the backend closed; the shared kernel pool stays (other backends use it and its threads are daemons). */
    @Override
    public void close() {
        closed = true;
    }

    /**
     * Which kernels this JVM runs, for benchmark headers and bug reports: the matrix-multiply micro-kernel (Vector
     * API with its register tile and vector width, or the scalar fallback when {@code jdk.incubator.vector} is not
     * enabled), its cache blocking, the cache sizes it was computed from, and the thread count, e.g. {@code gemm vector
     * 6x16 tiles of 256-bit vectors (16 registers), KC 1024, MC 60, NC 512; L1d 32 KiB, L2 512 KiB, L3 32 MiB/2 (sysfs);
     * 2 threads}. Computed once from what the JVM and the OS report (vector width, {@code /sys} cache sizes, available
     * processors), never from a list of machines; {@code -Djasg.cpu.threads=N} sets the thread count.
     */
    public static String kernels() {
        return "gemm " + Gemm.kernelName();
    }

    @Override
    public String toString() {
        return "CpuBackend(" + CpuThreads.PARALLELISM + " threads" + (closed ? ", closed" : "") + ")";
    }
}
