package dev.jasg.core.reference;

import dev.jasg.core.HostTensor;
import dev.jasg.core.Outputs;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * The outputs of one reference run: host copies made when the run ended (float outputs
 * as F64, integer and bool outputs in their own dtype). They stay readable after later runs.
 */
final class ReferenceOutputs implements Outputs {
    private final Map<String, HostTensor> values;

    ReferenceOutputs(Map<String, HostTensor> values) {
        this.values = values;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public HostTensor get(String name) {
        HostTensor t = values.get(name);
        if (t == null) throw new IllegalArgumentException("no output named '" + name + "'; outputs: " + values.keySet());
        // A fresh copy, so a caller writing into the array cannot change what the next get returns.
        return HostTensor.fromDoubles(t.dtype(), t.shape(), t.toDoubles());
    }
}
