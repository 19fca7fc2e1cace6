package dev.jasg.gpu;

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
import java.util.Map;
import java.util.Set;

/**
 * Parameters resident in device memory between runs, one buffer each, stored as 32-bit
 * floats (integer and boolean parameters hold exact integers). {@link #get} and
 * {@link #set} copy through the device's staging buffer; runs read and assign them in
 * place. Closed with its backend.
 */
public final class VulkanParameters implements Parameters, AutoCloseable {
    private record Entry(DeviceBuffer buffer, Shape shape, DType dtype) {}

    private final VulkanBackend backend;
    private final long seed;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean closed;

    VulkanParameters(VulkanBackend backend, long seed) {
        this.backend = backend;
        this.seed = seed;
    }

    VulkanBackend backend() {
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
                throw new BackendException("the Vulkan backend stores tensors as f32, but parameter '" + p.name() + "' (node " + n.id()
                        + ") is f64; declare it f32 or use the cpu or reference backend");
            }
            if (!n.shape().isConcrete()) {
                throw new ShapeException("parameter '" + p.name() + "' has symbolic shape " + n.shape() + "; parameters need concrete shapes");
            }
            double[] init = p.init().sample(n.shape(), seed, p.name());
            float[] f = new float[init.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) n.dtype().round(init[i]);
            DeviceBuffer b = DeviceBuffer.device(backend.device(), Math.max(16, 4L * f.length), "parameter '" + p.name() + "' " + n.shape());
            try {
                if (f.length > 0) backend.device().upload(f, b, 0, "parameter '" + p.name() + "'");
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
            entries.put(p.name(), new Entry(b, n.shape(), n.dtype()));
        }
    }

    /** The device buffer of {@code name}. */
    DeviceBuffer buffer(String name) {
        return entry(name).buffer();
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no parameter named '" + name + "'; held: " + entries.keySet());
        return e;
    }

    @Override
    public Set<String> names() {
        synchronized (backend) {
            return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(entries.keySet()));
        }
    }

    @Override
    public HostTensor get(String name) {
        synchronized (backend) {
            checkOpen();
            Entry e = entry(name);
            int n = e.shape().sizeInt();
            float[] f = n == 0 ? new float[0] : backend.device().download(e.buffer(), 0, n, "parameter '" + name + "'");
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
            if (f.length > 0) backend.device().upload(f, e.buffer(), 0, "parameter '" + name + "'");
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("this Vulkan parameter store is closed");
    }

    /** Frees the parameters' device memory. */
    @Override
    public void close() {
        synchronized (backend) {
            if (closed) return;
            closed = true;
            for (Entry e : entries.values()) e.buffer().close();
            entries.clear();
            backend.forget(this);
        }
    }
}
