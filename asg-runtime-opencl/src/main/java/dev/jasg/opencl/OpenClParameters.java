package dev.jasg.opencl;

import dev.jasg.core.BackendException;
import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;
import dev.jasg.core.Node;
import dev.jasg.core.Op;
import dev.jasg.core.Parameters;
import dev.jasg.core.Shape;
import dev.jasg.core.ShapeException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jocl.cl_mem;

/**
 * Parameters resident in device memory between runs, one buffer each, stored as 32-bit floats (integer and
 * boolean parameters hold exact integers). {@link #get} and {@link #set} copy through the queue; runs read and
 * assign them in place. Closed with its backend. Thread-safe: every method holds the backend's lock.
 */
public final class OpenClParameters implements Parameters, AutoCloseable {
    /** One parameter: its own buffer, bound to kernels at offset 0. */
    private record Entry(View view, Shape shape, DType dtype) {
        cl_mem buffer() {
            return view.buffer();
        }
    }

    private final OpenClBackend backend;
    private final long seed;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean closed;

    OpenClParameters(OpenClBackend backend, long seed) {
        this.backend = backend;
        this.seed = seed;
    }

    OpenClBackend backend() {
        return backend;
    }

    /** Makes sure parameter node {@code n} is held: initialises it on the device if new, checks its shape and dtype if not. */
    void ensure(Node n) {
        Op.Parameter p = (Op.Parameter) n.op();
        synchronized (backend) {
            checkOpen();
            Entry have = entries.get(p.name());
            if (have != null) {
                if (!have.shape().equals(n.shape()) || have.dtype() != n.dtype()) {
                    throw new ShapeException("parameter '" + p.name() + "' is " + have.dtype().label() + have.shape()
                            + " in the store but " + n.dtype().label() + n.shape() + " in the graph (node " + n.id() + ")");
                }
                return;
            }
            if (n.dtype() == DType.F64) {
                throw new BackendException("the OpenCL backend stores tensors as f32, but parameter '" + p.name() + "' (node " + n.id()
                        + ") is f64; declare it f32 or use the cpu or reference backend");
            }
            if (!n.shape().isConcrete()) {
                throw new ShapeException("parameter '" + p.name() + "' has symbolic shape " + n.shape() + "; parameters need concrete shapes");
            }
            double[] init = p.init().sample(n.shape(), seed, p.name());
            float[] f = new float[init.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) n.dtype().round(init[i]);
            ClDevice dev = backend.device();
            cl_mem b = dev.buffer(4L * f.length, "parameter '" + p.name() + "' " + n.shape());
            try {
                dev.upload(f, b, 0, "parameter '" + p.name() + "'");
            } catch (RuntimeException e) {
                dev.release(b);
                throw e;
            }
            entries.put(p.name(), new Entry(new View(b, 0, 4L * f.length), n.shape(), n.dtype()));
        }
    }

    /** Where parameter {@code name} lives. */
    View view(String name) {
        return entry(name).view();
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no parameter named '" + name + "'; held: " + entries.keySet());
        return e;
    }

    @Override
    public Set<String> names() {
        synchronized (backend) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(entries.keySet()));
        }
    }

    @Override
    public HostTensor get(String name) {
        synchronized (backend) {
            checkOpen();
            Entry e = entry(name);
            float[] f = backend.device().download(e.buffer(), 0, e.shape().sizeInt(), "parameter '" + name + "'");
            return HostTensor.of(e.dtype(), e.shape(), f);
        }
    }

    @Override
    public void set(String name, HostTensor value) {
        synchronized (backend) {
            checkOpen();
            Entry e = entry(name);
            if (!e.shape().equals(value.shape())) {
                throw new ShapeException("parameter '" + name + "' has shape " + e.shape() + "; cannot set a value of shape " + value.shape());
            }
            float[] f = new float[value.size()];
            for (int i = 0; i < f.length; i++) f[i] = (float) e.dtype().round(value.get(i));
            backend.device().upload(f, e.buffer(), 0, "parameter '" + name + "'");
        }
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("this OpenCL parameter store is closed");
    }

    /**
     * Frees the parameters' device memory, each buffer once; closing again does nothing. Executables compiled against
     * this store refuse to run afterwards (their kernels still name the freed buffers).
     */
    @Override
    public void close() {
        synchronized (backend) {
            if (closed) return;
            closed = true;
            ClDevice dev = backend.device();
            for (Entry e : entries.values()) dev.release(e.buffer());
            entries.clear();
            backend.forget(this);
        }
    }
}
