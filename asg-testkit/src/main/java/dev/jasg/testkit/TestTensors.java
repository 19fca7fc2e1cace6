package dev.jasg.testkit;

import dev.jasg.core.HostTensor;
import java.util.SplittableRandom;

/** Tensors the backends' tests feed. Stateless and thread-safe. */
public final class TestTensors {
    private TestTensors() {}

    /** An f32 tensor of shape {@code dims}, its elements uniform in {@code [-1, 1)} from {@code r}. */
    public static HostTensor uniform(SplittableRandom r, int... dims) {
        int size = 1;
        for (int d : dims) size *= d;
        float[] f = new float[size];
        for (int i = 0; i < size; i++) f[i] = (float) (r.nextDouble() * 2 - 1);
        return HostTensor.of(f, dims);
    }
}
