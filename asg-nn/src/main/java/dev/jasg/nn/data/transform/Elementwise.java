package dev.jasg.nn.data.transform;

import dev.jasg.core.DType;
import dev.jasg.core.HostTensor;

import java.util.function.IntToDoubleFunction;

/** Builds the F32 (or F64 for F64 input) result of an element-wise rule. */
final class Elementwise {
    private Elementwise() {}

    /** Element i of the result is {@code f(i)}; the result is F64 for F64 input and F32 otherwise. */
    static HostTensor map(HostTensor x, IntToDoubleFunction f) {
        int n = x.size();
        if (x.dtype() == DType.F64) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) out[i] = f.applyAsDouble(i);
            return HostTensor.ofDoubles(out, x.shape().dims());
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) f.applyAsDouble(i);
        return HostTensor.of(out, x.shape().dims());
    }
}
