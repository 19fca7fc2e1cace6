package dev.jasg.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A parameter store in host memory, for backends whose tensors live on the heap (the
 * reference interpreter stores doubles, the CPU backend floats). Backends read and write
 * the stored arrays directly through {@link #storage}.
 *
 * <p>{@link #generation} counts the changes of stored values, so that a backend may keep something derived
 * from a stored array (the CPU backend's packed weights) and know when to derive it again: every
 * {@link #set}, {@link #replace} and new parameter counts, and a backend that writes a stored array in place
 * calls {@link #written} after. Not thread-safe otherwise: a store is written by one run at a time.
 */
public final class HostParameters implements Parameters {
    private final long seed;
    private final DType floatStorage;
    private final Map<String, HostTensor> values = new LinkedHashMap<>();
    private final Map<String, DType> declared = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    /** A store seeded with {@code seed} that keeps float parameters as {@code floatStorage} (F32 or F64). */
    public HostParameters(long seed, DType floatStorage) {
        if (floatStorage != DType.F32 && floatStorage != DType.F64) throw new IllegalArgumentException("float storage must be F32 or F64");
        this.seed = seed;
        this.floatStorage = floatStorage;
    }

    /** The seed initialisers draw from. */
    public long seed() {
        return seed;
    }

    /** Makes sure parameter node {@code n} is held: initialises it if new, checks its shape and dtype if not. */
    public void ensure(Node n) {
        Op.Parameter p = (Op.Parameter) n.op();
        HostTensor have = values.get(p.name());
        if (have != null) {
            if (!have.shape().equals(n.shape()) || declared.get(p.name()) != n.dtype()) {
                throw new ShapeException("parameter '" + p.name() + "' is " + declared.get(p.name()).label() + have.shape()
                        + " in the store but " + n.dtype().label() + n.shape() + " in the graph (node " + n.id() + ")");
            }
            return;
        }
        DType storage = storageOf(n.dtype());
        if (p.init() instanceof Init.Zeros && storage != DType.F64) {
            // zeros (optimizer state, biases) need no stream drawn and converted: a fresh float array is zero
            values.put(p.name(), HostTensor.of(storage, n.shape(), new float[n.shape().sizeInt()]));
        } else {
            double[] init = p.init().sample(n.shape(), seed, p.name());
            values.put(p.name(), HostTensor.fromDoubles(storage, n.shape(), init));
        }
        declared.put(p.name(), n.dtype());
        generation.incrementAndGet();
    }

    /**
     * A number that changes whenever a stored value may have changed: by {@link #set}, {@link #replace}, a new
     * parameter, or a backend's in-place write ({@link #written}). Equal generations mean equal stored values.
     */
    public long generation() {
        return generation.get();
    }

    /** Says that a backend has written stored arrays in place (what {@link #storage} allows): a new {@link #generation}. */
    public void written() {
        generation.incrementAndGet();
    }

    private DType storageOf(DType t) {
        // a half parameter is kept as its rounded values, whatever the store's float type
        return t.isFloat() && !t.isHalf() ? floatStorage : t;
    }

    /** The stored tensor of {@code name}, whose array backends may read and write in place. */
    public HostTensor storage(String name) {
        HostTensor t = values.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'; held: " + values.keySet());
        return t;
    }

    /** Replaces the stored tensor of {@code name} with {@code t}, which must already be in storage form. */
    public void replace(String name, HostTensor t) {
        storage(name);
        values.put(name, t);
        generation.incrementAndGet();
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public HostTensor get(String name) {
        HostTensor t = storage(name);
        return HostTensor.fromDoubles(declared.get(name), t.shape(), t.toDoubles());
    }

    @Override
    public void set(String name, HostTensor value) {
        HostTensor t = storage(name);
        if (!t.shape().equals(value.shape())) {
            throw new ShapeException("parameter '" + name + "' has shape " + t.shape() + "; cannot set a value of shape " + value.shape());
        }
        values.put(name, HostTensor.fromDoubles(storageOf(declared.get(name)), t.shape(), value.toDoubles()));
        generation.incrementAndGet();
    }
}
