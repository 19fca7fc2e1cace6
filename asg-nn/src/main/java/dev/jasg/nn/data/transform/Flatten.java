package dev.jasg.nn.data.transform;

import dev.jasg.core.HostTensor;

import java.util.Arrays;

/** Merges the axes from {@code startDim} on into one, as {@code torch.flatten(x, start_dim)}; the default flattens everything. */
public final class Flatten implements Transform {
    private final int startDim;

    /** Flattens to one axis. */
    public Flatten() {
        this(0);
    }

    /** Flattens the axes from {@code startDim} on. */
    public Flatten(int startDim) {
        if (startDim < 0) throw new IllegalArgumentException("negative start dim");
        this.startDim = startDim;
    }

    @Override
    public HostTensor apply(HostTensor x) {
        int[] dims = x.shape().dims();
        if (startDim > dims.length) throw new IllegalArgumentException("cannot flatten from axis " + startDim + " of shape " + x.shape());
        if (startDim == dims.length) return x.reshape(dims);
        int[] out = Arrays.copyOf(dims, startDim + 1);
        int rest = 1;
        for (int i = startDim; i < dims.length; i++) rest *= dims[i];
        out[startDim] = rest;
        return x.reshape(out);
    }
}
